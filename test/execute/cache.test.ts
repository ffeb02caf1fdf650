// The stage response cache on one gateway (in-process shared state): hits answer without the
// integration, misses fill the cache, only 2xx answers are kept, entries are keyed by the cache
// key parameters, expire after their TTL and are evicted at the stage's size bound,
// `Cache-Control: max-age=0` follows each unauthorized-request strategy, and FlushStageCache
// empties the stage. Back ends are real node:http servers that count their calls; MOCK methods
// answer with their request id, so a replayed answer is visible.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CreateDeploymentCommand, CreateStageCommand, FlushStageCacheCommand, GetStageCommand, UpdateStageCommand,
  type APIGatewayClient, type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { UNAUTHORIZED_CACHE_CONTROL_WARNING } from '../../src/cache/index.ts';
import { until } from '../helpers/processes.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, putMethod, resourcePath, startBackend, type Answer, type Backend } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let backend: Backend;

before(async () => {
  // Each stage's cache is bounded at 1 MiB here (--stage-cache-max-mb), so eviction is reachable.
  gh = await startTestGatehouse({ stageCacheMaxMb: 1 });
  client = apiGatewayClient(gh.url);
  // Answers with how many calls it has had and what it was asked; ?status=N answers N, ?size=N pads the body to N bytes.
  backend = await startBackend((req, _body, res) => {
    const url = new URL(req.url!, 'http://backend');
    const status = Number(url.searchParams.get('status') ?? 200);
    const size = Number(url.searchParams.get('size') ?? 0);
    const body = JSON.stringify({ n: backend.requests.length, url: req.url, pad: 'x'.repeat(size) });
    res.writeHead(status, { 'content-type': 'application/json', 'x-backend': 'yes' });
    res.end(body);
  });
});

after(async () => {
  client.destroy();
  await gh.close();
  await backend.close();
});

/** Back-end calls whose URL starts with `prefix`. */
const calls = (prefix: string) => backend.requests.filter((r) => r.url.startsWith(prefix)).length;

const setting = (path: string, name: string, value: string): PatchOperation => ({ op: 'replace', path: `${path}/${name}`, value });

interface Api { id: string; stage: string }

/**
 * An API with GET /items (cache keys: the `type` query parameter and the `x-tenant` header),
 * GET /pets/{id} (no cache keys), GET /things/{id} (the path parameter as key), POST /items,
 * GET /big (key: `k`) and GET /mock (MOCK answering its request id), deployed to a stage with
 * a cache cluster and `settings` applied.
 */
async function cachedApi(name: string, settings: PatchOperation[], cacheClusterEnabled = true): Promise<Api> {
  const api = await createApi(client, name);
  const proxy = (path: string, extra: Record<string, unknown> = {}) => ({
    type: 'HTTP_PROXY' as const, integrationHttpMethod: 'ANY', uri: `${backend.url}/${name}${path}`, ...extra,
  });
  const items = await resourcePath(client, api.id, '/items');
  await putMethod(client, api.id, items, {
    httpMethod: 'GET',
    requestParameters: { 'method.request.querystring.type': false, 'method.request.header.x-tenant': false },
    integration: proxy('/items', { cacheKeyParameters: ['method.request.querystring.type', 'method.request.header.x-tenant'] }),
  });
  await putMethod(client, api.id, items, { httpMethod: 'POST', integration: proxy('/items') });
  const pets = await resourcePath(client, api.id, '/pets/{id}');
  await putMethod(client, api.id, pets, {
    httpMethod: 'GET',
    requestParameters: { 'method.request.path.id': true },
    integration: proxy('/pets/{id}', { requestParameters: { 'integration.request.path.id': 'method.request.path.id' } }),
  });
  const things = await resourcePath(client, api.id, '/things/{id}');
  await putMethod(client, api.id, things, {
    httpMethod: 'GET',
    requestParameters: { 'method.request.path.id': true },
    integration: proxy('/things/{id}', { requestParameters: { 'integration.request.path.id': 'method.request.path.id' }, cacheKeyParameters: ['method.request.path.id'] }),
  });
  const big = await resourcePath(client, api.id, '/big');
  await putMethod(client, api.id, big, {
    httpMethod: 'GET',
    requestParameters: { 'method.request.querystring.k': false },
    integration: proxy('/big', { cacheKeyParameters: ['method.request.querystring.k'] }),
  });
  const mock = await resourcePath(client, api.id, '/mock');
  await putMethod(client, api.id, mock, {
    httpMethod: 'GET',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"id": "$context.requestId"}' } }],
  });
  await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod', cacheClusterEnabled, cacheClusterSize: cacheClusterEnabled ? '0.5' : undefined }));
  if (settings.length > 0) await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: settings }));
  return { id: api.id, stage: 'prod' };
}

