// Invoke throughput and latency: Gatehouse's Lambda API (HTTP → worker process → HTTP) against a
// bare node:http server calling the same handler in-process, in the same run, as ratios.
// Run: npx tsx bench/lambda.ts   (REQUESTS, CONNECTIONS and ROUNDS from the environment)
import { deployBenchFunction, postLoad, startInProcessBaseline, type LoadResult } from './lambda-common.ts';
import { parseConfig } from '../src/config.ts';
import { startGatehouse } from '../src/server.ts';

const REQUESTS = Number(process.env.REQUESTS ?? 4000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const HANDLER = 'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ hello: event.name, n: event.n * 2 }) });\n';

type Result = LoadResult;

// Lambda's own API answers the handler's result; the bare server answers the same JSON.
const load = (name: string, url: string, headers: Record<string, string>): Promise<Result> =>
  postLoad(name, url, { requests: REQUESTS, connections: CONNECTIONS, headers, expect: (t) => t.includes('"statusCode":200') });

async function main(): Promise<void> {
  // Baseline: the handler in-process behind a bare node:http server.
  const bare = await startInProcessBaseline(HANDLER);
  const bareUrl = bare.url;

  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', lambdaConcurrency: CONNECTIONS }));
  await deployBenchFunction(gh.url, HANDLER);
  const invokeUrl = `${gh.url}/2015-03-31/functions/bench/invocations`;

  const rows: Result[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rows.push([
      await load('bare node:http, handler in-process', bareUrl, {}),
      await load('Gatehouse Lambda Invoke (HTTP API)', invokeUrl, { 'x-amz-invocation-type': 'RequestResponse' }),
    ]);
  }
  const best = (i: number) => rows.map((r) => r[i]!).sort((a, b) => b.opsPerSec - a.opsPerSec)[0]!;
  const baseline = best(0);
  const lambda = best(1);
  console.log(`node ${process.version}, ${REQUESTS} requests x ${ROUNDS} rounds (best shown), ${CONNECTIONS} connections, ${CONNECTIONS} workers`);
  console.table([baseline, lambda].map((r) => ({
    case: r.name,
    'ops/s': Math.round(r.opsPerSec),
    'p50 ms': r.p50.toFixed(2),
    'p99 ms': r.p99.toFixed(2),
  })));
  console.log(`throughput ratio (Gatehouse / baseline): ${(lambda.opsPerSec / baseline.opsPerSec).toFixed(3)}`);
  console.log(`p99 ratio (Gatehouse / baseline): ${(lambda.p99 / baseline.p99).toFixed(2)}x`);
  console.log(`p50 ratio (Gatehouse / baseline): ${(lambda.p50 / baseline.p50).toFixed(2)}x`);
  console.log('workers:', gh.lambda.stats());

  await gh.close();
  await bare.close();
}

await main();
