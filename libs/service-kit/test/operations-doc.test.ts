import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { kafkaConsumerSettings, kafkaSettings, neo4jSettings, redisSettings, registrySettings, serviceSettings } from '../src/index.js';

// dist/test/ → repository root
const OPERATIONS = new URL('../../../../docs/operations.md', import.meta.url);

describe('docs/operations.md', () => {
  it('documents every variable the kit reads, and marks each secret', () => {
    const doc = readFileSync(OPERATIONS, 'utf8');
    const variables = [serviceSettings(), kafkaSettings(), kafkaConsumerSettings(), registrySettings(), redisSettings(), neo4jSettings()].flatMap((s) => s.variables);
    for (const variable of variables) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${variable.name}\``));
      assert.ok(row !== undefined, `${variable.name} is not documented`);
      assert.equal(row.includes('🔒'), variable.secret, `${variable.name}: secret marker`);
    }
  });
});
