#!/usr/bin/env node
// Runs the compiled test files of every package with node's test runner.
// `unit`: <pkg>/dist/test/**/*.test.js of every lib, service and app, and infra/test/**/*.test.mjs (the repository's
// own scripts); `integration`: test/dist/**/*.test.js (the real stack).
// Further arguments: words keep only the files whose path contains one of them (`integration start-stack`); flags
// (`--test-name-pattern=…`) go to node's test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const kind = process.argv[2] ?? 'unit';
const root = new URL('..', import.meta.url).pathname;

function walk(dir, out, suffix = '.test.js') {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out, suffix);
    else if (name.endsWith(suffix)) out.push(full);
  }
  return out;
}

const files = [];
if (kind === 'unit') {
  for (const group of ['libs', 'services', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const pkg of readdirSync(base)) walk(join(base, pkg, 'dist', 'test'), files);
  }
  walk(join(root, 'infra', 'test'), files, '.test.mjs');
} else if (kind === 'integration') {
  walk(join(root, 'test', 'dist'), files);
} else {
  console.error(`unknown test kind '${kind}' (expected unit or integration)`);
  process.exit(2);
}
const filters = process.argv.slice(3).filter((arg) => !arg.startsWith('-'));
const extra = process.argv.slice(3).filter((arg) => arg.startsWith('-'));
const selected = filters.length === 0 ? files : files.filter((file) => filters.some((word) => file.slice(root.length).includes(word)));
if (selected.length === 0) {
  console.error(`no ${kind} test files found${filters.length === 0 ? ': did the build run?' : ` matching ${filters.join(', ')}`}`);
  process.exit(1);
}
selected.sort();
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...extra, ...selected], { stdio: 'inherit' });
process.exit(result.status ?? 1);
