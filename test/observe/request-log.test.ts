// The request log on stdout: at --log-level info one JSON line per request (deployed APIs and
// management calls, these with their operation name) carrying the request id the client saw,
// method, path, status and latency, and the process id; the start-up line stays first and plain;
// nothing per request at silent. In-process with a pino logger writing into memory, and with real
// `gatehouse serve` processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetRestApiCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import pino from 'pino';
import { batchedWriter, configureLog, isoTime, requestLogJson, type RequestLogLine } from '../../src/observe/log.ts';
import type { Gatehouse } from '../../src/server.ts';
import { createMockApi } from '../helpers/mock-api.ts';
import { exited, serveProcess, until } from '../helpers/processes.ts';
import { apiGatewayClient, startTestGatehouse, tempDataDir } from '../helpers/server.ts';
import { callStage, deploy } from '../execute/helpers.ts';

describe('in process, at info', () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let apiId: string;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    const sink = { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) };
    configureLog('info', { logger: pino({ level: 'info', base: { pid: process.pid }, formatters: { level: (label) => ({ level: label }) } }, sink) });
    gh = await startTestGatehouse();
    client = apiGatewayClient(gh.url);
    apiId = await createMockApi(client, 'request-log');
    await deploy(client, apiId, 'prod', { v: '1' });
  });

  after(async () => {
    configureLog('silent');
    client.destroy();
    await gh.close();
  });

  test('a deployed API request: one line with its request id, method, path without the query, API, stage, status and latency', async () => {
    const answer = await callStage(gh.url, apiId, 'prod', '/hello?secret=1');
    assert.equal(answer.status, 200);
    const requestId = answer.headers['x-amzn-requestid'];
    const mine = lines.filter((l) => l.requestId === requestId);
    assert.equal(mine.length, 1);
    const line = mine[0]!;
    assert.equal(line.level, 'info');
    assert.equal(line.method, 'GET');
    assert.equal(line.path, `/restapis/${apiId}/prod/_user_request_/hello`);
    assert.equal(line.api, apiId);
    assert.equal(line.stage, 'prod');
    assert.equal(line.status, 200);
    assert.equal(typeof line.latencyMs, 'number');
    assert.equal(line.pid, process.pid);
    assert.equal(line.reason, undefined);
  });

  test('management calls: one line each with the operation name, failures included', async () => {
    const got = await client.send(new GetRestApiCommand({ restApiId: apiId }));
    const ok = lines.filter((l) => l.requestId === got.$metadata.requestId);
    assert.equal(ok.length, 1);
    assert.equal(ok[0]!.operation, 'GetRestApi');
    assert.equal(ok[0]!.target, 'management GetRestApi');
    assert.equal(ok[0]!.status, 200);
    assert.equal(ok[0]!.path, `/restapis/${apiId}`);
    const missing = await fetch(`${gh.url}/restapis/nosuchapi`);
    assert.equal(missing.status, 404);
    const failed = lines.filter((l) => l.requestId === missing.headers.get('x-amzn-requestid'));
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.operation, 'GetRestApi');
    assert.equal(failed[0]!.status, 404);
  });
});

