// Function code reachable from every process that shares the store: two Lambda services, each
// with its own data folder and its own connection to one database, stand for two Gatehouse
// processes on one SQLite file, or two hosts on one PostgreSQL (a database of this file's own,
// dropped after). A function created, updated or deleted through one is run,
// rerun with its new code, or refused by the other; archives are blobs in the store, unpacked
// by each process into a cache of its own, and deleted when no function references them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeStore } from '../../src/lambda/code-store.ts';
import pg from 'pg';
import { openPostgresStore, openSqliteStore, type Store } from '../../src/store/index.ts';
import { PARTITION, ROLE, startLambda, until, zip, type TestLambda } from './helpers.ts';

const answering = (text: string) => ({ 'index.js': `exports.handler = async () => ${JSON.stringify(text)};` });

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Where a process keeps its unpacked copy of a blob. */
function unpacked(t: TestLambda, blob: string): string {
  return join(t.lambda.root, 'code', 'cache', blob);
}

async function createZip(t: TestLambda, name: string, archive: Buffer): Promise<any> {
  const r = await t.call('POST', '/2015-03-31/functions', {
    FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: archive.toString('base64') },
  });
  assert.equal(r.status, 201, r.body);
  return r.json;
}

async function answer(t: TestLambda, name: string): Promise<unknown> {
  const r = await t.invoke(name, {});
  assert.equal(r.status, 200, r.body);
  assert.equal(r.headers.get('x-amz-function-error'), null, r.body);
  return r.json;
}

async function remove(t: TestLambda, name: string): Promise<void> {
  const r = await t.call('DELETE', `/2015-03-31/functions/${name}`);
  assert.equal(r.status, 204, r.body);
}

/** One database two stores open: `open` is called once per process; `drop` runs after both closed. */
interface SharedDatabase {
  open(): Promise<Store>;
  drop(): Promise<void>;
}

async function sqliteFile(dir: string): Promise<SharedDatabase> {
  return { open: async () => openSqliteStore(join(dir, 'db')), drop: async () => {} };
}

const ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresDatabase(): Promise<SharedDatabase> {
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: ADMIN });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  return { open: () => openPostgresStore(url.toString()), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

for (const [storeName, database] of [['SQLite', sqliteFile], ['PostgreSQL', postgresDatabase]] as const) {
  describe(`Lambda code shared by processes on one ${storeName} store`, () => {
    let dir: string;
    let db: SharedDatabase;
    let a: TestLambda;
    let b: TestLambda;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gh-code-shared-'));
      db = await database(dir);
      a = await startLambda({ dataDir: join(dir, 'a') }, undefined, await db.open());
      b = await startLambda({ dataDir: join(dir, 'b') }, undefined, await db.open());
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a function created through one process runs on the other, and its new code after an update there', async () => {
      const v1 = zip(answering('one'));
      const created = await createZip(a, 'shared', v1);
      // CodeSha256 stays what Lambda reports: the archive's sha256 in base64.
      assert.equal(created.CodeSha256, createHash('sha256').update(v1).digest('base64'));
      assert.equal(created.CodeSize, v1.byteLength);
      assert.deepEqual(await b.store.getBlob(sha256(v1)), v1);
      assert.equal(existsSync(unpacked(b, sha256(v1))), false, 'B has not unpacked it yet');

      assert.equal(await answer(b, 'shared'), 'one');
      assert.equal(existsSync(join(unpacked(b, sha256(v1)), 'index.js')), true, 'B ran it from its own unpacked copy');
      const [warm] = b.lambda.workerPids(PARTITION, 'shared');
      assert.ok(warm !== undefined, 'B keeps a warm worker of the first code');

      const v2 = zip(answering('two'));
      const r = await a.call('PUT', '/2015-03-31/functions/shared/code', { ZipFile: v2.toString('base64') });
      assert.equal(r.status, 200, r.body);
      assert.equal(await answer(b, 'shared'), 'two');
      assert.equal(b.lambda.workerPids(PARTITION, 'shared').includes(warm), false, 'the old worker retired');

      // The first archive is referenced by nothing now: its blob goes, and B drops its copy.
      await until(async () => await a.store.getBlob(sha256(v1)) === undefined, 'the replaced blob to be deleted');
      await until(() => !existsSync(unpacked(b, sha256(v1))), "B's copy of the replaced code to go");
      assert.deepEqual(await a.store.getBlob(sha256(v2)), v2);
    });

    it("GetFunction's Code.Location downloads the archive on either process", async () => {
      const archive = zip(answering('download'));
      await createZip(a, 'download', archive);
      const got = await b.call('GET', '/2015-03-31/functions/download');
      assert.equal(got.status, 200, got.body);
      assert.equal(got.json.Code.RepositoryType, 'S3');
      const location = new URL(got.json.Code.Location);
      const res = await fetch(b.url + location.pathname);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/zip');
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), archive);
    });

    it('a function deleted through one process is gone on the other: workers stopped, blob and copies deleted', async () => {
      const archive = zip(answering('short-lived'));
      const blob = sha256(archive);
      await createZip(a, 'doomed', archive);
      assert.equal(await answer(a, 'doomed'), 'short-lived');
      assert.equal(await answer(b, 'doomed'), 'short-lived');
      assert.equal(b.lambda.workerPids(PARTITION, 'doomed').length, 1);

      await remove(a, 'doomed');
      assert.equal(await a.store.getBlob(blob), undefined);
      assert.equal(existsSync(unpacked(a, blob)), false);

      const r = await b.invoke('doomed', {});
      assert.equal(r.status, 404);
      assert.equal(r.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
      assert.deepEqual(b.lambda.workerPids(PARTITION, 'doomed'), [], "B's warm worker stopped");
      await until(() => !existsSync(unpacked(b, blob)), "B's copy to go");
    });

    it('a blob two functions share stays until the last of them is deleted', async () => {
      const archive = zip(answering('twice'));
      const blob = sha256(archive);
      await createZip(a, 'first', archive);
      await createZip(b, 'second', archive);
      assert.equal(await answer(b, 'first'), 'twice');

      await remove(a, 'first');
      assert.deepEqual(await a.store.getBlob(blob), archive, 'still referenced by "second"');
      assert.equal(await answer(b, 'second'), 'twice');
      // An update to the same archive swaps one reference for another: nothing is deleted.
      const r = await a.call('PUT', '/2015-03-31/functions/second/code', { ZipFile: archive.toString('base64') });
      assert.equal(r.status, 200, r.body);
      assert.deepEqual(await a.store.getBlob(blob), archive);

      await remove(b, 'second');
      assert.equal(await a.store.getBlob(blob), undefined);
    });

    it('cold starts of the same code at once on one process run it, and leave nothing half-written', async () => {
      const archive = zip({ ...answering('together'), 'lib/data.txt': 'x'.repeat(10_000) });
      const blob = sha256(archive);
      await createZip(a, 'together', archive);
      const answers = await Promise.all([1, 2, 3].map(() => answer(b, 'together')));
      assert.deepEqual(answers, ['together', 'together', 'together']);
      assert.deepEqual(readdirSync(join(b.lambda.root, 'code', 'cache')).filter((n) => n.startsWith('.')), []);
      assert.equal(existsSync(join(unpacked(b, blob), 'lib', 'data.txt')), true);
    });

    it('two processes creating one name at once leave only the winner\'s blob', async () => {
      const fromA = zip(answering('from a'));
      const fromB = zip(answering('from b'));
      const results = await Promise.all([
        a.call('POST', '/2015-03-31/functions', { FunctionName: 'race', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: fromA.toString('base64') } }),
        b.call('POST', '/2015-03-31/functions', { FunctionName: 'race', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: fromB.toString('base64') } }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409], results.map((r) => r.body).join('\n'));
      const [winner, loser] = results[0]!.status === 201 ? [fromA, fromB] : [fromB, fromA];
      assert.equal(results.find((r) => r.status === 409)!.headers.get('x-amzn-errortype'), 'ResourceConflictException');
      assert.deepEqual(await a.store.getBlob(sha256(winner)), winner);
      assert.equal(await a.store.getBlob(sha256(loser)), undefined, 'the failed create released its blob');
      assert.equal(await answer(a, 'race'), winner === fromA ? 'from a' : 'from b');
    });

    it('a pin left by a process that died mid-upload keeps its blob for an hour, then no longer', async () => {
      const archive = zip(answering('pinned'));
      const blob = sha256(archive);
      // What a process leaves when it dies between storing an archive and writing the record.
      await a.store.write(PARTITION, (tx) => tx.put('lambda-code-ref', 'ghost/rev-1', blob, { function: 'ghost', pinned: Date.now() }));
      await createZip(b, 'pinned', archive);
      await remove(b, 'pinned');
      assert.deepEqual(await a.store.getBlob(blob), archive, 'a recent pin may be an upload still under way');

      await a.store.write(PARTITION, (tx) => tx.put('lambda-code-ref', 'ghost/rev-1', blob, { function: 'ghost', pinned: Date.now() - 2 * 3_600_000 }));
      await createZip(b, 'pinned', archive);
      await remove(b, 'pinned');
      assert.equal(await a.store.getBlob(blob), undefined, 'an old pin is dropped');
      assert.deepEqual(await a.store.locate('lambda-code-ref', blob), []);
    });

    it('a record from before blobs runs where its folder is; elsewhere it says to upload again', async () => {
      // The form earlier versions wrote: a folder under the creating process's code store, the
      // archive beside it, no blob.
      const archive = zip(answering('old'));
      await createZip(a, 'legacy', archive);
      const key = `${PARTITION}/legacy/old-revision`;
      const folder = join(a.lambda.root, 'code', key);
      mkdirSync(join(folder, '..'), { recursive: true });
      renameSync(unpacked(a, sha256(archive)), folder);
      writeFileSync(folder + '.zip', archive);
      await a.store.write(PARTITION, async (tx) => {
        const fn = await tx.get<any>('lambda-function', '', 'legacy');
        await tx.put('lambda-function', '', 'legacy', { ...fn, code: { kind: 'zip', key }, configRevision: 'old-revision' });
        await tx.delete('lambda-code-ref', `legacy/${fn.code.revision}`, fn.code.blob);
      });
      await a.store.deleteBlob(sha256(archive));

      assert.equal(await answer(a, 'legacy'), 'old');
      const got = await a.call('GET', '/2015-03-31/functions/legacy');
      const res = await fetch(a.url + new URL(got.json.Code.Location).pathname);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), archive);

      const r = await b.invoke('legacy', {});
      assert.equal(r.status, 409, r.body);
      assert.equal(r.headers.get('x-amzn-errortype'), 'ResourceConflictException');
      assert.match(r.json.Message, /UpdateFunctionCode/);

      // Deleting it removes the old folder and archive.
      await remove(a, 'legacy');
      assert.equal(existsSync(folder), false);
      assert.equal(existsSync(folder + '.zip'), false);
    });
  });
}

describe('the unpacked copies of one process', () => {
  it('cold starts of the same code at once unpack it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-code-once-'));
    const store = openSqliteStore(':memory:');
    try {
      const archive = zip(answering('once'));
      const blob = sha256(archive);
      await store.putBlob(blob, archive);
      const code = new CodeStore(store, dir, '');
      const cache = join(dir, 'code', 'cache');
      mkdirSync(cache, { recursive: true });
      // Every unpacking makes a folder of its own here before renaming it into place.
      const seen: string[] = [];
      const watcher = watch(cache, (_event, name) => { if (name !== null) seen.push(String(name)); });
      try {
        const location = { kind: 'zip', blob, revision: 'r1' } as const;
        const dirs = await Promise.all([1, 2, 3, 4].map(() => code.resolve(location)));
        assert.deepEqual(dirs.map((d) => d.dir), [1, 2, 3, 4].map(() => join(cache, blob)));
        // inotify reports in order: once this marker shows, every earlier entry has.
        writeFileSync(join(cache, 'marker'), '');
        await until(() => seen.includes('marker'), 'the marker to be seen');
        assert.equal(new Set(seen.filter((n) => n.startsWith('.unpacking-'))).size, 1, seen.join(' '));
      } finally {
        watcher.close();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
