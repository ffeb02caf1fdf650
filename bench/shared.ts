// Token-bucket takes per second from one process: in-process memory, the cluster primary over
// IPC (a forked child), and Redis (REDIS_URL, default redis://127.0.0.1:6379, keys under a
// random prefix, deleted after), in the same run, as ratios to memory. Each variant runs one
// take at a time (a request's latency) and 64 at a time (a busy process's throughput).
//
//   npx tsx bench/shared.ts          (BENCH_MS=1000 per sample by default, 5 alternating rounds)
//
// Wall-clock time, not CPU time: Redis's and the primary's work happens in other processes.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import {
  IpcSharedStateClient, MemorySharedState, RedisSharedState, SharedStatePrimary, parentChannel, type SharedState,
} from '../src/shared/index.ts';

if (process.argv[2] === '--primary') {
  // The forked child: the IPC primary, serving its parent until the channel closes.
  new SharedStatePrimary().attach(parentChannel());
  process.on('disconnect', () => process.exit(0));
  process.send!('ready');
} else {
  await main();
}

async function main(): Promise<void> {
  const SAMPLE_MS = Number(process.env.BENCH_MS ?? 1000);
  const ROUNDS = 5;
  const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `gh-bench-${randomBytes(4).toString('hex')}:`;
  const KEYS = 1000;

  const child = fork(fileURLToPath(import.meta.url), ['--primary'], { execArgv: ['--import', 'tsx'] });
  await new Promise((resolve) => child.once('message', resolve));
  const redis = new RedisSharedState(REDIS_URL, { prefix });
  if (!(await redis.connection.waitReady(5000))) throw new Error(`no Redis at ${REDIS_URL}`);
  const variants: [string, SharedState][] = [
    ['memory', new MemorySharedState()],
    ['ipc', new IpcSharedStateClient(child)],
    ['redis', redis],
  ];

  /** Takes per second with `concurrency` callers, each awaiting its take before the next. */
  async function sample(state: SharedState, concurrency: number): Promise<number> {
    let n = 0;
    const end = performance.now() + SAMPLE_MS;
    const caller = async (id: number) => {
      let i = id;
      // Rate and burst high enough that every take is admitted, as on a healthy gateway.
      while (performance.now() < end) {
        const r = await state.buckets.take(`k${i++ % KEYS}`, 1e9, 1e9);
        if (!r.allowed) throw new Error('a take was refused');
        n++;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, (_, id) => caller(id)));
    return n / ((performance.now() - start) / 1000);
  }

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

  console.log(`shared state: token-bucket takes/s — node ${process.version}, ${ROUNDS} alternating rounds of ${SAMPLE_MS} ms per variant, ${KEYS} keys`);
  const rows: Record<string, unknown>[] = [];
  for (const concurrency of [1, 64]) {
    for (const [, s] of variants) await sample(s, concurrency); // warm-up
    const per = new Map<string, number[]>(variants.map(([name]) => [name, []]));
    for (let r = 0; r < ROUNDS; r++) for (const [name, s] of variants) per.get(name)!.push(await sample(s, concurrency));
    const mem = per.get('memory')!;
    for (const [name] of variants) {
      const xs = per.get(name)!;
      rows.push({
        variant: name,
        'in flight': concurrency,
        'takes/s': fmt(median(xs)),
        'vs memory': name === 'memory' ? '1x' : `${median(xs.map((x, i) => x / mem[i]!)).toFixed(3)}x`,
      });
    }
  }
  console.table(rows);

  for (const [, s] of variants) await s.close();
  child.kill();
  const raw = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await raw.del(...keys);
  } while (cursor !== '0');
  raw.disconnect();
}
