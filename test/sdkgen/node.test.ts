// The generated SDKs from Node.js against a live stage of a gateway that enforces SigV4
// (--auth enforce): the javascript SDK as an ES module and as CommonJS, and the typescript SDK
// type-checked with the project's tsc (--strict) and then called, all through the stage's
// /restapis/{id}/{stage}/_user_request_ URL (Node cannot resolve *.execute-api.localhost; the
// browser test uses that form). Every method of the PetStore
// API, the API key method with and without the key, the AWS_IAM method signed by the SDK.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CreateDeploymentCommand, GetSdkCommand, PutIntegrationCommand, PutMethodCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { unzipSync, strFromU8 } from 'fflate';
import type { Gatehouse } from '../../src/server.ts';
import { resourcePath, type Backend } from '../execute/helpers.ts';
import { apiGateway, KEYS, startEnforcing } from '../iam/helpers.ts';
import { createPetStore, startEcho, type PetStore } from './helpers.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/** Unzips into a new temporary folder; returns it. */
function unzipTo(bytes: Uint8Array, dir: string): void {
  for (const [path, data] of Object.entries(unzipSync(bytes))) {
    if (path.endsWith('/')) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
}

interface Response { data: any; status: number; headers: Record<string, string> }
type Method = (params?: unknown, body?: unknown, additional?: unknown) => Promise<Response>;
type Client = Record<string, Method>;

/** Every method of the PetStore through `client` (as the page in the browser test does). */
async function exercise(newClient: (config: Record<string, unknown>) => Client, invokeUrl: string, store: PetStore): Promise<void> {
  const client = newClient({ invokeUrl, apiKey: store.apiKey, accessKey: KEYS.invoker.accessKeyId, secretKey: KEYS.invoker.secretAccessKey });
  assert.deepEqual((await client.rootGet!()).data, { root: true });
  // As AWS's examples call every method: params, body ({} even for a GET), additionalParams.
  assert.deepEqual((await client.rootGet!({}, {}, {})).data, { root: true });
  const list = await client.petsGet!({ type: 'dog', page: 2 });
  assert.equal(list.status, 200);
  assert.deepEqual(list.data, { type: 'dog', page: '2' });
  assert.deepEqual((await client.petsPost!({}, { type: 'cat', price: 12.5 })).data, { created: true, pet: { type: 'cat', price: 12.5 } });
  assert.deepEqual((await client.petsPetIdGet!({ petId: 'a b', 'x-trace': 't-1' })).data, { petId: 'a b', trace: 't-1' });
  assert.deepEqual((await client.petsPetIdDelete!({ petId: 7 })).data, { deleted: '7' });
  assert.deepEqual((await client.secretGet!()).data, { secret: 'opened' });
  const iam = await client.iamOnlyGet!({}, undefined, { queryParams: { q: 'x y' } });
  assert.equal(iam.data.userArn, 'arn:aws:iam::111111111111:user/invoker');
  // A signed path with characters that are escaped, and a signed body.
  const put = await client.iamOnlyItemPut!({ item: 'a b+c(1)' }, { n: 1 });
  assert.deepEqual(put.data, { item: 'a b+c(1)', body: { n: 1 } });
  await assert.rejects(client.petsPetIdGet!({}), /Missing required parameter: petId/);
  // Temporary credentials: the session token is sent (and signed) as x-amz-security-token.
  const session = newClient({ invokeUrl, accessKey: KEYS.session.accessKeyId, secretKey: KEYS.session.secretAccessKey, sessionToken: KEYS.session.sessionToken });
  assert.equal((await session.iamOnlyGet!()).data.userArn, 'arn:aws:sts::111111111111:assumed-role/deployer/ci');

  // Without the key and without credentials: the gateway's refusals, as a rejected promise.
  const bare = newClient({ invokeUrl });
  await assert.rejects(bare.secretGet!(), (err: Error & { response?: Response }) => {
    assert.equal(err.response?.status, 403);
    assert.deepEqual(err.response?.data, { message: 'Forbidden' });
    return true;
  });
  await assert.rejects(bare.iamOnlyGet!(), (err: Error & { response?: Response }) => {
    assert.equal(err.response?.status, 403);
    assert.equal(err.response?.data.message, 'Missing Authentication Token');
    return true;
  });
  const wrong = newClient({ invokeUrl, accessKey: KEYS.invoker.accessKeyId, secretKey: 'not-the-secret' });
  await assert.rejects(wrong.iamOnlyGet!(), (err: Error & { response?: Response }) => err.response?.status === 403);
}

describe('generated SDKs from Node.js', () => {
  let gh: Gatehouse;
  let echo: Backend;
  let admin: APIGatewayClient;
  let store: PetStore;
  let dir: string;
  let pathUrl: string;

  before(async () => {
    gh = await startEnforcing();
    admin = apiGateway(gh.url, KEYS.admin);
    echo = await startEcho();
    store = await createPetStore(admin, gh.url, KEYS.admin, echo.url);
    pathUrl = `${gh.url}/restapis/${store.restApiId}/prod/_user_request_`;
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-sdk-'));
  });
  after(async () => {
    admin.destroy();
    await gh.close();
    await echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sdk(type: string, parameters?: Record<string, string>): Promise<Uint8Array> {
    const out = await admin.send(new GetSdkCommand({ restApiId: store.restApiId, stageName: 'prod', sdkType: type, parameters }));
    assert.equal(out.contentType, 'application/octet-stream');
    assert.match(out.contentDisposition!, new RegExp(`^attachment; filename="${type}_\\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\dZ\\.zip"$`));
    return out.body!;
  }

  it('javascript: the ES module and the CommonJS module call every method', async () => {
    const bytes = await sdk('javascript', { invokeUrl: pathUrl });
    unzipTo(bytes, join(dir, 'js'));
    const root = join(dir, 'js', 'apiGateway-js-sdk');
    const esm = (await import(pathToFileURL(join(root, 'apigClient.mjs')).href)) as { default: { newClient: (c: Record<string, unknown>) => Client } };
    await exercise(esm.default.newClient, pathUrl, store);
    // The package.json's exports give require() the CommonJS file.
    const cjs = createRequire(import.meta.url)(root) as { newClient: (c: Record<string, unknown>) => Client };
    await exercise(cjs.newClient, pathUrl, store);
    // The baked URL is the one asked for: no invokeUrl in the config.
    const baked = esm.default.newClient({}) as Client;
    assert.deepEqual((await baked.rootGet!()).data, { root: true });
  });

  it('typescript: client.ts passes tsc --strict and calls every method', async () => {
    const bytes = await sdk('typescript', { invokeUrl: pathUrl });
    unzipTo(bytes, join(dir, 'ts'));
    const file = join(dir, 'ts', 'gatehouse-ts-sdk', 'client.ts');
    const source = readFileSync(file, 'utf8');
    assert.match(source, /export interface Pet \{/);
    assert.match(source, /type: "dog" \| "cat" \| "fish";/);
    assert.match(source, /export type Pets = Array<Pet>;/);
    assert.match(source, /petsPost\(params\?: PetsPostParams, body\?: Pet, additionalParams\?: AdditionalParams\): Promise<ApiResponse<Pet>>;/);
    // A use of the client that must type-check, and one that must not.
    const use = join(dir, 'ts', 'gatehouse-ts-sdk', 'use.ts');
    writeFileSync(use, `import { newClient } from './client.ts';
const c = newClient({ apiKey: 'k' });
export const ok = c.petsPetIdGet({ petId: 1, 'x-trace': 't' }).then((r) => r.data.price.toFixed(2));
export const posted = c.petsPost({}, { type: 'dog', price: 3, 'owner-name': null });
`);
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--allowImportingTsExtensions', '--lib', 'es2022,dom', file, use];
    await run(tsc, args, { cwd: dir });
    writeFileSync(use, `import { newClient } from './client.ts';\nnewClient().petsPost({}, { type: 'horse', price: 3 });\n`);
    await assert.rejects(run(tsc, args, { cwd: dir }), (err: { stdout: string }) => /"horse"/.test(err.stdout));
    const mod = (await import(pathToFileURL(file).href)) as { newClient: (c: Record<string, unknown>) => Client; ApiError: new (...a: never[]) => Error };
    await exercise(mod.newClient, pathUrl, store);
    await assert.rejects(mod.newClient({ invokeUrl: pathUrl }).secretGet!(), mod.ApiError);
  });

  it('the same deployment gives the same bytes', async () => {
    const a = await sdk('javascript', { invokeUrl: pathUrl });
    const b = await sdk('javascript', { invokeUrl: pathUrl });
    assert.deepEqual(Buffer.from(a), Buffer.from(b));
    const t1 = await sdk('typescript');
    const t2 = await sdk('typescript');
    assert.deepEqual(Buffer.from(t1), Buffer.from(t2));
    // The SDK is the stage's deployment's: a change to the API shows only once deployed.
    const resourceId = await resourcePath(admin, store.restApiId, '/later');
    await admin.send(new PutMethodCommand({ restApiId: store.restApiId, resourceId, httpMethod: 'GET', authorizationType: 'NONE' }));
    await admin.send(new PutIntegrationCommand({ restApiId: store.restApiId, resourceId, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    assert.deepEqual(Buffer.from(await sdk('typescript')), Buffer.from(t1));
    await admin.send(new CreateDeploymentCommand({ restApiId: store.restApiId, stageName: 'prod' }));
    const redeployed = strFromU8(unzipSync(await sdk('typescript'))['gatehouse-ts-sdk/client.ts']!);
    assert.match(redeployed, /laterGet\(params\?: LaterGetParams/);
    const files = unzipSync(await sdk('javascript'));
    assert.deepEqual(Object.keys(files), [
      'apiGateway-js-sdk/README.md', 'apiGateway-js-sdk/apigClient.js',
      'apiGateway-js-sdk/lib/apiGatewayCore/utils.js', 'apiGateway-js-sdk/lib/apiGatewayCore/sigV4Client.js',
      'apiGateway-js-sdk/lib/apiGatewayCore/simpleHttpClient.js', 'apiGateway-js-sdk/lib/apiGatewayCore/apiGatewayClient.js',
      'apiGateway-js-sdk/apigClient.mjs', 'apiGateway-js-sdk/apigClient.d.mts', 'apiGateway-js-sdk/apigClient.cjs', 'apiGateway-js-sdk/package.json',
    ]);
    // Without invokeUrl: this gateway's {id}.execute-api.localhost URL (its configured port; 0 here, so none).
    assert.match(strFromU8(files['apiGateway-js-sdk/apigClient.js']!), new RegExp(`"http://${store.restApiId}\\.execute-api\\.localhost/prod"`));
  });
});
