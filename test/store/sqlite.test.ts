import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.ts';
import { storeContract } from './contract.ts';

storeContract('sqlite in memory', (options) => openSqliteStore(':memory:', options), { sharedDatabase: false, snapshotReads: false });

const dir = mkdtempSync(join(tmpdir(), 'gh-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
storeContract('sqlite on disk', (options) => openSqliteStore(dir, options), { sharedDatabase: true, snapshotReads: true });

it('sqlite: data survives reopening', async () => {
  const d = mkdtempSync(join(tmpdir(), 'gh-store-'));
  try {
    const a = openSqliteStore(d);
    await a.write('p', async (tx) => tx.put('restapi', '', 'x', { name: 'kept' }));
    await a.close();
    const b = openSqliteStore(d);
    assert.deepEqual(await b.read('p', (tx) => tx.get('restapi', '', 'x')), { name: 'kept' });
    await b.close();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

it('sqlite: two processes on one file lose no update and see each other\'s changes', async () => {
  const d = mkdtempSync(join(tmpdir(), 'gh-store-'));
  const store = openSqliteStore(d);
  try {
    await store.write('p', async (tx) => tx.put('counter', '', 'c', { n: 0 }));
    const start = await store.lastChange();
    // The other process: 20 read-modify-write increments, each holding its transaction across a turn of its event loop.
    const child = `
      import { openSqliteStore } from ${JSON.stringify(new URL('../../src/store/index.ts', import.meta.url).href)};
      const s = openSqliteStore(${JSON.stringify(d)});
      await Promise.all(Array.from({ length: 20 }, () => s.write('p', async (tx) => {
        const c = await tx.get('counter', '', 'c');
        await new Promise((r) => setImmediate(r));
        await tx.put('counter', '', 'c', { n: c.n + 1, by: 'child' });
      })));
      await s.close();`;
    const other = new Promise<number | null>((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { stdio: ['ignore', 'inherit', 'inherit'] });
      p.once('error', reject);
      p.once('exit', resolve);
    });
    await Promise.all(Array.from({ length: 20 }, () => store.write('p', async (tx) => {
      const c = (await tx.get<{ n: number }>('counter', '', 'c'))!;
      await new Promise((r) => setImmediate(r));
      await tx.put('counter', '', 'c', { n: c.n + 1 });
    })));
    assert.equal(await other, 0);
    assert.equal((await store.read('p', (tx) => tx.get<{ n: number }>('counter', '', 'c')))!.n, 40);
    const page = await store.changesSince(start);
    assert.equal(page.changes.length, 40);
    assert.equal(await store.lastChange(), page.last);
  } finally {
    await store.close();
    rmSync(d, { recursive: true, force: true });
  }
});
