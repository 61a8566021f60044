#!/usr/bin/env node
// Generates TypeScript types and topic descriptors from schemas/*.avsc (the single source of truth).
// `--check` fails (exit 1) when the committed generated file differs from what the schemas produce.
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;
const schemaDir = join(root, 'schemas');
const outFile = new URL('../src/generated/contracts.ts', import.meta.url).pathname;
const check = process.argv.includes('--check');

const named = new Map(); // full name -> { ts, json }
const order = [];

function fullName(name, namespace) {
  return name.includes('.') ? name : `${namespace}.${name}`;
}
function shortName(name) {
  return name.split('.').pop();
}
function doc(text, indent = '') {
  return text ? `${indent}/** ${text.replace(/\*\//g, '* /')} */\n` : '';
}

function tsType(schema, namespace) {
  if (typeof schema === 'string') {
    switch (schema) {
      case 'null': return 'null';
      case 'boolean': return 'boolean';
      case 'int': case 'long': case 'float': case 'double': return 'number';
      case 'string': return 'string';
      case 'bytes': return 'Buffer';
      default: {
        const fn = fullName(schema, namespace);
        if (!named.has(fn)) throw new Error(`unknown named type ${schema}`);
        return shortName(fn);
      }
    }
  }
  if (Array.isArray(schema)) return schema.map((s) => tsType(s, namespace)).join(' | ');
  switch (schema.type) {
    case 'record': return defineRecord(schema, namespace);
    case 'enum': return defineEnum(schema, namespace);
    case 'array': return `readonly (${tsType(schema.items, namespace)})[]`;
    case 'map': return `Readonly<Record<string, ${tsType(schema.values, namespace)}>>`;
    case 'fixed': return 'Buffer';
    default: return tsType(schema.type, namespace);
  }
}

function register(schema, namespace, ts) {
  const fn = fullName(schema.name, schema.namespace ?? namespace);
  const json = JSON.stringify(schema);
  const existing = named.get(fn);
  if (existing) {
    if (existing.json !== json) throw new Error(`named type ${fn} is defined twice with different shapes`);
    return shortName(fn);
  }
  named.set(fn, { ts: '', json });
  order.push(fn);
  named.get(fn).ts = ts();
  return shortName(fn);
}

function defineEnum(schema, namespace) {
  return register(schema, namespace, () => {
    const n = shortName(schema.name);
    const symbols = schema.symbols.map((s) => `'${s}'`);
    return `${doc(schema.doc)}export type ${n} = ${symbols.join(' | ')};\n` +
      `export const ${n.charAt(0).toLowerCase()}${n.slice(1)}Symbols: readonly ${n}[] = [${symbols.join(', ')}];\n`;
  });
}

function defineRecord(schema, namespace) {
  const ns = schema.namespace ?? namespace;
  return register(schema, namespace, () => {
    const lines = schema.fields.map((f) => `${doc(f.doc, '  ')}  readonly ${f.name}: ${tsType(f.type, ns)};`);
    return `${doc(schema.doc)}export interface ${shortName(schema.name)} {\n${lines.join('\n')}\n}\n`;
  });
}

const topics = [];
for (const file of readdirSync(schemaDir).filter((f) => f.endsWith('.avsc')).sort()) {
  const schema = JSON.parse(readFileSync(join(schemaDir, file), 'utf8'));
  const topic = basename(file, '.avsc');
  const typeName = defineRecord(schema, schema.namespace ?? '');
  topics.push({ topic, typeName, schema, key: /Key: ([A-Za-z]+)/.exec(schema.doc ?? '')?.[1] });
}

let out = '// GENERATED from schemas/*.avsc by libs/contracts/codegen/generate.mjs. Do not edit: run `npm run contracts:generate`.\n\n';
for (const fn of order) out += named.get(fn).ts + '\n';
out += '/** Every topic: its name (without prefix), the record it carries, the field its key is taken from, and its Avro schema. */\n';
out += 'export interface TopicMessages {\n' + topics.map((t) => `  '${t.topic}': ${t.typeName};`).join('\n') + '\n}\n\n';
out += 'export type TopicName = keyof TopicMessages;\n\n';
out += 'export const topicSchemas = {\n' + topics.map((t) => {
  if (!t.key) throw new Error(`schemas/${t.topic}.avsc: its doc must say 'Key: <field>'`);
  return `  '${t.topic}': { key: '${t.key}', schema: ${JSON.stringify(t.schema)} },`;
}).join('\n') + '\n} as const;\n\n';
out += 'export const topicNames: readonly TopicName[] = [' + topics.map((t) => `'${t.topic}'`).join(', ') + '];\n';

if (check) {
  const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
  if (current !== out) {
    console.error('libs/contracts/src/generated/contracts.ts is out of date with schemas/*.avsc: run `npm run contracts:generate` and commit.');
    process.exit(1);
  }
  console.log(`contracts up to date (${topics.length} topics, ${order.length} named types)`);
} else {
  writeFileSync(outFile, out);
  console.log(`wrote ${outFile} (${topics.length} topics, ${order.length} named types)`);
}
