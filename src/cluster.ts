// `--workers N`: N processes serve one port (node:cluster). The primary serves no request: it
// holds the data directory, prepares the store once (schema, migrations) so workers never
// race to create it, keeps the in-host shared state when there is no Redis, forks the
// workers, restarts one that dies, and stops them all on SIGTERM. Workers are whole gateways:
// each opens the shared store, follows its change log and answers every kind of request.
import cluster, { type Worker } from 'node:cluster';
import type { GatehouseConfig } from './config.ts';
import { withFullYoungGeneration } from './heap.ts';
import { log } from './observe/log.ts';
import { StartupError } from './startup.ts';

/** Messages a worker sends its primary (the shared-state IPC uses its own types). */
export type WorkerMessage = { readonly type: 'gatehouse:listening'; readonly url: string };

export const isClusterWorker = (): boolean => cluster.isWorker;

export interface ClusterPrimary {
  readonly url: string;
  readonly workers: () => number;
  close(): Promise<void>;
}

/** A worker that dies within this long of its start is failing to start, not crashing once. */
const QUICK_DEATH_MS = 5_000;
const STOP_GRACE_MS = 10_000;

export async function startClusterPrimary(config: GatehouseConfig, hooks: { onWorkerMessage?: (w: Worker, msg: unknown) => void } = {}): Promise<ClusterPrimary> {
  if (config.dataDir === ':memory:' && config.postgres === '') {
    throw new StartupError("--workers needs a store the processes can share: a --data-dir on disk (not ':memory:') or --postgres");
  }
  let stopping = false;
  let url = '';
  const live = new Set<Worker>();

  // Workers serve every request: V8's full young generation whatever memory limit the primary
  // sees, unless the operator chose a size (src/heap.ts).
  cluster.setupPrimary({ execArgv: withFullYoungGeneration() });
  function fork(): Worker {
    const w = cluster.fork({ GATEHOUSE_WORKER_OF: String(process.pid) });
    const started = Date.now();
    live.add(w);
    w.on('message', (msg: unknown) => hooks.onWorkerMessage?.(w, msg));
    w.once('exit', (code, signal) => {
      live.delete(w);
      if (stopping) return;
      const quick = Date.now() - started < QUICK_DEATH_MS;
      log().error(`worker ${w.process.pid} exited (${signal ?? `code ${code}`}); starting another${quick ? ' in 1 s' : ''}`);
      // A worker that keeps dying at start (a bad store URL, say) is retried slowly, never in a tight loop.
      setTimeout(() => {
        if (!stopping) fork();
      }, quick ? 1_000 : 0).unref();
    });
    return w;
  }

  // Start every worker and wait until each listens; one that dies first fails the start-up,
  // with the reason it printed on its own stderr.
  await new Promise<void>((resolve, reject) => {
    let listening = 0;
    for (let i = 0; i < config.workers; i++) {
      const w = fork();
      const onExit = (code: number | null, signal: string | null) => {
        stopping = true;
        for (const other of live) other.process.kill('SIGTERM');
        reject(new StartupError(`a worker process failed to start (${signal ?? `exit code ${code}`}); its error is printed above`));
      };
      w.once('exit', onExit);
      w.on('message', function onMessage(msg: WorkerMessage) {
        if (msg?.type !== 'gatehouse:listening') return;
        w.off('message', onMessage);
        w.off('exit', onExit);
        url = msg.url;
        if (++listening === config.workers) resolve();
      });
    }
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    workers: () => live.size,
    close() {
      closing ??= (async () => {
        stopping = true;
        await Promise.all([...live].map((w) => new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          const timer = setTimeout(() => w.process.kill('SIGKILL'), STOP_GRACE_MS);
          w.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          w.process.kill('SIGTERM');
        })));
      })();
      return closing;
    },
  };
}

/** In a worker: tells the primary this worker listens (the primary prints the start-up line). */
export function announceListening(url: string): void {
  const msg: WorkerMessage = { type: 'gatehouse:listening', url };
  process.send?.(msg);
}
