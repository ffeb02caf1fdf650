// Lambda authorizers end to end: real Node functions deployed to Gatehouse's Lambda service,
// APIs built and deployed with the AWS SDK v3, stages called over HTTP. The guide's TOKEN
// example, a REQUEST authorizer on a header and a query string, identityValidationExpression,
// the cache (once per TTL per identity, evaluated per method, flushed by
// FlushStageAuthorizersCache), $context.authorizer in templates and the AWS_PROXY event, AWS's
// answers through customisable gateway responses, hostile input, and TestInvokeAuthorizer.
// Invocations are counted by a back end the functions report each call to.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  FlushStageAuthorizersCacheCommand, PutGatewayResponseCommand, TestInvokeAuthorizerCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, rejects, startTestGatehouse } from '../helpers/server.ts';
import {
  ACCOUNT, authorizerUri, call, COUNTING_AUTHORIZER, createAuthorizedApi, createFunction, deployStage, GUIDE_TOKEN_AUTHORIZER, PROXY_ECHO,
  REGION, startCounter, type AuthorizedApi, type Counter,
} from './lambda-authorizer-helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let lambda: LambdaClient;
let counter: Counter;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  counter = await startCounter();
  await createFunction(lambda, 'guide-authorizer', GUIDE_TOKEN_AUTHORIZER);
  await createFunction(lambda, 'counting-authorizer', COUNTING_AUTHORIZER, { COUNTER_URL: counter.url });
  await createFunction(lambda, 'proxy-echo', PROXY_ECHO);
});

after(async () => {
  lambda.destroy();
  client.destroy();
  await gh.close();
  await counter.close();
});

const CONFIG_ERROR = { status: 500, body: { message: null }, errorType: 'AuthorizerConfigurationException' };

function assertAnswer(r: { status: number; headers: Headers; json: unknown }, want: { status: number; body: unknown; errorType?: string }): void {
  assert.equal(r.status, want.status);
  assert.deepEqual(r.json, want.body);
  if (want.errorType !== undefined) assert.equal(r.headers.get('x-amzn-errortype'), want.errorType);
}

describe('the guide\'s TOKEN authorizer', () => {
  let api: AuthorizedApi;
  before(async () => {
    api = await createAuthorizedApi(client, 'guide', { type: 'TOKEN', authorizerUri: authorizerUri('guide-authorizer'), identitySource: 'method.request.header.Authorization' });
    await deployStage(client, api.restApiId, 'test');
  });
  const get = (token?: string, path = '/pets/1') => call(gh.url, api.restApiId, 'test', path, token === undefined ? {} : { Authorization: token });

  test('"allow" is let through, and the principal reaches $context.authorizer.principalId', async () => {
    const r = await get('allow');
    assert.equal(r.status, 200);
    assert.equal(r.json.principalId, 'user');
  });

  test('"deny" answers 403 with the explicit-deny message', async () => {
    assertAnswer(await get('deny'), { status: 403, body: { message: 'User is not authorized to access this resource with an explicit deny' }, errorType: 'AccessDeniedException' });
  });

  test('"unauthorized" (context.fail("Unauthorized")) answers 401 Unauthorized', async () => {
    assertAnswer(await get('unauthorized'), { status: 401, body: { message: 'Unauthorized' }, errorType: 'UnauthorizedException' });
  });

  test('any other token makes the function fail: 500 {"message":null}, AuthorizerConfigurationException', async () => {
    assertAnswer(await get('fail'), CONFIG_ERROR);
  });

  test('no token, or an empty one, answers 401 without calling the function', async () => {
    assertAnswer(await get(), { status: 401, body: { message: 'Unauthorized' }, errorType: 'UnauthorizedException' });
    assertAnswer(await get(''), { status: 401, body: { message: 'Unauthorized' } });
  });

  test('a method without authorization is not touched', async () => {
    const r = await get(undefined, '/open');
    assert.equal(r.status, 200);
    assert.equal(r.json.principalId, '');
  });
});

