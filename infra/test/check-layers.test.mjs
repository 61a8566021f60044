// infra/check-layers.mjs on the real repository and on small fixture repositories, each written to its own folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const SCRIPT = fileURLToPath(new URL('../check-layers.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const made = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fixture repository: `files` maps a path to its content (an object is written as JSON). */
function fixture(files) {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  made.push(root);
  const all = { 'package.json': { name: 'fixture', private: true, workspaces: ['libs/*', 'services/*', 'apps/*'] }, ...files };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  return root;
}

/** A package.json for `@fx/<name>` with the given fields. */
function pkg(name, fields = {}) {
  return { name: `@fx/${name}`, version: '0.1.0', private: true, ...fields };
}

function check(root) {
  const result = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Packages that follow the rule: an app on a service and a lib, a service on a lib, a lib on a lib. */
const CLEAN = {
  'libs/core/package.json': pkg('core'),
  'libs/store/package.json': pkg('store', { dependencies: { '@fx/core': '0.1.0' } }),
  'libs/store/tsconfig.json': { references: [{ path: '../core' }] },
  'services/scorer/package.json': pkg('scorer', { dependencies: { '@fx/core': '0.1.0', '@fx/store': '0.1.0' } }),
  'services/scorer/src/main.ts': "import { open } from '@fx/store';\n",
  'apps/cli/package.json': pkg('cli', { dependencies: { '@fx/scorer': '0.1.0', '@fx/core': '0.1.0' } }),
  'apps/cli/tsconfig.json': { references: [{ path: '../../services/scorer' }, { path: '../../libs/core' }] },
  'apps/cli/src/cli.ts': "import { scorer } from '@fx/scorer';\nimport { core } from '../../../libs/core/src/index.js';\n",
};

describe('check-layers', () => {
  it('passes on this repository', () => {
    const { status, stdout, stderr } = check(REPO);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /all pointing down/);
  });

  it('passes when apps depend on services and libs, services on libs, libs on libs', () => {
    const { status, stdout, stderr } = check(fixture(CLEAN));
    assert.equal(status, 0, stderr);
    assert.match(stdout, /1 app → 1 service → 2 libs, 5 package edges/);
  });

  it('fails on a lib with a service among its dependencies, naming the edge', () => {
    const { status, stderr } = check(fixture({
      ...CLEAN,
      'libs/embedded/package.json': pkg('embedded', { dependencies: { '@fx/core': '0.1.0', '@fx/scorer': '0.1.0' } }),
    }));
    assert.equal(status, 1);
    assert.match(stderr, /1 dependency points the wrong way/);
    assert.ok(stderr.includes('libs/embedded (@fx/embedded, a lib) → services/scorer (@fx/scorer, a service): dependencies in libs/embedded/package.json'), stderr);
  });

  it('fails on a lib with an app among its devDependencies', () => {
    const { status, stderr } = check(fixture({ ...CLEAN, 'libs/store/package.json': pkg('store', { devDependencies: { '@fx/cli': '0.1.0' } }) }));
    assert.equal(status, 1);
    assert.ok(stderr.includes('libs/store (@fx/store, a lib) → apps/cli (@fx/cli, an app): devDependencies in libs/store/package.json'), stderr);
  });

  it('fails on a lib whose tsconfig references a service', () => {
    const { status, stderr } = check(fixture({ ...CLEAN, 'libs/store/tsconfig.json': { references: [{ path: '../core' }, { path: '../../services/scorer' }] } }));
    assert.equal(status, 1);
    assert.ok(stderr.includes("libs/store (@fx/store, a lib) → services/scorer (@fx/scorer, a service): reference '../../services/scorer' in libs/store/tsconfig.json"), stderr);
  });

  it('fails on a lib that imports a service in its sources without declaring it, naming file and line', () => {
    const { status, stderr } = check(fixture({ ...CLEAN, 'libs/store/src/open.ts': "import { x } from '@fx/core';\nexport { scorer } from '@fx/scorer/handlers';\n" }));
    assert.equal(status, 1);
    assert.ok(stderr.includes("libs/store (@fx/store, a lib) → services/scorer (@fx/scorer, a service): import '@fx/scorer/handlers' in libs/store/src/open.ts:2"), stderr);
  });

  it('fails on a lib that reaches into a service by a relative path', () => {
    const { status, stderr } = check(fixture({ ...CLEAN, 'libs/core/test/run.test.ts': "const m = await import('../../../services/scorer/src/main.js');\n" }));
    assert.equal(status, 1);
    assert.ok(stderr.includes("libs/core (@fx/core, a lib) → services/scorer (@fx/scorer, a service): import '../../../services/scorer/src/main.js' in libs/core/test/run.test.ts:1"), stderr);
  });

  it('fails on a service that depends on another service or on an app', () => {
    const { status, stderr } = check(fixture({
      ...CLEAN,
      'services/allocator/package.json': pkg('allocator', { dependencies: { '@fx/scorer': '0.1.0' }, devDependencies: { '@fx/cli': '0.1.0' } }),
    }));
    assert.equal(status, 1);
    assert.match(stderr, /2 dependencies point the wrong way/);
    assert.ok(stderr.includes('services/allocator (@fx/allocator, a service) → services/scorer (@fx/scorer, a service): dependencies in services/allocator/package.json'), stderr);
    assert.ok(stderr.includes('services/allocator (@fx/allocator, a service) → apps/cli (@fx/cli, an app): devDependencies in services/allocator/package.json'), stderr);
  });

  it('fails on an app that depends on another app', () => {
    const { status, stderr } = check(fixture({ ...CLEAN, 'apps/replay/package.json': pkg('replay', { dependencies: { '@fx/cli': '0.1.0' } }) }));
    assert.equal(status, 1);
    assert.ok(stderr.includes('apps/replay (@fx/replay, an app) → apps/cli (@fx/cli, an app): dependencies in apps/replay/package.json'), stderr);
  });

  it('reads a tsconfig with comments and trailing commas', () => {
    const { status, stderr } = check(fixture({ ...CLEAN, 'libs/store/tsconfig.json': '{\n  // why\n  "references": [{ "path": "../../apps/cli" },],\n}\n' }));
    assert.equal(status, 1);
    assert.ok(stderr.includes("libs/store (@fx/store, a lib) → apps/cli (@fx/cli, an app): reference '../../apps/cli' in libs/store/tsconfig.json"), stderr);
  });

  it('fails on a workspace package outside apps/, services/ and libs/', () => {
    const root = fixture({ ...CLEAN, 'tools/gen/package.json': pkg('gen') });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fixture', workspaces: ['libs/*', 'services/*', 'apps/*', 'tools/*'] }));
    const { status, stderr } = check(root);
    assert.equal(status, 1);
    assert.ok(stderr.includes('tools/gen (@fx/gen) is in no layer'), stderr);
  });
});
