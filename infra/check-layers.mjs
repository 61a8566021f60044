#!/usr/bin/env node
// `npm run layers`: dependencies point down, apps → services → libs (docs/decisions/012-apps-services-libs.md).
// A lib depends only on libs; a service only on libs; an app on libs and services. Nothing depends on an app.
// An edge is a package.json dependency (any kind), a tsconfig reference, or an import in the package's sources.
// Usage: node infra/check-layers.mjs [ROOT] (the repository root by default). Exit 1 names every offending edge.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder → layer; a workspace elsewhere is refused, so a new folder gets a rule before it gets packages. */
const LAYERS = { libs: 'lib', services: 'service', apps: 'app' };
/** Which layers each layer may depend on. */
const ALLOWED = { lib: ['lib'], service: ['lib'], app: ['lib', 'service'] };
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist']);
/** `from 'x'`, `import 'x'`, `import('x')`, `require('x')`, `export … from 'x'`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The workspace package folders named by the root package.json (`dir/*` or a plain folder). */
function workspaceDirs(root) {
  const patterns = readJson(join(root, 'package.json')).workspaces ?? [];
  const dirs = [];
  for (const pattern of Array.isArray(patterns) ? patterns : patterns.packages ?? []) {
    if (pattern.endsWith('/*')) {
      const base = join(root, pattern.slice(0, -2));
      if (!existsSync(base)) continue;
      for (const name of readdirSync(base).sort()) {
        if (existsSync(join(base, name, 'package.json'))) dirs.push(join(base, name));
      }
    } else if (!pattern.includes('*') && existsSync(join(root, pattern, 'package.json'))) {
      dirs.push(join(root, pattern));
    } else {
      throw new Error(`workspace pattern '${pattern}' is not 'folder/*' or a folder: teach infra/check-layers.mjs to read it`);
    }
  }
  return dirs;
}

/** A tsconfig.json: plain JSON as a rule; TypeScript's reader (comments, trailing commas) otherwise. */
async function readTsconfig(path, rel) {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    const { default: ts } = await import('typescript');
    const { config, error } = ts.parseConfigFileTextToJson(path, text);
    if (error) throw new Error(`${rel}/tsconfig.json: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
    return config;
  }
}

function sourceFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIPPED_DIRS.has(name) || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sourceFiles(full, out);
    else if (SOURCE_EXTENSIONS.some((ext) => name.endsWith(ext)) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The workspace package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every package with its layer and its edges to other workspace packages, each with where it was found. */
export async function readWorkspace(root) {
  const packages = workspaceDirs(root).map((dir) => {
    const rel = relative(root, dir).split(sep).join('/');
    const json = readJson(join(dir, 'package.json'));
    return { dir, rel, name: json.name, layer: LAYERS[rel.split('/')[0]], json };
  });
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  const byDir = new Map(packages.map((pkg) => [pkg.dir, pkg]));
  const owner = (path) => {
    for (let dir = path; dir !== dirname(dir); dir = dirname(dir)) if (byDir.has(dir)) return byDir.get(dir);
    return undefined;
  };
  for (const pkg of packages) {
    const edges = [];
    for (const field of DEPENDENCY_FIELDS) {
      for (const dep of Object.keys(pkg.json[field] ?? {})) {
        if (byName.has(dep)) edges.push({ to: byName.get(dep), via: `${field} in ${pkg.rel}/package.json` });
      }
    }
    const tsconfig = join(pkg.dir, 'tsconfig.json');
    if (existsSync(tsconfig)) {
      const config = await readTsconfig(tsconfig, pkg.rel);
      for (const reference of config.references ?? []) {
        const target = owner(resolve(pkg.dir, reference.path));
        if (target) edges.push({ to: target, via: `reference '${reference.path}' in ${pkg.rel}/tsconfig.json` });
      }
    }
    for (const file of sourceFiles(pkg.dir)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(SPECIFIER)) {
        const specifier = match[2];
        const target = specifier.startsWith('.') ? owner(resolve(dirname(file), specifier)) : byName.get(packageNameOf(specifier));
        if (!target) continue;
        const line = text.slice(0, match.index).split('\n').length;
        edges.push({ to: target, via: `import '${specifier}' in ${relative(root, file).split(sep).join('/')}:${line}` });
      }
    }
    pkg.edges = edges.filter((edge) => edge.to !== pkg);
  }
  return packages;
}

function article(layer) {
  return `${layer === 'app' ? 'an' : 'a'} ${layer}`;
}

/** The offending edges and packages, as lines; empty when every dependency points down. */
export function layerViolations(packages) {
  const problems = [];
  for (const pkg of packages) {
    if (!pkg.layer) {
      problems.push(`${pkg.rel} (${pkg.name}) is in no layer: put it under ${Object.keys(LAYERS).join('/, ')}/`);
      continue;
    }
    for (const { to, via } of pkg.edges) {
      if (!to.layer || ALLOWED[pkg.layer].includes(to.layer)) continue;
      problems.push(`${pkg.rel} (${pkg.name}, ${article(pkg.layer)}) → ${to.rel} (${to.name}, ${article(to.layer)}): ${via}`);
    }
  }
  return problems;
}

async function main() {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const packages = await readWorkspace(root);
  const problems = layerViolations(packages);
  if (problems.length > 0) {
    console.error(`layers: ${problems.length} dependenc${problems.length === 1 ? 'y points' : 'ies point'} the wrong way ` +
      '(a lib depends only on libs, a service only on libs, an app on libs and services; nothing on an app):');
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
  const count = (layer) => {
    const n = packages.filter((pkg) => pkg.layer === layer).length;
    return `${n} ${layer}${n === 1 ? '' : 's'}`;
  };
  const edges = new Set(packages.flatMap((pkg) => pkg.edges.map((edge) => `${pkg.name} ${edge.to.name}`))).size;
  console.log(`layers: ${count('app')} → ${count('service')} → ${count('lib')}, ${edges} package edges, all pointing down`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
