/** One bad setting: the environment variable and why its value was rejected (never the secret itself). */
export interface ConfigProblem {
  readonly variable: string;
  readonly reason: string;
}

/** Every configuration problem found in one read, so an operator fixes them all in one go. */
export class ConfigError extends Error {
  /** Stable code for callers that branch on errors. */
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid configuration (${count}): ${problems.map((p) => `${p.variable}: ${p.reason}`).join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
