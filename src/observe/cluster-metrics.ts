// --workers N: a scrape of /_gatehouse/metrics reaches whichever worker the kernel hands the
// connection to, so a worker asks the cluster primary, which gathers every worker's registry with
// prom-client's AggregatorRegistry (counters and histograms summed) and answers with the whole
// host's text. Prometheus then scrapes one address per host, as for a single process. A worker
// that gets no answer in time (the primary busy or going away) answers with its own metrics.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { gatewayMetrics } from './metrics.ts';

type MetricsRequest = { readonly gh: 'metrics'; readonly id: number };
type MetricsReply = { readonly gh: 'metrics'; readonly id: number; readonly text?: string; readonly error?: string };

const ASK_TIMEOUT_MS = 6_000;

function isMetricsMessage(m: unknown): m is MetricsRequest & MetricsReply {
  return typeof m === 'object' && m !== null && (m as { gh?: unknown }).gh === 'metrics' && typeof (m as { id?: unknown }).id === 'number';
}

let workerReady = false;
let nextId = 1;
const pending = new Map<number, (text: string | undefined) => void>();

/** In a worker: answers the primary's prom-client requests with this process's registry, and
 *  listens for the primary's answers to this worker's scrapes. Idempotent. */
export function serveWorkerMetrics(): void {
  if (workerReady || !cluster.isWorker) return;
  workerReady = true;
  // The AggregatorRegistry's constructor is what subscribes a worker to the primary's requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([gatewayMetrics().registry]);
  process.on('message', (m: unknown) => {
    if (!isMetricsMessage(m) || !('text' in m || 'error' in m)) return;
    const done = pending.get(m.id);
    pending.delete(m.id);
    done?.(m.text);
  });
}

/** The text a scrape of this process answers: the whole cluster's from a worker, else this process's. */
export async function scrapeText(): Promise<string> {
  if (!workerReady || process.send === undefined || !process.connected) return gatewayMetrics().text();
  const id = nextId++;
  const text = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      resolve(undefined);
    }, ASK_TIMEOUT_MS);
    pending.set(id, (t) => {
      clearTimeout(timer);
      resolve(t);
    });
    process.send!({ gh: 'metrics', id } satisfies MetricsRequest, (err: Error | null) => {
      if (err === null) return;
      clearTimeout(timer);
      pending.delete(id);
      resolve(undefined);
    });
  });
  return text ?? gatewayMetrics().text();
}

/** In the cluster primary: the hook for src/cluster.ts's onWorkerMessage, answering workers' scrapes. */
export function primaryMetricsHook(): (worker: Worker, message: unknown) => void {
  const aggregator = new AggregatorRegistry();
  return (worker, message) => {
    if (!isMetricsMessage(message) || 'text' in message || 'error' in message) return;
    aggregator.clusterMetrics().then(
      (text) => reply(worker, { gh: 'metrics', id: message.id, text }),
      (err: Error) => reply(worker, { gh: 'metrics', id: message.id, error: err.message }),
    );
  };
}

function reply(worker: Worker, m: MetricsReply): void {
  if (worker.isConnected()) worker.send(m, () => {});
}
