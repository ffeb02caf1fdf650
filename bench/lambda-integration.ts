// A Lambda-integrated method (AWS integration with a request template and a response template)
// on a deployed stage against a bare node:http server calling the same handler in-process, in the
// same run, as ratios. Also the AWS_PROXY variant of the same method.
// Run: npx tsx bench/lambda-integration.ts   (REQUESTS, CONNECTIONS and ROUNDS from the environment)
import {
  APIGatewayClient, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, GetResourcesCommand, PutIntegrationCommand,
  PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { deployBenchFunction, postLoad, startInProcessBaseline, type LoadResult } from './lambda-common.ts';
import { parseConfig } from '../src/config.ts';
import { startGatehouse } from '../src/server.ts';

const REQUESTS = Number(process.env.REQUESTS ?? 4000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
// Answers the custom integration's event ({name, n}) and the proxy event (body holds {name, n}).
const HANDLER = `exports.handler = async (event) => {
  const input = typeof event.body === 'string' ? JSON.parse(event.body) : event;
  const out = { hello: input.name, n: input.n * 2 };
  return typeof event.body === 'string' ? { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(out) } : out;
};
`;

type Result = LoadResult;

const load = (name: string, url: string): Promise<Result> =>
  postLoad(name, url, { requests: REQUESTS, connections: CONNECTIONS, expect: (t) => t.includes('"hello":"bench"') });

async function main(): Promise<void> {
  // Baseline: the handler in-process behind a bare node:http server.
  const bare = await startInProcessBaseline(HANDLER);
  const bareUrl = bare.url;

  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', lambdaConcurrency: CONNECTIONS }));
  await deployBenchFunction(gh.url, HANDLER);

  const client = new APIGatewayClient({ endpoint: gh.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 1 });
  const api = await client.send(new CreateRestApiCommand({ name: 'bench' }));
  const restApiId = api.id!;
  const rootId = (await client.send(new GetResourcesCommand({ restApiId }))).items!.find((r) => r.path === '/')!.id!;
  const uri = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:bench/invocations';
  for (const [path, type] of [['custom', 'AWS'], ['proxy', 'AWS_PROXY']] as const) {
    const resourceId = (await client.send(new CreateResourceCommand({ restApiId, parentId: rootId, pathPart: path }))).id!;
    await client.send(new PutMethodCommand({ restApiId, resourceId, httpMethod: 'POST', authorizationType: 'NONE' }));
    await client.send(new PutIntegrationCommand({
      restApiId, resourceId, httpMethod: 'POST', type, integrationHttpMethod: 'POST', uri,
      requestTemplates: type === 'AWS' ? { 'application/json': `{"name": $input.json('$.name'), "n": $input.path('$.n'), "stage": "$context.stage"}` } : undefined,
    }));
    if (type === 'AWS') {
      await client.send(new PutMethodResponseCommand({ restApiId, resourceId, httpMethod: 'POST', statusCode: '200' }));
      await client.send(new PutIntegrationResponseCommand({
        restApiId, resourceId, httpMethod: 'POST', statusCode: '200',
        responseTemplates: { 'application/json': `#set($r = $input.path('$'))\n{"hello":"$r.hello","n":$r.n}` },
      }));
    }
  }
  await client.send(new CreateDeploymentCommand({ restApiId, stageName: 'bench' }));
  const stageUrl = (p: string) => `${gh.url}/restapis/${restApiId}/bench/_user_request_/${p}`;

  const rows: Result[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rows.push([
      await load('bare node:http, handler in-process', bareUrl),
      await load('Gatehouse stage, AWS (Lambda) + templates', stageUrl('custom')),
      await load('Gatehouse stage, AWS_PROXY (Lambda)', stageUrl('proxy')),
    ]);
  }
  const best = (i: number) => rows.map((r) => r[i]!).sort((a, b) => b.opsPerSec - a.opsPerSec)[0]!;
  const baseline = best(0);
  const results = [baseline, best(1), best(2)];
  console.log(`node ${process.version}, ${REQUESTS} requests x ${ROUNDS} rounds (best shown), ${CONNECTIONS} connections, ${CONNECTIONS} workers`);
  console.table(results.map((r) => ({
    case: r.name,
    'ops/s': Math.round(r.opsPerSec),
    'p50 ms': r.p50.toFixed(2),
    'p99 ms': r.p99.toFixed(2),
    'throughput ratio': (r.opsPerSec / baseline.opsPerSec).toFixed(3),
    'p99 ratio': (r.p99 / baseline.p99).toFixed(2) + 'x',
  })));
  console.log('workers:', gh.lambda.stats());

  client.destroy();
  await gh.close();
  await bare.close();
}

await main();
