// The Store contract: every implementation (SQLite in memory and on a file, PostgreSQL) runs
// these cases.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Change, ChangeLogOptions, Store } from '../../src/store/index.ts';

export interface OpenOptions {
  readonly changeLog?: ChangeLogOptions;
}

export interface ContractFeatures {
  /** Each open() reaches the same database (a file, a PostgreSQL database), as several processes would. */
  readonly sharedDatabase: boolean;
  /** read() sees one snapshot; false for SQLite ':memory:', where each statement sees the latest commit. */
  readonly snapshotReads: boolean;
}

/** A promise and the function that settles it: holds a write transaction open at a known point. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A change without its seq, to compare what was logged. */
const what = (c: Change) => [c.partition, c.kind, c.parent, c.id, c.op].join(' ');

export function storeContract(name: string, open: (options?: OpenOptions) => Promise<Store> | Store, features: ContractFeatures): void {
  describe(`Store contract: ${name}`, { timeout: 60_000 }, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.clear();
    });
    afterEach(async () => {
      await store.close();
    });

    it('puts, gets and replaces a document', async () => {
      await store.write('p', async (tx) => tx.put('restapi', '', 'a1', { id: 'a1', name: 'x' }));
      assert.deepEqual(await store.read('p', (tx) => tx.get('restapi', '', 'a1')), { id: 'a1', name: 'x' });
      await store.write('p', async (tx) => tx.put('restapi', '', 'a1', { id: 'a1', name: 'y' }));
      assert.deepEqual(await store.read('p', (tx) => tx.get('restapi', '', 'a1')), { id: 'a1', name: 'y' });
      assert.equal(await store.read('p', (tx) => tx.get('restapi', '', 'nope')), undefined);
    });

    it('keeps a document\'s keys in the order written', async () => {
      await store.write('p', async (tx) => tx.put('restapi', '', 'o', { name: 'n', id: 'o', b: { z: 1, a: 2 } }));
      const doc = await store.read('p', (tx) => tx.get<{ b: object }>('restapi', '', 'o'));
      assert.deepEqual(Object.keys(doc!), ['name', 'id', 'b']);
      assert.deepEqual(Object.keys(doc!.b), ['z', 'a']);
    });

    it('keeps partitions apart', async () => {
      await store.write('p1', async (tx) => tx.put('restapi', '', 'a', { v: 1 }));
      assert.equal(await store.read('p2', (tx) => tx.get('restapi', '', 'a')), undefined);
      assert.deepEqual(await store.locate('restapi', 'a'), [{ partition: 'p1', parent: '' }]);
    });

    it('lists in insertion order, replacement keeps the place, pages with cursors', async () => {
      await store.write('p', async (tx) => {
        for (const id of ['c', 'a', 'b', 'e', 'd']) await tx.put('resource', 'api', id, { id });
        await tx.put('resource', 'other', 'z', { id: 'z' });
      });
      await store.write('p', async (tx) => tx.put('resource', 'api', 'a', { id: 'a', v: 2 }));
      const all = await store.read('p', (tx) => tx.list<{ id: string }>('resource', 'api'));
      assert.deepEqual(all.items.map((x) => x.id), ['c', 'a', 'b', 'e', 'd']);
      assert.equal(all.next, undefined);
      const p1 = await store.read('p', (tx) => tx.list<{ id: string }>('resource', 'api', { limit: 2 }));
      assert.deepEqual(p1.items.map((x) => x.id), ['c', 'a']);
      assert.ok(p1.next);
      const p2 = await store.read('p', (tx) => tx.list<{ id: string }>('resource', 'api', { limit: 2, after: p1.next }));
      assert.deepEqual(p2.items.map((x) => x.id), ['b', 'e']);
      const p3 = await store.read('p', (tx) => tx.list<{ id: string }>('resource', 'api', { limit: 2, after: p2.next }));
      assert.deepEqual(p3.items.map((x) => x.id), ['d']);
      assert.equal(p3.next, undefined);
      assert.equal(await store.read('p', (tx) => tx.count('resource', 'api')), 5);
    });

    it('pages on across cursors while the list changes between pages', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `r${String(i).padStart(2, '0')}`);
      await store.write('p', async (tx) => {
        for (const id of ids) await tx.put('resource', 'api', id, { id });
      });
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await store.read('p', (tx) => tx.list<{ id: string }>('resource', 'api', { limit: 7, after }));
        seen.push(...page.items.map((x) => x.id));
        after = page.next;
        if (pages++ === 0) {
          // After the first page: the cursor's own document goes, one later is replaced, one is added.
          await store.write('p', async (tx) => {
            await tx.delete('resource', 'api', 'r06');
            await tx.put('resource', 'api', 'r20', { id: 'r20', v: 2 });
            await tx.put('resource', 'api', 'new', { id: 'new' });
          });
        }
      } while (after !== undefined);
      assert.equal(pages, 4);
      assert.deepEqual(seen, [...ids, 'new']);
      const zero = await store.read('p', (tx) => tx.list('resource', 'api', { limit: 0 }));
      assert.deepEqual(zero.items, []);
    });

    it('lists by id prefix', async () => {
      await store.write('p', async (tx) => {
        await tx.put('method', 'api', 'r1/GET', { m: 'GET' });
        await tx.put('method', 'api', 'r2/GET', { m: 'x' });
        await tx.put('method', 'api', 'r1/POST', { m: 'POST' });
        await tx.put('method', 'api', 'r1', { m: 'not under r1/' });
        await tx.put('method', 'api', 'é/GET', { m: 'é' });
      });
      const page = await store.read('p', (tx) => tx.list<{ m: string }>('method', 'api', { prefix: 'r1/' }));
      assert.deepEqual(page.items.map((x) => x.m), ['GET', 'POST']);
      const paged = await store.read('p', (tx) => tx.list<{ m: string }>('method', 'api', { prefix: 'r1/', limit: 1 }));
      assert.deepEqual(paged.items.map((x) => x.m), ['GET']);
      const rest = await store.read('p', (tx) => tx.list<{ m: string }>('method', 'api', { prefix: 'r1/', after: paged.next }));
      assert.deepEqual(rest.items.map((x) => x.m), ['POST']);
      const accented = await store.read('p', (tx) => tx.list<{ m: string }>('method', 'api', { prefix: 'é' }));
      assert.deepEqual(accented.items.map((x) => x.m), ['é']);
    });

    it('rolls back every write of a failed transaction', async () => {
      await store.write('p', async (tx) => tx.put('restapi', '', 'keep', { v: 1 }));
      await assert.rejects(
        store.write('p', async (tx) => {
          await tx.put('restapi', '', 'new', { v: 1 });
          await tx.delete('restapi', '', 'keep');
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await store.read('p', (tx) => tx.get('restapi', '', 'keep')), { v: 1 });
      assert.equal(await store.read('p', (tx) => tx.get('restapi', '', 'new')), undefined);
    });

    it('serialises concurrent writers', async () => {
      await store.write('p', async (tx) => tx.put('counter', '', 'c', { n: 0 }));
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.write('p', async (tx) => {
            const c = (await tx.get<{ n: number }>('counter', '', 'c'))!;
            await new Promise((r) => setImmediate(r));
            await tx.put('counter', '', 'c', { n: c.n + 1 });
          }),
        ),
      );
      assert.deepEqual(await store.read('p', (tx) => tx.get('counter', '', 'c')), { n: 20 });
    });

    it('deletes one document and all children of a parent', async () => {
      await store.write('p', async (tx) => {
        await tx.put('resource', 'api', 'r1', {});
        await tx.put('method', 'api', 'r1/GET', {});
        await tx.put('model', 'api', 'M', {});
        await tx.put('resource', 'api2', 'r9', {});
      });
      assert.equal(await store.write('p', (tx) => tx.delete('model', 'api', 'M')), true);
      assert.equal(await store.write('p', (tx) => tx.delete('model', 'api', 'M')), false);
      assert.equal(await store.write('p', (tx) => tx.deleteChildren('api', ['method'])), 1);
      assert.equal(await store.write('p', (tx) => tx.deleteChildren('api')), 1);
      assert.equal(await store.read('p', (tx) => tx.count('resource', 'api2')), 1);
    });

    it('rejects a forged cursor', async () => {
      await assert.rejects(store.read('p', (tx) => tx.list('resource', 'api', { after: 'bogus!!' })), { code: 'GH_ERR_CURSOR' });
    });

    it('refuses a transaction object used after its transaction', async () => {
      let kept: Parameters<Parameters<Store['write']>[1]>[0] | undefined;
      await store.write('p', async (tx) => {
        kept = tx;
      });
      await assert.rejects(kept!.put('restapi', '', 'late', {}), /transaction is over/);
      assert.equal(await store.read('p', (tx) => tx.get('restapi', '', 'late')), undefined);
    });

    describe('insert-if-absent', () => {
      it('inserts once, and a second insert neither replaces nor logs', async () => {
        assert.equal(await store.write('p', (tx) => tx.insert('apikey', '', 'k', { v: 1 })), true);
        const before = await store.lastChange();
        assert.equal(await store.write('p', (tx) => tx.insert('apikey', '', 'k', { v: 2 })), false);
        assert.deepEqual(await store.read('p', (tx) => tx.get('apikey', '', 'k')), { v: 1 });
        assert.equal(await store.lastChange(), before);
      });

      it('lets exactly one of two concurrent writers insert an address', async () => {
        const results = await Promise.all([1, 2].map((v) => store.write('p', async (tx) => {
          await new Promise((r) => setImmediate(r));
          return tx.insert('domainname', '', 'api.example.com', { v });
        })));
        assert.deepEqual(results.filter((x) => x).length, 1);
        const winner = results.indexOf(true) + 1;
        assert.deepEqual(await store.read('p', (tx) => tx.get('domainname', '', 'api.example.com')), { v: winner });
      });
    });

    describe('change log', () => {
      it('logs every put, insert, delete, deleteChildren and clear, in order', async () => {
        const start = await store.lastChange();
        await store.write('p', async (tx) => {
          await tx.put('restapi', '', 'a', {});
          await tx.insert('restapi', '', 'b', {});
          await tx.insert('restapi', '', 'a', {});
          await tx.delete('restapi', '', 'b');
          await tx.delete('restapi', '', 'nothing');
          await tx.put('resource', 'a', 'r1', {});
          await tx.put('method', 'a', 'r1/GET', {});
          await tx.put('model', 'a', 'M', {});
        });
        await store.write('q', async (tx) => {
          await tx.put('restapi', '', 'c', {});
        });
        assert.equal(await store.write('p', (tx) => tx.deleteChildren('a', ['method', 'model'])), 2);
        assert.equal(await store.write('p', (tx) => tx.deleteChildren('a')), 1);
        await store.clear();
        const page = await store.changesSince(start);
        const logged = page.changes.map(what);
        // deleteChildren's rows come in the database's order: compare them as a set.
        assert.deepEqual([...logged.slice(0, 7), ...logged.slice(7, 9).sort(), ...logged.slice(9)], [
          'p restapi  a put', 'p restapi  b put', 'p restapi  b delete',
          'p resource a r1 put', 'p method a r1/GET put', 'p model a M put',
          'q restapi  c put',
          'p method a r1/GET delete', 'p model a M delete',
          'p resource a r1 delete',
          '    clear',
        ]);
        const seqs = page.changes.map((c) => c.seq);
        assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
        assert.equal(new Set(seqs).size, seqs.length);
        assert.ok(seqs[0]! > start);
        assert.equal(page.last, seqs[seqs.length - 1]);
        assert.equal(page.truncated, false);
        assert.equal(await store.lastChange(), page.last);
        const none = await store.changesSince(page.last);
        assert.deepEqual(none, { changes: [], last: page.last, truncated: false });
      });

      it('pages through the log with a limit', async () => {
        const start = await store.lastChange();
        await store.write('p', async (tx) => {
          for (let i = 0; i < 5; i++) await tx.put('resource', 'api', `r${i}`, {});
        });
        const first = await store.changesSince(start, 2);
        assert.deepEqual(first.changes.map((c) => c.id), ['r0', 'r1']);
        const second = await store.changesSince(first.last, 2);
        assert.deepEqual(second.changes.map((c) => c.id), ['r2', 'r3']);
        const third = await store.changesSince(second.last, 2);
        assert.deepEqual(third.changes.map((c) => c.id), ['r4']);
      });

      it('logs nothing for a rolled-back write and tells no listener', async () => {
        const start = await store.lastChange();
        const heard: Change[][] = [];
        const stop = store.onCommit((changes) => heard.push([...changes]));
        await assert.rejects(store.write('p', async (tx) => {
          await tx.put('restapi', '', 'x', {});
          throw new Error('no');
        }), /no/);
        assert.equal(await store.lastChange(), start);
        assert.deepEqual((await store.changesSince(start)).changes, []);
        assert.deepEqual(heard, []);
        stop();
      });

      it('gives onCommit listeners exactly each commit\'s changes, and survives a throwing one', async () => {
        const start = await store.lastChange();
        const heard: Change[][] = [];
        const stopThrower = store.onCommit(() => {
          throw new Error('listener fails');
        });
        const stop = store.onCommit((changes) => heard.push([...changes]));
        await store.write('p', async (tx) => {
          await tx.put('restapi', '', 'a', {});
          await tx.put('restapi', '', 'b', {});
        });
        await store.write('p', async (tx) => tx.delete('restapi', '', 'a'));
        await store.write('p', async (tx) => tx.get('restapi', '', 'b')); // no change, no call
        const logged = (await store.changesSince(start)).changes;
        assert.deepEqual(heard, [logged.slice(0, 2), logged.slice(2)]);
        stop();
        stopThrower();
        await store.write('p', async (tx) => tx.put('restapi', '', 'c', {}));
        assert.equal(heard.length, 2);
      });

      it('prunes old changes and reports what a follower missed as truncated', async () => {
        const pruning = await open({ changeLog: { keepRows: 2, keepMs: 0, pruneEvery: 1 } });
        try {
          const start = await pruning.lastChange();
          for (let i = 0; i < 5; i++) await pruning.write('p', async (tx) => tx.put('restapi', '', `x${i}`, {}));
          const last = await pruning.lastChange();
          const missed = await pruning.changesSince(start);
          assert.equal(missed.truncated, true);
          assert.deepEqual(missed.changes.map((c) => c.id), ['x3', 'x4']);
          assert.equal(missed.last, last);
          const caughtUp = await pruning.changesSince(missed.changes[0]!.seq - 1);
          assert.equal(caughtUp.truncated, false);
          assert.deepEqual(caughtUp.changes.map((c) => c.id), ['x3', 'x4']);
          assert.deepEqual(await pruning.changesSince(last), { changes: [], last, truncated: false });
        } finally {
          await pruning.close();
        }
      });
    });

    describe('read isolation', () => {
      it('a read during an open write sees none of its rows; after the commit, all of them', async () => {
        await store.write('p', async (tx) => tx.put('restapi', '', 'old', { v: 1 }));
        const start = await store.lastChange();
        const events: string[] = [];
        const stop = store.onCommit(() => events.push('commit'));
        const inside = gate();
        const release = gate();
        const writing = store.write('p', async (tx) => {
          await tx.put('restapi', '', 'new', { v: 1 });
          await tx.put('restapi', '', 'old', { v: 2 });
          inside.open();
          await release.wait;
        });
        await inside.wait;
        const look = () => store.read('p', async (tx) => {
          const seen = {
            added: await tx.get('restapi', '', 'new'),
            changed: await tx.get('restapi', '', 'old'),
            listed: (await tx.list<{ v: number }>('restapi', '')).items,
            count: await tx.count('restapi', ''),
          };
          events.push('read');
          return seen;
        });
        if (features.snapshotReads) {
          assert.deepEqual(await look(), { added: undefined, changed: { v: 1 }, listed: [{ v: 1 }], count: 1 });
          assert.deepEqual(await store.locate('restapi', 'new'), []);
          assert.deepEqual((await store.changesSince(start)).changes, []);
          assert.equal(await store.lastChange(), start);
          release.open();
          await writing;
          assert.deepEqual(events, ['read', 'commit']);
        } else {
          // One connection: the read waits for the open write to end, then sees all of it.
          const reading = look();
          const locating = store.locate('restapi', 'new');
          release.open();
          await writing;
          assert.deepEqual(await reading, { added: { v: 1 }, changed: { v: 2 }, listed: [{ v: 2 }, { v: 1 }], count: 2 });
          assert.deepEqual(await locating, [{ partition: 'p', parent: '' }]);
          assert.deepEqual(events, ['commit', 'read']);
        }
        stop();
        assert.deepEqual(await store.read('p', (tx) => tx.get('restapi', '', 'new')), { v: 1 });
        assert.equal((await store.changesSince(start)).changes.length, 2);
      });

      it('a write\'s fn may itself call read() without waiting on its own transaction', async () => {
        const seen = await store.write('p', async (tx) => {
          await tx.put('restapi', '', 'mine', { v: 1 });
          return store.read('p', (r) => r.get('restapi', '', 'mine'));
        });
        // Snapshot stores read on other connections: the uncommitted row is not there. SQLite
        // ':memory:' has one connection, and a read from inside the write sees its rows.
        assert.deepEqual(seen, features.snapshotReads ? undefined : { v: 1 });
      });

      it(features.snapshotReads ? 'read() sees one snapshot, not commits made while it runs' : 'each read statement sees the latest commit', async () => {
        const seen = await store.read('p', async (tx) => {
          const first = await tx.get('restapi', '', 'later');
          await store.write('p', async (w) => w.put('restapi', '', 'later', { v: 1 }));
          return { first, second: await tx.get('restapi', '', 'later') };
        });
        assert.deepEqual(seen, { first: undefined, second: features.snapshotReads ? undefined : { v: 1 } });
      });
    });

    describe('blobs', () => {
      it('round-trips 5 MB, puts idempotently, deletes', async () => {
        const bytes = randomBytes(5 * 1024 * 1024);
        const digest = sha(bytes);
        await store.putBlob(digest, bytes);
        await store.putBlob(digest, Buffer.from(bytes));
        const back = await store.getBlob(digest);
        assert.ok(back !== undefined && back.equals(bytes));
        assert.equal(await store.getBlob(sha(Buffer.from('absent'))), undefined);
        await store.deleteBlob(digest);
        assert.equal(await store.getBlob(digest), undefined);
        await store.deleteBlob(digest);
      });

      it('refuses bytes that do not hash to the name, and clear() removes blobs', async () => {
        const bytes = Buffer.from('code');
        await assert.rejects(store.putBlob(sha(Buffer.from('other')), bytes), /do not hash/);
        await assert.rejects(store.putBlob('NOT-A-DIGEST', bytes), /sha256/);
        await store.putBlob(sha(bytes), bytes);
        await store.clear();
        assert.equal(await store.getBlob(sha(bytes)), undefined);
      });
    });

    if (features.sharedDatabase) {
      describe('two store instances on one database', () => {
        let other: Store;
        beforeEach(async () => {
          other = await open();
        });
        afterEach(async () => {
          await other.close();
        });

        it('each sees the other\'s committed writes and change log, and only its own commits call its listeners', async () => {
          const start = await store.lastChange();
          const heardHere: Change[] = [];
          const stop = store.onCommit((c) => heardHere.push(...c));
          await other.write('p', async (tx) => tx.put('restapi', '', 'from-other', { v: 1 }));
          assert.deepEqual(await store.read('p', (tx) => tx.get('restapi', '', 'from-other')), { v: 1 });
          assert.deepEqual(await store.locate('restapi', 'from-other'), [{ partition: 'p', parent: '' }]);
          await store.write('p', async (tx) => tx.put('restapi', '', 'from-store', { v: 2 }));
          assert.deepEqual(await other.read('p', (tx) => tx.get('restapi', '', 'from-store')), { v: 2 });
          for (const s of [store, other]) {
            const page = await s.changesSince(start);
            assert.deepEqual(page.changes.map(what), ['p restapi  from-other put', 'p restapi  from-store put']);
            assert.equal(await s.lastChange(), page.last);
          }
          assert.deepEqual(heardHere.map(what), ['p restapi  from-store put']);
          stop();
          const list = await other.read('p', (tx) => tx.list<{ v: number }>('restapi', '', { limit: 1 }));
          const rest = await store.read('p', (tx) => tx.list<{ v: number }>('restapi', '', { after: list.next }));
          assert.deepEqual([...list.items, ...rest.items], [{ v: 1 }, { v: 2 }]);
          const bytes = Buffer.from('shared code');
          await other.putBlob(sha(bytes), bytes);
          assert.deepEqual(await store.getBlob(sha(bytes)), bytes);
        });

        it('lets exactly one of two instances insert an address, and loses no read-modify-write', async () => {
          const results = await Promise.all([store, other].map((s, i) => s.write('p', async (tx) => {
            await new Promise((r) => setImmediate(r));
            return tx.insert('domainname', '', 'shared.example.com', { i });
          })));
          assert.equal(results.filter((x) => x).length, 1);
          await store.write('p', async (tx) => tx.put('counter', '', 'c', { n: 0 }));
          await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).write('p', async (tx) => {
            const c = (await tx.get<{ n: number }>('counter', '', 'c'))!;
            await new Promise((r) => setImmediate(r));
            await tx.put('counter', '', 'c', { n: c.n + 1 });
          })));
          assert.deepEqual(await other.read('p', (tx) => tx.get('counter', '', 'c')), { n: 20 });
          const page = await store.changesSince(0, 100_000);
          const seqs = page.changes.map((c) => c.seq);
          assert.equal(new Set(seqs).size, seqs.length);
        });
      });
    }
  
    it('keeps audit events with their transaction, newest first, filtered by attribute, and prunes old ones', async () => {
      const row = (n: number, extra: Partial<{ eventName: string; username: string; readOnly: boolean; resources: string[] }> = {}) => ({
        partition: 'acct/us-east-1', eventId: `e${n}`, eventTime: 1_000 + n, eventName: extra.eventName ?? 'CreateResource', eventSource: 'apigateway.amazonaws.com',
        username: extra.username ?? 'alice', accessKeyId: 'AKID1', readOnly: extra.readOnly ?? false, resources: extra.resources ?? ['AWS::ApiGateway::RestApi=abc'], body: JSON.stringify({ n }),
      });
      await store.write('acct/us-east-1', async (tx) => {
        await tx.put('restapi', '', 'abc', { id: 'abc' });
        await tx.audit(row(1));
      });
      // A failed transaction leaves neither its change nor its record.
      await assert.rejects(store.write('acct/us-east-1', async (tx) => {
        await tx.put('restapi', '', 'gone', { id: 'gone' });
        await tx.audit(row(2));
        throw new Error('refused');
      }));
      await store.appendAudit(row(3, { eventName: 'GetRestApis', readOnly: true, username: 'bob', resources: [] }));
      // The same eventId again replaces the record (a call with two write transactions).
      await store.write('acct/us-east-1', async (tx) => tx.audit({ ...row(1), body: JSON.stringify({ n: 1, again: true }) }));
      const all = await store.lookupAudit({ partition: 'acct/us-east-1', start: 0, end: 10_000, limit: 10 });
      assert.deepEqual(all.map((r) => JSON.parse(r.body)), [{ n: 3 }, { n: 1, again: true }]);
      assert.equal(await store.read('acct/us-east-1', (tx) => tx.get('restapi', '', 'gone')), undefined);
      const q = (attribute: { key: 'EventName' | 'Username' | 'ReadOnly' | 'ResourceName'; value: string }) =>
        store.lookupAudit({ partition: 'acct/us-east-1', start: 0, end: 10_000, limit: 10, attribute }).then((rows) => rows.map((r) => JSON.parse(r.body).n));
      assert.deepEqual(await q({ key: 'EventName', value: 'GetRestApis' }), [3]);
      assert.deepEqual(await q({ key: 'Username', value: 'alice' }), [1]);
      assert.deepEqual(await q({ key: 'ReadOnly', value: 'true' }), [3]);
      assert.deepEqual(await q({ key: 'ResourceName', value: 'abc' }), [1]);
      assert.deepEqual(all[1]!.resources, ['AWS::ApiGateway::RestApi=abc']);
      assert.deepEqual(await q({ key: 'ResourceName', value: 'ab' }), []);
      const page2 = await store.lookupAudit({ partition: 'acct/us-east-1', start: 0, end: 10_000, limit: 10, before: all[0]!.seq });
      assert.deepEqual(page2.map((r) => JSON.parse(r.body).n), [1]);
      assert.deepEqual(await store.lookupAudit({ partition: 'other/us-east-1', start: 0, end: 10_000, limit: 10 }), []);
      assert.equal(await store.pruneAudit(1_002), 1);
      assert.deepEqual((await store.lookupAudit({ partition: 'acct/us-east-1', start: 0, end: 10_000, limit: 10 })).map((r) => JSON.parse(r.body).n), [3]);
    });

    it('keeps per-minute aggregates by series, minute and writer, replaced in place', async () => {
      const a = { partition: 'p/r', namespace: 'AWS/ApiGateway', series: 'ApiName=x', minute: 100, writer: 'w1', data: '{"n":1}' };
      await store.putAggregates([a, { ...a, writer: 'w2', data: '{"n":2}' }, { ...a, minute: 101 }, { ...a, namespace: 'AWS/Lambda' }]);
      await store.putAggregates([{ ...a, data: '{"n":5}' }]);
      const rows = await store.readAggregates('p/r', 'AWS/ApiGateway', 100, 100);
      assert.deepEqual(rows.map((r) => `${r.writer} ${r.minute} ${r.data}`).sort(), ['w1 100 {"n":5}', 'w2 100 {"n":2}']);
      assert.equal((await store.readAggregates('p/r', 'AWS/ApiGateway', 0, 1000)).length, 3);
      assert.deepEqual((await store.readAggregates('p/r', 'AWS/ApiGateway', 0, 1000, 'ApiName=x')).length, 3);
      assert.deepEqual(await store.readAggregates('p/r', 'AWS/ApiGateway', 0, 1000, 'ApiName=y'), []);
      await store.putAggregates([{ ...a, series: 'ApiName=c', data: '{"count":1,"e4":0,"e5":0,"hit":1,"miss":0,"latency":{}}' }, { ...a, series: 'ApiName=d', data: '{"count":1,"e4":0,"e5":0,"hit":0,"miss":0,"latency":{}}' }]);
      assert.deepEqual(await store.listAggregateSeries('p/r', 'AWS/ApiGateway', 0), [
        { series: 'ApiName=c', cache: true, throttles: true }, { series: 'ApiName=d', cache: false, throttles: true }, { series: 'ApiName=x', cache: true, throttles: true },
      ].map((x) => ({ ...x, throttles: true })));
      await store.pruneAggregates(101);
      assert.deepEqual((await store.readAggregates('p/r', 'AWS/ApiGateway', 0, 1000)).map((r) => r.minute), [101]);
    });
});
}