const CACHE_ALL = [setting('/*/*', 'caching/enabled', 'true')];

const get = (api: Api, path: string, headers: Record<string, string> = {}): Promise<Answer> => callStage(gh.url, api.id, api.stage, path, { headers });
const n = (a: Answer): number => JSON.parse(a.body).n;

/** A request signed with SigV4 (the AWS SDK's signer), as a caller with credentials sends it. */
async function signedHeaders(api: Api, path: string, extra: Record<string, string>): Promise<Record<string, string>> {
  const u = new URL(gh.url);
  const signer = new SignatureV4({ service: 'execute-api', region: REGION, sha256: Sha256, credentials: CREDENTIALS });
  const signed = await signer.sign({
    method: 'GET', protocol: 'http:', hostname: u.hostname, port: Number(u.port),
    path: `/restapis/${api.id}/${api.stage}/_user_request_${path}`, query: {}, headers: { host: u.host, ...extra },
  });
  return signed.headers as Record<string, string>;
}

describe('hits and misses', () => {
  it('a second GET is answered from the cache without calling the back end, and counted', async () => {
    const api = await cachedApi('hits', CACHE_ALL);
    const before = gh.cache.counts({ accountId: '000000000000', region: REGION, restApiId: api.id, stageName: 'prod' });
    assert.deepEqual({ ...before }, { hits: 0, misses: 0 });
    const first = await get(api, '/items?type=a');
    const second = await get(api, '/items?type=a');
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(second.body, first.body, 'the cached answer is the first one');
    assert.equal(second.headers['x-backend'], 'yes', 'headers are kept');
    assert.equal(calls('/hits/items'), 1);
    assert.notEqual(second.headers['x-amzn-requestid'], first.headers['x-amzn-requestid'], 'each answer has its own request id');
    assert.deepEqual({ ...gh.cache.counts({ accountId: '000000000000', region: REGION, restApiId: api.id, stageName: 'prod' }) }, { hits: 1, misses: 1 });
  });

  it('a MOCK method is cached too: its answer (here its request id) is replayed', async () => {
    const api = await cachedApi('mock', CACHE_ALL);
    const a = await get(api, '/mock');
    const b = await get(api, '/mock');
    assert.equal(a.status, 200);
    assert.equal(b.body, a.body);
    assert.equal(JSON.parse(a.body).id, a.headers['x-amzn-requestid']);
  });

  it('nothing is cached without a cache cluster, or without caching/enabled', async () => {
    const noCluster = await cachedApi('nocluster', CACHE_ALL, false);
    await get(noCluster, '/items');
    await get(noCluster, '/items');
    assert.equal(calls('/nocluster/items'), 2);
    const notEnabled = await cachedApi('notenabled', []);
    await get(notEnabled, '/items');
    await get(notEnabled, '/items');
    assert.equal(calls('/notenabled/items'), 2);
  });

  it('only GET is cached by the stage-wide setting; a POST method is cached through its own setting', async () => {
    const api = await cachedApi('verbs', CACHE_ALL);
    const post = (a: Api) => callStage(gh.url, a.id, a.stage, '/items', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await post(api);
    await post(api);
    assert.equal(calls('/verbs/items'), 2);
    const own = await cachedApi('verbsown', [...CACHE_ALL, setting('/~1items/POST', 'caching/enabled', 'true')]);
    await post(own);
    await post(own);
    assert.equal(calls('/verbsown/items'), 1);
  });

  it('a method whose own setting disables caching is not cached', async () => {
    const api = await cachedApi('optout', [...CACHE_ALL, setting('/~1items/GET', 'caching/enabled', 'false')]);
    await get(api, '/items');
    await get(api, '/items');
    assert.equal(calls('/optout/items'), 2);
    await get(api, '/mock');
  });

  it('only 2xx answers are cached', async () => {
    const api = await cachedApi('status', CACHE_ALL);
    for (const status of [404, 500, 404]) assert.equal((await get(api, `/items?status=${status}`)).status, status);
    // ?status is not a cache key: the 404s and 500 share one entry, which nothing filled.
    assert.equal(calls('/status/items'), 3);
    const ok = await get(api, '/items');
    assert.equal(ok.status, 200);
    assert.equal((await get(api, '/items?status=500')).body, ok.body, 'the 2xx then answers the same key');
    assert.equal(calls('/status/items'), 4);
  });
});

describe('cache keys', () => {
  it('requests that differ in a cache key parameter get entries of their own; other parameters share one', async () => {
    const api = await cachedApi('keys', CACHE_ALL);
    const a1 = await get(api, '/items?type=a&dept=1');
    const a2 = await get(api, '/items?type=a&dept=2');
    assert.equal(a2.body, a1.body, 'dept is not a cache key');
    const b = await get(api, '/items?type=b');
    assert.notEqual(b.body, a1.body);
    const none = await get(api, '/items');
    assert.notEqual(none.body, a1.body, 'an absent key parameter is its own entry');
    const empty = await get(api, '/items?type=');
    assert.notEqual(empty.body, none.body, 'an empty value is not an absent one');
    const repeated = await get(api, '/items?type=b&type=a');
    assert.notEqual(repeated.body, a1.body, 'every value of a repeated parameter counts');
    assert.equal(calls('/keys/items'), 5);
  });

  it('a header cache key splits entries by its value, whatever the name\'s case', async () => {
    const api = await cachedApi('headerkey', CACHE_ALL);
    const one = await get(api, '/items', { 'X-Tenant': 'one' });
    assert.equal((await get(api, '/items', { 'x-tenant': 'one' })).body, one.body);
    assert.notEqual((await get(api, '/items', { 'x-tenant': 'two' })).body, one.body);
    assert.equal(calls('/headerkey/items'), 2);
  });

  it('path parameters split entries only when they are cache keys', async () => {
    const api = await cachedApi('pathkey', CACHE_ALL);
    const pet1 = await get(api, '/pets/1');
    const pet2 = await get(api, '/pets/2');
    assert.equal(pet2.body, pet1.body, 'as on AWS: /pets/{id} without a cache key is one entry');
    const thing1 = await get(api, '/things/1');
    const thing2 = await get(api, '/things/2');
    assert.notEqual(thing2.body, thing1.body);
    assert.equal(JSON.parse(thing2.body).url, '/pathkey/things/2');
    assert.equal((await get(api, '/things/1')).body, thing1.body);
  });
});

describe('time to live', () => {
  it('an entry is served until its TTL passes, then the back end is called again', async () => {
    const api = await cachedApi('ttl', [...CACHE_ALL, setting('/*/*', 'caching/ttlInSeconds', '1')]);
    const first = await get(api, '/items');
    assert.equal((await get(api, '/items')).body, first.body);
    // Polls until the entry is gone (at least a second); the test's timeout bounds the wait.
    await until(async () => (await get(api, '/items')).body !== first.body, 100);
    assert.equal(calls('/ttl/items'), 2);
  });

  it('a TTL of 0 caches nothing', async () => {
    const api = await cachedApi('ttl0', [...CACHE_ALL, setting('/*/*', 'caching/ttlInSeconds', '0')]);
    await get(api, '/items');
    await get(api, '/items');
    assert.equal(calls('/ttl0/items'), 2);
  });
});

describe('Cache-Control: max-age=0', () => {
  const FRESH = { 'cache-control': 'max-age=0' };

  it('without required authorization, any caller gets a fresh answer that replaces the entry', async () => {
    const api = await cachedApi('inv-open', [...CACHE_ALL, setting('/*/*', 'caching/requireAuthorizationForCacheControl', 'false')]);
    const first = await get(api, '/items');
    const fresh = await get(api, '/items', { 'Cache-Control': 'no-cache, MAX-AGE=0' });
    assert.notEqual(fresh.body, first.body);
    assert.equal(fresh.headers.warning, undefined);
    assert.equal((await get(api, '/items')).body, fresh.body, 'the fresh answer replaced the entry');
    assert.equal(calls('/inv-open/items'), 2);
  });

  it('SUCCEED_WITH_RESPONSE_HEADER (the default): an unsigned caller gets the cached answer and a Warning', async () => {
    const api = await cachedApi('inv-warn', CACHE_ALL);
    const first = await get(api, '/items');
    const again = await get(api, '/items', FRESH);
    assert.equal(again.status, 200);
    assert.equal(again.body, first.body);
    assert.equal(again.headers.warning, UNAUTHORIZED_CACHE_CONTROL_WARNING);
    assert.equal(calls('/inv-warn/items'), 1);
    // On a miss too: the header was ignored, the answer is stored as usual.
    const miss = await get(api, '/items?type=new', FRESH);
    assert.equal(miss.headers.warning, UNAUTHORIZED_CACHE_CONTROL_WARNING);
    assert.equal((await get(api, '/items?type=new')).body, miss.body);
  });

  it('SUCCEED_WITHOUT_RESPONSE_HEADER: the cached answer, no Warning', async () => {
    const api = await cachedApi('inv-quiet', [...CACHE_ALL, setting('/*/*', 'caching/unauthorizedCacheControlHeaderStrategy', 'SUCCEED_WITHOUT_RESPONSE_HEADER')]);
    const first = await get(api, '/items');
    const again = await get(api, '/items', FRESH);
    assert.equal(again.body, first.body);
    assert.equal(again.headers.warning, undefined);
    assert.equal(calls('/inv-quiet/items'), 1);
  });

  it('FAIL_WITH_403: an unsigned caller is refused with 403 through ACCESS_DENIED, and the back end is not called', async () => {
    const api = await cachedApi('inv-403', [...CACHE_ALL, setting('/*/*', 'caching/unauthorizedCacheControlHeaderStrategy', 'FAIL_WITH_403')]);
    await get(api, '/items');
    const refused = await get(api, '/items', FRESH);
    assert.equal(refused.status, 403);
    assert.deepEqual(JSON.parse(refused.body), { message: 'Unauthorized' });
    assert.equal(refused.headers['x-amzn-errortype'], 'AccessDeniedException');
    assert.equal(calls('/inv-403/items'), 1);
    assert.equal((await get(api, '/items')).status, 200, 'without the header the cache answers');
  });

  it('a SigV4-signed caller may invalidate (--auth open: signatures are not verified), under every strategy', async () => {
    for (const strategy of ['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER']) {
      const name = `inv-signed-${strategy.toLowerCase().replace(/_/g, '-')}`;
      const api = await cachedApi(name, [...CACHE_ALL, setting('/*/*', 'caching/unauthorizedCacheControlHeaderStrategy', strategy)]);
      const first = await get(api, '/items');
      const fresh = await get(api, '/items', await signedHeaders(api, '/items', FRESH));
      assert.equal(fresh.status, 200, strategy);
      assert.notEqual(fresh.body, first.body, strategy);
      assert.equal(fresh.headers.warning, undefined, strategy);
      assert.equal((await get(api, '/items')).body, fresh.body, `${strategy}: the entry was replaced`);
      assert.equal(calls(`/${name}/items`), 2, strategy);
    }
  });
});

describe('size bound', () => {
  it('when an entry does not fit, the least recently used ones are evicted', async () => {
    const api = await cachedApi('evict', CACHE_ALL);
    // Three answers of ~400 KB do not fit in the 1 MiB bound; two do.
    const k1 = await get(api, '/big?k=1&size=400000');
    const k2 = await get(api, '/big?k=2&size=400000');
    assert.equal((await get(api, '/big?k=1&size=400000')).body, k1.body, 'k=1 is cached, and now the most recently used');
    assert.equal(calls('/evict/big'), 2);
    await get(api, '/big?k=3&size=400000');
    assert.equal(calls('/evict/big'), 3);
    assert.equal((await get(api, '/big?k=1&size=400000')).body, k1.body, 'k=1 stayed');
    assert.notEqual((await get(api, '/big?k=2&size=400000')).body, k2.body, 'k=2, the least recently used, was evicted');
    assert.equal(calls('/evict/big'), 4);
  });

  it('an answer larger than 1,048,576 bytes is not cached', async () => {
    const api = await cachedApi('huge', CACHE_ALL);
    await get(api, '/big?k=1&size=1100000');
    await get(api, '/big?k=1&size=1100000');
    assert.equal(calls('/huge/big'), 2);
  });
});

describe('the stage cache through the management API', () => {
  it('FlushStageCache empties the stage\'s cache (the AWS CLI\'s flush-stage-cache)', async () => {
    const api = await cachedApi('flush', CACHE_ALL);
    const a = await get(api, '/items?type=a');
    const b = await get(api, '/items?type=b');
    assert.equal((await get(api, '/items?type=a')).body, a.body);
    const flushed = await client.send(new FlushStageCacheCommand({ restApiId: api.id, stageName: api.stage }));
    assert.equal(flushed.$metadata.httpStatusCode, 202);
    assert.notEqual((await get(api, '/items?type=a')).body, a.body);
    assert.notEqual((await get(api, '/items?type=b')).body, b.body);
    assert.equal(calls('/flush/items'), 4);
    // Another stage's cache is untouched by this stage's flush.
    const other = await cachedApi('flush-other', CACHE_ALL);
    const kept = await get(other, '/items');
    await client.send(new FlushStageCacheCommand({ restApiId: api.id, stageName: api.stage }));
    assert.equal((await get(other, '/items')).body, kept.body);
  });

  it('cacheClusterStatus: the enabling call answers CREATE_IN_PROGRESS, GetStage then AVAILABLE; disabling answers DELETE_IN_PROGRESS, then NOT_AVAILABLE', async () => {
    const api = await cachedApi('status-life', [], false);
    const created = await client.send(new CreateStageCommand({
      restApiId: api.id, stageName: 'beta', deploymentId: (await client.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }))).deploymentId!,
      cacheClusterEnabled: true, cacheClusterSize: '1.6',
    }));
    assert.equal(created.cacheClusterStatus, 'CREATE_IN_PROGRESS');
    const got = await client.send(new GetStageCommand({ restApiId: api.id, stageName: 'beta' }));
    assert.deepEqual([got.cacheClusterEnabled, got.cacheClusterSize, got.cacheClusterStatus], [true, '1.6', 'AVAILABLE']);
    const off = await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'beta', patchOperations: [{ op: 'replace', path: '/cacheClusterEnabled', value: 'false' }] }));
    assert.equal(off.cacheClusterStatus, 'DELETE_IN_PROGRESS');
    assert.equal((await client.send(new GetStageCommand({ restApiId: api.id, stageName: 'beta' }))).cacheClusterStatus, 'NOT_AVAILABLE');
    const on = await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/cacheClusterEnabled', value: 'true' }] }));
    assert.deepEqual([on.cacheClusterStatus, on.cacheClusterSize], ['CREATE_IN_PROGRESS', '0.5']);
    const unrelated = await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/description', value: 'x' }] }));
    assert.equal(unrelated.cacheClusterStatus, 'AVAILABLE');
    const created2 = await client.send(new CreateStageCommand({ restApiId: api.id, stageName: 'gamma', deploymentId: on.deploymentId! }));
    assert.equal(created2.cacheClusterStatus, 'NOT_AVAILABLE');
  });

  it('resizing or disabling the cache drops its entries; a stage setting change that leaves the cache keeps them', async () => {
    const api = await cachedApi('lifecycle', CACHE_ALL);
    const first = await get(api, '/items');
    await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: api.stage, patchOperations: [{ op: 'replace', path: '/description', value: 'kept' }] }));
    assert.equal((await get(api, '/items')).body, first.body, 'the entry outlives a recompiled stage');
    await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: api.stage, patchOperations: [{ op: 'replace', path: '/cacheClusterSize', value: '1.6' }] }));
    const resized = await get(api, '/items');
    assert.notEqual(resized.body, first.body, 'AWS: resizing deletes all cached data');
    await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: api.stage, patchOperations: [{ op: 'replace', path: '/cacheClusterEnabled', value: 'false' }] }));
    await get(api, '/items');
    await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: api.stage, patchOperations: [{ op: 'replace', path: '/cacheClusterEnabled', value: 'true' }] }));
    const reenabled = await get(api, '/items');
    assert.notEqual(reenabled.body, resized.body, 'a re-enabled cache starts empty');
    assert.equal(calls('/lifecycle/items'), 4);
  });
});
