// The PostgreSQL store on the machine's PostgreSQL (a database of this file's own, dropped
// after), and on a private server this file stops and starts to prove the store survives it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore, StoreUnavailableError, type Store } from '../../src/store/index.ts';
import { freePort, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-services.ts';
import { storeContract } from './contract.ts';

const ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database on the shared server; `drop` removes it (and any connection left to it). */
async function freshDatabase(admin = ADMIN): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const contractDb = await freshDatabase();
after(() => contractDb.drop());
storeContract('postgres', (options) => openPostgresStore(contractDb.url, options), { sharedDatabase: true, snapshotReads: true });

describe('PostgreSQL store', { timeout: 120_000 }, () => {
  let db: { url: string; drop: () => Promise<void> };
  before(async () => {
    db = await freshDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it('migrates once, however many processes start together', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore(db.url)));
    const again = await openPostgresStore(db.url);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ version: number }>('SELECT version FROM gatehouse_schema ORDER BY version');
      assert.deepEqual(rows.map((r) => r.version), [1, 2]);
    } finally {
      await c.end();
      await Promise.all([...stores, again].map((s) => s.close()));
    }
  });

  it('loses no update of 50 concurrent read-modify-writes through two pools', async () => {
    const a = await openPostgresStore(db.url);
    const b = await openPostgresStore(db.url);
    try {
      await a.write('acct/us-east-1', async (tx) => tx.put('counter', '', 'n', { n: 0 }));
      await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).write('acct/us-east-1', async (tx) => {
        const doc = (await tx.get<{ n: number }>('counter', '', 'n'))!;
        await new Promise((r) => setImmediate(r));
        await tx.put('counter', '', 'n', { n: doc.n + 1 });
      })));
      assert.deepEqual(await b.read('acct/us-east-1', (tx) => tx.get('counter', '', 'n')), { n: 50 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('wakes a listener on another instance\'s commit', async () => {
    const a = await openPostgresStore(db.url);
    const b = await openPostgresStore(db.url);
    try {
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const stop = await a.notifications(() => wake());
      await b.write('p', async (tx) => tx.put('restapi', '', 'n1', {}));
      await woken;
      await stop();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('fails fast with GH_ERR_STORE_UNAVAILABLE when nothing listens at the address', async () => {
    const port = await freePort();
    await assert.rejects(openPostgresStore(`postgres://postgres@127.0.0.1:${port}/postgres`, { connectTimeoutMs: 1000 }), (err: Error & { code?: string }) => {
      assert.ok(err instanceof StoreUnavailableError, String(err));
      assert.equal(err.code, 'GH_ERR_STORE_UNAVAILABLE');
      return true;
    });
  });
});

describe('PostgreSQL store while its server stops and starts', { timeout: 180_000 }, () => {
  let server: PrivatePostgres;
  let db: { url: string; drop: () => Promise<void> };
  let store: Store & { notifications(onWake: () => void): Promise<() => Promise<void>> };
  before(async () => {
    server = await startPrivatePostgres();
    db = await freshDatabase(server.url);
    store = await openPostgresStore(db.url, { connectTimeoutMs: 1000 });
  });
  after(async () => {
    await store?.close();
    await server?.destroy();
  });

  it('answers StoreUnavailableError while it is down, then recovers by itself and re-listens', async () => {
    await store.write('p', async (tx) => tx.put('restapi', '', 'before', { v: 1 }));
    let wakes = 0;
    let onWake = () => undefined as void;
    const stop = await store.notifications(() => {
      wakes++;
      onWake();
    });
    await server.stop('fast');
    const isUnavailable = (err: Error & { code?: string }) => err.code === 'GH_ERR_STORE_UNAVAILABLE';
    await assert.rejects(store.write('p', async (tx) => tx.put('restapi', '', 'during', {})), isUnavailable);
    await assert.rejects(store.read('p', (tx) => tx.get('restapi', '', 'before')), isUnavailable);
    await assert.rejects(store.locate('restapi', 'before'), isUnavailable);
    await assert.rejects(store.changesSince(0), isUnavailable);
    await server.start();
    // The listener reconnects and wakes its caller once, since commits may have been missed.
    if (wakes === 0) await new Promise<void>((resolve) => (onWake = resolve));
    assert.equal(await store.read('p', (tx) => tx.get('restapi', '', 'during')), undefined);
    assert.deepEqual(await store.read('p', (tx) => tx.get('restapi', '', 'before')), { v: 1 });
    const woken = new Promise<void>((resolve) => (onWake = resolve));
    await store.write('p', async (tx) => tx.put('restapi', '', 'after', { v: 2 }));
    await woken;
    assert.deepEqual(await store.read('p', (tx) => tx.get('restapi', '', 'after')), { v: 2 });
    await stop();
  });
});
