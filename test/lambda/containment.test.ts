// A function's whole process tree is contained (issue #20 item 8): a detached grandchild dies
// with the invocation's timeout and with DeleteFunction, memory used by a child counts against
// MemorySize, and the gateway-wide worker cap queues or throttles instead of spawning past it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BLOCKING, Barrier, PARTITION, startLambda, until, type TestLambda } from './helpers.ts';

/** Gone, or a zombie nobody reaps (a killed orphan whose new parent does not wait for it). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Node: a grandchild in a session of its own (detached), outliving the child that started it. */
const DETACHED_NODE = `
const { spawn } = require('node:child_process');
exports.handler = async (e) => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  child.unref();
  console.log('GRANDCHILD ' + child.pid);
  if (e.hang) await new Promise(() => setInterval(() => {}, 1000));
  return child.pid;
};`;

const DETACHED_PYTHON = `
import subprocess, sys, time
def handler(event, context):
    p = subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)'], start_new_session=True)
    print('GRANDCHILD %d' % p.pid, flush=True)
    if event.get('hang'):
        time.sleep(3600)
    return p.pid
`;

function grandchildFromTail(header: string | null): number {
  const tail = Buffer.from(header ?? '', 'base64').toString('utf8');
  const m = /GRANDCHILD (\d+)/.exec(tail);
  assert.ok(m, `the log tail names the grandchild: ${tail}`);
  return Number(m[1]);
}

describe('process trees', () => {
  let t: TestLambda;
  before(async () => { t = await startLambda(); });
  after(async () => { await t.close(); });

  for (const [runtime, files, handler] of [
    ['nodejs20.x', { 'index.js': DETACHED_NODE }, 'index.handler'],
    ['python3.11', { 'app.py': DETACHED_PYTHON }, 'app.handler'],
  ] as const) {
    it(`${runtime}: a detached grandchild dies when the invocation times out`, async () => {
      const name = `timeout-${runtime.replace('.', '')}`;
      await t.create(name, files, { Runtime: runtime, Handler: handler, Timeout: 2 });
      const r = await t.invoke(name, { hang: true }, { 'X-Amz-Log-Type': 'Tail' });
      assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
      assert.equal(r.json.errorType, 'Sandbox.Timedout');
      const pid = grandchildFromTail(r.headers.get('x-amz-log-result'));
      await until(() => gone(pid), `grandchild ${pid} to die after the timeout`);
    });

    it(`${runtime}: a detached grandchild of a warm worker dies with DeleteFunction`, async () => {
      const name = `delete-${runtime.replace('.', '')}`;
      await t.create(name, files, { Runtime: runtime, Handler: handler, Timeout: 10 });
      const r = await t.invoke(name, {});
      assert.equal(r.headers.get('x-amz-function-error'), null, r.body);
      const pid = r.json as number;
      assert.equal(gone(pid), false, 'the grandchild outlives the invocation while the function exists');
      const d = await t.call('DELETE', `/2015-03-31/functions/${name}`);
      assert.equal(d.status, 204);
      await until(() => gone(pid), `grandchild ${pid} to die with DeleteFunction`);
    });
  }

  it('a detached grandchild of a warm worker dies with UpdateFunctionCode', async () => {
    await t.create('updated', { 'index.js': DETACHED_NODE });
    const pid = (await t.invoke('updated', {})).json as number;
    assert.equal(gone(pid), false);
    const { zip } = await import('./helpers.ts');
    const u = await t.call('PUT', '/2015-03-31/functions/updated/code', { ZipFile: zip({ 'index.js': 'exports.handler = async () => "v2";' }).toString('base64') });
    assert.equal(u.status, 200, u.body);
    await until(() => gone(pid), `grandchild ${pid} to die with the old code's worker`);
    assert.equal((await t.invoke('updated', {})).json, 'v2');
  });

  it('a detached grandchild dies when the gateway closes', async () => {
    const other = await startLambda();
    let pid: number;
    try {
      await other.create('short-lived', { 'index.js': DETACHED_NODE });
      pid = (await other.invoke('short-lived', {})).json as number;
      assert.equal(gone(pid), false);
    } finally {
      await other.close();
    }
    await until(() => gone(pid), `grandchild ${pid} to die with the gateway`);
  });

  it('DeleteFunction in one gateway leaves the same-named function of another gateway running', async () => {
    const other = await startLambda();
    try {
      await other.create('namesake', { 'index.js': DETACHED_NODE });
      await t.create('namesake', { 'index.js': DETACHED_NODE });
      const theirs = (await other.invoke('namesake', {})).json as number;
      const ours = (await t.invoke('namesake', {})).json as number;
      assert.equal((await t.call('DELETE', '/2015-03-31/functions/namesake')).status, 204);
      await until(() => gone(ours), 'our grandchild to die');
      assert.equal(gone(theirs), false, 'the other gateway\'s function is untouched');
      assert.equal((await other.invoke('namesake', {})).status, 200);
    } finally {
      await other.close();
    }
  });

  it('memory used by a child process counts against MemorySize: the runtime is killed', async () => {
    await t.create('child-hog', {
      'index.js': `
const { spawn } = require('node:child_process');
exports.handler = async () => {
  const hog = 'const keep = []; setInterval(() => keep.push(Buffer.alloc(32 * 1048576, 1)), 10);';
  spawn(process.execPath, ['-e', hog], { detached: true, stdio: 'ignore' }).unref();
  await new Promise(() => setInterval(() => {}, 1000));
};` }, { MemorySize: 128, Timeout: 60 });
    const r = await t.invoke('child-hog', {});
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.equal(r.json.errorType, 'Runtime.OutOfMemory');
    assert.match(r.json.errorMessage, /Runtime exited with error: signal: killed$/);
    const next = await t.invoke('child-hog', {}, {});
    assert.equal(next.json.errorType, 'Runtime.OutOfMemory', 'the next invocation starts clean and is stopped again');
  });
});


