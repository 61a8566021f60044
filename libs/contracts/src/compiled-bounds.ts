import { ContractError } from './contract-error.js';
import { MESSAGE_BOUNDS, describeViolation, numberViolation, type Violation } from './message-bounds.js';

type Check = (value: unknown) => Violation | undefined;
type AvroSchema = string | readonly AvroSchema[] | { readonly type: string; readonly [key: string]: unknown };

const OK = undefined;

/**
 * Compiles the bounds of assertMessageBounds for one Avro schema: the walk follows the schema instead of
 * enumerating keys, and each field's rule (unit interval, non-negative, string length) is decided once, here.
 * Returns a function that throws INVALID_MESSAGE naming the path, exactly as assertMessageBounds would (or as `describe` says).
 */
export function compileMessageBounds(schema: object, describe: (violation: Violation) => string = describeViolation): (value: unknown) => void {
  const named = new Map<string, Check>();
  const check = compile(schema as AvroSchema, '', named, '');
  return (value) => {
    const violation = check(value);
    if (violation !== undefined) throw new ContractError('INVALID_MESSAGE', describe(violation));
  };
}

function fullName(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

function compile(schema: AvroSchema, field: string, named: Map<string, Check>, namespace: string): Check {
  if (typeof schema === 'string') return primitive(schema, field, named, namespace);
  if (Array.isArray(schema)) {
    const branches = (schema as readonly AvroSchema[]).filter((s) => s !== 'null').map((s) => compile(s, field, named, namespace));
    if (branches.length === 1) {
      const only = branches[0];
      return (v) => (v === null ? OK : only(v));
    }
    return (v) => {
      if (v === null) return OK;
      for (const branch of branches) if (branch(v) === OK) return OK;
      return branches[0]?.(v);
    };
  }
  const s = schema as { readonly type: string; readonly [key: string]: unknown };
  switch (s.type) {
    case 'record': return record(s, named, namespace);
    case 'array': return array(compile(s.items as AvroSchema, field, named, namespace));
    case 'map': return map(s.values as AvroSchema, named, namespace);
    case 'enum': case 'fixed': {
      // An enum symbol is a string: bounded like one (Avro's own check refuses unknown symbols anyway).
      const check = s.type === 'enum' ? primitive('string', field, named, namespace) : () => OK;
      if (typeof s.name === 'string') named.set(fullName(s.name, (s.namespace as string | undefined) ?? namespace), check);
      return check;
    }
    default: return primitive(s.type, field, named, namespace);
  }
}

function primitive(type: string, field: string, named: Map<string, Check>, namespace: string): Check {
  switch (type) {
    case 'int': case 'long': case 'float': case 'double': return numberCheck(field);
    case 'string':
      return field === 'parametersJson' ? () => OK : (v) => (typeof v === 'string' && v.length > MESSAGE_BOUNDS.maxStringLength
        ? { trail: [], detail: `is ${v.length} characters long (at most ${MESSAGE_BOUNDS.maxStringLength})` } : OK);
    case 'null': case 'boolean': case 'bytes': return () => OK;
    default: {
      const key = fullName(type, namespace);
      return (v) => (named.get(key) ?? named.get(type) ?? (() => OK))(v);
    }
  }
}

function numberCheck(field: string): Check {
  // Decide the field's rule once: numberViolation reads only the value and the field name.
  return (v) => {
    if (typeof v !== 'number') return OK;
    if (Number.isFinite(v) && v >= 0 && v <= 1) return OK;
    const detail = numberViolation(v, field);
    return detail === undefined ? OK : { trail: [], detail };
  };
}

function record(s: { readonly [key: string]: unknown }, named: Map<string, Check>, namespace: string): Check {
  const ns = (s.namespace as string | undefined) ?? namespace;
  const fields: { name: string; check: Check }[] = [];
  const check: Check = (v) => {
    if (v === null || typeof v !== 'object') return OK;
    const obj = v as Record<string, unknown>;
    for (const f of fields) {
      const inner = f.check(obj[f.name]);
      if (inner !== undefined) return { trail: [f.name, ...inner.trail], detail: inner.detail };
    }
    return OK;
  };
  if (typeof s.name === 'string') named.set(fullName(s.name, ns), check);
  for (const f of s.fields as readonly { name: string; type: AvroSchema }[]) fields.push({ name: f.name, check: compile(f.type, f.name, named, ns) });
  return check;
}

function array(items: Check): Check {
  return (v) => {
    if (!Array.isArray(v)) return OK;
    if (v.length > MESSAGE_BOUNDS.maxArrayLength) return { trail: [], detail: `has ${v.length} items (at most ${MESSAGE_BOUNDS.maxArrayLength})` };
    for (let i = 0; i < v.length; i++) {
      const inner = items(v[i]);
      if (inner !== undefined) return { trail: [i, ...inner.trail], detail: inner.detail };
    }
    return OK;
  };
}

function map(values: AvroSchema, named: Map<string, Check>, namespace: string): Check {
  // Map values are judged by their key (a metrics map's 'brier' must lie in [0, 1]), as assertMessageBounds does.
  const byKey = new Map<string, Check>();
  const valueCheck = (key: string): Check => {
    let c = byKey.get(key);
    if (c === undefined) {
      c = compile(values, key, named, namespace);
      if (byKey.size < MESSAGE_BOUNDS.maxMapEntries) byKey.set(key, c);
    }
    return c;
  };
  return (v) => {
    if (v === null || typeof v !== 'object') return OK;
    let count = 0;
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      if (++count > MESSAGE_BOUNDS.maxMapEntries) return { trail: [], detail: `has more than ${MESSAGE_BOUNDS.maxMapEntries} entries` };
      const inner = valueCheck(key)((v as Record<string, unknown>)[key]);
      if (inner !== undefined) return { trail: [key, ...inner.trail], detail: inner.detail };
    }
    return OK;
  };
}
