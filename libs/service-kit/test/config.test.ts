import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bool, ConfigError, duration, float, int, list, oneOf, parseDuration, port, readConfig, secret, text, url,
} from '../src/index.js';

/** Compile-time check that two types are identical. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const assertType = <_T extends true>(): void => undefined;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems.map((p) => `${p.variable}: ${p.reason}`);
  }
  assert.fail('expected a ConfigError');
}

describe('readConfig', () => {
  it('reads every setting type and infers value types from presence options', () => {
    const config = readConfig({
      N: '42', F: '0.25', P: '8080', B: 'YES', U: 'https://collector:4318/', D: '1h30m', M: 'shadow', L: ' a:1, b:2 ,, ', T: 'abc-1', S: ' hunter2 ',
    }, {
      n: int('N', { min: 1, max: 100 }),
      f: float('F', { min: 0, max: 1 }),
      p: port('P', { default: 0 }),
      b: bool('B', { default: false }),
      u: url('U', { protocols: ['http:', 'https:'] }),
      d: duration('D', { default: 30_000 }),
      m: oneOf('M', ['ENFORCE', 'SHADOW'], { default: 'ENFORCE' }),
      l: list('L'),
      t: text('T', { pattern: /^[a-z0-9-]+$/ }),
      s: secret('S', { optional: true }),
      missing: int('MISSING', { optional: true }),
      defaulted: list('ALSO_MISSING', { default: ['127.0.0.1:9092'] }),
    });
    // NOTE: before deepEqual, which narrows `config` to the expected literal's type.
    assertType<Equal<typeof config.n, number>>();
    assertType<Equal<typeof config.p, number>>();
    assertType<Equal<typeof config.m, 'ENFORCE' | 'SHADOW'>>();
    assertType<Equal<typeof config.s, string | undefined>>();
    assertType<Equal<typeof config.missing, number | undefined>>();
    assertType<Equal<typeof config.l, readonly string[]>>();
    assert.deepEqual(config, {
      n: 42, f: 0.25, p: 8080, b: true, u: 'https://collector:4318/', d: 5_400_000, m: 'SHADOW', l: ['a:1', 'b:2'], t: 'abc-1', s: ' hunter2 ',
      missing: undefined, defaulted: ['127.0.0.1:9092'],
    });
  });

  it('treats blank values as unset', () => {
    assert.deepEqual(readConfig({ A: '   ', B: '' }, { a: int('A', { default: 7 }), b: text('B', { optional: true }) }), { a: 7, b: undefined });
  });

  it('collects every problem into one ConfigError whose message names each bad setting and why', () => {
    let caught: unknown;
    try {
      readConfig({ FORESIGHT_HTTP_PORT: 'abc', FORESIGHT_MODE: 'LOUD', RATIO: '1.5', ON: 'maybe', WAIT: '5 minutes', HOSTS: 'a:1,nope' }, {
        httpPort: port('FORESIGHT_HTTP_PORT', { default: 0 }),
        mode: oneOf('FORESIGHT_MODE', ['ENFORCE', 'SHADOW']),
        ratio: float('RATIO', { min: 0, max: 1 }),
        on: bool('ON'),
        wait: duration('WAIT'),
        hosts: list('HOSTS', { itemPattern: /^[a-z]+:\d+$/, itemName: 'host:port' }),
        required: text('REQUIRED_ONE'),
      });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError);
    assert.equal(caught.code, 'CONFIG_INVALID');
    assert.equal(caught.problems.length, 7);
    for (const fragment of [
      "FORESIGHT_HTTP_PORT: expected an integer 0..65535, got 'abc'",
      "FORESIGHT_MODE: expected one of ENFORCE, SHADOW, got 'LOUD'",
      "RATIO: expected a number 0..1, got '1.5'",
      "ON: expected a boolean (true/false, 1/0, yes/no, on/off), got 'maybe'",
      "WAIT: expected a duration such as '250ms', '30s', '5m' or '1h', got '5 minutes'",
      "HOSTS: expected a ','-separated list of host:port, got 'a:1,nope' (item 'nope' is not host:port)",
      'REQUIRED_ONE: required (text) but not set',
    ]) assert.ok(caught.message.includes(fragment), `message lacks "${fragment}":\n${caught.message}`);
    assert.ok(caught.message.startsWith('invalid configuration (7 problems): '));
  });

  it('rejects out-of-range and non-integer numbers', () => {
    assert.deepEqual(problemsOf(() => readConfig({ A: '70000', B: '1.5', C: '-1', D: '1e3x' }, {
      a: port('A'), b: int('B'), c: int('C', { min: 0 }), d: float('D'),
    })), [
      "A: expected an integer 0..65535, got '70000'",
      "B: expected an integer, got '1.5'",
      "C: expected an integer >= 0, got '-1'",
      "D: expected a number, got '1e3x'",
    ]);
  });

  it('bounds durations, naming the bounds in the units they are written in', () => {
    assert.deepEqual(problemsOf(() => readConfig({ A: '0', B: '2d', C: '5ms', D: '0.4ms' }, {
      a: duration('A', { default: 1_000, min: 1 }), b: duration('B', { min: 10, max: 86_400_000 }), c: duration('C', { min: 10 }),
      d: duration('D', { min: 1 }),
    })), [
      "A: expected a duration of at least 1ms such as '250ms', '30s', '5m' or '1h', got '0'",
      "B: expected a duration of 10ms..1d such as '250ms', '30s', '5m' or '1h', got '2d'",
      "C: expected a duration of at least 10ms such as '250ms', '30s', '5m' or '1h', got '5ms'",
      "D: expected a duration of at least 1ms such as '250ms', '30s', '5m' or '1h', got '0.4ms'",
    ]);
    assert.deepEqual(readConfig({ A: '1ms', B: '1d', Z: '0' }, { a: duration('A', { min: 1 }), b: duration('B', { min: 10, max: 86_400_000 }), z: duration('Z') }), { a: 1, b: 86_400_000, z: 0 });
  });

  it('never echoes a secret, even when it is malformed', () => {
    const message = problemsOf(() => readConfig({ FORESIGHT_REDIS_PASSWORD: 'p4ss w0rd!' }, {
      password: secret('FORESIGHT_REDIS_PASSWORD', { pattern: /^\S+$/ }),
    })).join('\n');
    assert.match(message, /^FORESIGHT_REDIS_PASSWORD: expected a secret in the expected format \(value hidden\)$/);
    assert.ok(!message.includes('p4ss'));
  });

  it('masks credentials inside a rejected URL', () => {
    const [problem] = problemsOf(() => readConfig({ U: 'ftp://admin:s3cret@host/' }, { u: url('U', { protocols: ['http:', 'https:'] }) }));
    assert.ok(!problem.includes('s3cret'), problem);
    assert.equal(problem, "U: expected a URL (http, https), got 'ftp://***@host/' (scheme 'ftp:')");
  });

  it('describes variables for docs without revealing secret defaults', () => {
    const info = [port('P', { default: 0 }), secret('S', { default: 'changeme' }), duration('D', { default: 1500 }), duration('D2', { default: 90_000 }), text('T')].flatMap((s) => s.variables);
    assert.deepEqual(info.map((v) => [v.name, v.required, v.secret, v.defaultText]), [
      ['P', false, false, '0'], ['S', false, true, undefined], ['D', false, false, '1500ms'], ['D2', false, false, '90s'], ['T', true, false, undefined],
    ]);
  });
});

describe('parseDuration', () => {
  it('parses units and compounds, rejects bare numbers and junk', () => {
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1.5s'), 1_500);
    assert.equal(parseDuration('1d2h'), 93_600_000);
    assert.equal(parseDuration('0'), 0);
    for (const bad of ['30', 's', '5 m', '-1s', '1w', '']) assert.equal(parseDuration(bad), undefined, bad);
  });
});
