// A full disk: a write that no longer fits reports SQLite's own error (SQLITE_FULL), leaves
// nothing of itself behind, and the management API answers an AWS-style 5xx whose log line names
// the disk-full error. The database's page cap (max_page_count) stands in for a full filesystem.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateRestApiCommand, GetRestApisCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { parseConfig } from '../../src/config.ts';
import { createControlPlane } from '../../src/control/index.ts';
import { openSqliteStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/index.ts';
import { apiGatewayClient, tempDataDir } from '../helpers/server.ts';

const BIG = 'x'.repeat(64 * 1024);

/** Fills the store with big documents until SQLite refuses one; returns that refusal. */
async function fill(store: Store): Promise<Error> {
  for (let i = 0; i < 10_000; i++) {
    try {
      await store.write('p', async (tx) => tx.put('filler', '', `f${i}`, { i, BIG }));
    } catch (err) {
      return err as Error;
    }
  }
  throw new Error('the capped database never filled up');
}

describe('SQLite store on a full disk', () => {
  let store: Store;
  before(() => {
    store = openSqliteStore(tempDataDir(), { maxPageCount: 200 });
  });
  after(async () => {
    await store.close();
  });

  it('reports SQLITE_FULL, not a failed rollback, and keeps no part of the failed transaction', async () => {
    const err = await fill(store);
    assert.equal((err as Error & { code?: string }).code, 'SQLITE_FULL', `got ${err.message}`);
    // One transaction: a small write, then one too big. Neither stays.
    await assert.rejects(
      store.write('p', async (tx) => {
        await tx.put('restapi', '', 'small', { id: 'small' });
        await tx.put('restapi', '', 'big', { BIG: BIG.repeat(8) });
      }),
      (e: Error & { code?: string }) => e.code === 'SQLITE_FULL',
    );
    assert.equal(await store.read('p', (tx) => tx.get('restapi', '', 'small')), undefined);
    // The store still works: freeing space lets the next write through.
    await store.write('p', async (tx) => {
      for (let i = 0; i < 5; i++) await tx.delete('filler', '', `f${i}`);
    });
    await store.write('p', async (tx) => tx.put('restapi', '', 'small', { id: 'small' }));
    assert.deepEqual(await store.read('p', (tx) => tx.get('restapi', '', 'small')), { id: 'small' });
  });
});

describe('management API on a full disk', () => {
  let store: Store;
  let server: Server;
  let client: APIGatewayClient;
  const logged: string[] = [];
  before(async () => {
    store = openSqliteStore(tempDataDir(), { maxPageCount: 200 });
    const config = parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent' });
    const control = createControlPlane({ store, config, log: (line) => logged.push(line) });
    server = createServer((req, res) => control.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = apiGatewayClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  after(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  it('answers a 5xx with an AWS error type, logs the disk-full error and creates nothing', async () => {
    // The filler lives in another partition, so the API list below sees only what CreateRestApi left.
    await fill(store);
    const before = (await client.send(new GetRestApisCommand({}))).items ?? [];
    await assert.rejects(client.send(new CreateRestApiCommand({ name: 'too-much', description: BIG })), (err: Error & { $metadata?: { httpStatusCode?: number }; name: string }) => {
      assert.equal(err.$metadata?.httpStatusCode, 500);
      assert.equal(err.name, 'InternalFailure');
      return true;
    });
    assert.ok(logged.some((l) => l.includes('SQLITE_FULL') || l.includes('database or disk is full')), logged.join('\n'));
    assert.ok(!logged.some((l) => l.includes('no transaction is active')), logged.join('\n'));
    const after = (await client.send(new GetRestApisCommand({}))).items ?? [];
    assert.deepEqual(after, before);
  });
});
