import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InMemoryBus, silentLogger } from '@foresight/messaging';
import { InMemoryGraphStore, InMemoryStateStore } from '@foresight/stores';
import { readConsoleConfig } from '../src/console/console-settings.js';
import { presentedToken, tokenMatches } from '../src/console/console-token.js';
import { startLiveConsole, type LiveConsole } from '../src/console/live-console.js';

const TOKEN = 'a-console-token-of-32-characters';

describe('console access: the token and the bind address', () => {
  const bus = new InMemoryBus();
  const state = new InMemoryStateStore();
  let live: LiveConsole;

  before(async () => {
    live = await startLiveConsole({
      bus, stores: { risk: state, documents: state.documents, ledger: state, graph: new InMemoryGraphStore() }, groupId: 'console-access', host: '127.0.0.1', port: 0,
      token: TOKEN, logger: silentLogger,
    });
  });

  after(async () => {
    await live.server.close();
    await bus.close();
  });

  it('refuses every request without the token (401, JSON with a code), except /healthz', async () => {
    for (const path of ['/', '/api/fleet', '/api/events', '/api/incidents/INC-1']) {
      const response = await fetch(new URL(path, live.server.url));
      assert.equal(response.status, 401, path);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    }
    const wrong = await fetch(new URL('/api/fleet', live.server.url), { headers: { authorization: `Bearer ${TOKEN}x` } });
    assert.equal(wrong.status, 401);
    assert.equal((await fetch(new URL('/healthz', live.server.url))).status, 200);
  });

  it('takes the token as a Bearer header, or once in the page URL, which sets a cookie and drops it from the address', async () => {
    assert.equal((await fetch(new URL('/api/fleet', live.server.url), { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    const login = await fetch(new URL(`/?token=${TOKEN}`, live.server.url), { redirect: 'manual' });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/');
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    assert.equal((await fetch(new URL('/api/fleet', live.server.url), { headers: { cookie } })).status, 200);
    assert.equal((await fetch(new URL('/api/fleet?token=' + TOKEN, live.server.url))).status, 401, 'a token in an API URL is not accepted');
  });

  it('compares tokens whole', () => {
    assert.equal(tokenMatches(TOKEN, TOKEN), true);
    assert.equal(tokenMatches(TOKEN, TOKEN.slice(0, -1)), false);
    assert.equal(tokenMatches(TOKEN, undefined), false);
    assert.equal(presentedToken({ cookie: 'a=b; foresight_console_token=xyz' }), 'xyz');
    assert.equal(presentedToken({ authorization: 'Bearer abc', cookie: 'foresight_console_token=xyz' }), 'abc');
  });

  it('binds to 127.0.0.1 by default and refuses another address without a token, never echoing the token', () => {
    const config = readConsoleConfig({}, 42);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 7070);
    assert.equal(config.token, undefined);
    assert.equal(config.groupId.startsWith('foresight.console.'), true, config.groupId);
    assert.throws(() => readConsoleConfig({ FORESIGHT_CONSOLE_HOST: '0.0.0.0' }), /FORESIGHT_CONSOLE_TOKEN: required when FORESIGHT_CONSOLE_HOST is not a loopback/);
    assert.equal(readConsoleConfig({ FORESIGHT_CONSOLE_HOST: '0.0.0.0', FORESIGHT_CONSOLE_TOKEN: TOKEN }).host, '0.0.0.0');
    assert.throws(() => readConsoleConfig({ FORESIGHT_CONSOLE_TOKEN: 'short secret' }), (error: Error) => !error.message.includes('short secret') && /FORESIGHT_CONSOLE_TOKEN/.test(error.message));
    assert.throws(() => readConsoleConfig({ FORESIGHT_CONSOLE_PORT: 'abc' }), /FORESIGHT_CONSOLE_PORT/);
  });
});
