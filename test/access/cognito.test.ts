// COGNITO_USER_POOLS authorizers end to end: a real Gatehouse started with --jwks-issuer mappings
// to local issuers (node:http JWKS servers with keys made by jose), APIs built with the AWS SDK,
// deployed, and called over HTTP with real JWTs signed by jose — good ones, and every kind of bad
// one a client or an attacker sends.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { PutGatewayResponseCommand, PutIntegrationCommand, PutMethodCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SignJWT } from 'jose';
import pino from 'pino';
import { configureLog } from '../../src/observe/log.ts';
import type { Gatehouse } from '../../src/server.ts';
import { freePort } from '../helpers/private-services.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, resourcePath, type Answer } from '../execute/helpers.ts';
import { ROLE, zip } from '../lambda/helpers.ts';
import {
  accessClaims, cognitoAuthorizer, guardedMock, idClaims, mint, poolArn, signingKey, startIssuer, type SigningKey, type TestIssuer,
} from './cognito-helpers.ts';

const POOL_A = poolArn('PoolA');
const POOL_B = poolArn('PoolB', 'eu-west-1');
const POOL_R = poolArn('PoolRotate');
const POOL_DEAD = poolArn('PoolDead');
const POOL_UNMAPPED = poolArn('PoolNobody');

const CLAIMS_TEMPLATE = '{"sub":"$context.authorizer.claims.sub","email":"$context.authorizer.claims.email",' +
  '"verified":"$context.authorizer.claims.email_verified","role":"$context.authorizer.claims[\'custom:role\']",' +
  '"groups":"$context.authorizer.claims[\'cognito:groups\']","exp":"$context.authorizer.claims.exp",' +
  '"authTime":"$context.authorizer.claims.auth_time","tokenUse":"$context.authorizer.claims.token_use"}';

let gh: Gatehouse;
let client: APIGatewayClient;
let lambda: LambdaClient;
let keyA: SigningKey;
let keyB: SigningKey;
let keyR1: SigningKey;
let keyR2: SigningKey;
let stranger: SigningKey;
let issuerA: TestIssuer;
let issuerB: TestIssuer;
let issuerR: TestIssuer;
let deadIssuer: string;
let apiId: string;
const logLines: string[] = [];

const get = (path: string, headers: Record<string, string> = {}): Promise<Answer> => callStage(gh.url, apiId, 'test', path, { headers });
const bearer = (token: string): Record<string, string> => ({ Authorization: token });

function assertUnauthorized(r: Answer, what: string): void {
  assert.equal(r.status, 401, `${what}: ${r.status} ${r.body}`);
  assert.deepEqual(JSON.parse(r.body), { message: 'Unauthorized' }, what);
  assert.equal(r.headers['x-amzn-errortype'], 'UnauthorizedException', what);
}

/** The Cognito authorizer's own log lines (the server also logs every failed request). */
const authorizerLines = (): string[] =>
  logLines.map((l) => String(JSON.parse(l).msg)).filter((msg) => msg.startsWith('Cognito authorizer'));

function assertConfigurationError(r: Answer, what: string): void {
  assert.equal(r.status, 500, `${what}: ${r.status} ${r.body}`);
  assert.deepEqual(JSON.parse(r.body), { message: null }, what);
  assert.equal(r.headers['x-amzn-errortype'], 'AuthorizerConfigurationException', what);
}

