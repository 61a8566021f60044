import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openIncident, type TrackedIncident } from '@foresight/core';
import { InMemoryStateStore, type DocumentStore } from '@foresight/stores';
import { INCIDENT_DOCUMENT_KIND, INCIDENTS_DOCUMENT_KIND, IncidentBook } from '../src/incident-book.js';

const T0 = 1_700_000_000_000;

function incident(id: string, lastEvidenceAt = T0): TrackedIncident {
  return {
    systemId: 'sys', state: openIncident(id, 'latency', T0, [{ vmId: `vm-${id}`, onsetAt: T0 }]), riskVersion: 1, lastEvidenceAt, generatedAt: T0,
    modelVersion: 1, scopes: [], predicted: new Map([[`vm-${id}-peer`, 0.4]]), unknownVmIds: [],
  };
}

/** A document store that counts writes and can fail the next put of one kind (a crash between two writes). */
function countingStore(inner: DocumentStore): DocumentStore & { puts: string[]; failNextPutOf?: string } {
  const store = {
    puts: [] as string[],
    failNextPutOf: undefined as string | undefined,
    put: async (kind: string, id: string, json: string) => {
      if (store.failNextPutOf === kind) {
        store.failNextPutOf = undefined;
        throw new Error('crash');
      }
      store.puts.push(`${kind}/${id}`);
      await inner.put(kind, id, json);
    },
    putMany: async (kind: string, documents: readonly { id: string; json: string }[]) => {
      if (store.failNextPutOf === kind) {
        store.failNextPutOf = undefined;
        throw new Error('crash');
      }
      store.puts.push(...documents.map(({ id }) => `${kind}/${id}`));
      await inner.putMany(kind, documents);
    },
    get: (kind: string, id: string) => inner.get(kind, id),
    getMany: (kind: string, ids: readonly string[]) => inner.getMany(kind, ids),
    list: (kind: string) => inner.list(kind),
    delete: (kind: string, id: string) => inner.delete(kind, id),
  };
  return store;
}

const ids = (incidents: readonly TrackedIncident[]) => incidents.map((i) => i.state.incidentId);
const stored = async (documents: DocumentStore) => (await documents.list(INCIDENT_DOCUMENT_KIND)).map((d) => d.id).sort();

describe('IncidentBook', () => {
  it('writes only the incidents that changed, as new revisions, and deletes the replaced ones', async () => {
    const documents = countingStore(new InMemoryStateStore().documents);
    const book = new IncidentBook(documents);
    const [a, b, c] = [incident('a'), incident('b'), incident('c')];
    await book.write('sys', [c, a, b]);
    assert.deepEqual(ids(await book.read('sys')), ['a', 'b', 'c'], 'by incident id');
    documents.puts.length = 0;

    const b2 = { ...b, lastEvidenceAt: T0 + 5 };
    await book.write('sys', [a, b2, c]);
    assert.deepEqual(documents.puts, [`${INCIDENT_DOCUMENT_KIND}/b#2`, `${INCIDENTS_DOCUMENT_KIND}/sys`], 'one incident and the index, nothing else');
    assert.deepEqual(await stored(documents), ['a#1', 'b#2', 'c#1']);

    documents.puts.length = 0;
    await book.write('sys', await book.read('sys'));
    assert.deepEqual(documents.puts, [], 'unchanged incidents are not written again');

    await book.write('sys', [a]);
    assert.deepEqual(await stored(documents), ['a#1']);
    await book.write('sys', []);
    assert.deepEqual(await stored(documents), []);
    assert.equal(await documents.get(INCIDENTS_DOCUMENT_KIND, 'sys'), undefined);
    assert.deepEqual(await book.systems(), []);
  });

  it('reads what another instance wrote, fetching only the revisions that changed', async () => {
    const shared = new InMemoryStateStore().documents;
    const mine = new IncidentBook(shared);
    const other = new IncidentBook(shared);
    await mine.write('sys', [incident('a'), incident('b')]);
    const theirs = await other.read('sys');
    assert.deepEqual(ids(theirs), ['a', 'b']);
    await other.write('sys', [theirs[0], { ...theirs[1], lastEvidenceAt: T0 + 9 }, incident('c')]);

    const seen = await mine.read('sys');
    assert.deepEqual(ids(seen), ['a', 'b', 'c']);
    assert.equal(seen[1].lastEvidenceAt, T0 + 9);
    assert.deepEqual(seen[1].predicted, new Map([['vm-b-peer', 0.4]]));
    assert.deepEqual(await stored(shared), ['a#1', 'b#2', 'c#1']);
  });

  it('a crash before the index is written leaves the old incidents, and the retried write lands the same revision', async () => {
    const inner = new InMemoryStateStore().documents;
    const documents = countingStore(inner);
    await new IncidentBook(documents).write('sys', [incident('a')]);

    const crashing = new IncidentBook(documents);
    const [a] = await crashing.read('sys');
    documents.failNextPutOf = INCIDENTS_DOCUMENT_KIND;
    await assert.rejects(crashing.write('sys', [{ ...a, lastEvidenceAt: T0 + 1 }]), /crash/);

    const restarted = new IncidentBook(documents); // a new process: nothing in memory
    const [before] = await restarted.read('sys');
    assert.equal(before.lastEvidenceAt, T0, 'the index still names the old revision');
    await restarted.write('sys', [{ ...before, lastEvidenceAt: T0 + 1 }]);
    assert.equal((await new IncidentBook(documents).read('sys'))[0].lastEvidenceAt, T0 + 1);
    assert.deepEqual(await stored(inner), ['a#2'], 'the revision written before the crash was rewritten, not orphaned');
  });
});
