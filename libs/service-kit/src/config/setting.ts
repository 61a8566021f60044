import { ConfigError, type ConfigProblem } from './config-error.js';

/** The environment a configuration is read from (process.env in a service's config.ts, a literal in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** What one environment variable means, for docs and diagnostics; secrets never show a default. */
export interface VariableInfo {
  readonly name: string;
  /** What a valid value looks like, e.g. "an integer 0..65535". */
  readonly expected: string;
  readonly secret: boolean;
  readonly required: boolean;
  /** The default as text, when there is one and it is not secret. */
  readonly defaultText?: string;
}

/** The outcome of reading a setting: its value, or every problem found. */
export type SettingResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** A typed, self-describing reader of one or more environment variables. */
export interface Setting<T> {
  readonly variables: readonly VariableInfo[];
  read(env: Env): SettingResult<T>;
}

/** An object of settings, read together. */
export type SettingsShape = { readonly [key: string]: Setting<unknown> };

/** The value type of a settings object: each key becomes what its setting reads. */
export type SettingsOf<S extends SettingsShape> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** Combines settings into one setting whose value is an object; problems of every member are collected. */
export function settingsGroup<S extends SettingsShape>(shape: S): Setting<SettingsOf<S>> {
  return {
    variables: Object.values(shape).flatMap((setting) => setting.variables),
    read(env) {
      const value: Record<string, unknown> = {};
      const problems: ConfigProblem[] = [];
      for (const [key, setting] of Object.entries(shape)) {
        const result = setting.read(env);
        if (result.ok) value[key] = result.value;
        else problems.push(...result.problems);
      }
      // NOTE: the cast is the one place the mapped type meets the runtime loop above.
      return problems.length === 0 ? { ok: true, value: value as SettingsOf<S> } : { ok: false, problems };
    },
  };
}

/** Derives a setting from another, adding cross-variable checks; `derive` returns the value or its problems. */
export function refineSetting<T, U>(
  setting: Setting<T>,
  derive: (value: T, env: Env) => SettingResult<U>,
): Setting<U> {
  return {
    variables: setting.variables,
    read(env) {
      const result = setting.read(env);
      return result.ok ? derive(result.value, env) : result;
    },
  };
}

/** Reads every setting of `shape` from `env`; throws one ConfigError naming every bad variable. */
export function readConfig<S extends SettingsShape>(env: Env, shape: S): SettingsOf<S> {
  return readSetting(env, settingsGroup(shape));
}

/** Reads one setting (e.g. a connection group) from `env`; throws ConfigError on any problem. */
export function readSetting<T>(env: Env, setting: Setting<T>): T {
  const result = setting.read(env);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.value;
}
