// docker-compose.yml has never run here (no Docker on the dev/CI machines): this checks what can be checked without
// it, as `docker compose config` would and a little more: the services and their images, host ports published once
// and on loopback, bind mounts that exist in the repository, FORESIGHT_* names that docs/operations.md documents, and a
// header that says plainly it is unchecked.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const text = readFileSync(join(REPO, 'docker-compose.yml'), 'utf8');
const compose = parse(text);
const services = compose.services;

describe('docker-compose.yml', () => {
  it('says in its header that it has not been run on a machine with Docker', () => {
    assert.match(text.split('\nname:')[0], /NOT RUN: this file has never been run on a machine with Docker/);
  });

  it('runs the stack, Prometheus and Jaeger from pinned images', () => {
    for (const name of ['kafka', 'schema-registry', 'neo4j', 'redis', 'prometheus', 'jaeger']) assert.ok(services[name], name);
    for (const [name, service] of Object.entries(services)) {
      assert.match(service.image ?? '', /^[\w./-]+:[\w.-]+$/, `${name}: image with a tag`);
      assert.doesNotMatch(service.image, /:latest$/, `${name}: pinned`);
    }
  });

  it('publishes each host port once, on loopback', () => {
    const seen = new Map();
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        const match = /^127\.0\.0\.1:(\d+):(\d+)$/.exec(String(port));
        assert.ok(match, `${name}: ${port} is published on 127.0.0.1 only`);
        assert.ok(!seen.has(match[1]), `${name}: host port ${match[1]} is already ${seen.get(match[1])}'s`);
        seen.set(match[1], name);
      }
      if (service.network_mode === 'host') assert.equal(service.ports, undefined, `${name}: no ports with the host's network`);
    }
    // Prometheus on the host's network listens on 9090 itself.
    assert.ok(!seen.has('9090'));
    assert.ok(services.prometheus.command.includes('--web.listen-address=127.0.0.1:9090'));
  });

  it('mounts files of the repository that exist, and Prometheus gets the shipped rules and its target directory', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = String(volume).split(':');
        if (!source.startsWith('./') || source.startsWith('./.stack-')) continue; // .stack-*: created at run time, git-ignored
        assert.ok(existsSync(join(REPO, source)), `${name}: ${source} exists`);
      }
    }
    const mounts = services.prometheus.volumes.map(String);
    assert.ok(mounts.includes('./infra/prometheus/rules:/etc/prometheus/rules:ro'));
    const config = parse(readFileSync(join(REPO, 'infra', 'prometheus', 'prometheus.compose.yml'), 'utf8'));
    assert.deepEqual(config.rule_files, ['/etc/prometheus/rules/*.yml']);
    const targets = config.scrape_configs.find((job) => job.job_name === 'foresight').file_sd_configs[0].files[0];
    assert.ok(mounts.some((m) => m.split(':')[1] === targets.slice(0, targets.lastIndexOf('/'))), `${targets} is mounted`);
  });

  it('names only FORESIGHT_* settings that docs/operations.md documents', () => {
    const doc = readFileSync(join(REPO, 'docs', 'operations.md'), 'utf8');
    const names = new Set(text.match(/\bFORESIGHT_[A-Z0-9_]+\b/g));
    assert.ok(names.size >= 3);
    for (const name of names) assert.ok(doc.includes(`\`${name}\``), `${name} is documented`);
  });

  it('sends traces to Jaeger\'s OTLP port, and Jaeger\'s UI is what the console links to', () => {
    assert.ok(services.jaeger.ports.includes('127.0.0.1:14318:4318'));
    assert.match(text, /FORESIGHT_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:14318/);
    assert.match(text, /FORESIGHT_CONSOLE_TRACE_URL=http:\/\/127\.0\.0\.1:16686\/trace\/\{traceId\}/);
  });
});
