import type { CommandStep } from './command-id.js';
import type { CommandPhase } from './lease-command.js';

const RANK: Readonly<Record<CommandPhase, number>> = { release: 0, shrink: 1, renew: 2, take: 3 };

/** A command's rank; one written before commands carried their phase is placed by its step (an ADJUST as a shrink). */
function rankOf(c: { readonly step: CommandStep; readonly phase?: CommandPhase }): number {
  if (c.phase !== undefined) return RANK[c.phase];
  return c.step === 'RELEASE' ? RANK.release : c.step === 'GRANT' ? RANK.take : c.step === 'RENEW' ? RANK.renew : RANK.shrink;
}

/**
 * The order a round's commands (every pass, in planned order) are carried out and published in: every RELEASE, then
 * every shrinking ADJUST, then RENEWs, then GRANTs and growing ADJUSTs; each group keeps the planned order. Freeing
 * earlier and taking later never makes a prefix hold more than the same prefix of the planned order did, so on every
 * host every prefix still fits; and an actuator applying one host's commands in this order frees before it takes.
 * Passes are of different incidents, so no command moves ahead of a command of its own lease that it depends on.
 */
export function actuationOrder<C extends { readonly step: CommandStep; readonly phase?: CommandPhase }>(commands: readonly C[]): C[] {
  return commands.map((c, i) => ({ c, i, rank: rankOf(c) })).sort((a, b) => a.rank - b.rank || a.i - b.i).map(({ c }) => c);
}
