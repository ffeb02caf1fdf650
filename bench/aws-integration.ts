// An AWS integration (SQS SendMessage, the path form with a form-encoded request template) on a
// deployed stage against a bare undici client signing and sending the same SendMessage to the
// same moto_server, in one run, as ratios. Both sign with the same SigV4 code
// (src/integrations/aws/sign.ts), so the ratio is what the gateway adds: its front door,
// routing, the request template, the pipeline and the second HTTP hop.
//
// moto_server is a Python development server and is the bottleneck of both paths: the load is a
// closed loop at low concurrency (CONNECTIONS, default 4), and the ratio says how much of moto's
// throughput the gateway keeps, not what the gateway can do alone. So the same pair runs a
// second time against a node:http endpoint in a worker thread that answers every request with
// SQS's SendMessage answer (LOCAL_REQUESTS at LOCAL_CONNECTIONS, default 5000 at 16): there the
// ratio is the gateway's own cost.
// moto's SendMessage slows down as its queue grows, so moto's state is reset and the queue
// created afresh before each moto load. Rounds alternate the cases so drift on a shared machine
// hits each alike; the best round of each is shown.
// Run: npx tsx bench/aws-integration.ts   (REQUESTS, CONNECTIONS, LOCAL_REQUESTS, LOCAL_CONNECTIONS and ROUNDS from the environment)
import { Worker } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { parseConfig } from '../src/config.ts';
import { AwsSigner } from '../src/integrations/aws/sign.ts';
import { startGatehouse } from '../src/server.ts';
import { createApi, deploy, putMethod, resourcePath } from '../test/execute/helpers.ts';
import { apiGatewayClient } from '../test/helpers/server.ts';
import { MOTO_ACCOUNT, startMoto } from '../test/integrations/aws-helpers.ts';

const REQUESTS = Number(process.env.REQUESTS ?? 1000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 4);
const LOCAL_REQUESTS = Number(process.env.LOCAL_REQUESTS ?? 5000);
const LOCAL_CONNECTIONS = Number(process.env.LOCAL_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

interface Result {
  name: string;
  opsPerSec: number;
  p50: number;
  p99: number;
}

/** A closed loop: `connections` callers, each sending its next request when its previous answer is in. */
async function load(name: string, requests: number, connections: number, one: (i: number) => Promise<void>): Promise<Result> {
  await Promise.all(Array.from({ length: connections * 5 }, (_, i) => one(i))); // warm-up
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (next < requests) {
      const i = next++;
      const t0 = performance.now();
      await one(i);
      latencies.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { name, opsPerSec: requests / seconds, p50: at(0.5), p99: at(0.99) };
}

const SEND_MESSAGE_ANSWER = '<SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><SendMessageResult><MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody><MessageId>a7192d51-690e-4b83-b96d-c33ecf7e9fac</MessageId></SendMessageResult><ResponseMetadata><RequestId>0x2ULFIWtZ04r1wzHZKZzbJuWgvO2eoVHrb2P5CJJXFyikMIEtl9</RequestId></ResponseMetadata></SendMessageResponse>';

const ENDPOINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(workerData.body) });
    res.end(workerData.body);
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

/** The local endpoint runs in a worker thread: it never shares the gateway's event loop. */
function startLocalEndpoint(): Promise<{ url: string; worker: Worker }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENDPOINT_WORKER, { eval: true, workerData: { body: SEND_MESSAGE_ANSWER } });
    worker.once('message', (port: number) => resolve({ url: `http://127.0.0.1:${port}`, worker }));
    worker.once('error', reject);
  });
}

