import { redactUrl } from '@foresight/messaging';
import { formatDuration, parseDuration } from './duration.js';
import type { Env, Setting } from './setting.js';

/** How a missing (unset or blank) variable is treated: use `default`, yield undefined when `optional`, else it is required. */
export interface Presence<T> {
  readonly default?: T;
  readonly optional?: boolean;
}

/** The value type a presence option gives: T with a default or when required, T | undefined when optional. */
export type Resolved<T, O> = O extends { readonly default: T } ? T : O extends { readonly optional: true } ? T | undefined : T;

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly detail?: string };

interface VariableSpec<T> {
  readonly expected: string;
  readonly parse: (raw: string) => Parsed<T>;
  readonly secret?: boolean;
  /** Rewrites a rejected raw value before it is echoed (e.g. hides URL credentials). */
  readonly echo?: (raw: string) => string;
  readonly showDefault?: (value: T) => string;
}

const ECHO_LIMIT = 80;

const accept = <T>(value: T): Parsed<T> => ({ ok: true, value });
const reject = <T>(detail?: string): Parsed<T> => (detail === undefined ? { ok: false } : { ok: false, detail });

function quote(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = raw.replace(/[\u0000-\u001f\u007f]/g, '?');
  return `'${printable.length > ECHO_LIMIT ? `${printable.slice(0, ECHO_LIMIT)}…` : printable}'`;
}

