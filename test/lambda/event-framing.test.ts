// The event reaches the runtime as JSON inside its one-line invoke message (worker.ts,
// #sendInvoke): a payload written over several lines, with escaped line breaks in its strings,
// arrives as the same value in the Node.js and the Python runtimes. The result comes back as a
// header line and the payload's bytes as they are (worker.ts, #receive): Invoke answers exactly
// the bytes the runtime serialised, across socket reads, and a runtime that announces a size it
// does not keep to is stopped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { channelForger, startLambda, type TestLambda } from './helpers.ts';

const PAYLOAD = '{\n  "text": "line one\\nline two\\r\\n\\u2028",\n  "list": [1,\r\n 2.5, true, null],\n\t"nested": {"k": "\\"quoted\\""}\n}\n';

describe('the invoke message', () => {
  let t: TestLambda;
  before(async () => {
    t = await startLambda();
  });
  after(() => t.close());

  it('gives a multi-line payload to a Node.js function as the value it holds', async () => {
    await t.create('echo-node', { 'index.js': 'exports.handler = async (event) => event;' });
    const r = await t.invoke('echo-node', PAYLOAD);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, JSON.parse(PAYLOAD));
  });

  it('gives it to a Python function likewise', async () => {
    await t.create('echo-py', { 'app.py': 'def handler(event, context):\n    return event\n' }, { Runtime: 'python3.11', Handler: 'app.handler' });
    const r = await t.invoke('echo-py', PAYLOAD);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, JSON.parse(PAYLOAD));
  });

  it('answers a result of several socket reads byte for byte: Node.js\'s JSON.stringify, Python\'s json.dumps', async () => {
    // Quotes, backslashes, line breaks, non-ASCII and an astral character, then 3 MB of them.
    const unit = 'say "hi" \\ \n é € 😀 ';
    await t.create('big-node', { 'index.js': `exports.handler = async (e) => ({ text: ${JSON.stringify(unit)}.repeat(e.n), n: e.n });` });
    const node = await t.invoke('big-node', { n: 100_000 });
    assert.equal(node.status, 200);
    assert.equal(node.body, JSON.stringify({ text: unit.repeat(100_000), n: 100_000 }));
    await t.create('big-py', { 'app.py': `def handler(event, context):\n    return {"text": ${JSON.stringify(unit)} * event["n"], "n": event["n"]}\n` }, { Runtime: 'python3.11', Handler: 'app.handler' });
    const py = await t.invoke('big-py', { n: 100_000 });
    assert.equal(py.status, 200);
    // json.dumps: ", " and ": " separators, non-ASCII escaped as \uXXXX (surrogate pairs for 😀).
    assert.equal(py.body, '{"text": "' + JSON.stringify(unit).slice(1, -1).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).repeat(100_000) + '", "n": 100000}');
    assert.deepEqual(py.json, { text: unit.repeat(100_000), n: 100_000 });
  });

  it('stops a runtime whose result is longer than it announced, and serves the next invocation', async () => {
    await t.create('liar', { 'index.js': channelForger(`JSON.stringify({ t: 'result', id: e.id, ok: true, maxRssMb: 1, size: 2 }) + '\\n' + '"toolong"\\n'`) }, { Timeout: 120 });
    const r = await t.invoke('liar', { id: 'x' }, { 'X-Amz-Log-Type': 'Tail' });
    assert.equal(r.json.errorType, 'Runtime.ExitError');
    assert.match(Buffer.from(r.headers.get('x-amz-log-result')!, 'base64').toString('utf8'), /Gatehouse: the runtime sent a result longer than it announced; it was stopped/);
    await t.create('after-liar', { 'index.js': 'exports.handler = async () => "still serving";' });
    assert.equal((await t.invoke('after-liar', {})).json, 'still serving');
  });

  it('refuses a result announced over the message ceiling before reading it', async () => {
    await t.create('huge-claim', { 'index.js': channelForger(`JSON.stringify({ t: 'result', id: e.id, ok: true, maxRssMb: 1, size: 1e12 }) + '\\n'`) }, { Timeout: 120 });
    const r = await t.invoke('huge-claim', { id: 'x' }, { 'X-Amz-Log-Type': 'Tail' });
    assert.equal(r.json.errorType, 'Runtime.ExitError');
    assert.match(Buffer.from(r.headers.get('x-amz-log-result')!, 'base64').toString('utf8'), /Gatehouse: the runtime sent a message of an unknown shape; it was stopped/);
  });
});
