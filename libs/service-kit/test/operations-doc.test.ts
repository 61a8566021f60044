import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { kafkaConsumerSettings, kafkaSettings, neo4jSettings, redisSettings, registrySettings, serviceSettings } from '../src/index.js';

// dist/test/ → repository root
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const OPERATIONS = join(ROOT, 'docs/operations.md');

/** Where FORESIGHT_* settings are read: every service (config.ts), every app (the CLI, the embedded pipeline), the kit. */
const SOURCE_DIRS = [
  ...readdirSync(join(ROOT, 'services')).map((service) => join('services', service, 'src')),
  ...readdirSync(join(ROOT, 'apps')).map((app) => join('apps', app, 'src')),
  'libs/service-kit/src',
];

/** A FORESIGHT_* name, whole (so `FORESIGHT_KAFKA_*`, a family in a comment, is not one). */
const NAME = /\bFORESIGHT_[A-Z0-9]+(?:_[A-Z0-9]+)*\b/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every FORESIGHT_* name in the sources, with the first file that names it. */
function namesInSources(): Map<string, string> {
  const names = new Map<string, string>();
  for (const dir of SOURCE_DIRS) {
    let files: string[];
    try {
      files = sourceFiles(join(ROOT, dir));
    } catch {
      continue; // a service without src/ (none today)
    }
    for (const file of files) {
      for (const [name] of readFileSync(file, 'utf8').matchAll(NAME)) if (!names.has(name)) names.set(name, file.slice(ROOT.length));
    }
  }
  return names;
}

/** The doc's table row of a variable: a line starting with `| \`NAME\``. */
function rowOf(doc: string, name: string): string | undefined {
  return doc.split('\n').find((line) => line.startsWith(`| \`${name}\``));
}

describe('docs/operations.md', () => {
  it('documents every variable the kit reads, and marks each secret', () => {
    const doc = readFileSync(OPERATIONS, 'utf8');
    const variables = [serviceSettings(), kafkaSettings(), kafkaConsumerSettings(), registrySettings(), redisSettings(), neo4jSettings()].flatMap((s) => s.variables);
    for (const variable of variables) {
      const row = rowOf(doc, variable.name);
      assert.ok(row !== undefined, `${variable.name} is not documented`);
      assert.equal(row.includes('🔒'), variable.secret, `${variable.name}: secret marker`);
    }
  });

  it('has a table row for every FORESIGHT_* name the services, the CLI, the kit and the embedded pipeline read', () => {
    const doc = readFileSync(OPERATIONS, 'utf8');
    const names = namesInSources();
    // NOTE: a guard against a scan that silently finds nothing (a moved folder): these are read today.
    for (const known of ['FORESIGHT_KAFKA_BROKERS', 'FORESIGHT_TICK_INTERVAL', 'FORESIGHT_INSTANCE_ID', 'FORESIGHT_TOPOLOGY_HALF_LIFE', 'FORESIGHT_ALLOCATOR_LEASE_TTL', 'FORESIGHT_LEARNER_WINDOW']) {
      assert.ok(names.has(known), `the scan did not find ${known}`);
    }
    const missing = [...names].filter(([name]) => rowOf(doc, name) === undefined).map(([name, file]) => `${name} (${file})`);
    assert.deepEqual(missing, [], `not documented in docs/operations.md: ${missing.join(', ')}`);
  });
});
