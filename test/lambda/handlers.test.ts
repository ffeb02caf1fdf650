// Real functions in every handler style Lambda's Node.js runtime supports, the guide's own
// walkthrough functions, the context object, environment variables and the function log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeHeapFlags } from '../../src/lambda/service.ts';
import { startLambda, until, type TestLambda } from './helpers.ts';

let t: TestLambda;
before(async () => { t = await startLambda(); });
after(async () => { await t.close(); });

describe('handler styles', () => {
  it('callback style', async () => {
    await t.create('cb', { 'index.js': 'exports.handler = function (event, context, callback) { callback(null, { got: event.x * 2 }); };' });
    const r = await t.invoke('cb', { x: 21 });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { got: 42 });
    assert.equal(r.headers.get('x-amz-function-error'), null);
    assert.equal(r.headers.get('x-amz-executed-version'), '$LATEST');
  });

  it('async / promise style', async () => {
    await t.create('asyncfn', { 'index.js': 'exports.handler = async (event) => { await new Promise((r) => setTimeout(r, 5)); return { sum: event.a + event.b }; };' });
    assert.deepEqual((await t.invoke('asyncfn', { a: 2, b: 3 })).json, { sum: 5 });
    await t.create('promisefn', { 'index.js': 'exports.handler = (event) => Promise.resolve("plain string");' });
    assert.equal((await t.invoke('promisefn', {})).body, '"plain string"');
  });

  it('context.succeed, context.done and a handler returning nothing', async () => {
    await t.create('succeed', { 'index.js': 'exports.handler = function (event, context) { context.succeed({ ok: true }); };' });
    assert.deepEqual((await t.invoke('succeed', {})).json, { ok: true });
    await t.create('done', { 'index.js': 'exports.handler = function (event, context) { context.done(null, [1, 2]); };' });
    assert.deepEqual((await t.invoke('done', {})).json, [1, 2]);
    await t.create('nothing', { 'index.js': 'exports.handler = async function () {};' });
    assert.equal((await t.invoke('nothing', {})).body, 'null');
  });

  it('context.fail(string) reports errorType string, as Lambda does', async () => {
    await t.create('fail', { 'index.js': 'exports.handler = function (event, context) { context.fail("x"); };' });
    const r = await t.invoke('fail', {});
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.deepEqual(r.json, { errorType: 'string', errorMessage: 'x', trace: [] });
    await t.create('donefail', { 'index.js': 'exports.handler = function (event, context) { context.done(new Error("bad input")); };' });
    const d = await t.invoke('donefail', {});
    assert.equal(d.json.errorType, 'Error');
    assert.equal(d.json.errorMessage, 'bad input');
  });

  it('ESM: .mjs file and a .js file under "type": "module"', async () => {
    await t.create('esm1', { 'index.mjs': 'export const handler = async (event) => ({ esm: true, name: event.name });' });
    assert.deepEqual((await t.invoke('esm1', { name: 'm' })).json, { esm: true, name: 'm' });
    await t.create('esm2', {
      'package.json': '{"type":"module"}',
      'app.js': 'import { helper } from "./lib/helper.js";\nexport async function main(event) { return helper(event.n); }',
      'lib/helper.js': 'export const helper = (n) => ({ doubled: n * 2, type: typeof require });',
    }, { Handler: 'app.main' });
    assert.deepEqual((await t.invoke('esm2', { n: 4 })).json, { doubled: 8, type: 'undefined' });
  });

  it('CommonJS in a subfolder with a nested handler path and require of a sibling module', async () => {
    await t.create('nested', {
      'src/handlers.js': 'const util = require("../util.js"); module.exports = { api: { get: async (e) => util.tag(e.v) } };',
      'util.js': 'exports.tag = (v) => "tag:" + v;',
    }, { Handler: 'src/handlers.api.get' });
    assert.equal((await t.invoke('nested', { v: 'z' })).json, 'tag:z');
  });

  it('callbackWaitsForEmptyEventLoop: true waits for pending timers, false answers at once', async () => {
    const code = (waits: boolean) => `
      exports.handler = function (event, context, callback) {
        context.callbackWaitsForEmptyEventLoop = ${waits};
        setTimeout(() => console.log("timer fired"), 30);
        callback(null, "done");
      };`;
    await t.create('waits', { 'index.js': code(true) });
    await t.create('nowait', { 'index.js': code(false) });
    const w = await t.invoke('waits', {}, { 'X-Amz-Log-Type': 'Tail' });
    assert.equal(w.json, 'done');
    const wlog = Buffer.from(w.headers.get('x-amz-log-result')!, 'base64').toString();
    assert.ok(wlog.indexOf('timer fired') !== -1 && wlog.indexOf('timer fired') < wlog.indexOf('END RequestId'), wlog);
    const n = await t.invoke('nowait', {}, { 'X-Amz-Log-Type': 'Tail' });
    assert.equal(n.json, 'done');
    const nlog = Buffer.from(n.headers.get('x-amz-log-result')!, 'base64').toString();
    assert.ok(!nlog.slice(nlog.indexOf('START'), nlog.indexOf('END RequestId')).includes('timer fired'), nlog);
  });

  it('a handler that never answers gets null once its event loop is empty', async () => {
    await t.create('silent', { 'index.js': 'exports.handler = function (event, context) { setTimeout(() => {}, 10); };' });
    assert.equal((await t.invoke('silent', {})).body, 'null');
  });
});

