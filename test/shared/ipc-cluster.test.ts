// --workers N without Redis, with real node:cluster workers: this process is the primary
// (openSharedState with role 'primary' serves every forked worker), two workers
// (fixtures/cluster-worker.ts) open the state as workers. One bucket and one feed for all three.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { openSharedState, type SharedState } from '../../src/shared/index.ts';
import { until } from './helpers.ts';

const WORKER = fileURLToPath(new URL('./fixtures/cluster-worker.ts', import.meta.url));

interface FixtureMessage { fixture: string; allowed?: number; woken?: number }

describe('ipc with node:cluster workers', { timeout: 60_000 }, () => {
  let state: SharedState;
  const workers: Worker[] = [];
  const inbox = new Map<Worker, FixtureMessage[]>();

  before(async () => {
    state = await openSharedState({ redis: '', workers: 2 }, 'primary');
    cluster.setupPrimary({ exec: WORKER, execArgv: ['--import', 'tsx'] });
    for (let i = 0; i < 2; i++) {
      const w = cluster.fork();
      inbox.set(w, []);
      w.on('message', (m: FixtureMessage) => {
        if (typeof m?.fixture === 'string') inbox.get(w)!.push(m);
      });
      workers.push(w);
    }
    for (const w of workers) await until(() => inbox.get(w)!.some((m) => m.fixture === 'ready'), 'a worker to start', 30_000);
  });

  after(async () => {
    for (const w of workers) {
      if (w.isDead()) continue;
      w.kill();
      await once(w, 'exit');
    }
    await state.close();
  });

  it('the primary holds its own state (no IPC of its own)', () => {
    assert.equal(state.kind, 'memory');
  });

  it('workers take from one bucket: burst 5 admits 5 of 2 × 10 concurrent takes, and the primary sees it empty', async () => {
    for (const w of workers) w.send({ fixture: 'take', key: 'api/stage', times: 10, burst: 5 });
    await until(() => workers.every((w) => inbox.get(w)!.some((m) => m.fixture === 'took')), 'both workers to finish');
    const allowed = workers.map((w) => inbox.get(w)!.find((m) => m.fixture === 'took')!.allowed!);
    assert.equal(allowed[0]! + allowed[1]!, 5, `admitted ${allowed.join(' + ')}`);
    assert.equal((await state.buckets.take('api/stage', 0.001, 5)).allowed, false);
  });

  it('a worker\'s publish wakes every worker, the publisher too, and the primary', async () => {
    let primaryWoken = 0;
    const off = state.notifier.subscribe(() => primaryWoken++);
    workers[0]!.send({ fixture: 'publish', seq: 9 });
    await until(() => workers.every((w) => inbox.get(w)!.some((m) => m.fixture === 'woken')), 'both workers to wake');
    await until(() => primaryWoken === 1, 'the primary to wake');
    off();
  });
});
