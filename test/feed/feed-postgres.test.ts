// FollowingFeed on PostgreSQL: woken by the store's LISTEN/NOTIFY with no poll to fall back on,
// and on a private server stopped and started again, catching up once it is back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { FollowingFeed, type FeedBatch } from '../../src/feed/index.ts';
import { configureLog } from '../../src/observe/log.ts';
import { openPostgresStore, type Store } from '../../src/store/index.ts';
import { startPrivatePostgres } from '../helpers/private-services.ts';

const ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const P = '123456789012/us-east-1';
const HOUR = 3_600_000;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const putStage = (store: Store, name: string) => store.write(P, async (tx) => tx.put('stage', 'api1', name, { stageName: name }));

/** Resolves with the first batch of `feed` that names stage `name`. */
function arrival(feed: FollowingFeed, name: string): Promise<FeedBatch> {
  return new Promise((resolve) => {
    const stop = feed.subscribe((b) => {
      if (b.changes?.some((c) => c.id === name)) {
        stop();
        resolve(b);
      }
    });
  });
}

describe('FollowingFeed on PostgreSQL', { timeout: 120_000 }, () => {
  it('is woken by another process\'s commit through LISTEN/NOTIFY, without polling', async () => {
    const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
    await withClient(ADMIN, (c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(ADMIN);
    url.pathname = `/${name}`;
    const a = await openPostgresStore(url.toString());
    const b = await openPostgresStore(url.toString());
    const feed = new FollowingFeed(b, { pollMs: HOUR });
    try {
      await feed.start();
      const got = arrival(feed, 'notified');
      await putStage(a, 'notified');
      const batch = await got;
      assert.deepEqual(batch.changes?.map((c) => [c.kind, c.parent, c.id, c.op]), [['stage', 'api1', 'notified', 'put']]);
      assert.equal(feed.position, await b.lastChange());
    } finally {
      await feed.close();
      await a.close();
      await b.close();
      await withClient(ADMIN, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  });

  describe('while the server is down', () => {
    const lines: { level: string; msg: string }[] = [];
    const waiters: { msg: string; resolve: () => void }[] = [];
    const logged = (msg: string) => new Promise<void>((resolve) => {
      if (lines.some((l) => l.msg === msg)) resolve();
      else waiters.push({ msg, resolve });
    });
    const sink = {
      write(text: string) {
        const line = JSON.parse(text) as { level: string; msg: string };
        lines.push(line);
        for (const w of waiters.filter((x) => x.msg === line.msg)) w.resolve();
      },
    };
    after(() => configureLog('silent'));

    it('fails its reads without throwing, says so once, and catches up when the server is back', async () => {
      configureLog('info', { logger: pino({ level: 'info', base: undefined, formatters: { level: (label) => ({ level: label }) } }, sink) });
      const server = await startPrivatePostgres();
      const a = await openPostgresStore(server.url, { connectTimeoutMs: 500 });
      const b = await openPostgresStore(server.url, { connectTimeoutMs: 500 });
      // The store without its `notifications` member (it is a plain object of functions): this
      // feed finds changes by its poll timer alone, so the catch-up below is the timer's retry.
      const feed = new FollowingFeed({ ...b, notifications: undefined } as Store, { pollMs: 50 });
      try {
        await feed.start();
        await putStage(a, 'before');
        await arrival(feed, 'before');
        const at = feed.position;

        await server.stop('fast');
        await logged('change feed: cannot read the change log; retrying');
        assert.equal(feed.position, at);
        await server.start();

        // The writer's pool may still hold a connection to the old server: its first write can fail.
        let written = false;
        for (let i = 0; i < 20 && !written; i++) {
          written = await putStage(a, 'after').then(() => true, () => false);
        }
        assert.ok(written, 'a write goes through once the server is back');
        const batch = await arrival(feed, 'after');
        assert.deepEqual(batch.changes?.map((c) => c.id), ['after']);
        await logged('change feed: reading the change log again');
        assert.equal(lines.filter((l) => l.msg === 'change feed: cannot read the change log; retrying').length, 1, 'the outage is logged once');
      } finally {
        await feed.close();
        await a.close();
        await b.close();
        await server.destroy();
      }
    });
  });
});