describe('the guide\'s walkthrough functions', () => {
  it('GetHelloWorld and GetHelloWithName (Call Lambda Functions Synchronously)', async () => {
    await t.create('GetHelloWorld', { 'index.js': `'use strict';
console.log('Loading event');

exports.handler = function(event, context) {
  console.log('"Hello":"World"');
  context.done(null, {"Hello":"World"}); // SUCCESS with message
};
` });
    await t.create('GetHelloWithName', { 'index.js': `'use strict';
console.log('Loading event');

exports.handler = function(event, context) {
  var name = (event.name === undefined ? 'No-Name' : event.name);
  console.log("Hello:" + name);
  context.done(null, {"Hello":name}); // SUCCESS with message
};
` });
    assert.deepEqual((await t.invoke('GetHelloWorld', {})).json, { Hello: 'World' });
    assert.deepEqual((await t.invoke('GetHelloWithName', { name: 'Gatehouse' })).json, { Hello: 'Gatehouse' });
    const r = await t.invoke('GetHelloWithName', {}, { 'X-Amz-Log-Type': 'Tail' });
    assert.deepEqual(r.json, { Hello: 'No-Name' });
    assert.match(Buffer.from(r.headers.get('x-amz-log-result')!, 'base64').toString(), /\tINFO\tHello:No-Name\n/);
  });

  it('Calc (Create an API as a Lambda Proxy)', async () => {
    await t.create('Calc', { 'index.js': `exports.handler = function(event, context) {
  //console.log('Received event:', JSON.stringify(event, null, 2));
  var res = {};
  res.a = event.a;
  res.b = event.b;
  res.op = event.op;

  switch(event.op)
  {
    case "+":
      res.c = Number(event.a) + Number(event.b);
      break;
    case "-":
      res.c = Number(event.a) - Number(event.b);
      break;
    case "*":
      res.c = Number(event.a) * Number(event.b);
      break;
    case "/":
      res.c = Number(event.b)===0 ? NaN : Number(event.a) / Number(event.b);
      break;
    default:
      res.c = "Invalid op";
  }
  context.succeed(res);
};
` });
    assert.deepEqual((await t.invoke('Calc', { a: 1, b: 2, op: '+' })).json, { a: 1, b: 2, op: '+', c: 3 });
    assert.deepEqual((await t.invoke('Calc', { a: '6', b: '3', op: '/' })).json, { a: '6', b: '3', op: '/', c: 2 });
    assert.deepEqual((await t.invoke('Calc', { a: 1, b: 0, op: '/' })).json, { a: 1, b: 0, op: '/', c: null });
    assert.deepEqual((await t.invoke('Calc', { a: 1, b: 2, op: '^' })).json, { a: 1, b: 2, op: '^', c: 'Invalid op' });
  });
});

