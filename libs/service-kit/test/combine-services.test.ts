import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@foresight/messaging';
import {
  ConfigError, anyService, combineServices, int, readConfig, serviceSettings, startTelemetry,
  type ServiceConfig, type ServiceContext, type ServiceDefinition,
} from '../src/index.js';

function fakeService(name: string, events: string[], options: { failStart?: boolean; variable?: string } = {}): ServiceDefinition<ServiceConfig & { size: number }> {
  return {
    name,
    loadConfig: () => readConfig({ [options.variable ?? 'SIZE']: options.variable === undefined ? '3' : 'not-a-number' }, {
      service: serviceSettings(),
      size: int(options.variable ?? 'SIZE', { default: 1 }),
    }),
    start: (context) => {
      if (options.failStart === true) return Promise.reject(new Error(`${name} cannot start`));
      events.push(`start ${name} size=${context.config.size}`);
      context.addReadinessCheck('ready', () => true);
      return Promise.resolve({ stop: () => { events.push(`stop ${name}`); return Promise.resolve(); } });
    },
  };
}

function contextFor<C extends ServiceConfig>(config: C, checks: string[]): ServiceContext<C> {
  return {
    name: 'all', config, logger: silentLogger, telemetry: startTelemetry({ serviceName: 'combine-test' }),
    addReadinessCheck: (name) => { checks.push(name); },
    step: (_what, action) => action(),
    signal: new AbortController().signal,
    fail: (what, error) => { throw new Error(`${what}: ${String(error)}`); },
  };
}

describe('combineServices', () => {
  it('starts services in order with their own config and stops them in reverse', async () => {
    const events: string[] = [];
    const checks: string[] = [];
    const all = combineServices('all', [anyService(fakeService('a', events)), anyService(fakeService('b', events))]);
    const running = await all.start(contextFor(all.loadConfig(), checks));
    await running.stop();
    assert.deepEqual(events, ['start a size=3', 'start b size=3', 'stop b', 'stop a']);
    assert.deepEqual(checks, ['a.ready', 'b.ready']);
  });

  it('reports the configuration problems of every service at once', () => {
    const all = combineServices('all', [anyService(fakeService('a', [], { variable: 'A_SIZE' })), anyService(fakeService('b', [], { variable: 'B_SIZE' }))]);
    assert.throws(() => all.loadConfig(), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((p) => p.variable).sort(), ['A_SIZE', 'B_SIZE']);
      return true;
    });
  });

  it('stops what already started when a later service fails to start', async () => {
    const events: string[] = [];
    const all = combineServices('all', [anyService(fakeService('a', events)), anyService(fakeService('b', events, { failStart: true }))]);
    await assert.rejects(all.start(contextFor(all.loadConfig(), [])), /b cannot start/);
    assert.deepEqual(events, ['start a size=3', 'stop a']);
  });
});
