// `gatehouse cors API` as a user runs it, against a running Gatehouse: the console's "Enable
// CORS" made through the management API, then deployed, answered to a real preflight and a real
// cross-origin GET, exported like any other change, and idempotent.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import {
  CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, GetExportCommand, GetGatewayResponseCommand, GetMethodCommand,
  GetResourcesCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { apiGateway, KEYS, startEnforcing } from '../iam/helpers.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/** Runs the gatehouse CLI from source the way bin/gatehouse.js does, with `env` added. */
async function gatehouse(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const script = `import { describeFailure, main } from './src/cli/index.ts';
main(JSON.parse(process.argv[1])).catch((err) => { console.error(describeFailure(err)); process.exit(1); });`;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify(args)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

/** Signed as the SDK client is, so the CLI's changes land in the same account and region. */
const SIGNED = { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_REGION: REGION };
const DEFAULT_HEADERS = "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'";

let gh: Gatehouse;
let client: APIGatewayClient;
let backend: Server;
let backendUrl: string;
before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  // The back end of an HTTP_PROXY method: it answers CORS itself, as AWS says a proxy's back end must.
  backend = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': 'https://from-backend.example' });
    res.end(JSON.stringify({ proxied: req.url }));
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const a = backend.address();
  backendUrl = `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
});
after(async () => {
  client.destroy();
  await gh.close();
  await new Promise((resolve) => backend.close(resolve));
});

async function mockMethod(restApiId: string, resourceId: string, httpMethod: string, body: string): Promise<void> {
  const ids = { restApiId, resourceId, httpMethod };
  await client.send(new PutMethodCommand({ ...ids, authorizationType: 'NONE' }));
  await client.send(new PutIntegrationCommand({ ...ids, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  await client.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' }));
  await client.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', responseTemplates: { 'application/json': body } }));
}

/** /pets (GET, POST), /pets/{petId} (GET), /proxy (ANY, HTTP_PROXY); the root has no methods. */
async function createApi(name: string): Promise<{ id: string; resources: Map<string, string> }> {
  const api = await client.send(new CreateRestApiCommand({ name }));
  const id = api.id!;
  const root = (await client.send(new GetResourcesCommand({ restApiId: id }))).items!.find((r) => r.path === '/')!;
  const pets = await client.send(new CreateResourceCommand({ restApiId: id, parentId: root.id!, pathPart: 'pets' }));
  const pet = await client.send(new CreateResourceCommand({ restApiId: id, parentId: pets.id!, pathPart: '{petId}' }));
  const proxy = await client.send(new CreateResourceCommand({ restApiId: id, parentId: root.id!, pathPart: 'proxy' }));
  await mockMethod(id, pets.id!, 'GET', '[{"id": 1}]');
  await mockMethod(id, pets.id!, 'POST', '{"created": true}');
  await mockMethod(id, pet.id!, 'GET', '{"id": "$input.params(\'petId\')"}');
  await client.send(new PutMethodCommand({ restApiId: id, resourceId: proxy.id!, httpMethod: 'ANY', authorizationType: 'NONE' }));
  await client.send(new PutIntegrationCommand({ restApiId: id, resourceId: proxy.id!, httpMethod: 'ANY', type: 'HTTP_PROXY', integrationHttpMethod: 'ANY', uri: `${backendUrl}/anything` }));
  return { id, resources: new Map([['/', root.id!], ['/pets', pets.id!], ['/pets/{petId}', pet.id!], ['/proxy', proxy.id!]]) };
}

async function exportSwagger(restApiId: string, stageName: string): Promise<Record<string, any>> {
  const out = await client.send(new GetExportCommand({ restApiId, stageName, exportType: 'swagger', parameters: { extensions: 'apigateway' }, accepts: 'application/json' }));
  return JSON.parse(Buffer.from(out.body!).toString('utf8'));
}

test('gatehouse cors API: OPTIONS MOCK methods with the console defaults, Allow-Origin on the 200 responses, a real preflight and GET once deployed, exported, idempotent', async () => {
  const { id, resources } = await createApi('cors-defaults');
  const first = await gatehouse(['cors', id, '--url', gh.url], SIGNED);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^\/pets: OPTIONS method created \(MOCK\), allowing GET,OPTIONS,POST from \*$/m);
  assert.match(first.stdout, /^\/pets\/\{petId\}: OPTIONS method created \(MOCK\), allowing GET,OPTIONS from \*$/m);
  assert.match(first.stdout, /^\/proxy: OPTIONS method created \(MOCK\), allowing DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT from \*$/m);
  assert.match(first.stdout, /^skipped ANY \/proxy: HTTP_PROXY integration; its back end must send Access-Control-Allow-Origin$/m);
  assert.match(first.stdout, /deploy it/);
  // The root has no methods: nothing to call cross-origin, so no OPTIONS there.
  assert.doesNotMatch(first.stdout, /^\/: /m);

  // What the console makes, read back through the management API.
  const options = await client.send(new GetMethodCommand({ restApiId: id, resourceId: resources.get('/pets')!, httpMethod: 'OPTIONS' }));
  assert.equal(options.authorizationType, 'NONE');
  assert.equal(options.apiKeyRequired, false);
  assert.deepEqual(options.methodResponses!['200']!.responseParameters, {
    'method.response.header.Access-Control-Allow-Headers': false,
    'method.response.header.Access-Control-Allow-Methods': false,
    'method.response.header.Access-Control-Allow-Origin': false,
  });
  assert.deepEqual(options.methodResponses!['200']!.responseModels, { 'application/json': 'Empty' });
  assert.equal(options.methodIntegration!.type, 'MOCK');
  assert.deepEqual(options.methodIntegration!.requestTemplates, { 'application/json': '{"statusCode": 200}' });
  assert.deepEqual(options.methodIntegration!.integrationResponses!['200']!.responseParameters, {
    'method.response.header.Access-Control-Allow-Headers': DEFAULT_HEADERS,
    'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS,POST'",
    'method.response.header.Access-Control-Allow-Origin': "'*'",
  });
  const get = await client.send(new GetMethodCommand({ restApiId: id, resourceId: resources.get('/pets')!, httpMethod: 'GET' }));
  assert.deepEqual(get.methodResponses!['200']!.responseParameters, { 'method.response.header.Access-Control-Allow-Origin': false });
  assert.deepEqual(get.methodIntegration!.integrationResponses!['200']!.responseParameters, { 'method.response.header.Access-Control-Allow-Origin': "'*'" });
  // The method's own mapping is kept.
  assert.deepEqual(get.methodIntegration!.integrationResponses!['200']!.responseTemplates, { 'application/json': '[{"id": 1}]' });

  // Then the user deploys, and the stage answers browsers.
  await client.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'test' }));
  const base = `${gh.url}/restapis/${id}/test/_user_request_`;
  const preflight = await fetch(`${base}/pets`, {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
  });
  assert.equal(preflight.status, 200);
  assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
  assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET,OPTIONS,POST');
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token');
  const pets = await fetch(`${base}/pets`, { headers: { origin: 'https://app.example' } });
  assert.equal(pets.status, 200);
  assert.equal(pets.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(await pets.json(), [{ id: 1 }]);
  const pet = await fetch(`${base}/pets/7`, { headers: { origin: 'https://app.example' } });
  assert.equal(pet.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(await pet.json(), { id: '7' });
  // OPTIONS on the proxy resource is the MOCK preflight; other verbs still reach the back end,
  // whose own header comes through.
  const proxyPreflight = await fetch(`${base}/proxy`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'DELETE' } });
  assert.equal(proxyPreflight.status, 200);
  assert.equal(proxyPreflight.headers.get('access-control-allow-methods'), 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT');
  const proxied = await fetch(`${base}/proxy`, { method: 'DELETE', headers: { origin: 'https://app.example' } });
  assert.equal(proxied.status, 200);
  assert.equal(proxied.headers.get('access-control-allow-origin'), 'https://from-backend.example');

  // Exported like any other change: the OPTIONS methods with their mock integration and headers.
  const before = await exportSwagger(id, 'test');
  const opt = before.paths['/pets'].options;
  assert.deepEqual(Object.keys(opt.responses['200'].headers).sort(), ['Access-Control-Allow-Headers', 'Access-Control-Allow-Methods', 'Access-Control-Allow-Origin']);
  assert.equal(opt['x-amazon-apigateway-integration'].type, 'mock');
  assert.equal(opt['x-amazon-apigateway-integration'].responses.default.responseParameters['method.response.header.Access-Control-Allow-Methods'], "'GET,OPTIONS,POST'");
  assert.ok(before.paths['/pets/{petId}'].options);
  assert.ok(before.paths['/proxy'].options);
  assert.equal(before.paths['/'], undefined);
  assert.deepEqual(before.paths['/pets'].get.responses['200'].headers, { 'Access-Control-Allow-Origin': { type: 'string' } });

  // Idempotent: a second run writes nothing, and a redeployment exports the same definition.
  const second = await gatehouse(['cors', id, '--url', gh.url], SIGNED);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /nothing changed/);
  assert.doesNotMatch(second.stdout, /created|declares|maps/);
  await client.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'again' }));
  const again = await exportSwagger(id, 'again');
  assert.deepEqual(again.paths, before.paths);
});

test('gatehouse cors --origins ORIGIN --resource PATH --methods: replaces the values the console wrote, on one resource, and only changes what differs', async () => {
  const { id, resources } = await createApi('cors-origin');
  const all = await gatehouse(['cors', id, '--url', gh.url], SIGNED);
  assert.equal(all.code, 0, all.stderr);

  const one = await gatehouse(['cors', id, '--origins', 'https://app.example', '--resource', '/pets', '--methods', 'get', '--headers', 'Content-Type,X-Custom', '--url', gh.url], SIGNED);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /^\/pets: OPTIONS integration response maps Access-Control-Allow-Headers='Content-Type,X-Custom', Access-Control-Allow-Methods='GET,OPTIONS', Access-Control-Allow-Origin='https:\/\/app.example'$/m);
  assert.match(one.stdout, /^GET \/pets: 200 integration response maps Access-Control-Allow-Origin to 'https:\/\/app.example'$/m);
  // POST was not asked for, and /pets/{petId} is another resource.
  assert.doesNotMatch(one.stdout, /POST|petId/);

  const options = await client.send(new GetMethodCommand({ restApiId: id, resourceId: resources.get('/pets')!, httpMethod: 'OPTIONS' }));
  assert.equal(options.methodIntegration!.integrationResponses!['200']!.responseParameters!['method.response.header.Access-Control-Allow-Origin'], "'https://app.example'");
  const post = await client.send(new GetMethodCommand({ restApiId: id, resourceId: resources.get('/pets')!, httpMethod: 'POST' }));
  assert.equal(post.methodIntegration!.integrationResponses!['200']!.responseParameters!['method.response.header.Access-Control-Allow-Origin'], "'*'");

  await client.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'test' }));
  const preflight = await fetch(`${gh.url}/restapis/${id}/test/_user_request_/pets`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'Content-Type,X-Custom');

  const same = await gatehouse(['cors', id, '--origins', 'https://app.example', '--resource', '/pets', '--methods', 'GET', '--headers', 'Content-Type,X-Custom', '--url', gh.url], SIGNED);
  assert.match(same.stdout, /nothing changed/);
});

test('gatehouse cors --gateway-responses DEFAULT_4XX: errors API Gateway answers itself carry Access-Control-Allow-Origin', async () => {
  const { id } = await createApi('cors-gateway-responses');
  const r = await gatehouse(['cors', id, '--gateway-responses', 'DEFAULT_4XX,DEFAULT_5XX', '--url', gh.url], SIGNED);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^gateway response DEFAULT_4XX: answers Access-Control-Allow-Origin and -Headers$/m);
  const g = await client.send(new GetGatewayResponseCommand({ restApiId: id, responseType: 'DEFAULT_4XX' }));
  assert.equal(g.responseParameters!['gatewayresponse.header.Access-Control-Allow-Origin'], "'*'");
  assert.equal(g.responseParameters!['gatewayresponse.header.Access-Control-Allow-Headers'], DEFAULT_HEADERS);
  await client.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'test' }));
  // No resource /nowhere: 403 Missing Authentication Token, a DEFAULT_4XX type, now readable by the page.
  const missing = await fetch(`${gh.url}/restapis/${id}/test/_user_request_/nowhere`, { headers: { origin: 'https://app.example' } });
  assert.equal(missing.status, 403);
  assert.equal(missing.headers.get('access-control-allow-origin'), '*');
  const again = await gatehouse(['cors', id, '--gateway-responses', 'DEFAULT_4XX,DEFAULT_5XX', '--url', gh.url], SIGNED);
  assert.match(again.stdout, /nothing changed/);
});

test('gatehouse cors: mistakes are one line saying what is wrong, and change nothing', async () => {
  const { id } = await createApi('cors-mistakes');
  const cases: [string[], RegExp][] = [
    [['cors', 'nosuchapi1', '--url', gh.url], /^gatehouse cors: GET \/restapis\/nosuchapi1\/resources: NotFoundException: Invalid API identifier specified/],
    [['cors', id, '--origins', 'https://a.example,https://b.example', '--url', gh.url], /^gatehouse cors: --origins takes '\*' or one origin/],
    [['cors', id, '--origins', 'not an origin', '--url', gh.url], /^gatehouse cors: --origins: 'not an origin' is not an origin/],
    [['cors', id, '--methods', 'FETCH', '--url', gh.url], /^gatehouse cors: --methods: unknown method FETCH/],
    [['cors', id, '--resource', '/nowhere', '--url', gh.url], new RegExp(`^gatehouse cors: API ${id} has no resource /nowhere`)],
    [['cors', id, '--headers', "X-Evil'", '--url', gh.url], /^gatehouse cors: --headers: .* is not a list of header names/],
    [['cors', '--url', gh.url], /^gatehouse cors: expected one API_ID/],
    [['cors', id, '--bogus'], /^gatehouse cors: unknown option --bogus/],
    [['cors', id, '--url', 'http://127.0.0.1:1'], /^gatehouse cors: cannot reach Gatehouse at http:\/\/127.0.0.1:1/],
  ];
  for (const [args, expected] of cases) {
    const r = await gatehouse(args, SIGNED);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr.trim(), expected, args.join(' '));
  }
  const res = await client.send(new GetResourcesCommand({ restApiId: id, embed: ['methods'] }));
  assert.ok(res.items!.every((r) => r.resourceMethods?.['OPTIONS'] === undefined), 'no OPTIONS method was made');
  const help = await gatehouse(['help', 'cors']);
  assert.match(help.stdout, /^Usage: gatehouse cors API_ID/);
});

test('gatehouse cors against a gateway that enforces signatures: signed with the credentials in the environment; a wrong secret or a user without rights is refused in AWS\'s words', async () => {
  const enforcing = await startEnforcing();
  const admin = apiGateway(enforcing.url, KEYS.admin);
  try {
    const api = await admin.send(new CreateRestApiCommand({ name: 'cors-enforced' }));
    const id = api.id!;
    const root = (await admin.send(new GetResourcesCommand({ restApiId: id }))).items!.find((r) => r.path === '/')!;
    const items = await admin.send(new CreateResourceCommand({ restApiId: id, parentId: root.id!, pathPart: 'items' }));
    const ids = { restApiId: id, resourceId: items.id!, httpMethod: 'GET' };
    await admin.send(new PutMethodCommand({ ...ids, authorizationType: 'NONE' }));
    await admin.send(new PutIntegrationCommand({ ...ids, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await admin.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' }));
    await admin.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', responseTemplates: { 'application/json': '[]' } }));
    const as = (k: { accessKeyId: string; secretAccessKey: string }) => ({ AWS_ACCESS_KEY_ID: k.accessKeyId, AWS_SECRET_ACCESS_KEY: k.secretAccessKey, AWS_REGION: 'us-east-1' });

    const wrong = await gatehouse(['cors', id, '--url', enforcing.url], as({ ...KEYS.admin, secretAccessKey: 'not-the-secret' }));
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^gatehouse cors: GET \/restapis\/\w+\/resources: InvalidSignatureException: The request signature we calculated does not match/);
    // The reader may look but not write: the first write is refused, and nothing was written.
    const reader = await gatehouse(['cors', id, '--url', enforcing.url], as(KEYS.reader));
    assert.equal(reader.code, 1);
    assert.match(reader.stderr, /^gatehouse cors: PUT \/restapis\/\w+\/resources\/\w+\/methods\/OPTIONS: AccessDeniedException: User: arn:aws:iam::111111111111:user\/reader is not authorized to perform: apigateway:PUT/);
    const unsigned = await gatehouse(['cors', id, '--url', enforcing.url]);
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stderr, /^gatehouse cors: GET \/restapis\/\w+\/resources: MissingAuthenticationTokenException: Missing Authentication Token$/m);

    const ok = await gatehouse(['cors', id, '--url', enforcing.url], as(KEYS.admin));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^\/items: OPTIONS method created \(MOCK\), allowing GET,OPTIONS from \*$/m);
    const options = await admin.send(new GetMethodCommand({ ...ids, httpMethod: 'OPTIONS' }));
    assert.equal(options.methodIntegration!.type, 'MOCK');
  } finally {
    admin.destroy();
    await enforcing.close();
  }
});