before(async () => {
  configureLog('info', {
    logger: pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } })),
  });
  [keyA, keyB, keyR1, keyR2, stranger] = await Promise.all(['a1', 'b1', 'r1', 'r2', 'a1'].map((kid) => signingKey(kid)));
  issuerA = await startIssuer('pool-a', [keyA]);
  issuerB = await startIssuer('pool-b', [keyB], { discovery: true });
  issuerR = await startIssuer('pool-r', [keyR1]);
  deadIssuer = `http://127.0.0.1:${await freePort()}/pool-dead`;
  gh = await startTestGatehouse({
    jwksIssuers: [`${POOL_A}=${issuerA.issuer}`, `${POOL_B}=${issuerB.issuer}`, `${POOL_R}=${issuerR.issuer}`, `${POOL_DEAD}=${deadIssuer}`].join(','),
  });
  client = apiGatewayClient(gh.url);
  lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });

  const api = await createApi(client, 'cognito-pets');
  apiId = api.id;
  const authA = await cognitoAuthorizer(client, apiId, 'pool-a', [POOL_A]);
  const authB = await cognitoAuthorizer(client, apiId, 'pool-b', [POOL_B], { identitySource: 'method.request.header.X-Id-Token' });
  const authClient = await cognitoAuthorizer(client, apiId, 'pool-a-client', [POOL_A], { identityValidationExpression: '7ekqd0ab3[a-z]+' });
  const authUnmapped = await cognitoAuthorizer(client, apiId, 'nobody', [POOL_UNMAPPED]);
  const authMixed = await cognitoAuthorizer(client, apiId, 'mixed', [POOL_UNMAPPED, POOL_A]);
  const authR = await cognitoAuthorizer(client, apiId, 'rotating', [POOL_R]);
  const authDead = await cognitoAuthorizer(client, apiId, 'dead', [POOL_DEAD]);
  const at = async (path: string) => ({ restApiId: apiId, resourceId: await resourcePath(client, apiId, path) });
  const SUB = '{"sub":"$context.authorizer.claims.sub"}';
  await guardedMock(client, await at('/claims'), authA, CLAIMS_TEMPLATE);
  await guardedMock(client, await at('/scoped'), authA, '{"sub":"$context.authorizer.claims.sub","scope":"$context.authorizer.claims.scope"}', ['pets/read', 'pets/write']);
  await guardedMock(client, await at('/b'), authB, SUB);
  await guardedMock(client, await at('/client'), authClient, SUB);
  await guardedMock(client, await at('/unmapped'), authUnmapped, SUB);
  await guardedMock(client, await at('/mixed'), authMixed, SUB);
  await guardedMock(client, await at('/rotation'), authR, SUB);
  await guardedMock(client, await at('/dead'), authDead, SUB);

  // AWS_PROXY: the function answers with the requestContext.authorizer it was given.
  await lambda.send(new CreateFunctionCommand({
    FunctionName: 'echo-authorizer', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler',
    Code: { ZipFile: zip({ 'index.js': 'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer ?? null) });' }) },
  }));
  const proxy = await at('/proxy');
  await client.send(new PutMethodCommand({ ...proxy, httpMethod: 'GET', authorizationType: 'COGNITO_USER_POOLS', authorizerId: authA }));
  await client.send(new PutIntegrationCommand({
    ...proxy, httpMethod: 'GET', type: 'AWS_PROXY', integrationHttpMethod: 'POST',
    uri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:000000000000:function:echo-authorizer/invocations`,
  }));
  await deploy(client, apiId, 'test');
});

after(async () => {
  lambda?.destroy();
  client?.destroy();
  await gh?.close();
  await Promise.all([issuerA?.close(), issuerB?.close(), issuerR?.close()]);
});

describe('a good token', () => {
  test('an ID token in the Authorization header reaches the integration, its claims in $context.authorizer.claims as strings', async () => {
    const token = await mint(keyA, issuerA.issuer, idClaims('alice', { 'custom:role': 'vet', 'cognito:groups': ['admins', 'vets'] }));
    const r = await get('/claims', bearer(token));
    assert.equal(r.status, 200, r.body);
    const body = JSON.parse(r.body);
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;
    assert.deepEqual({ ...body, exp: undefined }, {
      sub: 'alice', email: 'alice@example.com', verified: 'true', role: 'vet', groups: 'admins,vets', exp: undefined, authTime: '1700000000', tokenUse: 'id',
    });
    // exp as API Gateway prints it (java.util.Date in UTC): "Wed Nov 06 03:28:48 UTC 2019".
    assert.match(body.exp, /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d \d\d:\d\d:\d\d UTC \d{4}$/);
    assert.equal(new Date(body.exp.replace(' UTC', '') + ' UTC').getTime(), exp * 1000);
  });

  test('"Bearer " before the token is accepted, as AWS accepts it', async () => {
    const token = await mint(keyA, issuerA.issuer, idClaims('bob'));
    for (const value of [`Bearer ${token}`, `bearer ${token}`]) {
      const r = await get('/claims', bearer(value));
      assert.equal(r.status, 200, r.body);
      assert.equal(JSON.parse(r.body).sub, 'bob');
    }
  });

  test('an access token granting one of the method\'s scopes passes a method with authorizationScopes', async () => {
    const token = await mint(keyA, issuerA.issuer, accessClaims('carol', 'openid pets/write'));
    const r = await get('/scoped', bearer(token));
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { sub: 'carol', scope: 'openid pets/write' });
  });

  test('the authorizer\'s identity source names the header; the issuer\'s keys are found through its discovery document', async () => {
    const token = await mint(keyB, issuerB.issuer, idClaims('dave'));
    assert.equal((await get('/b', { 'X-Id-Token': token })).status, 200);
    assertUnauthorized(await get('/b', bearer(token)), 'the token in Authorization, not X-Id-Token');
    assert.equal(issuerB.discoveryFetches(), 1);
  });

  test('the AWS_PROXY event carries the claims in requestContext.authorizer.claims', async () => {
    const token = await mint(keyA, issuerA.issuer, idClaims('erin', { 'custom:tier': 'gold' }));
    const r = await get('/proxy', bearer(token));
    assert.equal(r.status, 200, r.body);
    const authorizer = JSON.parse(r.body);
    assert.deepEqual(Object.keys(authorizer), ['claims']);
    assert.equal(authorizer.claims.sub, 'erin');
    assert.equal(authorizer.claims['custom:tier'], 'gold');
    assert.equal(authorizer.claims.email_verified, 'true');
    assert.equal(authorizer.claims.iss, issuerA.issuer);
    assert.match(authorizer.claims.iat, / UTC \d{4}$/);
  });

  test('a pool list with an unmapped pool still admits the mapped pool\'s tokens', async () => {
    const r = await get('/mixed', bearer(await mint(keyA, issuerA.issuer, idClaims('frank'))));
    assert.equal(r.status, 200, r.body);
  });

  test('identityValidationExpression admits an ID token whose aud (the app client) matches it', async () => {
    const r = await get('/client', bearer(await mint(keyA, issuerA.issuer, idClaims('gina'))));
    assert.equal(r.status, 200, r.body);
    assertUnauthorized(await get('/client', bearer(await mint(keyA, issuerA.issuer, idClaims('gina', { aud: 'another-client' })))), 'another app client');
  });

  test('the issuer\'s keys are fetched once for many tokens', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await get('/b', { 'X-Id-Token': await mint(keyB, issuerB.issuer, idClaims(`user${i}`)) });
      assert.equal(r.status, 200);
    }
    assert.equal(issuerB.jwksFetches(), 1);
    assert.equal(issuerB.discoveryFetches(), 1);
  });
});

describe('a refused token answers 401 {"message":"Unauthorized"}', () => {
  test('no token, or an empty one', async () => {
    assertUnauthorized(await get('/claims'), 'no Authorization header');
    assertUnauthorized(await get('/claims', bearer('')), 'empty header');
    assertUnauthorized(await get('/claims', bearer('Bearer ')), 'Bearer and nothing');
  });

  test('an expired token, one not yet valid, one without exp', async () => {
    assertUnauthorized(await get('/claims', bearer(await mint(keyA, issuerA.issuer, idClaims('old'), { expiresIn: -60 }))), 'expired');
    const now = Math.floor(Date.now() / 1000);
    assertUnauthorized(await get('/claims', bearer(await mint(keyA, issuerA.issuer, idClaims('early', { nbf: now + 600 })))), 'nbf in the future');
    const noExp = await new SignJWT(idClaims('forever')).setProtectedHeader({ alg: 'RS256', kid: keyA.kid }).setIssuer(issuerA.issuer).sign(keyA.privateKey);
    assertUnauthorized(await get('/claims', bearer(noExp)), 'no exp');
  });

  test('a token that was good is refused once it expires (a remembered verification ends at exp)', async () => {
    const token = await mint(keyA, issuerA.issuer, idClaims('brief'), { expiresIn: 2 });
    assert.equal((await get('/claims', bearer(token))).status, 200);
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    assertUnauthorized(await get('/claims', bearer(token)), 'after exp');
  });

  test('a token from another issuer: one no authorizer knows, and a mapped pool that is not this authorizer\'s', async () => {
    assertUnauthorized(await get('/claims', bearer(await mint(keyA, 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Evil', idClaims('mallory')))), 'unknown issuer');
    assertUnauthorized(await get('/claims', bearer(await mint(keyB, issuerB.issuer, idClaims('mallory')))), 'pool B token on pool A method');
  });

  test('a forged signature: another key under the same kid, a tampered payload', async () => {
    assertUnauthorized(await get('/claims', bearer(await mint(stranger, issuerA.issuer, idClaims('mallory')))), 'signed by another key');
    const good = await mint(keyA, issuerA.issuer, idClaims('alice'));
    const [h, , s] = good.split('.');
    const payload = Buffer.from(JSON.stringify({ ...idClaims('root'), iss: issuerA.issuer, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    assertUnauthorized(await get('/claims', bearer(`${h}.${payload}.${s}`)), 'tampered payload');
  });

  test('an unknown kid', async () => {
    assertUnauthorized(await get('/claims', bearer(await mint(stranger, issuerA.issuer, idClaims('mallory'), { kid: 'not-published' }))), 'unknown kid');
  });

  test('alg none, and a MAC (HS256) keyed with anything', async () => {
    const claims = Buffer.from(JSON.stringify({ ...idClaims('mallory'), iss: issuerA.issuer, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${claims}.`;
    assertUnauthorized(await get('/claims', bearer(none)), 'alg none');
    const hs = await new SignJWT({ ...idClaims('mallory'), exp: Math.floor(Date.now() / 1000) + 600 })
      .setProtectedHeader({ alg: 'HS256', kid: keyA.kid }).setIssuer(issuerA.issuer).sign(new TextEncoder().encode(JSON.stringify(keyA.jwk)));
    assertUnauthorized(await get('/claims', bearer(hs)), 'HS256 keyed with the public JWK');
  });

  test('malformed tokens', async () => {
    const iss = Buffer.from(JSON.stringify({ iss: issuerA.issuer })).toString('base64url');
    for (const t of ['abc', 'a.b.c', '...', 'a.b', `x.${iss}.y`, `${iss}.${iss}.${iss}.${iss}`, 'ey.ey.ey', '%%%.%%%.%%%', Buffer.from([0xff, 0xfe]).toString('latin1')]) {
      assertUnauthorized(await get('/claims', bearer(t)), `malformed ${JSON.stringify(t)}`);
    }
  });

  test('a huge header: refused with 401 when the server reads it, with 431 when it is over the header limit', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: keyA.kid, pad: 'x'.repeat(10_000) })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ ...idClaims('big'), iss: issuerA.issuer, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    assertUnauthorized(await get('/claims', bearer(`${header}.${payload}.AAAA`)), 'a 13 KB token');
    const over = await get('/claims', bearer('x'.repeat(20_000)));
    assert.equal(over.status, 431);
  });

  test('a method without scopes refuses an access token; a method with scopes refuses an ID token and an access token without its scopes', async () => {
    assertUnauthorized(await get('/claims', bearer(await mint(keyA, issuerA.issuer, accessClaims('carol', 'pets/read')))), 'access token, no method scopes');
    assertUnauthorized(await get('/scoped', bearer(await mint(keyA, issuerA.issuer, idClaims('carol')))), 'ID token, method scopes');
    assertUnauthorized(await get('/scoped', bearer(await mint(keyA, issuerA.issuer, accessClaims('carol', 'openid pets/delete')))), 'none of the scopes');
    assertUnauthorized(await get('/scoped', bearer(await mint(keyA, issuerA.issuer, accessClaims('carol', 'pets/read/x')))), 'a scope only by prefix');
  });
});