function variable<T, O extends Presence<T>>(name: string, options: O | undefined, spec: VariableSpec<T>): Setting<Resolved<T, O>> {
  const secret = spec.secret === true;
  const hasDefault = options !== undefined && 'default' in options && options.default !== undefined;
  const optional = options?.optional === true;
  const showDefault = spec.showDefault ?? ((value: T) => String(value));
  const setting: Setting<T | undefined> = {
    variables: [{
      name,
      expected: spec.expected,
      secret,
      required: !hasDefault && !optional,
      ...(hasDefault && !secret ? { defaultText: showDefault(options.default) } : {}),
    }],
    read(env: Env) {
      const given = env[name];
      const raw = given === undefined ? '' : secret ? given : given.trim();
      if (raw.trim() === '') {
        if (hasDefault) return { ok: true, value: options.default };
        if (optional) return { ok: true, value: undefined };
        return { ok: false, problems: [{ variable: name, reason: `required (${spec.expected}) but not set` }] };
      }
      const parsed = spec.parse(raw);
      if (parsed.ok) return { ok: true, value: parsed.value };
      const got = secret ? ' (value hidden)' : `, got ${quote(spec.echo ? spec.echo(raw) : raw)}`;
      const detail = parsed.detail === undefined ? '' : ` (${parsed.detail})`;
      return { ok: false, problems: [{ variable: name, reason: `expected ${spec.expected}${got}${detail}` }] };
    },
  };
  // NOTE: a required setting never yields undefined, so narrowing to Resolved<T, O> is sound.
  return setting as Setting<Resolved<T, O>>;
}

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` ${min}..${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

const inRange = (value: number, min: number | undefined, max: number | undefined): boolean =>
  (min === undefined || value >= min) && (max === undefined || value <= max);

/** Bounds of a numeric setting, inclusive. */
export interface RangeOptions {
  readonly min?: number;
  readonly max?: number;
}

/** An integer, optionally bounded. */
export function int<O extends Presence<number> & RangeOptions>(name: string, options?: O): Setting<Resolved<number, O>> {
  return variable(name, options, {
    expected: `an integer${rangeText(options?.min, options?.max)}`,
    parse: (raw) => {
      const value = Number(raw);
      return /^[+-]?\d+$/.test(raw) && Number.isSafeInteger(value) && inRange(value, options?.min, options?.max) ? accept(value) : reject();
    },
  });
}

/** A finite decimal number, optionally bounded. */
export function float<O extends Presence<number> & RangeOptions>(name: string, options?: O): Setting<Resolved<number, O>> {
  return variable(name, options, {
    expected: `a number${rangeText(options?.min, options?.max)}`,
    parse: (raw) => {
      const value = Number(raw);
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) && Number.isFinite(value) && inRange(value, options?.min, options?.max)
        ? accept(value) : reject();
    },
  });
}

/** A TCP port 0..65535 (0 = pick an ephemeral port). */
export function port<O extends Presence<number>>(name: string, options?: O): Setting<Resolved<number, O>> {
  return int(name, { ...options, min: 0, max: 65535 }) as Setting<Resolved<number, O>>;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** A boolean: true/false, 1/0, yes/no or on/off (any case). */
export function bool<O extends Presence<boolean>>(name: string, options?: O): Setting<Resolved<boolean, O>> {
  return variable(name, options, {
    expected: 'a boolean (true/false, 1/0, yes/no, on/off)',
    parse: (raw) => {
      const word = raw.toLowerCase();
      return TRUE.has(word) ? accept(true) : FALSE.has(word) ? accept(false) : reject();
    },
  });
}

/** Which schemes a URL setting accepts, e.g. ['http:', 'https:']. */
export interface UrlOptions {
  readonly protocols?: readonly string[];
}

/** An absolute URL (returned as text); credentials in a rejected value are masked in the message. */
export function url<O extends Presence<string> & UrlOptions>(name: string, options?: O): Setting<Resolved<string, O>> {
  const protocols = options?.protocols;
  const schemes = protocols?.map((p) => p.replace(/:$/, ''));
  return variable(name, options, {
    expected: schemes === undefined ? 'an absolute URL' : `a URL (${schemes.join(', ')})`,
    echo: redactUrl,
    showDefault: redactUrl,
    parse: (raw) => {
      if (!URL.canParse(raw)) return reject();
      const parsed = new URL(raw);
      return protocols === undefined || protocols.includes(parsed.protocol) ? accept(raw) : reject(`scheme '${parsed.protocol}'`);
    },
  });
}

function durationRangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` of ${formatDuration(min)}..${formatDuration(max)}`;
  if (min !== undefined) return ` of at least ${formatDuration(min)}`;
  if (max !== undefined) return ` of at most ${formatDuration(max)}`;
  return '';
}

/**
 * A duration in milliseconds, written "250ms", "30s", "5m", "1h30m", "1d" or "0", optionally bounded (inclusive, in
 * ms): e.g. `min: 1` for a half-life or time-out that must be positive, `min: 10` for an interval a timer repeats at.
 */
export function duration<O extends Presence<number> & RangeOptions>(name: string, options?: O): Setting<Resolved<number, O>> {
  const min = options?.min;
  const max = options?.max;
  return variable(name, options, {
    expected: `a duration${durationRangeText(min, max)} such as '250ms', '30s', '5m' or '1h'`,
    showDefault: formatDuration,
    parse: (raw) => {
      const ms = parseDuration(raw);
      return ms !== undefined && inRange(ms, min, max) ? accept(ms) : reject();
    },
  });
}

/** One of a closed set of words (matched case-insensitively, returned as listed). */
export function oneOf<const V extends string, O extends Presence<V> = Presence<V>>(
  name: string,
  values: readonly V[],
  options?: O,
): Setting<Resolved<V, O>> {
  return variable(name, options, {
    expected: `one of ${values.join(', ')}`,
    parse: (raw) => {
      const match = values.find((v) => v.toLowerCase() === raw.toLowerCase());
      return match === undefined ? reject() : accept(match);
    },
  });
}

/** How list items look: a pattern each must match and a name for it in messages. */
export interface ListOptions {
  readonly separator?: string;
  readonly itemPattern?: RegExp;
  /** e.g. "host:port"; shown in messages. */
  readonly itemName?: string;
}

/** A separated list (comma by default) of non-empty trimmed items. */
export function list<O extends Presence<readonly string[]> & ListOptions>(name: string, options?: O): Setting<Resolved<readonly string[], O>> {
  const separator = options?.separator ?? ',';
  const pattern = options?.itemPattern;
  return variable(name, options, {
    expected: `a '${separator}'-separated list${options?.itemName === undefined ? '' : ` of ${options.itemName}`}`,
    showDefault: (items) => items.join(separator),
    parse: (raw) => {
      const items = raw.split(separator).map((item) => item.trim()).filter((item) => item !== '');
      const bad = pattern === undefined ? undefined : items.find((item) => !pattern.test(item));
      return bad === undefined ? accept(items) : reject(`item ${quote(bad)} is not ${options?.itemName ?? `matching ${String(pattern)}`}`);
    },
  });
}

/** Pattern and description of a text setting. */
export interface TextOptions {
  readonly pattern?: RegExp;
  /** What valid text looks like, e.g. "a Kafka client id"; defaults to the pattern. */
  readonly description?: string;
}

/** Free text, optionally required to match a pattern. */
export function text<O extends Presence<string> & TextOptions>(name: string, options?: O): Setting<Resolved<string, O>> {
  const pattern = options?.pattern;
  return variable(name, options, {
    expected: options?.description ?? (pattern === undefined ? 'text' : `text matching ${String(pattern)}`),
    parse: (raw) => (pattern === undefined || pattern.test(raw) ? accept(raw) : reject()),
  });
}

/** A secret (password, token): taken verbatim, never echoed in any message or listed default. */
export function secret<O extends Presence<string> & TextOptions>(name: string, options?: O): Setting<Resolved<string, O>> {
  const pattern = options?.pattern;
  return variable(name, options, {
    expected: options?.description ?? (pattern === undefined ? 'a secret' : 'a secret in the expected format'),
    secret: true,
    parse: (raw) => (pattern === undefined || pattern.test(raw) ? accept(raw) : reject()),
  });
}
