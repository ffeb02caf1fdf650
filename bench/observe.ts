// Observability's cost on the hot path: requests per second of one MOCK method on a stage with
// access logging (AWS's JSON example format, to a file under the data directory) and detailed
// metrics (*/*/metrics/enabled), as a ratio to the same method on a stage with both off, in one
// run; and, for reference, the same method with execution logging at INFO with data trace.
// Rounds alternate the variants so drift on a shared machine hits each alike; the table reports
// the median of each: requests per second, and the gateway's CPU time per request (this process's
// user + system time over the requests wrk completed, which other load on a shared machine moves
// far less than throughput). Goal (#16): access logging and detailed metrics >= 0.9x.
// Run: npx tsx bench/observe.ts [seconds=5] [connections=50] [rounds=3]
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { parseConfig } from '../src/config.ts';
import { startGatehouse } from '../src/server.ts';
import { createApi, deploy, putMethod, resourcePath } from '../test/execute/helpers.ts';
import { apiGatewayClient, tempDataDir } from '../test/helpers/server.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 3);

/** wrk's requests per second, and this process's CPU microseconds per request meanwhile. */
function wrk(url: string, seconds: number): Promise<{ rps: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, url], { encoding: 'utf8' }, (err, out) => {
      if (err !== null) return reject(err);
      const used = process.cpuUsage(cpu);
      const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (bad !== null) return reject(new Error(`wrk saw ${bad[1]} failed responses:\n${out}`));
      const requests = Number(/(\d+) requests in/.exec(out)![1]);
      resolve({ rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]), cpuUs: (used.user + used.system) / requests });
    });
  });
}

const JSON_FORMAT = '{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId","ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength" }';

const VARIANTS = {
  off: 'access logging and detailed metrics off',
  observed: 'access logging (JSON) and detailed metrics on',
  access: 'access logging (JSON) alone',
  metrics: 'detailed metrics alone',
  execution: 'execution logging INFO with data trace',
} as const;
type Variant = keyof typeof VARIANTS;

async function stage(client: APIGatewayClient, apiId: string, name: Variant): Promise<void> {
  await deploy(client, apiId, name, { name: 'Kitty' });
  const ops: { op: 'replace'; path: string; value: string }[] = [
    // Throttling is not what is measured: limits far above what the load reaches.
    { op: 'replace', path: '/*/*/throttling/rateLimit', value: '1000000' },
    { op: 'replace', path: '/*/*/throttling/burstLimit', value: '1000000' },
  ];
  if (name === 'observed' || name === 'access') {
    ops.push(
      { op: 'replace', path: '/accessLogSettings/destinationArn', value: `arn:aws:logs:us-east-1:000000000000:log-group:bench-${name}` },
      { op: 'replace', path: '/accessLogSettings/format', value: JSON_FORMAT },
    );
  }
  if (name === 'observed' || name === 'metrics') ops.push({ op: 'replace', path: '/*/*/metrics/enabled', value: 'true' });
  if (name === 'execution') {
    ops.push({ op: 'replace', path: '/*/*/logging/loglevel', value: 'INFO' }, { op: 'replace', path: '/*/*/logging/dataTrace', value: 'true' });
  }
  await client.send(new UpdateStageCommand({ restApiId: apiId, stageName: name, patchOperations: ops }));
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dataDir = tempDataDir();
  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir, logLevel: 'silent', accountRate: 0 }));
  try {
    const client = apiGatewayClient(gh.url);
    const api = await createApi(client, 'bench-observe');
    await putMethod(client, api.id, await resourcePath(client, api.id, '/pets'), {
      httpMethod: 'GET',
      integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"id": 1, "name": "$stageVariables.name", "type": "cat", "price": 124.99}' } }],
    });
    const names = Object.keys(VARIANTS) as Variant[];
    for (const name of names) await stage(client, api.id, name);
    client.destroy();
    const url = (name: Variant) => `${gh.url}/restapis/${api.id}/${name}/_user_request_/pets`;
    for (const name of names) {
      const r = await fetch(url(name));
      if (r.status !== 200) throw new Error(`${name} answered ${r.status}: ${await r.text()}`);
    }
    const results = new Map<Variant, { rps: number; cpuUs: number }[]>(names.map((n) => [n, []]));
    for (const name of names) await wrk(url(name), 1); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of names) results.get(name)!.push(await wrk(url(name), SECONDS));
    }
    const rps = (name: Variant) => median(results.get(name)!.map((r) => r.rps));
    const cpu = (name: Variant) => median(results.get(name)!.map((r) => r.cpuUs));
    const scraped = await (await fetch(`${gh.url}/_gatehouse/metrics`)).text();
    const dropped = [...scraped.matchAll(/^gatehouse_log_lines_dropped_total\{log="([^"]+)"\} (\d+)/gm)].map((m) => `${m[1]}: ${m[2]}`);
    console.log(`node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; wrk -t2 -c${CONNECTIONS}, ${SECONDS} s x ${ROUNDS} rounds (median)\n`);
    console.log('| MOCK method, stage with | req/s | vs off | CPU µs per request | requests per CPU second, vs off |');
    console.log('|---|---|---|---|---|');
    for (const name of names) {
      console.log(`| ${VARIANTS[name]} | ${rps(name).toFixed(0)} | ${(rps(name) / rps('off')).toFixed(2)}x | ${cpu(name).toFixed(1)} | ${(cpu('off') / cpu(name)).toFixed(2)}x |`);
    }
    console.log(`\nlog lines dropped: ${dropped.length === 0 ? 'none' : dropped.join(', ')}`);
  } finally {
    await gh.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
