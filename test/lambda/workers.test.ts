// The worker pool: one invocation per worker, workers added up to the concurrency limit, then a
// bounded queue, then throttling; reuse while warm, reaping when idle, retirement on updates,
// isolation between functions, and no process left behind. Asserted through stats() and pids.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCKING, Barrier, PARTITION, isAlive, startLambda, until, type TestLambda } from './helpers.ts';


describe('concurrency', () => {
  let t: TestLambda;
  const barrier = new Barrier();
  before(async () => {
    t = await startLambda({ lambdaConcurrency: 2, lambdaQueueSize: 1 });
    await barrier.start();
  });
  after(async () => {
    await barrier.stop();
    await t.close();
  });

  it('uses one worker per concurrent invocation up to the limit, queues, then throttles', async () => {
    await t.create('blocking', { 'index.js': BLOCKING });
    const calls = [1, 2, 3].map(() => t.invoke('blocking', { barrier: barrier.url }));
    await until(() => barrier.held.length === 2 && t.lambda.stats().queued === 1, 'two running and one queued');
    assert.deepEqual(t.lambda.stats(), { workers: 2, busy: 2, queued: 1 });
    assert.equal(new Set(t.lambda.workerPids(PARTITION, 'blocking')).size, 2);

    const throttled = await t.invoke('blocking', { barrier: barrier.url });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
    assert.deepEqual(throttled.json, { Type: 'User', Message: 'Rate Exceeded.', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    await assert.rejects(t.lambda.invoke(PARTITION, 'blocking', Buffer.from('{}')), (e: any) => e.name === 'TooManyRequestsException' && e.statusCode === 429);

    barrier.release();
    // The released worker that did not take the queued invocation goes idle once its
    // response is handed back, which may be just after the queued one reaches the barrier.
    await until(() => barrier.held.length === 1 && t.lambda.stats().busy === 1, 'the queued invocation alone at the barrier');
    assert.deepEqual(t.lambda.stats(), { workers: 2, busy: 1, queued: 0 });
    barrier.release();
    const pids = (await Promise.all(calls)).map((r) => r.json as number);
    assert.equal(new Set(pids).size, 2, 'the queued invocation reused a warm worker');
    for (const pid of pids) assert.ok(t.lambda.workerPids(PARTITION, 'blocking').includes(pid));
    assert.deepEqual(t.lambda.stats(), { workers: 2, busy: 0, queued: 0 });
  });

  it('a caller that gives up while queued leaves the queue', async () => {
    const running = [1, 2].map(() => t.invoke('blocking', { barrier: barrier.url }));
    await until(() => barrier.held.length === 2, 'both workers busy');
    const controller = new AbortController();
    const queued = t.lambda.invoke(PARTITION, 'blocking', Buffer.from('{}'), { signal: controller.signal });
    await until(() => t.lambda.stats().queued === 1, 'one queued');
    controller.abort();
    await assert.rejects(queued, (e: any) => e.name === 'AbortError');
    assert.equal(t.lambda.stats().queued, 0);
    barrier.release();
    await Promise.all(running);
  });
});

describe('workers', () => {
  let t: TestLambda;
  const barrier = new Barrier();
  before(async () => {
    t = await startLambda({}, 300);
    await barrier.start();
  });
  after(async () => {
    await barrier.stop();
    await t.close();
  });

  it('N parallel invocations use N distinct workers (limit 10)', async () => {
    await t.create('wide', { 'index.js': BLOCKING });
    const calls = Array.from({ length: 6 }, () => t.invoke('wide', { barrier: barrier.url }));
    await until(() => barrier.held.length === 6, 'six invocations running');
    assert.deepEqual(t.lambda.stats(), { workers: 6, busy: 6, queued: 0 });
    barrier.release();
    const pids = (await Promise.all(calls)).map((r) => r.json);
    assert.equal(new Set(pids).size, 6);
  });

  it('warm workers are reused one invocation at a time, and reaped when idle', async () => {
    await t.create('warm', { 'index.js': 'let n = 0; exports.handler = async () => ({ pid: process.pid, n: ++n });' });
    const a = (await t.invoke('warm', {})).json;
    const b = (await t.invoke('warm', {})).json;
    assert.equal(a.pid, b.pid);
    assert.deepEqual([a.n, b.n], [1, 2], 'module state survives between warm invocations, as on Lambda');
    await until(() => t.lambda.workerPids(PARTITION, 'warm').length === 0, 'the idle worker to be reaped');
    await until(() => !isAlive(a.pid), 'the reaped process to exit');
    const c = (await t.invoke('warm', {})).json;
    assert.notEqual(c.pid, a.pid);
    assert.equal(c.n, 1);
  });

  it('functions share no state and no process', async () => {
    await t.create('left', { 'index.js': 'exports.handler = async () => { globalThis.secret = "left"; process.env.LEAK = "x"; return { pid: process.pid }; };' });
    await t.create('right', { 'index.js': 'exports.handler = async () => ({ pid: process.pid, secret: typeof globalThis.secret, leak: process.env.LEAK ?? null });' });
    const l = (await t.invoke('left', {})).json;
    const r = (await t.invoke('right', {})).json;
    assert.notEqual(l.pid, r.pid);
    assert.equal(r.secret, 'undefined');
    assert.equal(r.leak, null);
  });

  it('UpdateFunctionConfiguration and UpdateFunctionCode retire warm workers', async () => {
    await t.create('updated', { 'index.js': 'exports.handler = async () => ({ pid: process.pid, v: 1, color: process.env.COLOR ?? null });' });
    const before = (await t.invoke('updated', {})).json;
    assert.deepEqual([before.v, before.color], [1, null]);
    const u = await t.call('PUT', '/2015-03-31/functions/updated/configuration', { Environment: { Variables: { COLOR: 'blue' } } });
    assert.equal(u.status, 200);
    await until(() => !isAlive(before.pid), 'the old worker to stop');
    const mid = (await t.invoke('updated', {})).json;
    assert.deepEqual([mid.v, mid.color], [1, 'blue']);
    const { zip } = await import('./helpers.ts');
    const c = await t.call('PUT', '/2015-03-31/functions/updated/code', { ZipFile: zip({ 'index.js': 'exports.handler = async () => ({ pid: process.pid, v: 2, color: process.env.COLOR });' }).toString('base64') });
    assert.equal(c.status, 200);
    await until(() => !isAlive(mid.pid), 'the worker with the old code to stop');
    const after = (await t.invoke('updated', {})).json;
    assert.deepEqual([after.v, after.color], [2, 'blue']);
  });

  it('Event invocations answer 202 and run in the background; DryRun answers 204', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-event-'));
    // Functions run under their own uid when the gateway is root: the folder must let them write.
    chmodSync(dir, 0o777);
    try {
      await t.create('eventful', { 'index.js': 'const fs = require("node:fs"); exports.handler = async (e) => { fs.writeFileSync(e.file, "ran " + e.n); return "ignored"; };' });
      const file = join(dir, 'out.txt');
      const r = await t.invoke('eventful', { file, n: 7 }, { 'X-Amz-Invocation-Type': 'Event' });
      assert.equal(r.status, 202);
      assert.equal(r.body, '');
      await until(() => existsSync(file) && readFileSync(file, 'utf8') === 'ran 7', 'the event to run');
      const viaApi = await t.lambda.invoke(PARTITION, 'eventful', Buffer.from(JSON.stringify({ file, n: 8 })), { invocationType: 'Event' });
      assert.equal(viaApi.statusCode, 202);
      await until(() => readFileSync(file, 'utf8') === 'ran 8', 'the second event to run');
      const dry = await t.invoke('eventful', { file, n: 9 }, { 'X-Amz-Invocation-Type': 'DryRun' });
      assert.equal(dry.status, 204);
      assert.equal(readFileSync(file, 'utf8'), 'ran 8');
      const dryMissing = await t.invoke('nobody', {}, { 'X-Amz-Invocation-Type': 'DryRun' });
      assert.equal(dryMissing.status, 404);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('invoke() returns the payload, the function error and, when asked, the log tail', async () => {
    await t.create('direct', { 'index.js': 'exports.handler = async (e) => { console.log("direct call"); if (e.bad) throw new Error("bad"); return { ok: e.v }; };' });
    const ok = await t.lambda.invoke(PARTITION, 'arn:aws:lambda:us-east-1:000000000000:function:direct', Buffer.from('{"v":3}'), { logTail: true });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.executedVersion, '$LATEST');
    assert.equal(ok.functionError, undefined);
    assert.deepEqual(JSON.parse(ok.payload.toString()), { ok: 3 });
    assert.match(Buffer.from(ok.logTail!, 'base64').toString(), /INFO\tdirect call/);
    const bad = await t.lambda.invoke(PARTITION, '000000000000:function:direct', Buffer.from('{"bad":true}'));
    assert.equal(bad.functionError, 'Unhandled');
    // API Gateway's calls do not ask for the tail: no log is copied and encoded for them.
    assert.equal(bad.logTail, undefined);
    assert.equal(JSON.parse(bad.payload.toString()).errorMessage, 'bad');
    // a full ARN names its own region: the function is not in eu-west-1
    await assert.rejects(t.lambda.invoke(PARTITION, 'arn:aws:lambda:eu-west-1:000000000000:function:direct', Buffer.from('{}')),
      (e: any) => e.name === 'ResourceNotFoundException' && e.message === 'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:direct');
  });

  it('timeoutMs stops the caller waiting; the function keeps its own timeout', async () => {
    await t.create('patient', { 'index.js': BLOCKING }, { Timeout: 30 });
    await assert.rejects(t.lambda.invoke(PARTITION, 'patient', Buffer.from(JSON.stringify({ barrier: barrier.url })), { timeoutMs: 100 }),
      (e: any) => e.name === 'TimeoutError');
    await until(() => barrier.held.length === 1, 'the function to reach the barrier');
    assert.equal(t.lambda.stats().busy, 1);
    barrier.release();
    await until(() => t.lambda.stats().busy === 0, 'the function to finish');
  });
});

describe('shutdown', () => {
  it('close() and reset() kill every worker', async () => {
    const t = await startLambda();
    try {
      await t.create('one', { 'index.js': 'exports.handler = async () => process.pid;' });
      await t.create('two', { 'index.js': 'exports.handler = async () => process.pid;' });
      const p1 = (await t.invoke('one', {})).json;
      const p2 = (await t.invoke('two', {})).json;
      await t.lambda.reset();
      assert.deepEqual(t.lambda.stats(), { workers: 0, busy: 0, queued: 0 });
      await until(() => !isAlive(p1) && !isAlive(p2), 'workers to die on reset');
      await t.store.clear();
      await t.create('three', { 'index.js': 'exports.handler = async () => process.pid;' });
      const p3 = (await t.invoke('three', {})).json;
      const root = t.lambda.root;
      await t.lambda.close();
      await until(() => !isAlive(p3), 'workers to die on close');
      assert.equal(existsSync(root), false, 'the temporary folder of a :memory: service is removed');
    } finally {
      await t.close();
    }
  });
});
