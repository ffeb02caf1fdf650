// Throttling and usage-plan quotas: requests per second of a MOCK method that is throttled but
// admitted, and of one that requires an API key and counts a quota, as ratios to the same MOCK
// method without them, on the in-process shared state and on Redis, in one run.
//   plain            no limit of its own, no API key, account limit off (--account-rate 0): no
//                    access step runs at all; every ratio is to this, on the same shared state
//   account          the same method with the account limit on (rate and burst 10^9, admitted)
//   method           the stage's limit for the method (methodSettings, 10^6 a second, burst 10^6):
//                    a large bucket, leased 100 tokens at a time from Redis
//   method-small     a limit with a burst of 150 (and 10^6 a second): below a lease, so a round
//                    trip to Redis for every request
//   key-quota        apiKeyRequired, the key's plan with a quota (10^9 a DAY): the key looked up
//                    in memory, the quota counted per request (a round trip to Redis)
//   key-throttle-quota  the same with a per-method throttle in the plan (10^6, burst 10^6) besides
// Every case sends the same request (with the x-api-key header), so a ratio is the cost of the
// checks alone. Rounds alternate the cases so drift on the shared machine hits each alike; each case reports the
// median of its rounds as requests/s and as requests per CPU-second of this process (the gateway;
// wrk and redis-server run apart), each with its ratio to plain: on a busy machine the second is
// the steadier. Goals (#14): 0.9x or better in-process, 0.6x or better with Redis.
// Run: npx tsx bench/traffic.ts [seconds=5] [connections=50] [rounds=3]
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { parseConfig } from '../src/config.ts';
import { startGatehouse, type Gatehouse } from '../src/server.ts';
import { deploy } from '../test/execute/helpers.ts';
import { startPrivateRedis } from '../test/helpers/private-services.ts';
import { apiGatewayClient } from '../test/helpers/server.ts';
import { mockApi, planWithKey } from '../test/access/traffic-helpers.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 3);

interface Run {
  readonly rps: number;
  /** Requests per CPU-second of this process. */
  readonly perCpu: number;
}

function wrk(url: string, seconds: number, headers: Record<string, string>): Promise<Run> {
  const args = ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const cpu = process.cpuUsage();
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { encoding: 'utf8' }, (err, out) => {
      const used = process.cpuUsage(cpu);
      if (err !== null) return reject(err);
      const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (bad !== null) return reject(new Error(`wrk saw ${bad[1]} failed responses on ${url}:\n${out}`));
      const total = Number(/(\d+) requests in/.exec(out)![1]);
      resolve({ rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]), perCpu: total / ((used.user + used.system) / 1e6) });
    });
  });
}

interface Case {
  readonly name: string;
  readonly url: string;
  readonly headers: Record<string, string>;
}

const CASES = ['plain', 'account', 'method', 'method-small', 'key-quota', 'key-throttle-quota'] as const;

/** The cases on one shared state: `off` has no account limit, `on` one far above the load. */
async function setUp(off: Gatehouse, on: Gatehouse): Promise<Case[]> {
  const make = async (gh: Gatehouse) => {
    const client: APIGatewayClient = apiGatewayClient(gh.url);
    const id = await mockApi(client, 'bench-traffic', [
      { path: '/plain' }, { path: '/method' }, { path: '/method-small' },
      { path: '/key-quota', apiKeyRequired: true }, { path: '/key-throttle-quota', apiKeyRequired: true },
    ], 'prod');
    await client.send(new UpdateStageCommand({ restApiId: id, stageName: 'prod', patchOperations: [
      { op: 'replace', path: '/~1method/GET/throttling/rateLimit', value: '1000000' },
      { op: 'replace', path: '/~1method/GET/throttling/burstLimit', value: '1000000' },
      { op: 'replace', path: '/~1method-small/GET/throttling/rateLimit', value: '1000000' },
      { op: 'replace', path: '/~1method-small/GET/throttling/burstLimit', value: '150' },
    ] }));
    const quota = await planWithKey(client, 'bench-quota', [{ apiId: id, stage: 'prod', throttle: { '/key-throttle-quota/GET': { rateLimit: 1e6, burstLimit: 1e6 } } }], {
      quota: { limit: 1e9, period: 'DAY' },
    });
    await deploy(client, id, 'prod');
    client.destroy();
    return { base: `${gh.url}/restapis/${id}/prod/_user_request_`, key: quota.value };
  };
  const a = await make(off);
  const b = await make(on);
  // Every case sends the same request, the key included: a ratio is then the cost of the checks,
  // not of parsing a longer request (a method that does not require a key ignores the header).
  const headers = { 'x-api-key': a.key };
  const cases: Case[] = [
    { name: 'plain', url: `${a.base}/plain`, headers },
    { name: 'account', url: `${b.base}/plain`, headers },
    { name: 'method', url: `${a.base}/method`, headers },
    { name: 'method-small', url: `${a.base}/method-small`, headers },
    { name: 'key-quota', url: `${a.base}/key-quota`, headers },
    { name: 'key-throttle-quota', url: `${a.base}/key-throttle-quota`, headers },
  ];
  for (const c of cases) {
    const r = await fetch(c.url, { headers: c.headers });
    if (r.status !== 200) throw new Error(`${c.name} answered ${r.status}: ${await r.text()}`);
  }
  return cases;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const redis = await startPrivateRedis();
  const config = (extra: Record<string, unknown>) => parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', ...extra });
  const gateways = {
    memoryOff: await startGatehouse(config({ accountRate: 0 })),
    memoryOn: await startGatehouse(config({ accountRate: 1e9, accountBurst: 1e9 })),
    redisOff: await startGatehouse(config({ accountRate: 0, redis: redis.url })),
    redisOn: await startGatehouse(config({ accountRate: 1e9, accountBurst: 1e9, redis: redis.url })),
  };
  try {
    const states: [string, Case[]][] = [
      ['in-process', await setUp(gateways.memoryOff, gateways.memoryOn)],
      ['Redis', await setUp(gateways.redisOff, gateways.redisOn)],
    ];
    const all = states.flatMap(([state, cases]) => cases.map((c) => ({ ...c, name: `${state} ${c.name}` })));
    const results = new Map<string, Run[]>(all.map((c) => [c.name, []]));
    for (const c of all) await wrk(c.url, 1, c.headers); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts at another case.
      for (let i = 0; i < all.length; i++) {
        const c = all[(i + round) % all.length]!;
        results.get(c.name)!.push(await wrk(c.url, SECONDS, c.headers));
      }
    }
    const rps = (name: string) => median(results.get(name)!.map((r) => r.rps));
    const perCpu = (name: string) => median(results.get(name)!.map((r) => r.perCpu));
    console.log(`node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; wrk -t2 -c${CONNECTIONS}, ${SECONDS} s x ${ROUNDS} rounds (median)\n`);
    console.log('| shared state | case | req/s | vs plain | req per CPU-s | vs plain |');
    console.log('|---|---|---|---|---|---|');
    for (const [state] of states) {
      const base = `${state} plain`;
      for (const name of CASES) {
        const n = `${state} ${name}`;
        console.log(`| ${state} | ${name} | ${rps(n).toFixed(0)} | ${(rps(n) / rps(base)).toFixed(2)}x | ${perCpu(n).toFixed(0)} | ${(perCpu(n) / perCpu(base)).toFixed(2)}x |`);
      }
    }
  } finally {
    for (const gh of Object.values(gateways)) await gh.close();
    await redis.destroy();
  }
}

await main();
