import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl } from '../src/index.js';

describe('redactUrl', () => {
  it('hides user and password', () => {
    assert.equal(redactUrl('http://user:secret@127.0.0.1:8081/apis/ccompat/v7'), 'http://***@127.0.0.1:8081/apis/ccompat/v7');
  });

  it('hides a user without a password, and a password with an @ in it', () => {
    assert.equal(redactUrl('https://alice@registry.internal'), 'https://***@registry.internal');
    assert.equal(redactUrl('bolt://neo4j:p@ss@db:7687'), 'bolt://***@db:7687');
  });

  it('hides password and token query values, keeping other parameters', () => {
    assert.equal(redactUrl('http://h/x?password=p1&topic=a&token=t1#frag'), 'http://h/x?password=***&topic=a&token=***#frag');
    assert.equal(redactUrl('http://h/x?Access_Token=t2'), 'http://h/x?Access_Token=***');
  });

  it('leaves a URL without credentials unchanged, byte for byte', () => {
    for (const url of ['http://127.0.0.1:8081', 'http://127.0.0.1:8081/apis/ccompat/v7?limit=5', 'redis://cache:6379/0', 'mailto:ops@example.org']) {
      assert.equal(redactUrl(url), url);
    }
  });

  it('handles strings that are not URLs, and URLs inside text', () => {
    assert.equal(redactUrl('not a url'), 'not a url');
    assert.equal(redactUrl(''), '');
    assert.equal(redactUrl('http://u:p@[bad'), 'http://***@[bad');
    assert.equal(
      redactUrl('Request cannot be constructed from a URL that includes credentials: http://user:secret@127.0.0.1:1/subjects'),
      'Request cannot be constructed from a URL that includes credentials: http://***@127.0.0.1:1/subjects',
    );
    assert.equal(redactUrl('{"url":"http://user:secret@h:1","n":1}'), '{"url":"http://***@h:1","n":1}');
  });
});