describe('an authorizer that cannot verify answers 500 AuthorizerConfigurationException', () => {
  test('a pool no --jwks-issuer maps: 500, and one log line naming the flag to set', async () => {
    const token = await mint(keyA, issuerA.issuer, idClaims('alice'));
    for (let i = 0; i < 3; i++) assertConfigurationError(await get('/unmapped', bearer(token)), 'unmapped pool');
    // A token of the unmapped pool's own Cognito issuer at a method whose other pool is mapped.
    const cognitoIssuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_PoolNobody';
    assertConfigurationError(await get('/mixed', bearer(await mint(keyA, cognitoIssuer, idClaims('alice')))), 'the unmapped pool\'s token');
    // Each failed request has its own line in the server log; the authorizer's own line is written once.
    const lines = authorizerLines().filter((msg) => msg.includes(POOL_UNMAPPED));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.ok(lines[0]!.includes(`--jwks-issuer ${POOL_UNMAPPED}=ISSUER_URL`), lines[0]);
  });

  test('an issuer whose keys cannot be fetched', async () => {
    assertConfigurationError(await get('/dead', bearer(await mint(keyA, deadIssuer, idClaims('alice')))), 'unreachable issuer');
    assertConfigurationError(await get('/dead', bearer(await mint(keyA, deadIssuer, idClaims('bob')))), 'unreachable issuer, again');
    assert.equal(authorizerLines().filter((msg) => msg.includes(deadIssuer) && msg.includes('could not be fetched')).length, 1);
    // A token of another issuer is still refused without asking anyone.
    assertUnauthorized(await get('/dead', bearer(await mint(keyA, issuerA.issuer, idClaims('alice')))), 'not the dead pool\'s token');
  });
});

