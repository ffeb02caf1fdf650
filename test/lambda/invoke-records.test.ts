// Invocations keep the function's record while the change feed reports no change to it: the hot
// path reads nothing from the store, and an update or a deletion is seen by the next invocation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LocalFeed } from '../../src/feed/index.ts';
import { openSqliteStore, type Store } from '../../src/store/index.ts';
import { startLambda, zip, type TestLambda } from './helpers.ts';

describe('function records of invocations', () => {
  let t: TestLambda;
  let store: Store;
  let feed: LocalFeed;
  let reads = 0;

  before(async () => {
    store = openSqliteStore(':memory:');
    const read = store.read.bind(store);
    store.read = ((partition: string, fn: never) => {
      reads++;
      return read(partition, fn);
    }) as Store['read'];
    feed = new LocalFeed(store);
    await feed.start();
    t = await startLambda({}, undefined, store, feed);
  });
  after(async () => {
    await t.close();
    await feed.close();
  });

  it('reads the store for the first invocation only', async () => {
    await t.create('kept', { 'index.js': 'exports.handler = async () => "one";' });
    assert.equal((await t.invoke('kept', {})).json, 'one');
    const seen = reads;
    for (let i = 0; i < 5; i++) assert.equal((await t.invoke('kept', {})).json, 'one');
    assert.equal(reads, seen);
  });

  it('runs the new code and settings after UpdateFunctionCode and UpdateFunctionConfiguration', async () => {
    const code = await t.call('PUT', '/2015-03-31/functions/kept/code', { ZipFile: zip({ 'index.js': 'exports.handler = async () => process.env.WORD ?? "two";' }).toString('base64') });
    assert.equal(code.status, 200);
    assert.equal((await t.invoke('kept', {})).json, 'two');
    const config = await t.call('PUT', '/2015-03-31/functions/kept/configuration', { Environment: { Variables: { WORD: 'three' } } });
    assert.equal(config.status, 200);
    assert.equal((await t.invoke('kept', {})).json, 'three');
  });

  it('answers ResourceNotFoundException once the function is deleted', async () => {
    assert.equal((await t.call('DELETE', '/2015-03-31/functions/kept')).status, 204);
    const gone = await t.invoke('kept', {});
    assert.equal(gone.status, 404);
    assert.equal(gone.json.Type, 'User');
    assert.match(gone.headers.get('x-amzn-errortype') ?? '', /ResourceNotFoundException/);
  });
});
