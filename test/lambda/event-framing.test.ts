// The event reaches the runtime as JSON inside its one-line invoke message (worker.ts,
// #sendInvoke): a payload written over several lines, with escaped line breaks in its strings,
// arrives as the same value in the Node.js and the Python runtimes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLambda, type TestLambda } from './helpers.ts';

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
});
