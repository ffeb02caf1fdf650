// A function that prints 200 MB in one invocation (issue #20 item 10) must not grow the gateway
// by as much: the gateway keeps at most a fixed amount of one invocation's output, writes that
// to the log file, and LogType Tail still shows the last 4 KB of how the invocation ended.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_CAP_BYTES } from '../../src/lambda/log-buffer.ts';
import { channelForger, PARTITION, startLambda, until, type TestLambda } from './helpers.ts';

const MB = 1048576;

// 100 MB through console.log (the runtime's channel) and 100 MB straight to stdout, in 64 KB pieces.
const CHATTY = `
const piece = ('x'.repeat(1023) + '\\n').repeat(64);
exports.handler = async (e) => {
  for (let i = 0; i < e.mb * 8; i++) console.log(piece);
  for (let i = 0; i < e.mb * 8; i++) await new Promise((r) => process.stdout.write(piece, r));
  console.log('LAST LINE');
  return 'done';
};`;

describe('log output per invocation', () => {
  let t: TestLambda;
  before(async () => { t = await startLambda(); });
  after(async () => { await t.close(); });

  it('a function printing 200 MB leaves the gateway\'s memory and the log file bounded', async () => {
    await t.create('chatty', { 'index.js': CHATTY }, { Timeout: 300, MemorySize: 512 });
    // Warm: the worker, the log stream and the HTTP client exist before the baseline is taken.
    assert.equal((await t.invoke('chatty', { mb: 1 })).json, 'done');
    const logFile = join(t.lambda.root, 'logs', PARTITION, 'chatty.log');
    // The whole first invocation must be in the file before the baseline size is read: the
    // file is written behind the answer, and under load half of it could land after.
    const lastLines = () => (statSync(logFile, { throwIfNoEntry: false }) === undefined ? 0 : readFileSync(logFile, 'utf8').split('LAST LINE').length - 1);
    await until(() => lastLines() === 1, 'the first invocation\'s log in the file');
    const sizeBefore = statSync(logFile).size;

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    let r;
    try {
      r = await t.invoke('chatty', { mb: 100 }, { 'X-Amz-Log-Type': 'Tail' });
    } finally {
      clearInterval(sampler);
    }
    assert.equal(r.json, 'done');
    const tail = Buffer.from(r.headers.get('x-amz-log-result')!, 'base64').toString('utf8');
    assert.ok(Buffer.byteLength(tail) <= 4096);
    assert.match(tail, /LAST LINE\n/);
    assert.match(tail, /REPORT RequestId: .*\n$/);

    // Before the cap the gateway held all 200 MB (and a joined copy) until the invocation ended.
    const grown = (peak - baseline) / MB;
    assert.ok(grown < 100, `the gateway grew by ${grown.toFixed(0)} MB while the function printed 200 MB`);

    await until(() => lastLines() === 2, 'the invocation\'s log in the file');
    const written = statSync(logFile).size - sizeBefore;
    assert.ok(written <= LOG_CAP_BYTES + 16 * 1024, `the invocation wrote ${written} bytes to the log file`);
    const text = readFileSync(logFile, 'utf8');
    assert.match(text, /\[Gatehouse: log output over 1048576 bytes for this invocation; \d+ bytes omitted\]/);
  });

  it('a function writing an endless message on the runtime channel is stopped before the gateway buffers it', async () => {
    await t.create('flood', { 'index.js': `
const fs = require('node:fs');
exports.handler = async () => {
  const chunk = Buffer.alloc(1048576, 120);
  for (let sent = 0; sent < 200 * 1048576;) {
    try { sent += fs.writeSync(3, chunk); } catch (e) { if (e.code !== 'EAGAIN') throw e; await new Promise((r) => setTimeout(r, 1)); }
  }
  return 'sent';
};` }, { Timeout: 300, MemorySize: 512 });
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    let r;
    try {
      r = await t.invoke('flood', {}, { 'X-Amz-Log-Type': 'Tail' });
    } finally {
      clearInterval(sampler);
    }
    assert.equal(r.headers.get('x-amz-function-error'), 'Unhandled');
    assert.equal(r.json.errorType, 'Runtime.ExitError');
    assert.match(r.json.errorMessage, /signal: killed$/);
    assert.match(Buffer.from(r.headers.get('x-amz-log-result')!, 'base64').toString('utf8'), /Gatehouse: the runtime sent a message over 16777216 bytes; it was stopped/);
    assert.ok((peak - baseline) / MB < 100, `the gateway grew by ${((peak - baseline) / MB).toFixed(0)} MB`);
  });

  it('a forged message on the runtime channel stops that worker, not the gateway', async () => {
    await t.create('forger', { 'index.js': channelForger(`JSON.stringify({ t: 'result', id: e.id, ok: true, body: 5, maxRssMb: 1 }) + '\\n'`) }, { Timeout: 120 });
    const r = await t.invoke('forger', { id: 'anything' });
    assert.equal(r.json.errorType, 'Runtime.ExitError');
    await t.create('after-forger', { 'index.js': 'exports.handler = async () => "still serving";' });
    assert.equal((await t.invoke('after-forger', {})).json, 'still serving');
  });
});
