import type { CommandWhy, LeaseCommand } from '@foresight/core';

/**
 * One command of a pass (core's LeaseCommand), decided and persisted before any effect, so a redelivery replays exactly
 * the same. `why` is absent in passes written ahead before commands carried their reason (they go out with an empty one).
 */
export type PlannedCommand = Omit<LeaseCommand, 'why'> & { readonly why?: CommandWhy };