describe('the gateway-wide memory cap', () => {
  let t: TestLambda;
  const barrier = new Barrier();
  before(async () => {
    t = await startLambda({ lambdaMaxMemoryMb: 256, lambdaQueueSize: 1 });
    await barrier.start();
  });
  after(async () => {
    await barrier.stop();
    await t.close();
  });

  it('a worker whose MemorySize does not fit waits for room, then runs', async () => {
    await t.create('big', { 'index.js': BLOCKING }, { MemorySize: 256 });
    await t.create('small', { 'index.js': BLOCKING }, { MemorySize: 128 });
    const big = t.invoke('big', { barrier: barrier.url });
    await until(() => barrier.held.length === 1, 'big running');
    const small = t.invoke('small', {});
    await until(() => t.lambda.stats().queued === 1, 'small waiting: 256 + 128 MB is over the cap');
    assert.equal(t.lambda.stats().workers, 1);
    barrier.release();
    assert.equal((await big).status, 200);
    const r = await small;
    assert.equal(r.status, 200, r.body);
    assert.equal(t.lambda.workerPids(PARTITION, 'big').length, 0, 'the idle big worker gave its room up');
  });
});

describe('the gateway-wide worker cap', () => {
  let t: TestLambda;
  const barrier = new Barrier();
  before(async () => {
    t = await startLambda({ lambdaMaxWorkers: 2, lambdaConcurrency: 10, lambdaQueueSize: 1 });
    await barrier.start();
  });
  after(async () => {
    await barrier.stop();
    await t.close();
  });

  it('queues another function\'s invocation, then throttles, instead of starting a third worker', async () => {
    await t.create('a', { 'index.js': BLOCKING });
    await t.create('b', { 'index.js': BLOCKING });
    const first = [1, 2].map(() => t.invoke('a', { barrier: barrier.url }));
    await until(() => barrier.held.length === 2, 'two invocations of a running');
    const queued = t.invoke('b', { barrier: barrier.url });
    await until(() => t.lambda.stats().queued === 1, 'b waiting for room');
    assert.deepEqual(t.lambda.stats(), { workers: 2, busy: 2, queued: 1 });

    const throttled = await t.invoke('b', {});
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
    assert.equal(throttled.json.Reason, 'ConcurrentInvocationLimitExceeded');

    // One of a's invocations ends: its worker stays warm but idle, and gives its room to b.
    barrier.held.shift()!.end('ok');
    await until(() => barrier.held.length === 2 && t.lambda.workerPids(PARTITION, 'b').length === 1, 'b running in the freed room');
    assert.equal(t.lambda.stats().workers, 2);
    barrier.release();
    const results = await Promise.all([...first, queued]);
    for (const r of results) assert.equal(r.status, 200, r.body);
    assert.ok(t.lambda.stats().workers <= 2);
  });
});