test('a rotated key: the issuer\'s new kid is fetched, the retired key no longer verifies new tokens', async () => {
  assert.equal((await get('/rotation', bearer(await mint(keyR1, issuerR.issuer, idClaims('ron'))))).status, 200);
  assert.equal(issuerR.jwksFetches(), 1);
  issuerR.published.splice(0, issuerR.published.length, keyR2);
  const rotated = await mint(keyR2, issuerR.issuer, idClaims('ron'));
  // jose refetches for an unknown kid at most once per cooldown (5 s) after the last fetch.
  for (;;) {
    const r = await get('/rotation', bearer(rotated));
    if (r.status === 200) break;
    assertUnauthorized(r, 'before the refetch');
    await new Promise((res) => setTimeout(res, 250));
  }
  assert.equal(issuerR.jwksFetches(), 2);
  assertUnauthorized(await get('/rotation', bearer(await mint(keyR1, issuerR.issuer, idClaims('ron')))), 'a new token signed by the retired key');
});

test('customised gateway responses apply to the authorizer\'s answers', async () => {
  const api = await createApi(client, 'cognito-custom');
  const auth = await cognitoAuthorizer(client, api.id, 'pool-a', [POOL_A]);
  await guardedMock(client, { restApiId: api.id, resourceId: await resourcePath(client, api.id, '/me') }, auth, '{"sub":"$context.authorizer.claims.sub"}');
  await client.send(new PutGatewayResponseCommand({
    restApiId: api.id, responseType: 'UNAUTHORIZED', statusCode: '401',
    responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer realm=\"pets\"'" },
    responseTemplates: { 'application/json': '{"error":"$context.error.responseType","detail":$context.error.messageString}' },
  }));
  await deploy(client, api.id, 'prod');
  const r = await callStage(gh.url, api.id, 'prod', '/me', { headers: { Authorization: 'not-a-token' } });
  assert.equal(r.status, 401);
  assert.deepEqual(JSON.parse(r.body), { error: 'UNAUTHORIZED', detail: 'Unauthorized' });
  assert.equal(r.headers['www-authenticate'], 'Bearer realm="pets"');
});
