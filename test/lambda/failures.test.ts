// How functions fail, reported as Lambda reports it: thrown errors, init errors, timeouts,
// crashed workers, memory exhaustion, bad payloads; and the next invocation still works.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PARTITION, isAlive, startLambda, until, type TestLambda } from './helpers.ts';

let t: TestLambda;
before(async () => { t = await startLambda(); });
after(async () => { await t.close(); });

describe('function errors', () => {
  it('a thrown error: errorType, errorMessage, trace; X-Amz-Function-Error Unhandled', async () => {
    await t.create('throws', { 'index.js': 'exports.handler = async () => { throw new TypeError("wrong type"); };' });
    const r = await t.invoke('throws', {}, { 'X-Amz-Log-Type': 'Tail' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.deepEqual(Object.keys(r.json), ['errorType', 'errorMessage', 'trace']);
    assert.equal(r.json.errorType, 'TypeError');
    assert.equal(r.json.errorMessage, 'wrong type');
    assert.equal(r.json.trace[0], 'TypeError: wrong type');
    assert.match(r.json.trace[1], /index\.js:1/);
    const log = Buffer.from(r.headers.get('x-amz-log-result')!, 'base64').toString();
    assert.match(log, /\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"wrong type"/);
  });

  it('a synchronous throw in a callback handler, and a custom error name', async () => {
    await t.create('syncthrow', { 'index.js': 'class NotFound extends Error { constructor(m) { super(m); this.name = "NotFound"; } }\nexports.handler = function (e, c, cb) { if (e.cb) return cb(new NotFound("no pet")); throw new RangeError("bad range"); };' });
    assert.equal((await t.invoke('syncthrow', {})).json.errorType, 'RangeError');
    const r = await t.invoke('syncthrow', { cb: true });
    assert.equal(r.json.errorType, 'NotFound');
    assert.equal(r.json.errorMessage, 'no pet');
  });

  it('a missing module, a missing handler and a syntax error are init errors', async () => {
    await t.create('nomodule', { 'other.js': 'exports.x = 1;' });
    let r = await t.invoke('nomodule', {});
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.equal(r.json.errorType, 'Runtime.ImportModuleError');
    assert.match(r.json.errorMessage, /^Error: Cannot find module 'index'/);
    await t.create('nohandler', { 'index.js': 'exports.other = () => 1;' });
    r = await t.invoke('nohandler', {});
    assert.equal(r.json.errorType, 'Runtime.HandlerNotFound');
    assert.equal(r.json.errorMessage, 'index.handler is undefined or not exported');
    await t.create('syntax', { 'index.js': 'exports.handler = async () => { return {; };' });
    r = await t.invoke('syntax', {});
    assert.equal(r.json.errorType, 'Runtime.UserCodeSyntaxError');
    assert.match(r.json.errorMessage, /^SyntaxError: /);
    await t.create('initthrow', { 'index.js': 'throw new Error("config missing");' });
    r = await t.invoke('initthrow', {});
    assert.equal(r.json.errorType, 'Error');
    assert.equal(r.json.errorMessage, 'config missing');
    // an init error leaves no worker behind
    await until(() => t.lambda.workerPids(PARTITION, 'initthrow').length === 0, 'the failed worker to go');
  });

  it('a timeout kills the worker and reports Task timed out after N.NN seconds', async () => {
    await t.create('slow', { 'index.js': 'exports.handler = async (e) => { if (e.fast) return process.pid; await new Promise(() => setInterval(() => {}, 1000)); };' }, { Timeout: 1 });
    const r = await t.invoke('slow', {}, { 'X-Amz-Log-Type': 'Tail' });
    const id = r.headers.get('x-amzn-requestid');
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.deepEqual(r.json, { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: Task timed out after 1.00 seconds` });
    const log = Buffer.from(r.headers.get('x-amz-log-result')!, 'base64').toString();
    assert.match(log, new RegExp(`${id} Task timed out after 1\\.00 seconds\\n`));
    assert.match(log, /Status: timeout/);
    const next = await t.invoke('slow', { fast: true });
    assert.equal(typeof next.json, 'number');
    assert.equal(next.headers.get('x-amz-function-error'), null);
  });

  it('process.exit in a handler is Runtime.ExitError, and the next invocation runs in a new worker', async () => {
    await t.create('exits', { 'index.js': 'exports.handler = async (e) => { if (e.exit) process.exit(3); return process.pid; };' });
    const first = (await t.invoke('exits', {})).json;
    const r = await t.invoke('exits', { exit: true });
    const id = r.headers.get('x-amzn-requestid');
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.deepEqual(r.json, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited with error: exit status 3` });
    await until(() => !isAlive(first), 'the crashed worker to be gone');
    const after = (await t.invoke('exits', {})).json;
    assert.equal(typeof after, 'number');
    assert.notEqual(after, first);
  });

  it('an uncaught exception in a timer is reported on the invocation; the worker is replaced', async () => {
    await t.create('timerthrow', { 'index.js': 'exports.handler = (e, c, cb) => { if (e.boom) { setTimeout(() => { throw new Error("late boom"); }, 5); return; } cb(null, process.pid); };' });
    const pid = (await t.invoke('timerthrow', {})).json;
    const r = await t.invoke('timerthrow', { boom: true });
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.equal(r.json.errorType, 'Error');
    assert.equal(r.json.errorMessage, 'late boom');
    await until(() => !isAlive(pid), 'the crashed worker to exit');
    const again = await t.invoke('timerthrow', {});
    assert.notEqual(again.json, pid);
    assert.equal(again.headers.get('x-amz-function-error'), null);
  });

  it('an unhandled promise rejection is Runtime.UnhandledPromiseRejection', async () => {
    await t.create('rejects', { 'index.js': 'exports.handler = (e, c, cb) => { Promise.reject(new Error("nobody caught me")); setTimeout(() => cb(null, 1), 1000); };' });
    const r = await t.invoke('rejects', {});
    assert.equal(r.json.errorType, 'Runtime.UnhandledPromiseRejection');
    assert.equal(r.json.errorMessage, 'Error: nobody caught me');
    assert.deepEqual((await t.invoke('rejects', {})).json.errorType, 'Runtime.UnhandledPromiseRejection');
  });

  it('a function allocating past its MemorySize is stopped and reported; the next invocation works', async () => {
    await t.create('hog', { 'index.js': 'exports.handler = async (e) => { if (!e.hog) return "fine"; const keep = []; for (;;) keep.push(new Array(1e5).fill({ a: Math.random() })); };' }, { MemorySize: 128, Timeout: 60 });
    const r = await t.invoke('hog', { hog: true }, { 'X-Amz-Log-Type': 'Tail' });
    const id = r.headers.get('x-amzn-requestid');
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.equal(r.json.errorType, 'Runtime.OutOfMemory');
    assert.match(r.json.errorMessage, new RegExp(`^RequestId: ${id} Error: Runtime exited with error: signal: `));
    const log = Buffer.from(r.headers.get('x-amz-log-result')!, 'base64').toString();
    assert.match(log, /Max Memory Used: 128 MB/);
    assert.equal((await t.invoke('hog', {})).json, 'fine');
  });

  it('memory outside the V8 heap (Buffers) counts against MemorySize too', async () => {
    await t.create('buffers', { 'index.js': 'const keep = []; exports.handler = async (e) => { if (!e.hog) return "fine"; for (let i = 0; i < 64; i++) { keep.push(Buffer.alloc(8 * 1048576, 1)); await new Promise((r) => setTimeout(r, 20)); } return "survived"; };' }, { MemorySize: 128, Timeout: 60 });
    const r = await t.invoke('buffers', { hog: true });
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.equal(r.json.errorType, 'Runtime.OutOfMemory');
    assert.match(r.json.errorMessage, /Error: Runtime exited with error: signal: killed$/);
    assert.equal((await t.invoke('buffers', {})).json, 'fine');
  });

  it('a response over 6 MB is Function.ResponseSizeTooLarge', async () => {
    await t.create('big', { 'index.js': 'exports.handler = async () => "x".repeat(6400000);' }, { MemorySize: 512 });
    const r = await t.invoke('big', {});
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.equal(r.json.errorType, 'Function.ResponseSizeTooLarge');
  });
});

describe('invalid invocations', () => {
  it('a payload that is not JSON is InvalidRequestContentException', async () => {
    await t.create('echo', { 'index.js': 'exports.handler = async (e) => e;' });
    const r = await t.invoke('echo', 'not json');
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidRequestContentException');
    assert.equal(r.json.Type, 'User');
    assert.match(r.json.Message, /^Could not parse request body into json: Could not parse payload into json: /);
  });

  it('an empty payload is {}', async () => {
    const r = await t.call('POST', '/2015-03-31/functions/echo/invocations');
    assert.deepEqual(r.json, {});
  });

  it('a payload over 6 MB is RequestTooLargeException (413)', async () => {
    const r = await t.invoke('echo', JSON.stringify({ s: 'y'.repeat(6_291_456) }));
    assert.equal(r.status, 413);
    assert.equal(r.headers.get('x-amzn-errortype'), 'RequestTooLargeException');
    assert.deepEqual(r.json, { Type: 'User', Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
  });

  it('a text event (a proxy event) is measured in UTF-8 bytes: 2.1 million three-byte characters are over 6 MB, as many ASCII ones are not', async () => {
    // Text under a third of the limit in UTF-16 units is under it in UTF-8 bytes and is not
    // measured; this text is not, and its bytes (6.3 MB) are counted.
    const heavy = JSON.stringify({ s: '\u20ac'.repeat(2_100_000) });
    await assert.rejects(t.lambda.invoke(PARTITION, 'echo', heavy, { trustedJson: true }), (e: any) => e.name === 'RequestTooLargeException' && e.statusCode === 413);
    const light = JSON.stringify({ s: 'y'.repeat(2_100_000) });
    const out = await t.lambda.invoke(PARTITION, 'echo', light, { trustedJson: true });
    assert.equal(out.functionError, undefined);
    assert.equal(JSON.parse(out.payload.toString()).s.length, 2_100_000);
  });

  it('an unknown function is ResourceNotFoundException with Lambda\'s body', async () => {
    const r = await t.invoke('missing', {});
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.deepEqual(r.json, { Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing' });
    await assert.rejects(t.lambda.invoke(PARTITION, 'missing', Buffer.from('{}')), (e: any) => e.name === 'ResourceNotFoundException' && e.statusCode === 404);
  });

  it('an unknown qualifier is not found (only $LATEST exists)', async () => {
    const r = await t.call('POST', '/2015-03-31/functions/echo/invocations?Qualifier=7', '{}');
    assert.equal(r.status, 404);
    assert.equal(r.json.Message, 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:echo:7');
    const ok = await t.call('POST', '/2015-03-31/functions/echo/invocations?Qualifier=$LATEST', '{"q":1}');
    assert.deepEqual(ok.json, { q: 1 });
  });
});
