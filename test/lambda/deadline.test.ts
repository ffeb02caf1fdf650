// Deadline: the caller's limit on waiting for an invocation (src/lambda/deadline.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Deadline } from '../../src/lambda/deadline.ts';

describe('Deadline', () => {
  it('aborts once its time has passed, with a TimeoutError, and calls each listener once', async () => {
    const d = new Deadline(20);
    const calls: string[] = [];
    const gone = () => calls.push('removed');
    d.addEventListener('abort', () => calls.push('a'), { once: true });
    d.addEventListener('abort', gone);
    d.removeEventListener('abort', gone);
    d.throwIfAborted();
    assert.equal(d.aborted, false);
    await sleep(60);
    assert.equal(d.aborted, true);
    assert.equal((d.reason as Error).name, 'TimeoutError');
    assert.throws(() => d.throwIfAborted(), { name: 'TimeoutError' });
    assert.deepEqual(calls, ['a']);
    // A listener added after the deadline is never called.
    d.addEventListener('abort', () => calls.push('late'));
    await sleep(10);
    assert.deepEqual(calls, ['a']);
  });

  it('never fires once cleared', async () => {
    const d = new Deadline(10);
    let fired = false;
    d.addEventListener('abort', () => (fired = true));
    d.clear();
    await sleep(40);
    assert.equal(d.aborted, false);
    assert.equal(fired, false);
  });
});
