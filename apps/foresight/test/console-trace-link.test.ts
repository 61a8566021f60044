// Issue 19: the incident view links its trace id to a trace UI when FORESIGHT_CONSOLE_TRACE_URL is set.
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { ConfigError } from '@foresight/service-kit';
import { consolePage } from '../src/console/console-page.js';
import { PAGE_SCRIPT } from '../src/console/console-page-script.js';
import { readConsoleConfig } from '../src/console/console-settings.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** The page script's traceLink, run against a minimal document whose body carries `traceUrl` (or none). */
function traceLink(traceUrl: string | undefined): { tag: string; attributes: Record<string, string>; text: string } {
  const start = PAGE_SCRIPT.indexOf('function el(');
  const end = PAGE_SCRIPT.indexOf('\n}\n', PAGE_SCRIPT.indexOf('function traceLink(')) + 2;
  const source = [PAGE_SCRIPT.slice(start, PAGE_SCRIPT.indexOf('\n}\n', start) + 2), PAGE_SCRIPT.slice(PAGE_SCRIPT.indexOf('function traceLink('), end)].join('\n');
  const document = {
    body: { getAttribute: (name: string) => (name === 'data-trace-url' ? traceUrl ?? null : null) },
    createElement: (tag: string) => {
      const node = { tag, attributes: {} as Record<string, string>, text: '', set textContent(value: string) { node.text = value; },
        setAttribute: (k: string, v: string) => { node.attributes[k] = v; }, appendChild: () => undefined };
      return node;
    },
    createTextNode: (text: string) => ({ text }),
  };
  return runInNewContext(`${source}\ntraceLink(${JSON.stringify(TRACE)})`, { document }) as ReturnType<typeof traceLink>;
}

describe('the incident trace link', () => {
  it('is read from FORESIGHT_CONSOLE_TRACE_URL: an http(s) URL with {traceId} in it, unset by default', () => {
    assert.equal(readConsoleConfig({}).traceUrl, undefined);
    assert.equal(readConsoleConfig({ FORESIGHT_CONSOLE_TRACE_URL: 'http://jaeger:16686/trace/{traceId}' }).traceUrl, 'http://jaeger:16686/trace/{traceId}');
    for (const bad of ['http://jaeger:16686/search', 'javascript:alert(1)//{traceId}', 'http://x/{traceId}"onclick="x']) {
      assert.throws(() => readConsoleConfig({ FORESIGHT_CONSOLE_TRACE_URL: bad }), (error: unknown) => error instanceof ConfigError && /FORESIGHT_CONSOLE_TRACE_URL/.test(error.message), bad);
    }
  });

  it('reaches the page as an escaped attribute, and only when set', () => {
    assert.match(consolePage('n', 'http://tempo/explore?a=1&trace={traceId}'), /<body data-changes="0" data-trace-url="http:\/\/tempo\/explore\?a=1&amp;trace=\{traceId\}">/);
    assert.match(consolePage('n'), /<body data-changes="0">/);
  });

  it('links the trace id to the trace UI when set; shows it as text otherwise', () => {
    const linked = traceLink('http://jaeger:16686/trace/{traceId}');
    assert.equal(linked.tag, 'a');
    assert.equal(linked.attributes.href, `http://jaeger:16686/trace/${TRACE}`);
    assert.equal(linked.attributes.id, 'incident-trace');
    assert.equal(linked.attributes.rel, 'noopener noreferrer');
    assert.equal(linked.text, TRACE);
    const plain = traceLink(undefined);
    assert.equal(plain.tag, 'span');
    assert.equal(plain.text, TRACE);
  });
});