describe('context, environment and log', () => {
  it('the context object carries what Lambda puts there', async () => {
    await t.create('ctx', { 'index.js': `exports.handler = async (event, context) => ({
      functionName: context.functionName, functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB,
      awsRequestId: context.awsRequestId, logGroupName: context.logGroupName, logStreamName: context.logStreamName,
      remaining: context.getRemainingTimeInMillis(), waits: context.callbackWaitsForEmptyEventLoop, keys: Object.keys(context) });` }, { MemorySize: 256, Timeout: 7 });
    const r = await t.invoke('ctx', {});
    const c = r.json;
    assert.equal(c.functionName, 'ctx');
    assert.equal(c.functionVersion, '$LATEST');
    assert.equal(c.invokedFunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:ctx');
    assert.equal(c.memoryLimitInMB, '256');
    assert.equal(c.awsRequestId, r.headers.get('x-amzn-requestid'));
    assert.equal(c.logGroupName, '/aws/lambda/ctx');
    assert.match(c.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.ok(c.remaining > 0 && c.remaining <= 7000, String(c.remaining));
    assert.equal(c.waits, true);
    // Its own enumerable keys, the flag among them, in the order they have always had.
    assert.deepEqual(c.keys, ['functionName', 'functionVersion', 'invokedFunctionArn', 'memoryLimitInMB', 'awsRequestId', 'logGroupName', 'logStreamName',
      'identity', 'clientContext', 'getRemainingTimeInMillis', 'callbackWaitsForEmptyEventLoop', 'succeed', 'fail', 'done']);
  });

  it('V8\'s heap is sized from MemorySize as Lambda\'s bootstrap sizes it (young generation a tenth, the rest old)', async () => {
    assert.deepEqual(nodeHeapFlags(128), ['--max-semi-space-size=6', '--max-old-space-size=116']);
    assert.deepEqual(nodeHeapFlags(1024), ['--max-semi-space-size=51', '--max-old-space-size=922']);
    await t.create('heap', { 'index.js': 'const v8 = require("node:v8"); exports.handler = async () => ({ argv: process.execArgv, limit: v8.getHeapStatistics().heap_size_limit });' }, { MemorySize: 256 });
    const r = (await t.invoke('heap', {})).json;
    assert.deepEqual(r.argv, ['--max-semi-space-size=12', '--max-old-space-size=231']);
    // The old generation's 231 MB and a young generation of 12 MB semi-spaces, whatever memory
    // cgroup the worker runs in (Node would otherwise derive the young generation from it).
    assert.ok(r.limit > 231 * 1048576 + 2 * 12 * 1048576, String(r.limit));
  });

  it('environment variables: the function\'s own and Lambda\'s reserved ones, nothing of Gatehouse\'s', async () => {
    await t.create('env', { 'index.js': 'exports.handler = async () => ({ ...process.env });' }, { Environment: { Variables: { STAGE: 'dev', TABLE: 'pets' } } });
    const env = (await t.invoke('env', {})).json;
    assert.equal(env.STAGE, 'dev');
    assert.equal(env.TABLE, 'pets');
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'env');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '128');
    assert.equal(env.AWS_REGION, 'us-east-1');
    assert.equal(env.AWS_DEFAULT_REGION, 'us-east-1');
    assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
    assert.equal(env._HANDLER, 'index.handler');
    assert.equal(env.TZ, ':UTC');
    assert.ok(env.LAMBDA_TASK_ROOT.length > 0);
    assert.equal(env.NODE_OPTIONS, undefined);
    assert.equal(env.HOME, undefined, 'the host environment does not leak into functions');
  });

  it('console output is captured with Lambda\'s line format and START/END/REPORT', async () => {
    await t.create('logs', { 'index.js': 'console.log("init line"); exports.handler = async (e, ctx) => { console.log("info", { a: 1 }); console.warn("careful"); console.error(new Error("shown")); process.stdout.write("raw write\\n"); return ctx.awsRequestId; };' });
    const r = await t.invoke('logs', {}, { 'X-Amz-Log-Type': 'Tail' });
    const id = r.json;
    const log = Buffer.from(r.headers.get('x-amz-log-result')!, 'base64').toString();
    assert.match(log, /\tundefined\tINFO\tinit line\n/);
    assert.ok(log.includes(`START RequestId: ${id} Version: $LATEST\n`));
    assert.match(log, new RegExp(`\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${id}\\tINFO\\tinfo { a: 1 }\\n`));
    assert.ok(log.includes(`\t${id}\tWARN\tcareful\n`));
    assert.ok(log.includes(`\t${id}\tERROR\tError: shown\n`));
    assert.ok(log.includes(`END RequestId: ${id}\n`));
    assert.match(log, new RegExp(`REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t\\n$`));
    // a warm invocation has no Init Duration
    const warm = await t.invoke('logs', {}, { 'X-Amz-Log-Type': 'Tail' });
    const wlog = Buffer.from(warm.headers.get('x-amz-log-result')!, 'base64').toString();
    assert.ok(!wlog.includes('Init Duration'), wlog);
    assert.ok(!wlog.includes('init line'), wlog);
  });

  it('every invocation\'s log is appended to the function\'s log file', async () => {
    await t.create('filelog', { 'index.js': 'exports.handler = async (e) => { console.log("call", e.n); return e.n; };' });
    await t.invoke('filelog', { n: 1 });
    await t.invoke('filelog', { n: 2 });
    const file = join(t.lambda.root, 'logs', '000000000000', 'us-east-1', 'filelog.log');
    await until(() => existsSync(file) && (readFileSync(file, 'utf8').match(/^REPORT /gm) ?? []).length === 2, 'both invocations in the log file');
    const text = readFileSync(file, 'utf8');
    assert.ok(text.indexOf('INFO\tcall 1') < text.indexOf('INFO\tcall 2'));
    assert.equal((text.match(/^START RequestId: /gm) ?? []).length, 2);
  });

  it('the log tail is the last 4 KB', async () => {
    await t.create('chatty', { 'index.js': 'exports.handler = async () => { for (let i = 0; i < 200; i++) console.log("line " + i + " " + "x".repeat(40)); return 1; };' });
    const r = await t.invoke('chatty', {}, { 'X-Amz-Log-Type': 'Tail' });
    const raw = Buffer.from(r.headers.get('x-amz-log-result')!, 'base64');
    assert.equal(raw.byteLength, 4096);
    assert.match(raw.toString(), /REPORT RequestId: .*\n$/);
    const none = await t.invoke('chatty', {});
    assert.equal(none.headers.get('x-amz-log-result'), null);
  });
});

