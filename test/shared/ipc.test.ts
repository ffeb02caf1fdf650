// The in-host implementation over a real IPC channel: a forked child plays the cluster primary
// (fixtures/ipc-primary.ts) and this process is the worker. The contract, then wake-ups from
// the primary, a primary too busy to answer, and a primary that is gone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { IpcSharedStateClient, SharedStateUnavailableError, withFailurePolicy } from '../../src/shared/index.ts';
import { sharedStateContract } from './contract.ts';
import { until } from './helpers.ts';

const PRIMARY = fileURLToPath(new URL('./fixtures/ipc-primary.ts', import.meta.url));

interface Primary {
  child: ChildProcess;
  control(message: Record<string, unknown>): Promise<void>;
}

async function startPrimary(): Promise<Primary> {
  const child = fork(PRIMARY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const control = (message: Record<string, unknown>) =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      const onMessage = (m: { fixture?: string; id?: number }) => {
        if (m?.fixture !== 'done' || m.id !== id) return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
      child.send({ ...message, id });
    });
  await control({ fixture: 'setNow', t: 0 }); // answers once its module has loaded
  return { child, control };
}

async function stopPrimary(p: Primary): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill();
  await once(p.child, 'exit');
}

sharedStateContract('ipc (the primary in a forked process)', async () => {
  const primary = await startPrimary();
  const state = new IpcSharedStateClient(primary.child);
  return {
    state,
    setNow: (ms) => primary.control({ fixture: 'setNow', t: ms }),
    passCacheTime: (ms) => primary.control({ fixture: 'pass', ms }),
    close: async () => {
      await state.close();
      await stopPrimary(primary);
    },
  };
});

describe('ipc: the primary', () => {
  let primary: Primary;
  let state: IpcSharedStateClient;
  before(async () => {
    primary = await startPrimary();
    state = new IpcSharedStateClient(primary.child, { timeoutMs: 300 });
  });
  after(async () => {
    await state.close();
    await stopPrimary(primary);
  });

  it('wakes the workers when it publishes itself', async () => {
    let woken = 0;
    const off = state.notifier.subscribe(() => woken++);
    await primary.control({ fixture: 'publish', seq: 5 });
    await until(() => woken === 1, 'the wake-up from the primary');
    off();
  });

  it('a call the primary does not answer in time fails as unavailable; the next one works', async () => {
    const blocked = primary.control({ fixture: 'block', ms: 1500 });
    await assert.rejects(state.buckets.take('k', 1, 1), SharedStateUnavailableError);
    await blocked;
    assert.equal((await state.buckets.take('k2', 1, 1)).allowed, true);
  });

  it('once the primary is gone every call fails at once, and the failure policy applies', async () => {
    // The primary is busy when the call arrives, and killed before it can answer.
    void primary.control({ fixture: 'block', ms: 5000 });
    const inFlight = assert.rejects(state.quotas.consume('k', { period: 'DAY' }, 5), SharedStateUnavailableError);
    await stopPrimary(primary);
    await inFlight;
    await until(() => !primary.child.connected, 'the channel to close');
    await assert.rejects(state.buckets.take('k', 1, 1), SharedStateUnavailableError);
    await assert.rejects(state.cache('c', 100).get('k'), SharedStateUnavailableError);
    const open = withFailurePolicy(state, { onUnavailable: 'open' });
    assert.equal((await open.buckets.take('k', 1, 1)).allowed, true);
    assert.equal(await open.cache('c', 100).get('k'), undefined);
  });
});
