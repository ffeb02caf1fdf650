// CallSlots, the per-integration limit of HTTP calls in flight: calls beyond the limit wait in
// arrival order, a waiter that gave up (its deadline passed) is skipped and never started, and
// the queue does not keep consumed entries alive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallSlots, type SlotWaiter } from '../../src/integrations/call-slots.ts';

function waiter(log: number[], n: number): SlotWaiter {
  return { cancelled: false, start: () => log.push(n) };
}

test('starts up to the limit at once, then one waiter per release, in arrival order', () => {
  const slots = new CallSlots(2);
  const started: number[] = [];
  for (let i = 1; i <= 5; i++) slots.acquire(waiter(started, i));
  assert.deepEqual(started, [1, 2]);
  assert.deepEqual(slots.size, { active: 2, waiting: 3 });
  slots.release();
  assert.deepEqual(started, [1, 2, 3]);
  slots.release();
  slots.release();
  assert.deepEqual(started, [1, 2, 3, 4, 5]);
  assert.deepEqual(slots.size, { active: 2, waiting: 0 });
  slots.release();
  slots.release();
  assert.deepEqual(slots.size, { active: 0, waiting: 0 });
});

test('a cancelled waiter is skipped: its slot goes to the next one', () => {
  const slots = new CallSlots(1);
  const started: number[] = [];
  slots.acquire(waiter(started, 1));
  const gaveUp = waiter(started, 2);
  slots.acquire(gaveUp);
  slots.acquire(waiter(started, 3));
  gaveUp.cancelled = true;
  slots.release();
  assert.deepEqual(started, [1, 3]);
  assert.deepEqual(slots.size, { active: 1, waiting: 0 });
  // With only cancelled waiters left, a release frees the slot.
  const alsoGaveUp = waiter(started, 4);
  slots.acquire(alsoGaveUp);
  alsoGaveUp.cancelled = true;
  slots.release();
  assert.deepEqual(started, [1, 3]);
  assert.deepEqual(slots.size, { active: 0, waiting: 0 });
  slots.acquire(waiter(started, 5));
  assert.deepEqual(started, [1, 3, 5]);
});

test('a long queue drains in order and is compacted as it goes', () => {
  const slots = new CallSlots(1);
  const started: number[] = [];
  const n = 5000;
  for (let i = 0; i < n; i++) slots.acquire(waiter(started, i));
  const internal = (slots as unknown as { waiting: unknown[] }).waiting;
  for (let i = 1; i < n; i++) {
    slots.release();
    const { waiting } = slots.size;
    assert.equal(waiting, n - 1 - i);
    // Started entries are dropped from the front once they are most of the array.
    assert.ok(internal.length <= Math.max(2 * waiting, waiting + 1025), `array of ${internal.length} for ${waiting} waiting`);
  }
  assert.deepEqual(started, Array.from({ length: n }, (_, i) => i));
  assert.equal(internal.length, 0, 'emptied once everything started');
});