describe('python3 runtime', () => {
  it('runs a python handler with context, logging and errors', async () => {
    await t.create('py', {
      'lambda_function.py': `import logging, os
logger = logging.getLogger()
logger.setLevel(logging.INFO)
print("loading")

def lambda_handler(event, context):
    logger.info("event %s", event)
    if event.get("fail"):
        raise ValueError("bad value")
    return {"hello": event.get("name", "World"), "fn": context.function_name, "region": os.environ["AWS_REGION"],
            "remaining": context.get_remaining_time_in_millis() > 0, "arn": context.invoked_function_arn}
`,
    }, { Runtime: 'python3.11', Handler: 'lambda_function.lambda_handler' });
    const r = await t.invoke('py', { name: 'Py' }, { 'X-Amz-Log-Type': 'Tail' });
    assert.deepEqual(r.json, { hello: 'Py', fn: 'py', region: 'us-east-1', remaining: true, arn: 'arn:aws:lambda:us-east-1:000000000000:function:py' });
    const log = Buffer.from(r.headers.get('x-amz-log-result')!, 'base64').toString();
    assert.match(log, /loading\n/);
    assert.match(log, /\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tevent \{'name': 'Py'\}\n/);
    const e = await t.invoke('py', { fail: true });
    assert.equal(e.headers.get('x-amz-function-error'), 'Unhandled');
    assert.equal(e.json.errorType, 'ValueError');
    assert.equal(e.json.errorMessage, 'bad value');
    assert.equal(e.json.requestId, e.headers.get('x-amzn-requestid'));
    assert.ok(Array.isArray(e.json.stackTrace) && e.json.stackTrace.length > 0);
  });

  it('reports a missing python module as Runtime.ImportModuleError', async () => {
    await t.create('pymissing', { 'other.py': 'x = 1' }, { Runtime: 'python3.12', Handler: 'lambda_function.handler' });
    const r = await t.invoke('pymissing', {});
    assert.equal(r.json.errorType, 'Runtime.ImportModuleError');
    assert.equal(r.json.errorMessage, "Unable to import module 'lambda_function': No module named 'lambda_function'");
  });
});
