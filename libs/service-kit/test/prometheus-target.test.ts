import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusTextReader, Readiness, announcePrometheusTarget, observeReadiness, serviceSettings, readSetting } from '../src/index.js';

const targetsOf = (file: string): string[] => (JSON.parse(readFileSync(file, 'utf8')) as { targets: string[] }[])[0].targets;
const dir = mkdtempSync(join(tmpdir(), 'targets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('announcePrometheusTarget', () => {
  it('writes one file_sd JSON file with the address and the service label, and removes it', async () => {
    const target = await announcePrometheusTarget({ dir, service: 'allocator', host: '127.0.0.1', port: 43127, labels: { zone: 'a' } });
    assert.deepEqual(readdirSync(dir), [target.file.slice(dir.length + 1)], 'only the target, no temporary file left');
    assert.match(target.file, /allocator-\d+-[0-9a-f]{8}\.json$/);
    assert.deepEqual(JSON.parse(readFileSync(target.file, 'utf8')), [{ targets: ['127.0.0.1:43127'], labels: { service: 'allocator', zone: 'a' } }]);
    await target.remove();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('announces a wildcard listener by host name, and an IPv6 address in brackets', async () => {
    const wildcard = await announcePrometheusTarget({ dir, service: 'learner', host: '0.0.0.0', port: 9464 });
    const ipv6 = await announcePrometheusTarget({ dir, service: 'learner', host: '::1', port: 9464 });
    assert.deepEqual(targetsOf(wildcard.file), [`${hostname()}:9464`]);
    assert.deepEqual(targetsOf(ipv6.file), ['[::1]:9464']);
    await Promise.all([wildcard.remove(), ipv6.remove()]);
  });

  it('is read from FORESIGHT_PROMETHEUS_TARGETS_DIR, unset by default', () => {
    assert.equal(readSetting({}, serviceSettings()).prometheusTargetsDir, undefined);
    assert.equal(readSetting({ FORESIGHT_PROMETHEUS_TARGETS_DIR: '/run/targets' }, serviceSettings()).prometheusTargetsDir, '/run/targets');
  });
});

describe('observeReadiness', () => {
  it('serves foresight_readiness_check, 1 or 0 by check, as /readyz sees them at each scrape', async () => {
    const reader = new PrometheusTextReader();
    const provider = new MeterProvider({ readers: [reader] });
    after(() => provider.shutdown());
    const readiness = new Readiness();
    let redisUp = true;
    readiness.add('kafka', () => true);
    readiness.add('redis', () => redisUp);
    observeReadiness(provider.getMeter('test'), readiness);
    assert.match(await reader.scrape(), /foresight_readiness_check\{check="kafka"\} 1\n[^]*foresight_readiness_check\{check="redis"\} 1\n/);
    redisUp = false;
    const text = await reader.scrape();
    assert.match(text, /foresight_readiness_check\{check="redis"\} 0\n/);
    assert.match(text, /foresight_readiness_check\{check="kafka"\} 1\n/);
  });
});
