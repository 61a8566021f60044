import type { Setting } from './setting.js';
import { duration, text, type Presence, type Resolved } from './variable-settings.js';

const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/** A name used in topic, group, key or namespace names: letters, digits, `.`, `_`, `-`. */
export function safeName<O extends Presence<string>>(name: string, options?: O): Setting<Resolved<string, O>> {
  return text(name, { ...options, pattern: NAME_PATTERN, description: 'letters, digits, . _ -' } as O & { pattern: RegExp; description: string });
}

/** FORESIGHT_TOPIC_PREFIX: what every topic name starts with (one deployment, or one test). */
export function topicPrefixSetting(defaultPrefix: string): Setting<string> {
  return safeName('FORESIGHT_TOPIC_PREFIX', { default: defaultPrefix });
}

/** FORESIGHT_NEO4J_NAMESPACE: the graph store's namespace (one deployment, or one test). */
export function neo4jNamespaceSetting(): Setting<string> {
  return safeName('FORESIGHT_NEO4J_NAMESPACE', { default: 'default' });
}

/** FORESIGHT_REDIS_KEY_PREFIX: what every Redis key of the state store starts with. */
export function redisKeyPrefixSetting(): Setting<string> {
  return text('FORESIGHT_REDIS_KEY_PREFIX', { default: 'foresight:' });
}

/** Bounds of FORESIGHT_TICK_INTERVAL: a shorter tick busy-loops the event loop; a longer one than a day is never useful. */
const TICK_INTERVAL_BOUNDS = Object.freeze({ min: 10, max: 86_400_000 });

/** FORESIGHT_TICK_INTERVAL: how often main advances event time with the wall clock (10ms..1d). */
export function tickIntervalSetting(): Setting<number> {
  return duration('FORESIGHT_TICK_INTERVAL', { default: 1_000, ...TICK_INTERVAL_BOUNDS });
}
