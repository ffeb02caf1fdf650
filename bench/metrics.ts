// The cost of CloudWatch's per-minute aggregation on the hot path: the same MOCK method (request
// and response templates) on two `gatehouse serve` processes, one aggregating every request
// (the default) and one started with --cloudwatch-metrics false, measured in alternating rounds
// by CPU time per request (bench/lib/cpu.ts) and requests per second. Goal of #21: ≥ 0.95x.
// Run: npx tsx bench/metrics.ts [seconds=4] [connections=50] [rounds=5]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { deploy, putMethod, resourcePath } from '../test/execute/helpers.ts';
import { apiGatewayClient } from '../test/helpers/server.ts';
import { alternate, measure } from './lib/cpu.ts';

const SECONDS = Number(process.argv[2] ?? 4);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 5);

interface Proc { readonly url: string; readonly pid: number; readonly child: ChildProcess; readonly dir: string }

function serve(extra: string[]): Promise<Proc> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-metrics-'));
  const child = spawn(process.execPath, ['bin/gatehouse.js', 'serve', '--port', '0', '--data-dir', dir, '--account-rate', '0', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c;
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m === null) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({ url: m[1]!, pid: child.pid!, child, dir });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gatehouse exited ${code}: ${out}`)));
  });
}

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

if (!existsSync('dist/cli/index.js')) throw new Error('build first (npm ci or npm run build): the bench runs bin/gatehouse.js');
const procs: Proc[] = [];
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
  for (const p of procs) {
    p.child.kill('SIGTERM');
    rmSync(p.dir, { recursive: true, force: true });
  }
}
