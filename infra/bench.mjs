#!/usr/bin/env node
// `npm run bench -- <name> [--json] [args]`: runs the compiled benchmark <name> from a package's bench/ folder.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [name, ...args] = process.argv.slice(2);
const candidates = [];
for (const group of ['libs', 'services', 'apps']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const pkg of readdirSync(base)) candidates.push(join(base, pkg, 'dist', 'bench'));
}
candidates.push(join(root, 'test', 'dist', 'bench'));
const available = new Map();
for (const dir of candidates) {
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir)) if (file.endsWith('.bench.js')) available.set(file.slice(0, -'.bench.js'.length), join(dir, file));
}
if (!name || !available.has(name)) {
  console.error(`usage: npm run bench -- <name> [--json]\navailable: ${[...available.keys()].sort().join(', ') || '(none built)'}`);
  process.exit(name ? 1 : 2);
}
const result = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', available.get(name), ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
