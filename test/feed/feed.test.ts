// The change feed on real SQLite files: two Store instances on one file stand for two processes
// sharing a database, each with its own feed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { FollowingFeed, LocalFeed, type ChangeFeed, type FeedBatch } from '../../src/feed/index.ts';
import { configureLog } from '../../src/observe/log.ts';
import { openSqliteStore, type Change, type Store } from '../../src/store/index.ts';

const P = '123456789012/us-east-1';
const HOUR = 3_600_000;

const tempDataDir = (): string => mkdtempSync(join(tmpdir(), 'gatehouse-feed-'));

/** Every batch a feed delivers, and a way to await the next one that satisfies a test. */
function record(feed: ChangeFeed): { batches: FeedBatch[]; changes: () => Change[]; until: (ok: (b: FeedBatch) => boolean) => Promise<FeedBatch> } {
  const batches: FeedBatch[] = [];
  const waiters: { ok: (b: FeedBatch) => boolean; resolve: (b: FeedBatch) => void }[] = [];
  feed.subscribe((b) => {
    batches.push(b);
    for (const w of [...waiters]) {
      if (w.ok(b)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(b);
      }
    }
  });
  return {
    batches,
    changes: () => batches.flatMap((b) => b.changes ?? []),
    until: (ok) => new Promise((resolve) => waiters.push({ ok, resolve })),
  };
}

const hasStage = (name: string) => (b: FeedBatch) => b.changes?.some((c) => c.kind === 'stage' && c.id === name) === true;

async function putStage(store: Store, name: string): Promise<void> {
  await store.write(P, async (tx) => tx.put('stage', 'api1', name, { stageName: name }));
}

