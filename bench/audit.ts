// The cost of the audit trail on a management write: CreateResource through the SDK against two
// `gatehouse serve` processes (file stores), one recording every call (the default) and one
// started with --audit-trail false, in alternating rounds; CPU time of the gateway process per
// call (bench/lib/cpu.ts) and calls per second, with 8 calls in flight.
// Run: npx tsx bench/audit.ts [calls per round=1500] [rounds=5]
import { cpus, loadavg } from 'node:os';
import { APIGatewayClient, CreateResourceCommand, CreateRestApiCommand, GetResourcesCommand } from '@aws-sdk/client-api-gateway';
import { median, processCpuMicros } from './lib/cpu.ts';
import { serveGatehouse, type Served } from './lib/serve.ts';

const CALLS = Number(process.argv[2] ?? 1500);
const ROUNDS = Number(process.argv[3] ?? 5);
const IN_FLIGHT = 8;

const serve = (extra: string[]): Promise<Served> => serveGatehouse(['--log-level', 'info', ...extra]);

let round = 0;
/** CALLS CreateResource calls, IN_FLIGHT at a time: calls per second and CPU µs per call. */
async function measure(p: Served): Promise<{ rps: number; cpu: number }> {
  const client = new APIGatewayClient({ endpoint: p.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'x' }, maxAttempts: 1 });
  const api = (await client.send(new CreateRestApiCommand({ name: `bench-${round++}` }))).id!;
  const root = (await client.send(new GetResourcesCommand({ restApiId: api }))).items![0]!.id!;
  let next = 0;
  const cpu0 = processCpuMicros(p.pid);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < CALLS) {
      const i = next++;
      await client.send(new CreateResourceCommand({ restApiId: api, parentId: root, pathPart: `r${i}` }));
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (processCpuMicros(p.pid) - cpu0) / CALLS;
  client.destroy();
  return { rps: CALLS / seconds, cpu };
}

const procs: Served[] = [];
try {
  const off = await serve(['--audit-trail', 'false']);
  procs.push(off);
  const on = await serve([]);
  procs.push(on);
  await measure(off);
  await measure(on);
  const a: { rps: number; cpu: number }[] = [];
  const b: { rps: number; cpu: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(await measure(off));
    b.push(await measure(on));
  }
  const rpsRatio = median(b.map((r, i) => r.rps / a[i]!.rps));
  const cpuRatio = median(b.map((r, i) => r.cpu / a[i]!.cpu));
  console.log(`audit trail on management writes — node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; CreateResource, ${CALLS} calls a round, ${IN_FLIGHT} in flight, ${ROUNDS} alternating rounds (medians)\n`);
  console.log('| case | off calls/s | on calls/s | calls/s ratio | off CPU µs/call | on CPU µs/call | CPU ratio |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(`| CreateResource (SQLite file store) | ${median(a.map((r) => r.rps)).toFixed(0)} | ${median(b.map((r) => r.rps)).toFixed(0)} | ${rpsRatio.toFixed(2)}x | ${median(a.map((r) => r.cpu)).toFixed(0)} | ${median(b.map((r) => r.cpu)).toFixed(0)} | ${cpuRatio.toFixed(2)}x |`);
} finally {
  for (const p of procs) p.stop();
}
