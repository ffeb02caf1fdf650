// A closed-loop POST load for the Lambda benchmarks: CONNECTIONS callers, each sending the next of
// REQUESTS JSON bodies {name: 'bench', n} as soon as its previous answer is in, after a warm-up
// that starts every connection and worker. Returns throughput and latency percentiles.
import { Agent, request } from 'undici';

export interface LoadResult {
  name: string;
  opsPerSec: number;
  p50: number;
  p99: number;
}

export interface LoadOptions {
  requests: number;
  connections: number;
  headers?: Record<string, string>;
  /** Checks one answer's body; a load that gets a wrong answer fails. */
  expect: (text: string) => boolean;
}

export async function postLoad(name: string, url: string, o: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ connections: o.connections, pipelining: 1 });
  const headers = o.headers ?? { 'content-type': 'application/json' };
  const latencies: number[] = [];
  let next = 0;
  async function one(i: number): Promise<void> {
    const body = JSON.stringify({ name: 'bench', n: i });
    const t0 = performance.now();
    const res = await request(url, { method: 'POST', body, headers, dispatcher: agent });
    const text = await res.body.text();
    latencies.push(performance.now() - t0);
    if (res.statusCode !== 200 || !o.expect(text)) throw new Error(`${name}: ${res.statusCode} ${text}`);
  }
  await Promise.all(Array.from({ length: o.connections * 20 }, (_, i) => one(i))); // warm-up
  latencies.length = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: o.connections }, async () => {
    while (next < o.requests) await one(next++);
  }));
  const seconds = (performance.now() - start) / 1000;
  await agent.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { name, opsPerSec: o.requests / seconds, p50: at(0.5), p99: at(0.99) };
}
