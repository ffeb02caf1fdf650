import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
