import type { CommandPhase, CommandWhy, LeaseCommand } from '@foresight/core';

/**
 * One command of a pass (core's LeaseCommand), decided and persisted before any effect, so a redelivery replays exactly
 * the same. `why` is absent in passes written ahead before commands carried their reason (they go out with an empty
 * one), `phase` in those written before it existed (they are ordered by their step: core actuationOrder).
 */
export type PlannedCommand = Omit<LeaseCommand, 'why' | 'phase'> & { readonly why?: CommandWhy; readonly phase?: CommandPhase };
