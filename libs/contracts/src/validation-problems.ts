import type avro from 'avsc';

/** At most this many problems (and as many unknown fields) are named in one message. */
const MAX_PROBLEMS = 5;

interface TypeView {
  readonly typeName: string;
  readonly fields?: readonly { readonly name: string; readonly type: avro.Type }[];
  readonly symbols?: readonly string[];
  readonly itemsType?: avro.Type;
  readonly valuesType?: avro.Type;
  readonly types?: readonly avro.Type[];
}

function view(type: avro.Type): TypeView {
  return type;
}

/** What a value of an Avro type looks like in JSON, for a reader: "string", "one of OPEN, RESOLVED", "object {…}". */
export function expectedShape(type: avro.Type, depth = 0): string {
  const t = view(type);
  switch (t.typeName) {
    case 'string': return 'string';
    case 'long': case 'int': return `integer (${t.typeName})`;
    case 'double': case 'float': return 'number';
    case 'boolean': return 'true or false';
    case 'null': return 'null';
    case 'bytes': case 'fixed': return 'bytes';
    case 'enum': return `one of ${(t.symbols ?? []).join(', ')}`;
    case 'array': return depth > 0 ? 'array' : `array of ${expectedShape(t.itemsType!, depth + 1)}`;
    case 'map': return depth > 0 ? 'object' : `object of ${expectedShape(t.valuesType!, depth + 1)} values`;
    case 'record': return depth > 0 ? 'object' : `object with ${(t.fields ?? []).map((f) => f.name).join(', ')}`;
    default:
      if (t.types !== undefined) return t.types.map((b) => expectedShape(b, depth + 1)).join(' or ');
      return t.typeName;
  }
}

function fieldPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' || /^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`), '');
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? typeof value : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Keys of the records in `value` that the schema does not declare, with the path of each (walks records, arrays, maps). */
function undeclaredFields(type: avro.Type, value: unknown, path: readonly (string | number)[], out: (string | number)[][]): void {
  if (value === null || typeof value !== 'object' || out.length >= MAX_PROBLEMS) return;
  const t = view(type);
  if (t.typeName === 'record') {
    const declared = new Map((t.fields ?? []).map((f) => [f.name, f.type]));
    for (const [key, inner] of Object.entries(value)) {
      const fieldType = declared.get(key);
      if (fieldType === undefined) out.push([...path, key]);
      else undeclaredFields(fieldType, inner, [...path, key], out);
    }
  } else if (t.typeName === 'array' && Array.isArray(value)) {
    value.forEach((item, i) => undeclaredFields(t.itemsType!, item, [...path, i], out));
  } else if (t.typeName === 'map') {
    for (const [key, inner] of Object.entries(value)) undeclaredFields(t.valuesType!, inner, [...path, key], out);
  } else if (t.types !== undefined) {
    const branch = t.types.find((b) => view(b).typeName === 'record' || view(b).typeName === 'map');
    if (branch !== undefined) undeclaredFields(branch, value, path, out);
  }
}

const loose = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** host_id, HostID, hostid or host for hostId: same letters ignoring case and separators, or one a prefix of the other. */
function lookAlike(unknown: string, declared: string): boolean {
  const [a, b] = [loose(unknown), loose(declared)];
  return a === b || (Math.min(a.length, b.length) >= 3 && (a.startsWith(b) || b.startsWith(a)));
}

/**
 * Why `value` is not a valid `type`, one line per problem, each naming the field and the expected shape:
 * `field 'hostId' is missing (expected string)`, `field 'level' is "VM" (expected one of SYSTEM, GROUP, COMPONENT)`,
 * then the keys the schema does not declare (`unknown field 'host_id' (did you mean 'hostId'?)`).
 */
export function validationProblems(type: avro.Type, value: unknown): string[] {
  const problems: string[] = [];
  const missing: { path: (string | number)[]; name: string }[] = [];
  type.isValid(value, {
    errorHook: (path: string[], found: unknown, at: avro.Type) => {
      if (problems.length >= MAX_PROBLEMS) return;
      // NOTE: a date written as text in a long field is the usual mistake with event times.
      const dated = view(at).typeName === 'long' && typeof found === 'string' && !Number.isNaN(Date.parse(found));
      const expected = `${expectedShape(at)}${dated ? '; times are epoch milliseconds' : ''}`;
      if (path.length === 0) {
        problems.push(found === undefined ? `the message is missing (expected ${expected})` : `the message is ${describeValue(found)} (expected ${expected})`);
        return;
      }
      if (found === undefined) missing.push({ path: path.slice(0, -1), name: path[path.length - 1] });
      problems.push(`field '${fieldPath(path)}' ${found === undefined ? 'is missing' : `is ${describeValue(found)}`} (expected ${expected})`);
    },
  });
  const unknown: (string | number)[][] = [];
  undeclaredFields(type, value, [], unknown);
  for (const path of unknown) {
    const key = String(path[path.length - 1]);
    const parent = fieldPath(path.slice(0, -1));
    const twin = missing.find((m) => fieldPath(m.path) === parent && lookAlike(key, m.name));
    problems.push(`unknown field '${fieldPath(path)}'${twin === undefined ? '' : ` (did you mean '${twin.name}'?)`}`);
  }
  return problems;
}
