// The cost of CloudWatch's per-minute aggregation on the hot path: the same MOCK method (request
// and response templates) on two `gatehouse serve` processes, one aggregating every request
// (the default) and one started with --cloudwatch-metrics false, measured in alternating rounds
// by CPU time per request (bench/lib/cpu.ts) and requests per second. Goal of #21: ≥ 0.95x.
// Run: npx tsx bench/metrics.ts [seconds=4] [connections=50] [rounds=5]
import { cpus, loadavg } from 'node:os';
import { CreateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { deploy, putMethod, resourcePath } from '../test/execute/helpers.ts';
import { apiGatewayClient } from '../test/helpers/server.ts';
import { alternate, measure } from './lib/cpu.ts';
import { serveGatehouse, type Served } from './lib/serve.ts';

const SECONDS = Number(process.argv[2] ?? 4);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 5);

const serve = (extra: string[]): Promise<Served> => serveGatehouse(['--account-rate', '0', ...extra]);

async function mockStage(url: string): Promise<string> {
  const client = apiGatewayClient(url);
  const id = (await client.send(new CreateRestApiCommand({ name: 'bench-metrics' }))).id!;
  await putMethod(client, id, await resourcePath(client, id, '/mock'), {
    httpMethod: 'GET',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"id": 1, "name": "Kitty", "type": "$input.params(\'petType\')", "price": 124.99}' } }],
  });
  await deploy(client, id, 'bench');
  client.destroy();
  return `${url}/restapis/${id}/bench/_user_request_/mock?petType=cat`;
}

const procs: Served[] = [];
try {
  const off = await serve(['--cloudwatch-metrics', 'false']);
  procs.push(off);
  const on = await serve([]);
  procs.push(on);
  const offUrl = await mockStage(off.url);
  const onUrl = await mockStage(on.url);
  const load = { seconds: SECONDS, connections: CONNECTIONS };
  console.log(`CloudWatch aggregation — node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; wrk -t2 -c${CONNECTIONS}, ${SECONDS} s rounds, ${ROUNDS} alternating rounds (medians)\n`);
  const p = await alternate(() => measure(offUrl, off.pid, load), () => measure(onUrl, on.pid, load), ROUNDS);
  console.log('| case | off req/s | on req/s | req/s ratio | off CPU µs/req | on CPU µs/req | CPU ratio | throughput per CPU (off/on CPU) |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(`| MOCK + templates | ${p.baseline.rps.toFixed(0)} | ${p.subject.rps.toFixed(0)} | ${p.rpsRatio.toFixed(2)}x | ${p.baseline.cpu.toFixed(1)} | ${p.subject.cpu.toFixed(1)} | ${p.cpuRatio.toFixed(2)}x | ${(1 / p.cpuRatio).toFixed(2)}x |`);
  console.log(`\nload average at the end: ${loadavg()[0]!.toFixed(1)}`);
} finally {
  for (const p of procs) p.stop();
}