describe('two processes on one SQLite file', () => {
  const dir = tempDataDir();
  const a = openSqliteStore(dir);
  const b = openSqliteStore(dir);
  const feeds: ChangeFeed[] = [];
  after(async () => {
    for (const f of feeds) await f.close();
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a write through one is delivered to the other, once and in order, and to its own feed at once', async () => {
    const fa = new FollowingFeed(a);
    const fb = new FollowingFeed(b);
    feeds.push(fa, fb);
    await fa.start();
    await fb.start();
    const ra = record(fa);
    const rb = record(fb);

    await putStage(a, 'one');
    // The writer's own feed has it before the write's caller continues.
    assert.deepEqual(ra.changes().map((c) => [c.kind, c.parent, c.id, c.op]), [['stage', 'api1', 'one', 'put']]);
    assert.equal(fa.position, ra.changes()[0]!.seq);

    // The other follows the log on its poll timer (no notifier here).
    await rb.until(hasStage('one'));
    await putStage(b, 'two');
    await a.write(P, async (tx) => {
      await tx.put('stage', 'api1', 'three', {});
      await tx.delete('stage', 'api1', 'one');
    });
    await ra.until(hasStage('two'));
    await rb.until(hasStage('three'));
    const expected = [['one', 'put'], ['two', 'put'], ['three', 'put'], ['one', 'delete']];
    assert.deepEqual(ra.changes().map((c) => [c.id, c.op]), expected);
    assert.deepEqual(rb.changes().map((c) => [c.id, c.op]), expected);
    const seqs = rb.changes().map((c) => c.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
    assert.equal(new Set(seqs).size, seqs.length);
    assert.equal(fa.position, await a.lastChange());
    assert.equal(fb.position, await b.lastChange());
  });

  it('a follower started later begins at the current position and sees only what follows', async () => {
    await putStage(a, 'before');
    const late = new FollowingFeed(b, { pollMs: HOUR });
    feeds.push(late);
    await late.start();
    assert.equal(late.position, await a.lastChange());
    const r = record(late);
    late.wake();
    await putStage(a, 'after');
    late.wake();
    await r.until(hasStage('after'));
    assert.deepEqual(r.changes().map((c) => c.id), ['after']);
  });

  it('a write of its own that does not follow what it applied is delivered after the others, in log order', async () => {
    // `slow` has not read a's write yet when it commits its own: it must deliver both, a's first.
    const slow = new FollowingFeed(b, { pollMs: HOUR });
    feeds.push(slow);
    await slow.start();
    const r = record(slow);
    await putStage(a, 'theirs');
    await putStage(b, 'mine');
    await r.until(hasStage('mine'));
    assert.deepEqual(r.changes().map((c) => c.id), ['theirs', 'mine']);
  });

  it('a read that fails is logged once and retried, never thrown; the position stays', async () => {
    const lines: { level: string; msg: string }[] = [];
    const sink = { write: (line: string) => void lines.push(JSON.parse(line) as { level: string; msg: string }) };
    configureLog('info', { logger: pino({ level: 'info', base: undefined, formatters: { level: (label) => ({ level: label }) } }, sink) });
    const d2 = tempDataDir();
    const s = openSqliteStore(d2);
    const f = new FollowingFeed(s, { pollMs: HOUR });
    try {
      await f.start();
      await putStage(s, 'x');
      const at = f.position;
      await s.close();
      // Each wake reads a closed store; a rejection escaping would fail this test file.
      for (let i = 0; i < 3; i++) {
        f.wake();
        await f.idle();
      }
      assert.equal(f.position, at);
      assert.deepEqual(lines.map((l) => [l.level, l.msg]), [['error', 'change feed: cannot read the change log; retrying']]);
    } finally {
      await f.close();
      configureLog('silent');
      rmSync(d2, { recursive: true, force: true });
    }
  });
});

describe('a log pruned past a follower', () => {
  it('yields resync, then the follower goes on from the end of the log', async () => {
    const dir = tempDataDir();
    // Keep only the newest change, pruning on every commit.
    const a = openSqliteStore(dir, { changeLog: { keepRows: 1, keepMs: 0, pruneEvery: 1 } });
    const b = openSqliteStore(dir);
    const f = new FollowingFeed(b, { pollMs: HOUR });
    try {
      await f.start();
      const r = record(f);
      await putStage(a, 'p1');
      await putStage(a, 'p2');
      // Rows younger than keepMs stay: let the clock move on, so the next commit prunes them.
      const t = Date.now();
      while (Date.now() <= t) await new Promise((resolve) => setTimeout(resolve, 1));
      await putStage(a, 'p3');
      f.wake();
      await r.until((batch) => batch.resync === true);
      assert.deepEqual(r.changes(), [], 'no change is delivered from a log with a hole in it');
      assert.equal(f.position, await b.lastChange());
      await putStage(a, 'p4');
      f.wake();
      await r.until(hasStage('p4'));
      assert.deepEqual(r.changes().map((c) => c.id), ['p4']);
    } finally {
      await f.close();
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the in-process feed', () => {
  it('delivers its store\'s commits synchronously after each, starting from the end of the log', async () => {
    const store = openSqliteStore(':memory:');
    await putStage(store, 'old');
    const feed = new LocalFeed(store);
    await feed.start();
    assert.equal(feed.position, await store.lastChange());
    const r = record(feed);
    await putStage(store, 'new');
    assert.deepEqual(r.changes().map((c) => c.id), ['new']);
    await store.clear();
    assert.deepEqual(r.changes().map((c) => c.op), ['put', 'clear']);
    assert.equal(feed.position, await store.lastChange());
    // A listener that throws does not keep the others from the batch.
    const seen: number[] = [];
    feed.subscribe(() => {
      throw new Error('a broken listener');
    });
    feed.subscribe((b) => seen.push(b.changes?.length ?? 0));
    await putStage(store, 'again');
    assert.deepEqual(seen, [1]);
    await feed.close();
    await putStage(store, 'closed');
    assert.deepEqual(r.changes().map((c) => c.id).at(-1), 'again');
    await store.close();
  });
});