/** A gateway whose stage /send is the SQS SendMessage integration, its AWS endpoint `endpoint`. */
async function gatewayTo(endpoint: string): Promise<{ url: string; close(): Promise<void> }> {
  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', awsEndpoint: endpoint }));
  const client = apiGatewayClient(gh.url);
  const { id } = await createApi(client, 'bench');
  await putMethod(client, id, await resourcePath(client, id, '/send'), {
    httpMethod: 'POST',
    integration: {
      type: 'AWS', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:us-east-1:sqs:path/${MOTO_ACCOUNT}/bench`,
      requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
      requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
      passthroughBehavior: 'NEVER',
    },
    responses: [{ statusCode: '200' }],
  });
  await deploy(client, id, 'bench');
  client.destroy();
  return { url: `${gh.url}/restapis/${id}/bench/_user_request_/send`, close: () => gh.close() };
}

async function main(): Promise<void> {
  const moto = await startMoto();
  const local = await startLocalEndpoint();
  const viaMoto = await gatewayTo(moto.url);
  const viaLocal = await gatewayTo(local.url);
  const agent = new Agent({ connections: Math.max(CONNECTIONS, LOCAL_CONNECTIONS), pipelining: 1 });
  const check = (name: string, status: number, text: string) => {
    if (status !== 200 || !text.includes('<MessageId>')) throw new Error(`${name}: ${status} ${text}`);
  };

  // The gateway: the client's JSON body through the stage.
  const gateway = (stageUrl: string) => async (i: number) => {
    const res = await request(stageUrl, { method: 'POST', body: JSON.stringify({ name: 'bench', n: i }), headers: { 'content-type': 'application/json' }, dispatcher: agent });
    check('Gatehouse', res.statusCode, await res.body.text());
  };
  // The baseline: the same SendMessage, form-encoded, signed and sent to the endpoint directly.
  const signer = new AwsSigner({ accessKeyId: 'test', secretAccessKey: 'test' });
  const path = `/${MOTO_ACCOUNT}/bench`;
  const bare = (endpoint: string) => {
    const host = new URL(endpoint).host;
    return async (i: number) => {
      const body = Buffer.from(`Action=SendMessage&MessageBody=${encodeURIComponent(JSON.stringify({ name: 'bench', n: i }))}`);
      const headers: Record<string, string> = { host, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      signer.sign({ method: 'POST', path, query: {}, headers, body }, 'us-east-1', 'sqs');
      const res = await request(`${endpoint}${path}`, { method: 'POST', body, headers, dispatcher: agent });
      check('bare undici', res.statusCode, await res.body.text());
    };
  };

  const freshQueue = async () => {
    await (await fetch(`${moto.url}/moto-api/reset`, { method: 'POST' })).arrayBuffer();
    await moto.cli(['sqs', 'create-queue', '--queue-name', 'bench']);
  };
  const cases = [
    { name: 'bare undici + SigV4 → moto SQS', requests: REQUESTS, connections: CONNECTIONS, one: bare(moto.url), before: freshQueue },
    { name: 'Gatehouse stage, AWS integration → moto SQS', requests: REQUESTS, connections: CONNECTIONS, one: gateway(viaMoto.url), before: freshQueue },
    { name: 'bare undici + SigV4 → local endpoint', requests: LOCAL_REQUESTS, connections: LOCAL_CONNECTIONS, one: bare(local.url), before: async () => {} },
    { name: 'Gatehouse stage, AWS integration → local endpoint', requests: LOCAL_REQUESTS, connections: LOCAL_CONNECTIONS, one: gateway(viaLocal.url), before: async () => {} },
  ];
  const rows: Result[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const row: Result[] = [];
    for (const c of cases) {
      await c.before();
      row.push(await load(c.name, c.requests, c.connections, c.one));
    }
    rows.push(row);
  }
  const best = (i: number) => rows.map((r) => r[i]!).sort((a, b) => b.opsPerSec - a.opsPerSec)[0]!;
  console.log(`node ${process.version}, ${ROUNDS} rounds (best shown); moto: ${REQUESTS} SendMessage calls at ${CONNECTIONS} connections (moto_server is the bottleneck of both); local endpoint: ${LOCAL_REQUESTS} at ${LOCAL_CONNECTIONS}`);
  console.table(cases.map((c, i) => {
    const r = best(i);
    const baseline = best(i - (i % 2));
    return {
      case: r.name,
      'ops/s': Math.round(r.opsPerSec),
      'p50 ms': r.p50.toFixed(2),
      'p99 ms': r.p99.toFixed(2),
      'throughput ratio': (r.opsPerSec / baseline.opsPerSec).toFixed(3),
      'p50 ratio': (r.p50 / baseline.p50).toFixed(2) + 'x',
    };
  }));

  await agent.close();
  await viaMoto.close();
  await viaLocal.close();
  await local.worker.terminate();
  await moto.close();
}

await main();