describe('a cached TOKEN authorizer (TTL 300) with an identity validation expression', () => {
  let api: AuthorizedApi;
  before(async () => {
    api = await createAuthorizedApi(client, 'cached', {
      type: 'TOKEN', authorizerUri: authorizerUri('counting-authorizer'), identitySource: 'method.request.header.Authorization',
      identityValidationExpression: '[A-Za-z0-9-]+', authorizerResultTtlInSeconds: 300,
    }, 'proxy-echo');
    await deployStage(client, api.restApiId, 'test');
  });
  const get = (token: string, path = '/pets/1') => call(gh.url, api.restApiId, 'test', path, { Authorization: token });

  test('the function gets AWS\'s TOKEN event with the request\'s own method ARN', async () => {
    const r = await get('event-check', '/pets/7');
    assert.equal(r.status, 200);
    const events = counter.events.filter((e) => e.authorizationToken === 'event-check');
    assert.deepEqual(events, [{ type: 'TOKEN', methodArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${api.restApiId}/test/GET/pets/7`, authorizationToken: 'event-check' }]);
  });

  test('a token the expression refuses answers 401 without calling the function', async () => {
    assertAnswer(await get('Bearer abc'), { status: 401, body: { message: 'Unauthorized' } });
    assert.equal(counter.count('Bearer abc'), 0);
  });

  test('once per TTL per identity: the cached policy answers every method, allowing or denying each by its own ARN', async () => {
    assert.equal((await get('alice', '/pets/1')).status, 200);
    assert.equal((await get('alice', '/pets/2')).status, 200);
    assertAnswer(await get('alice', '/other'), { status: 403, body: { message: 'User is not authorized to access this resource' }, errorType: 'AccessDeniedException' });
    assertAnswer(await get('alice', '/pets/secret'), { status: 403, body: { message: 'User is not authorized to access this resource with an explicit deny' } });
    assert.equal(counter.count('alice'), 1);
    assert.equal((await get('bob', '/pets/1')).status, 200);
    assert.equal(counter.count('bob'), 1);
    assert.equal(counter.count('alice'), 1);
  });

  test('the result reaches $context.authorizer.* (stringified), a cached one with integrationLatency 0', async () => {
    const first = await get('carol');
    assert.equal(first.status, 200);
    assert.equal(first.json.principalId, 'user-carol');
    assert.equal(first.json.stringKey, 'value');
    assert.equal(first.json.numberKey, '1');
    assert.equal(first.json.booleanKey, 'true');
    assert.match(first.json.latency, /^\d+$/);
    const cached = await get('carol');
    assert.equal(cached.json.latency, '0');
  });

  test('and the AWS_PROXY event\'s requestContext.authorizer', async () => {
    const r = await get('dave', '/proxy');
    assert.equal(r.status, 200);
    const { authorizer } = r.json;
    assert.equal(authorizer.principalId, 'user-dave');
    assert.equal(authorizer.stringKey, 'value');
    assert.equal(authorizer.numberKey, '1');
    assert.equal(authorizer.booleanKey, 'true');
    assert.equal(typeof authorizer.integrationLatency, 'number');
    assert.equal(JSON.parse(authorizer.event).authorizationToken, 'dave');
  });

  test('FlushStageAuthorizersCache empties the stage\'s cache: the next request calls the function again', async () => {
    await get('erin');
    await get('erin');
    assert.equal(counter.count('erin'), 1);
    await client.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.restApiId, stageName: 'test' }));
    assert.equal((await get('erin')).status, 200);
    assert.equal(counter.count('erin'), 2);
    await rejects(client.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.restApiId, stageName: 'nope' })), 'NotFoundException');
  });

  test('"Unauthorized" thrown answers 401; a failing function and malformed outputs answer 500 {"message":null}, and are never cached', async () => {
    assertAnswer(await get('unauthorized'), { status: 401, body: { message: 'Unauthorized' } });
    for (const token of ['boom', 'nested', 'no-policy', 'lower-effect', 'string']) {
      assertAnswer(await get(token), CONFIG_ERROR);
      assertAnswer(await get(token), CONFIG_ERROR);
      assert.equal(counter.count(token), 2, token);
    }
    assertAnswer(await get('deny-all'), { status: 403, body: { message: 'User is not authorized to access this resource with an explicit deny' } });
  });

  test('hostile input: an 8 KB token is cached like any other; a method ARN over 1600 bytes answers 414', async () => {
    const huge = 'x'.repeat(8192);
    const r = await get(huge);
    assert.equal(r.status, 200);
    assert.equal(r.json.principalId, 'long-8192');
    assert.equal((await get(huge, '/pets/2')).status, 200);
    assert.equal(counter.count(huge), 1);
    const long = await get('frank', `/pets/${'a'.repeat(1700)}`);
    assert.equal(long.status, 414);
    assert.equal(counter.count('frank'), 0);
  });

  test('a customised UNAUTHORIZED gateway response applies (after a redeployment, as on AWS)', async () => {
    await client.send(new PutGatewayResponseCommand({
      restApiId: api.restApiId, responseType: 'UNAUTHORIZED', statusCode: '401',
      responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer realm=\"pets\"'" },
      responseTemplates: { 'application/json': '{"error":"log in first","type":"$context.error.responseType"}' },
    }));
    await deployStage(client, api.restApiId, 'custom');
    const r = await call(gh.url, api.restApiId, 'custom', '/pets/1', { Authorization: 'unauthorized' });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { error: 'log in first', type: 'UNAUTHORIZED' });
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="pets"');
    const missing = await call(gh.url, api.restApiId, 'custom', '/pets/1');
    assert.deepEqual(missing.json, { error: 'log in first', type: 'UNAUTHORIZED' });
  });
});

describe('TTL 0, and a TTL that runs out', () => {
  test('with TTL 0 every request calls the function', async () => {
    const api = await createAuthorizedApi(client, 'uncached', {
      type: 'TOKEN', authorizerUri: authorizerUri('counting-authorizer'), identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 0,
    });
    await deployStage(client, api.restApiId, 'test');
    for (let i = 0; i < 3; i++) assert.equal((await call(gh.url, api.restApiId, 'test', '/pets/1', { Authorization: 'ttl-zero' })).status, 200);
    assert.equal(counter.count('ttl-zero'), 3);
  });

  test('with TTL 1 the function is called again once the result has expired', async () => {
    const api = await createAuthorizedApi(client, 'short', {
      type: 'TOKEN', authorizerUri: authorizerUri('counting-authorizer'), identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 1,
    });
    await deployStage(client, api.restApiId, 'test');
    await call(gh.url, api.restApiId, 'test', '/pets/1', { Authorization: 'ttl-one' });
    await new Promise((r) => setTimeout(r, 1200));
    await call(gh.url, api.restApiId, 'test', '/pets/1', { Authorization: 'ttl-one' });
    assert.equal(counter.count('ttl-one'), 2);
  });
});

describe('a REQUEST authorizer on a header and a query string', () => {
  let api: AuthorizedApi;
  before(async () => {
    api = await createAuthorizedApi(client, 'request', {
      type: 'REQUEST', authorizerUri: authorizerUri('counting-authorizer'),
      identitySource: 'method.request.header.HeaderAuth1, method.request.querystring.QueryString1', authorizerResultTtlInSeconds: 300,
    });
    await deployStage(client, api.restApiId, 'test', { StageVar1: 'stageValue1' });
  });
  const get = (path: string, headers: Record<string, string>) => call(gh.url, api.restApiId, 'test', path, headers);

  test('the function gets AWS\'s REQUEST event', async () => {
    const r = await get('/pets/1?QueryString1=queryValue1&QueryString1=q2', { HeaderAuth1: 'req-event', 'User-Agent': 'authorizer-test' });
    assert.equal(r.status, 200);
    const [e] = counter.events.filter((x) => (x.headers as Record<string, string>)?.HeaderAuth1 === 'req-event');
    assert.ok(e);
    assert.deepEqual(Object.keys(e), ['type', 'methodArn', 'resource', 'path', 'httpMethod', 'headers', 'multiValueHeaders', 'queryStringParameters',
      'multiValueQueryStringParameters', 'pathParameters', 'stageVariables', 'requestContext']);
    assert.equal(e.type, 'REQUEST');
    assert.equal(e.methodArn, `arn:aws:execute-api:${REGION}:${ACCOUNT}:${api.restApiId}/test/GET/pets/1`);
    assert.equal(e.resource, '/pets/{id}');
    assert.equal(e.path, '/pets/1');
    assert.equal(e.httpMethod, 'GET');
    assert.equal((e.headers as Record<string, string>)['User-Agent'], 'authorizer-test');
    assert.deepEqual((e.multiValueHeaders as Record<string, string[]>).HeaderAuth1, ['req-event']);
    assert.deepEqual(e.queryStringParameters, { QueryString1: 'q2' });
    assert.deepEqual(e.multiValueQueryStringParameters, { QueryString1: ['queryValue1', 'q2'] });
    assert.deepEqual(e.pathParameters, { id: '1' });
    assert.deepEqual(e.stageVariables, { StageVar1: 'stageValue1' });
    const rc = e.requestContext as Record<string, any>;
    assert.equal(rc.resourcePath, '/pets/{id}');
    assert.equal(rc.stage, 'test');
    assert.equal(rc.apiId, api.restApiId);
    assert.equal(rc.accountId, ACCOUNT);
    assert.equal(rc.httpMethod, 'GET');
    assert.equal(typeof rc.requestId, 'string');
    assert.equal(rc.identity.userAgent, 'authorizer-test');
    assert.equal(rc.authorizer, undefined);
  });

  test('a missing header or query string answers 401 without calling the function', async () => {
    assertAnswer(await get('/pets/1', { HeaderAuth1: 'req-missing' }), { status: 401, body: { message: 'Unauthorized' } });
    assertAnswer(await get('/pets/1?QueryString1=', { HeaderAuth1: 'req-missing' }), { status: 401, body: { message: 'Unauthorized' } });
    assertAnswer(await get('/pets/1?QueryString1=q', {}), { status: 401, body: { message: 'Unauthorized' } });
    assert.equal(counter.count('req-missing'), 0);
  });

  test('the cache is keyed by every identity source: the same pair is cached, another query value calls again', async () => {
    assert.equal((await get('/pets/1?QueryString1=a', { HeaderAuth1: 'req-key' })).status, 200);
    assert.equal((await get('/pets/2?QueryString1=a', { HeaderAuth1: 'req-key' })).status, 200);
    assert.equal(counter.count('req-key'), 1);
    assert.equal((await get('/pets/1?QueryString1=b', { HeaderAuth1: 'req-key' })).status, 200);
    assert.equal(counter.count('req-key'), 2);
  });
});

describe('TestInvokeAuthorizer runs the authorizer for real', () => {
  let guide: AuthorizedApi;
  let request: AuthorizedApi;
  before(async () => {
    guide = await createAuthorizedApi(client, 'ti-guide', { type: 'TOKEN', authorizerUri: authorizerUri('guide-authorizer'), identitySource: 'method.request.header.Authorization' });
    request = await createAuthorizedApi(client, 'ti-request', {
      type: 'REQUEST', authorizerUri: authorizerUri('counting-authorizer'), identitySource: 'method.request.header.HeaderAuth1, stageVariables.v',
    });
  });
  const invoke = (api: AuthorizedApi, extra: Record<string, unknown>) =>
    client.send(new TestInvokeAuthorizerCommand({ restApiId: api.restApiId, authorizerId: api.authorizerId, ...extra }));

  test('"allow": clientStatus 200, the principal, the policy, and the execution log', async () => {
    const r = await invoke(guide, { headers: { Authorization: 'allow' } });
    assert.equal(r.clientStatus, 200);
    assert.equal(r.principalId, 'user');
    const policy = JSON.parse(r.policy!);
    assert.equal(policy.Statement[0].Effect, 'Allow');
    assert.equal(policy.Statement[0].Resource, `arn:aws:execute-api:${REGION}:${ACCOUNT}:${guide.restApiId}/ESTestInvoke-stage/GET/`);
    assert.equal(typeof r.latency, 'number');
    assert.match(r.log!, /^Execution log for request test-request\n/);
    assert.match(r.log!, new RegExp(`Starting authorizer: ${guide.authorizerId} for request: test-request`));
    assert.match(r.log!, /Endpoint request body after transformations: \{"type":"TOKEN"/);
    assert.match(r.log!, /Successfully completed authorizer execution/);
    assert.doesNotMatch(r.log!, /: allow\b/, 'the token is masked in the log');
  });

  test('"deny" still returns its policy (200); "unauthorized" 401; a failing function 500; no token 401', async () => {
    const deny = await invoke(guide, { headers: { Authorization: 'deny' } });
    assert.equal(deny.clientStatus, 200);
    assert.equal(JSON.parse(deny.policy!).Statement[0].Effect, 'Deny');
    assert.equal((await invoke(guide, { headers: { Authorization: 'unauthorized' } })).clientStatus, 401);
    const failed = await invoke(guide, { headers: { Authorization: 'fail' } });
    assert.equal(failed.clientStatus, 500);
    assert.match(failed.log!, /AuthorizerConfigurationException/);
    assert.equal((await invoke(guide, {})).clientStatus, 401);
  });

  test('a REQUEST authorizer with the stage variables, path and query given; its context comes back as claims; never cached', async () => {
    const args = { headers: { HeaderAuth1: 'ti-req' }, stageVariables: { v: '1' }, pathWithQueryString: '/pets/1?a=b' };
    const r = await invoke(request, args);
    assert.equal(r.clientStatus, 200);
    assert.equal(r.principalId, 'user-ti-req');
    assert.equal(r.claims?.stringKey, 'value');
    assert.equal(r.claims?.numberKey, '1');
    const event = JSON.parse(r.claims!.event!);
    assert.equal(event.path, '/pets/1');
    assert.deepEqual(event.queryStringParameters, { a: 'b' });
    assert.deepEqual(event.stageVariables, { v: '1' });
    await invoke(request, args);
    assert.equal(counter.count('ti-req'), 2);
    assert.equal((await invoke(request, { headers: { HeaderAuth1: 'ti-req' } })).clientStatus, 401, 'the stage variable is an identity source');
  });
});
