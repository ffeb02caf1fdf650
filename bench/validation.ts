// Request validation: requests per second of a MOCK POST method (a JSON body, a header and two
// query strings) with a request validator, as a ratio to the same method without one, on one
// gateway, in one run:
//   - params: three required parameters (header, two query strings);
//   - body: the body against a model with a $ref to another model (draft-04, compiled once per deployment);
//   - both: the two together.
// Then the validator's own cost per call (in process, no HTTP): the compiled check of both, as a
// ratio to JSON.parse of the same body (which a body check needs at least).
// Rounds alternate the variants so drift on a shared machine hits each alike; the table reports
// the median of each.
// Run: npx tsx bench/validation.ts [seconds=5] [connections=50] [rounds=3]
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateDeploymentCommand, CreateModelCommand, CreateRequestValidatorCommand, CreateRestApiCommand, PutIntegrationCommand,
  PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand, GetResourcesCommand,
} from '@aws-sdk/client-api-gateway';
import { parseConfig } from '../src/config.ts';
import { startGatehouse, type Gatehouse } from '../src/server.ts';
import { compileRequestCheck, ModelSchemas } from '../src/validation/index.ts';
import { apiGatewayClient } from '../test/helpers/server.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 3);

const BODY = JSON.stringify({ name: 'Rex', type: 'dog', price: 25, tags: ['a', 'b', 'c'], owner: { email: 'a@example.com', phone: '555-0100' } });
const SCRIPT = join(tmpdir(), `gatehouse-validation-${process.pid}.lua`);
writeFileSync(SCRIPT, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(BODY)}\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-Tenant"] = "t1"\n`);

function wrk(url: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, '-s', SCRIPT, url], { encoding: 'utf8' }, (err, out) => {
      if (err !== null) return reject(err);
      const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (bad !== null) return reject(new Error(`wrk saw ${bad[1]} failed responses:\n${out}`));
      resolve(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]));
    });
  });
}

const OWNER = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['email'], properties: { email: { type: 'string', minLength: 3 }, phone: { type: 'string' } } };
const pet = (apiId: string) => ({
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  required: ['name', 'price', 'owner'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64 },
    type: { type: 'string', enum: ['dog', 'cat', 'fish'] },
    price: { type: 'number', minimum: 0 },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 10 },
    owner: { $ref: `https://apigateway.amazonaws.com/restapis/${apiId}/models/Owner` },
  },
});
const REQUIRED = { 'method.request.header.X-Tenant': true, 'method.request.querystring.a': true, 'method.request.querystring.b': true };

const VARIANTS: [string, { body: boolean; params: boolean } | null][] = [
  ['no validator', null],
  ['params', { body: false, params: true }],
  ['body ($ref)', { body: true, params: false }],
  ['both', { body: true, params: true }],
];

async function setUp(gh: Gatehouse): Promise<Map<string, string>> {
  const client = apiGatewayClient(gh.url);
  const urls = new Map<string, string>();
  for (const [name, v] of VARIANTS) {
    const api = await client.send(new CreateRestApiCommand({ name: `bench ${name}` }));
    const restApiId = api.id!;
    const resourceId = (await client.send(new GetResourcesCommand({ restApiId }))).items![0]!.id!;
    await client.send(new CreateModelCommand({ restApiId, name: 'Owner', contentType: 'application/json', schema: JSON.stringify(OWNER) }));
    await client.send(new CreateModelCommand({ restApiId, name: 'Pet', contentType: 'application/json', schema: JSON.stringify(pet(restApiId)) }));
    const validatorId = v === null ? undefined
      : (await client.send(new CreateRequestValidatorCommand({ restApiId, name: 'v', validateRequestBody: v.body, validateRequestParameters: v.params }))).id;
    await client.send(new PutMethodCommand({
      restApiId, resourceId, httpMethod: 'POST', authorizationType: 'NONE', requestValidatorId: validatorId,
      requestParameters: REQUIRED, requestModels: { 'application/json': 'Pet' },
    }));
    await client.send(new PutIntegrationCommand({ restApiId, resourceId, httpMethod: 'POST', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await client.send(new PutMethodResponseCommand({ restApiId, resourceId, httpMethod: 'POST', statusCode: '200' }));
    await client.send(new PutIntegrationResponseCommand({ restApiId, resourceId, httpMethod: 'POST', statusCode: '200', responseTemplates: { 'application/json': '{"ok": true}' } }));
    await client.send(new CreateDeploymentCommand({ restApiId, stageName: 'prod' }));
    const url = `${gh.url}/restapis/${restApiId}/prod/_user_request_/?a=1&b=2`;
    const r = await fetch(url, { method: 'POST', body: BODY, headers: { 'content-type': 'application/json', 'x-tenant': 't1' } });
    if (r.status !== 200) throw new Error(`${name} answered ${r.status}: ${await r.text()}`);
    urls.set(name, url);
  }
  client.destroy();
  return urls;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** ns per call of `fn`, over about `ms` milliseconds. */
function perCall(fn: () => void, ms: number): number {
  let n = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < until) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / n;
}

function micro(): { check: number; parse: number } {
  const schemas = new ModelSchemas('api', [
    { name: 'Owner', schema: JSON.stringify(OWNER) },
    { name: 'Pet', schema: JSON.stringify(pet('api')) },
  ]);
  const check = compileRequestCheck(
    { requestValidatorId: 'v', requestParameters: REQUIRED, requestModels: { 'application/json': 'Pet' } },
    new Map([['v', { id: 'v', validateRequestBody: true, validateRequestParameters: true }]]),
    schemas,
  )!;
  const request = {
    pathParameters: {}, querystring: { a: '1', b: '2' }, headersLower: { 'x-tenant': 't1' },
    body: Buffer.from(BODY), contentType: 'application/json',
  };
  check.check(request); // throws if the bench request were refused
  const checks: number[] = [];
  const parses: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    checks.push(perCall(() => check.check(request), 500));
    parses.push(perCall(() => JSON.parse(request.body.toString('utf8')), 500));
  }
  return { check: median(checks), parse: median(parses) };
}

async function main(): Promise<void> {
  // The validator's own cost first, in a quiet process (no gateway serving yet).
  const m = micro();
  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', accountRate: 0 }));
  try {
    const urls = await setUp(gh);
    const results = new Map<string, number[]>(VARIANTS.map(([name]) => [name, []]));
    for (const url of urls.values()) await wrk(url, 1); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of urls) results.get(name)!.push(await wrk(url, SECONDS));
    }
    const base = median(results.get('no validator')!);
    console.log(`node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; wrk -t2 -c${CONNECTIONS}, ${SECONDS} s x ${ROUNDS} rounds (median)\n`);
    console.log('| request validator | req/s | ratio to no validator |');
    console.log('|---|---|---|');
    for (const [name] of VARIANTS) {
      const rps = median(results.get(name)!);
      console.log(`| ${name} | ${rps.toFixed(0)} | ${(rps / base).toFixed(2)}x |`);
    }
  } finally {
    await gh.close();
  }
  console.log(`\nThe check of both, per call: ${(m.check / 1000).toFixed(2)} µs; JSON.parse of the body alone: ${(m.parse / 1000).toFixed(2)} µs (ratio ${(m.check / m.parse).toFixed(2)}x)`);
}

await main();
