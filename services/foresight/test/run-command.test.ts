import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { servicesOf } from '../src/commands/run-command.js';

describe('foresight run targets', () => {
  it('names every service for all, in start order', () => {
    assert.deepEqual(servicesOf('all'), ['topology-builder', 'propagation-scorer', 'allocator', 'learner']);
  });

  it('takes one service, or several joined by commas, and starts them in start order whatever the order given', () => {
    assert.deepEqual(servicesOf('learner'), ['learner']);
    assert.deepEqual(servicesOf('allocator,topology-builder,propagation-scorer'), ['topology-builder', 'propagation-scorer', 'allocator']);
  });

  it('refuses nothing, an unknown service, an empty name and a service named twice', () => {
    for (const bad of [undefined, '', 'scorer', 'allocator,', 'allocator,allocator', 'all,learner']) assert.equal(servicesOf(bad), undefined, String(bad));
  });
});