describe('the hand-built JSON request line', () => {
  test('each string is escaped byte for byte as JSON.stringify escapes it', () => {
    // The line quotes strings with nothing to escape itself and hands the rest to JSON.stringify.
    const tricky = ['plain/path', 'q"uote', 'back\\slash', 'ctl\u0000\u001f', 'del\u007f', 'lone\ud800', 'low\udc00x', 'pair\ud83d\ude00', 'é\u2028\u2029', ''];
    for (const t of tricky) {
      const text = requestLogJson({ requestId: t, method: 'GET', path: t, status: 500, target: t, api: t, stage: t, reason: t }, 1);
      for (const field of ['requestId', 'path', 'target', 'api', 'stage', 'reason', 'msg']) {
        assert.ok(text.includes(`"${field}":${JSON.stringify(t)}`), `${field} of ${JSON.stringify(t)} in ${text}`);
      }
    }
  });

  test('the time reads as Date.prototype.toISOString writes it, millisecond by millisecond and across seconds', () => {
    const start = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
    for (let ms = start; ms < start + 2100; ms++) assert.equal(isoTime(ms), new Date(ms).toISOString());
    // Back and forth between seconds, and at the epoch.
    for (const ms of [0, 999, 1000, start, 86_399_999, start + 5, 1, 253_402_300_799_999]) assert.equal(isoTime(ms), new Date(ms).toISOString());
  });

  test('lines of different stages, one after another, each carry their own target, api and stage', () => {
    // The fields of the last target are reused only when target, api and stage are all the same.
    const seq: RequestLogLine[] = [
      { requestId: 'r1', method: 'GET', path: '/a', status: 200, target: 'api a stage s', api: 'a', stage: 's' },
      { requestId: 'r2', method: 'GET', path: '/b', status: 200, target: 'api a stage s', api: 'a', stage: 't' },
      { requestId: 'r3', method: 'GET', path: '/c', status: 200, target: 'api a stage s', api: 'b', stage: 't' },
      { requestId: 'r4', method: 'GET', path: '/d', status: 200, target: 'management GetRestApi', operation: 'GetRestApi' },
      { requestId: 'r5', method: 'GET', path: '/e', status: 200, target: 'api a stage s', api: 'a', stage: 's' },
      { requestId: 'r6', method: 'GET', path: '/f', status: 200, api: 'z', stage: 'y' },
    ];
    for (const line of seq) {
      const got = JSON.parse(requestLogJson(line, 1)) as Record<string, unknown>;
      assert.equal(got.target, line.target);
      assert.equal(got.api, line.api);
      assert.equal(got.stage, line.stage);
      assert.equal(got.operation, line.operation);
    }
  });

  // `gatehouse serve` writes request lines without pino's serialiser (src/observe/log.ts): they must
  // read exactly as pino's, escapes included, whatever a path or reason holds.
  const lines: RequestLogLine[] = [
    { requestId: 'a1b2', method: 'GET', path: '/restapis/x/prod/_user_request_/hello', status: 200, target: 'api x stage prod', api: 'x', stage: 'prod', latencyMs: 3 },
    { requestId: 'c3', method: 'POST', path: '/p/"quoted"\\back\u0001\u2028é', status: 502, target: 'front door', reason: 'Execution failed: "x"\nnext line' },
    { requestId: 'd4', method: 'DELETE', path: '/restapis/abc', status: 500, operation: 'DeleteRestApi', target: 'management DeleteRestApi', latencyMs: 0 },
  ];
  for (const line of lines) {
    test(`status ${line.status} ${line.method}: the same fields and values as pino's line`, () => {
      let written = '';
      const logger = pino({ level: 'info', base: { pid: 42 }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, { write: (s: string) => void (written += s) });
      logger.info(line, line.reason ?? (line.status >= 500 ? `status ${line.status}` : 'request'));
      const text = requestLogJson(line, 42);
      assert.ok(text.endsWith('}\n') && !text.slice(0, -1).includes('\n'), 'one line');
      const mine = JSON.parse(text) as Record<string, unknown>;
      const theirs = JSON.parse(written) as Record<string, unknown>;
      assert.match(String(mine.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      delete mine.time;
      delete theirs.time;
      assert.deepEqual(mine, theirs);
      assert.deepEqual(Object.keys(mine).slice(0, 3), ['level', 'pid', 'requestId']);
    });
  }
});

describe('the batched stdout writer', () => {
  test('every line, in order, through a pipe; what is pending at the end goes out synchronously', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { batchedWriter } = await import(${JSON.stringify(join(process.cwd(), 'src/observe/log.ts'))});
      const w = batchedWriter(1);
      for (let i = 0; i < 3000; i++) w.write('line ' + i + ' ' + 'x'.repeat(i % 200) + '\\n');
      await new Promise((r) => setTimeout(r, 100));
      // Fewer than a flush's worth, written at once by flushSync, behind what went before.
      for (let i = 3000; i < 4000; i++) w.write('line ' + i + '\\n');
      w.flushSync();
      process.exit(0);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    assert.equal(await exited(child), 0);
    const lines = out.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 4000);
    lines.forEach((l, i) => assert.ok(l.startsWith(`line ${i} `) || l === `line ${i}`, `line ${i}: ${l.slice(0, 40)}`));
  });

  test('two processes sharing one stdout pipe (--workers) never tear each other\'s lines', { timeout: 60_000 }, async () => {
    const file = join(tempDataDir(), 'writer.mts');
    writeFileSync(file, `
      const { batchedWriter } = await import(${JSON.stringify(join(process.cwd(), 'src/observe/log.ts'))});
      const name = process.argv[2];
      const w = batchedWriter(1, 4096);
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 1000; i++) w.write(name + ' ' + round + ' ' + i + ' ' + 'x'.repeat(50 + (i % 300)) + ' end\\n');
        await new Promise((r) => setTimeout(r, 12));
      }
      // Time for the chain of writes to finish: a write still in the thread pool at exit is lost.
      await new Promise((r) => setTimeout(r, 1500));
      w.flushSync();
      process.exit(0);
    `);
    const node = `'${process.execPath}' --import tsx '${file}'`;
    const child = spawn('sh', ['-c', `${node} A & ${node} B & wait`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    // A slow reader: the pipe fills, so writers block part-way through large writes.
    child.stdout!.on('data', (c: Buffer) => {
      chunks.push(c);
      child.stdout!.pause();
      setTimeout(() => child.stdout!.resume(), 1);
    });
    assert.equal(await exited(child), 0);
    const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '');
    const bad = lines.filter((l) => !/^[AB] \d+ \d+ x+ end$/.test(l));
    assert.deepEqual(bad.slice(0, 3), []);
    assert.equal(lines.length, 40_000);
  });

  test('a write that fails for good is given up: a backlog for a reader that has gone does not stop the exit', { timeout: 30_000 }, async () => {
    // sonic-boom's exit flush (pino.destination) retried EPIPE forever: a server whose stdout reader
    // had gone, stopped under load, never exited. Here the reader goes first, then a backlog builds.
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { batchedWriter } = await import(${JSON.stringify(join(process.cwd(), 'src/observe/log.ts'))});
      await new Promise((r) => setTimeout(r, 300));
      const w = batchedWriter(1);
      for (let i = 0; i < 2000; i++) w.write('line ' + i + ' ' + 'x'.repeat(100) + '\\n');
      await new Promise((r) => setTimeout(r, 15));
      for (let i = 0; i < 2000; i++) w.write('more ' + i + '\\n');
      w.flushSync();
      w.write('after the failure\\n');
      process.exit(0);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.destroy();
    assert.equal(await exited(child), 0);
  });
});

/** A port free now (for a server that prints nothing to read it from). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('gatehouse serve', { timeout: 120_000 }, () => {
  test('--log-level info: the start-up line first and plain, then a JSON line per request with the process id', async () => {
    const gh = await serveProcess(['--port', '0', '--data-dir', tempDataDir()]);
    try {
      const client = apiGatewayClient(gh.url);
      const apiId = await createMockApi(client, 'serve-log');
      await deploy(client, apiId, 'prod', { v: '1' });
      client.destroy();
      const answer = await callStage(gh.url, apiId, 'prod', '/hello');
      const requestId = String(answer.headers['x-amzn-requestid']);
      await until(() => gh.stdout().includes(requestId));
      const [first, ...rest] = gh.stdout().split('\n');
      assert.match(first!, /^gatehouse \S+ serving http:\/\/127\.0\.0\.1:\d+ /);
      const line = rest.filter((l) => l.includes(requestId)).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(line.length, 1);
      assert.equal(line[0]!.pid, gh.pid);
      assert.equal(line[0]!.status, 200);
      assert.equal(line[0]!.api, apiId);
      assert.ok(rest.some((l) => l.includes('"operation":"CreateDeployment"')), 'management calls are logged');
    } finally {
      await gh.stop();
    }
  });

  test('a server whose stdout reader has gone keeps serving, and stops on SIGTERM', async () => {
    // sonic-boom's exit flush retried a write that failed with EPIPE forever: such a server never stopped.
    const gh = await serveProcess(['--port', '0', '--data-dir', ':memory:']);
    let stopped = false;
    try {
      const client = apiGatewayClient(gh.url);
      const apiId = await createMockApi(client, 'gone-reader');
      await deploy(client, apiId, 'prod', { v: '1' });
      client.destroy();
      gh.child.stdout!.destroy();
      for (let i = 0; i < 50; i++) assert.equal((await callStage(gh.url, apiId, 'prod', '/hello')).status, 200);
      gh.child.kill('SIGTERM');
      assert.equal(await exited(gh.child), 0);
      stopped = true;
    } finally {
      if (!stopped) await gh.kill9();
    }
  });

  test('--log-level silent: nothing on stdout, whatever the requests', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts'), 'serve', '--port', String(port), '--data-dir', ':memory:', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    try {
      const url = `http://127.0.0.1:${port}`;
      await until(async () => (await fetch(`${url}/_gatehouse/health`).catch(() => null))?.status === 200, 100);
      const client = apiGatewayClient(url);
      const apiId = await createMockApi(client, 'silent-log');
      await deploy(client, apiId, 'prod', { v: '1' });
      client.destroy();
      assert.equal((await callStage(url, apiId, 'prod', '/hello')).status, 200);
      assert.equal((await callStage(url, apiId, 'prod', '/nothing')).status, 403);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    assert.equal(out, '');
  });
});
