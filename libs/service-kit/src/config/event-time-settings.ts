import type { EventTimeBounds } from '@foresight/contracts';
import { settingsGroup, type Setting } from './setting.js';
import { duration } from './variable-settings.js';

/** Default of FORESIGHT_MAX_EVENT_FUTURE: more than the clock skew of healthy hosts, far less than any sweep horizon. */
export const DEFAULT_MAX_EVENT_FUTURE_MS = 5 * 60_000;

/**
 * The window around the service's wall clock that consumed event times must lie in (docs/messaging.md): at most
 * FORESIGHT_MAX_EVENT_FUTURE ahead (default 5m) and, when FORESIGHT_MAX_EVENT_AGE is set, at most that old (default 0:
 * no bound, so a backlog or a replay of retained history is still applied). 0 turns a side off.
 */
export function eventTimeBoundsSettings(): Setting<EventTimeBounds> {
  return settingsGroup({
    maxFutureMs: duration('FORESIGHT_MAX_EVENT_FUTURE', { default: DEFAULT_MAX_EVENT_FUTURE_MS, min: 0 }),
    maxAgeMs: duration('FORESIGHT_MAX_EVENT_AGE', { default: 0, min: 0 }),
  });
}
