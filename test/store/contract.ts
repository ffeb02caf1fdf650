// The Store contract: every implementation (SQLite today, PostgreSQL next) runs these cases.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.ts';

export function storeContract(name: string, open: () => Promise<Store> | Store): void {
  describe(`Store contract: ${name}`, () => {
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

    it('lists by id prefix', async () => {
      await store.write('p', async (tx) => {
        await tx.put('method', 'api', 'r1/GET', { m: 'GET' });
        await tx.put('method', 'api', 'r2/GET', { m: 'x' });
        await tx.put('method', 'api', 'r1/POST', { m: 'POST' });
      });
      const page = await store.read('p', (tx) => tx.list<{ m: string }>('method', 'api', { prefix: 'r1/' }));
      assert.deepEqual(page.items.map((x) => x.m), ['GET', 'POST']);
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
      await assert.rejects(store.read('p', (tx) => tx.list('resource', 'api', { after: 'bogus!!' })));
    });
  });
}
