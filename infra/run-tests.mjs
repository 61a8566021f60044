#!/usr/bin/env node
// Runs the compiled test files of every package with node's test runner.
// `unit`: <pkg>/dist/test/**/*.test.js of every lib, service and app, and infra/test/**/*.test.mjs (the repository's
// own scripts); `integration`: test/dist/**/*.test.js but test/dist/chaos (the real stack); `chaos`:
// test/dist/chaos/**/*.test.js on a stack of its own (see chaosStack below), brought up before and down after;
// `secure`: test/dist/integration/secure-*.test.js and pipeline-e2e.test.js on the secured profile, likewise;
// `nezha`: test/dist/integration/*-nezha.test.js, measurements on the Nezha data set, which lives outside the repository
// (FORESIGHT_NEZHA_DIR, or ../shared/data/nezha-online-boutique beside it): not part of `npm test`.
// Further arguments: words keep only the files whose path contains one of them (`integration start-stack`); flags
// (`--test-name-pattern=…`) go to node's test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const kind = process.argv[2] ?? 'unit';
const root = new URL('..', import.meta.url).pathname;

function walk(dir, out, suffix = '.test.js', skip = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (skip.includes(full)) continue;
    if (statSync(full).isDirectory()) walk(full, out, suffix, skip);
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
  // secure-*.test.js need the secured profile: `secure` runs them (infra/test-secure.sh).
  walk(join(root, 'test', 'dist'), files, '.test.js', [join(root, 'test', 'dist', 'chaos')]);
  files.splice(0, files.length, ...files.filter((file) => !/[/\\]secure-[^/\\]*\.test\.js$/.test(file) && !/-nezha\.test\.js$/.test(file)));
} else if (kind === 'nezha') {
  walk(join(root, 'test', 'dist', 'integration'), files);
  files.splice(0, files.length, ...files.filter((file) => /-nezha\.test\.js$/.test(file)));
} else if (kind === 'chaos') {
  walk(join(root, 'test', 'dist', 'chaos'), files);
} else if (kind === 'secure') {
  // Against the secured profile (its env exported by infra/test-secure.sh): its own tests and the end-to-end test.
  walk(join(root, 'test', 'dist', 'integration'), files);
  files.splice(0, files.length, ...files.filter((file) => /[/\\](secure-[^/\\]*|pipeline-e2e)\.test\.js$/.test(file)));
} else {
  console.error(`unknown test kind '${kind}' (expected unit, integration, chaos, secure or nezha)`);
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
if (kind === 'secure') {
  // The secured profile (bash infra/stack.sh up --secure: its own directory .stack-secure and ports, reusing .stack's
  // install) comes up before the tests, which get its connection settings (env --secure, the admin principal's) and
  // create their topics through the admin step; it goes down (data, passwords and certificates wiped) after them,
  // unless FORESIGHT_SECURE_KEEP=1 (then the next run reuses it).
  const stack = (...args) => spawnSync('bash', [join(root, 'infra', 'stack.sh'), ...args, '--secure'], { stdio: ['ignore', 'inherit', 'inherit'], encoding: 'utf8' });
  let status = stack('up').status ?? 1;
  if (status === 0) {
    const printed = spawnSync('bash', [join(root, 'infra', 'stack.sh'), 'env', '--secure'], { encoding: 'utf8' });
    const secureEnv = { ...process.env };
    for (const [, name, value] of (printed.stdout ?? '').matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) secureEnv[name] = value;
    const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...extra, ...selected], { stdio: 'inherit', env: secureEnv });
    status = printed.status === 0 ? result.status ?? 1 : 1;
  }
  if (process.env.FORESIGHT_SECURE_KEEP !== '1') stack('down');
  process.exit(status);
}
if (kind !== 'chaos') {
  const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...extra, ...selected], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

// The chaos suite kills, freezes and wipes stack servers: it runs on a stack of its own (<repo>/.stack-chaos, the
// default ports + 10000), never on the shared one at <repo>/.stack that other tests use, and reuses that one's install
// (FORESIGHT_STACK_INSTALL_DIR). The stack comes up before the suite and goes down (data wiped) after it.
const chaosDir = resolve(root, '.stack-chaos');
const ports = { kafka: 19092, controller: 19093, registry: 18081, registryMgmt: 19081, neo4j: 17687, redis: 16379 };
const chaosEnv = {
  ...process.env,
  FORESIGHT_STACK_DIR: chaosDir,
  FORESIGHT_STACK_INSTALL_DIR: process.env.FORESIGHT_STACK_INSTALL_DIR || resolve(root, '.stack'),
  FORESIGHT_KAFKA_PORT: String(ports.kafka),
  FORESIGHT_KAFKA_CONTROLLER_PORT: String(ports.controller),
  FORESIGHT_REGISTRY_PORT: String(ports.registry),
  FORESIGHT_REGISTRY_MGMT_PORT: String(ports.registryMgmt),
  FORESIGHT_NEO4J_PORT: String(ports.neo4j),
  FORESIGHT_REDIS_PORT: String(ports.redis),
  // what the services and the suite's clients connect to
  FORESIGHT_KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
  FORESIGHT_SCHEMA_REGISTRY_URL: `http://127.0.0.1:${ports.registry}/apis/ccompat/v7`,
  FORESIGHT_NEO4J_URI: `bolt://127.0.0.1:${ports.neo4j}`,
  FORESIGHT_REDIS_HOST: '127.0.0.1',
  KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
  SCHEMA_REGISTRY_URL: `http://127.0.0.1:${ports.registry}/apis/ccompat/v7`,
  NEO4J_URI: `bolt://127.0.0.1:${ports.neo4j}`,
  REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
};
const stackCommand = (command) => spawnSync('bash', [join(root, 'infra', 'stack.sh'), command], { stdio: 'inherit', env: chaosEnv });
const up = stackCommand('up');
let status = up.status ?? 1;
if (status === 0) {
  // A client a fault left with a dead connection must not keep the suite's process alive once its tests are done.
  const [major, minor] = process.versions.node.split('.').map(Number);
  const forceExit = major >= 22 || (major === 20 && minor >= 14) ? ['--test-force-exit'] : [];
  const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...forceExit, ...extra, ...selected], { stdio: 'inherit', env: chaosEnv });
  status = result.status ?? 1;
}
stackCommand('down');
process.exit(status);
