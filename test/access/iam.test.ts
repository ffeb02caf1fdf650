// AWS_IAM methods end to end (src/access/iam.ts): an API built and deployed through the SDK v3 on
// a gateway in --auth enforce, called with requests signed by @smithy/signature-v4 (the SDK's own
// signer) for execute-api, by both URL forms ({id}.execute-api.* host and /restapis/.../_user_request_),
// with the Authorization header and presigned. Allowed callers see $context.identity filled;
// AWS's 403s come through the API's gateway responses (a customised one too).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateDeploymentCommand, CreateRestApiCommand, PutGatewayResponseCommand, PutIntegrationCommand, PutIntegrationResponseCommand,
  PutMethodCommand, PutMethodResponseCommand, UpdateRestApiCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { resourcePath } from '../execute/helpers.ts';
import { ACCOUNT_A, ACCOUNT_B, apiGateway, KEYS, signedHttp, startEnforcing, type Credentials } from '../iam/helpers.ts';
import { startTestGatehouse } from '../helpers/server.ts';

const IDENTITY_TEMPLATE = JSON.stringify({
  accountId: '$context.identity.accountId',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  userArn: '$context.identity.userArn',
  accessKey: '$context.identity.accessKey',
  sourceIp: '$context.identity.sourceIp',
  q: "$input.params('q')",
});

/** An API with AWS_IAM on / (GET), /pets (GET, POST) and /pets/{id} (GET), and NONE on /open (GET), deployed to prod. */
async function iamApi(client: APIGatewayClient, name: string): Promise<string> {
  const api = await client.send(new CreateRestApiCommand({ name }));
  const id = api.id!;
  const root = await resourcePath(client, id, '/');
  const pets = await resourcePath(client, id, '/pets');
  const pet = await resourcePath(client, id, '/pets/{id}');
  const open = await resourcePath(client, id, '/open');
  const methods: Array<[string, string, 'AWS_IAM' | 'NONE']> = [[root, 'GET', 'AWS_IAM'], [pets, 'GET', 'AWS_IAM'], [pets, 'POST', 'AWS_IAM'], [pet, 'GET', 'AWS_IAM'], [open, 'GET', 'NONE']];
  for (const [resourceId, httpMethod, authorizationType] of methods) {
    const ids = { restApiId: id, resourceId, httpMethod };
    await client.send(new PutMethodCommand({ ...ids, authorizationType }));
    await client.send(new PutIntegrationCommand({ ...ids, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await client.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' }));
    await client.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', responseTemplates: { 'application/json': IDENTITY_TEMPLATE } }));
  }
  await client.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'prod' }));
  return id;
}

const ARN = (account: string, id: string, rest: string) => `arn:aws:execute-api:us-east-1:********${account.slice(-4)}:${id}/prod/${rest}`;

describe('AWS_IAM methods, --auth enforce', () => {
  let gh: Gatehouse;
  let admin: APIGatewayClient;
  let apiId: string;
  const hostOf = () => `${apiId}.execute-api.localhost:${new URL(gh.url).port}`;
  const call = (credentials: Credentials, path: string, options: Parameters<typeof signedHttp>[3] = {}) =>
    signedHttp(gh.url, `/restapis/${apiId}/prod/_user_request_${path}`, credentials, options);
  const callByHost = (credentials: Credentials, path: string, options: Parameters<typeof signedHttp>[3] = {}) =>
    signedHttp(gh.url, `/prod${path}`, credentials, { host: hostOf(), ...options });

  before(async () => {
    gh = await startEnforcing();
    admin = apiGateway(gh.url, KEYS.admin);
    apiId = await iamApi(admin, 'iam-methods');
  });
  after(async () => {
    admin.destroy();
    await gh.close();
  });

  it('a signed request of an allowed user is let in, with $context.identity filled', async () => {
    const r = await call(KEYS.invoker, '/pets?q=a%20b');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.accountId, ACCOUNT_A);
    assert.equal(r.json.userArn, `arn:aws:iam::${ACCOUNT_A}:user/invoker`);
    assert.match(r.json.caller, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(r.json.user, r.json.caller);
    assert.equal(r.json.accessKey, KEYS.invoker.accessKeyId);
    assert.equal(r.json.sourceIp, '127.0.0.1');
    assert.equal(r.json.q, 'a b');
  });

  it('by the {id}.execute-api host too, with a body, a query and the root resource as /prod and /prod/', async () => {
    const post = await callByHost(KEYS.invoker, '/pets?q=x&q=y', { method: 'POST', body: '{"name":"rex"}', headers: { 'content-type': 'application/json' } });
    assert.equal(post.status, 200, post.text);
    assert.equal((await callByHost(KEYS.invoker, '/')).status, 200);
    assert.equal((await signedHttp(gh.url, '/prod', KEYS.invoker, { host: hostOf() })).status, 200);
    assert.equal((await call(KEYS.invoker, '/pets/7')).status, 200);
  });

  it('a role session signs with its token; the caller is ROLEID:session', async () => {
    const r = await call(KEYS.session, '/pets');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.userArn, `arn:aws:sts::${ACCOUNT_A}:assumed-role/deployer/ci`);
    assert.match(r.json.caller, /^AROA[A-Z2-7]{17}:ci$/);
  });

  it('a presigned URL is let in until it expires', async () => {
    assert.equal((await call(KEYS.invoker, '/pets', { presignSeconds: 60 })).status, 200);
    const old = await call(KEYS.invoker, '/pets', { presignSeconds: 60, signingDate: new Date(Date.now() - 5 * 60_000) });
    assert.equal(old.status, 403);
    assert.equal(old.headers['x-amzn-errortype'], 'InvalidSignatureException');
    assert.match(old.json.message, /^Signature expired: /);
  });

  it('unsigned: 403 {"message":"Missing Authentication Token"}', async () => {
    const r = await call(KEYS.invoker, '/pets', { unsigned: true });
    assert.equal(r.status, 403);
    assert.equal(r.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    assert.deepEqual(r.json, { message: 'Missing Authentication Token' });
    // A NONE method of the same API needs nothing.
    assert.equal((await call(KEYS.invoker, '/open', { unsigned: true })).status, 200);
  });

  it('a wrong secret: 403 INVALID_SIGNATURE with the canonical request AWS expected', async () => {
    const r = await call({ accessKeyId: KEYS.invoker.accessKeyId, secretAccessKey: 'wrong' }, '/pets', { method: 'POST', body: '{}' });
    assert.equal(r.status, 403);
    assert.equal(r.headers['x-amzn-errortype'], 'InvalidSignatureException');
    assert.match(r.json.message, /^The request signature we calculated does not match the signature you provided\. .*\n\nThe Canonical String for this request should have been\n'POST\n\/restapis\/[a-z0-9]+\/prod\/_user_request_\/pets\n/s);
    // A body changed after signing is the same failure; the body as signed goes through.
    const path = `/restapis/${apiId}/prod/_user_request_/pets`;
    const tampered = await signedHttp(gh.url, path, KEYS.invoker, { method: 'POST', body: '{"n":1}', sentBody: '{"n":2}' });
    assert.equal(tampered.status, 403);
    assert.equal(tampered.headers['x-amzn-errortype'], 'InvalidSignatureException');
    assert.equal((await signedHttp(gh.url, path, KEYS.invoker, { method: 'POST', body: '{"n":1}' })).status, 200);
  });

  it('an unknown key, a skewed clock, an expired session: 403 with AWS\'s words', async () => {
    const unknown = await call({ accessKeyId: 'AKIANOSUCHKEY0000001', secretAccessKey: 'x' }, '/pets');
    assert.deepEqual([unknown.status, unknown.json], [403, { message: 'The security token included in the request is invalid.' }]);
    const skewed = await call(KEYS.invoker, '/pets', { signingDate: new Date(Date.now() - 16 * 60_000) });
    assert.equal(skewed.status, 403);
    assert.match(skewed.json.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    const expired = await call(KEYS.expiredSession, '/pets');
    assert.equal(expired.status, 403);
    assert.equal(expired.headers['x-amzn-errortype'], 'ExpiredTokenException');
    assert.deepEqual(expired.json, { message: 'The security token included in the request is expired' });
    const lambdaScoped = await call(KEYS.invoker, '/pets', { service: 'lambda' });
    assert.deepEqual([lambdaScoped.status, lambdaScoped.json], [403, { message: "Credential should be scoped to correct service: 'execute-api'. " }]);
  });

  it('a caller whose policies do not allow the call: 403 ACCESS_DENIED in IAM\'s words', async () => {
    // no-invoke: denied POST explicitly, allowed nothing else to invoke.
    const post = await call(KEYS.noInvoke, '/pets', { method: 'POST', body: '{}' });
    assert.equal(post.status, 403);
    assert.equal(post.headers['x-amzn-errortype'], 'AccessDeniedException');
    assert.deepEqual(post.json, { Message: `User: arn:aws:iam::${ACCOUNT_A}:user/no-invoke is not authorized to perform: execute-api:Invoke on resource: ${ARN(ACCOUNT_A, apiId, 'POST/pets')} with an explicit deny` });
    const get = await call(KEYS.noInvoke, '/pets/3');
    assert.deepEqual([get.status, get.json], [403, { Message: `User: arn:aws:iam::${ACCOUNT_A}:user/no-invoke is not authorized to perform: execute-api:Invoke on resource: ${ARN(ACCOUNT_A, apiId, 'GET/pets/3')}` }]);
  });

  it('another account\'s caller needs the API\'s resource policy: its own Allow is not enough', async () => {
    const r = await call(KEYS.adminB, '/pets');
    assert.equal(r.status, 403);
    assert.equal(r.json.Message, `User: arn:aws:iam::${ACCOUNT_B}:user/admin is not authorized to perform: execute-api:Invoke on resource: ${ARN(ACCOUNT_A, apiId, 'GET/pets')}`);
  });

  it('with a resource policy: another account gets in when both allow, the own account when either does', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${ACCOUNT_B}:root`, `arn:aws:iam::${ACCOUNT_A}:user/reader`] }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }],
    });
    const shared = await iamApi(admin, 'shared-with-b');
    await admin.send(new UpdateRestApiCommand({ restApiId: shared, patchOperations: [{ op: 'replace', path: '/policy', value: policy }] }));
    await admin.send(new CreateDeploymentCommand({ restApiId: shared, stageName: 'prod' }));
    const at = `/restapis/${shared}/prod/_user_request_/pets`;
    // Account B: its own policy allows everything, and the API's policy names it.
    assert.equal((await signedHttp(gh.url, at, KEYS.adminB)).status, 200);
    // reader: nothing in its own policies allows execute-api:Invoke, but the API's policy names it.
    assert.equal((await signedHttp(gh.url, at, KEYS.reader)).status, 200);
    // invoker: its own policies allow it, the API's policy is silent: same account, either suffices.
    assert.equal((await signedHttp(gh.url, at, KEYS.invoker)).status, 200);
    // no-invoke: its own explicit deny wins over the API's silence.
    assert.equal((await signedHttp(gh.url, at, KEYS.noInvoke, { method: 'POST', body: '{}' })).status, 403);
  });

  it('refusals go through the API\'s gateway responses: a customised MISSING_AUTHENTICATION_TOKEN applies', async () => {
    const other = await iamApi(admin, 'custom-responses');
    await admin.send(new PutGatewayResponseCommand({
      restApiId: other, responseType: 'MISSING_AUTHENTICATION_TOKEN', statusCode: '401',
      responseTemplates: { 'application/json': '{"error":"sign it","type":"$context.error.responseType"}' },
    }));
    await admin.send(new CreateDeploymentCommand({ restApiId: other, stageName: 'prod' }));
    const r = await signedHttp(gh.url, `/restapis/${other}/prod/_user_request_/pets`, KEYS.invoker, { unsigned: true });
    assert.deepEqual([r.status, r.json], [401, { error: 'sign it', type: 'MISSING_AUTHENTICATION_TOKEN' }]);
  });
});

describe('AWS_IAM methods, --auth open (the loopback default)', () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let apiId: string;
  before(async () => {
    gh = await startTestGatehouse();
    assert.equal(gh.config.auth, 'open');
    client = apiGateway(gh.url, { accessKeyId: 'anything', secretAccessKey: 'anything' });
    apiId = await iamApi(client, 'open-iam');
  });
  after(async () => {
    client.destroy();
    await gh.close();
  });

  it('any well-formed signature is let in, unverified; the account is the configured one', async () => {
    const r = await signedHttp(gh.url, `/restapis/${apiId}/prod/_user_request_/pets`, { accessKeyId: 'AKIAANYKEY', secretAccessKey: 'whatever' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.accessKey, 'AKIAANYKEY');
    assert.equal(r.json.accountId, '000000000000');
    const skewed = await signedHttp(gh.url, `/restapis/${apiId}/prod/_user_request_/pets`, { accessKeyId: 'AKIAANYKEY', secretAccessKey: 'x' }, { signingDate: new Date(Date.now() - 3600_000) });
    assert.equal(skewed.status, 200);
  });

  it('an unsigned request still gets 403 Missing Authentication Token; a malformed one 403 IncompleteSignature', async () => {
    const r = await signedHttp(gh.url, `/restapis/${apiId}/prod/_user_request_/pets`, KEYS.admin, { unsigned: true });
    assert.deepEqual([r.status, r.json], [403, { message: 'Missing Authentication Token' }]);
    const bad = await signedHttp(gh.url, `/restapis/${apiId}/prod/_user_request_/pets`, KEYS.admin, { unsigned: true, headers: { authorization: 'Bearer abc' } });
    assert.equal(bad.status, 403);
    assert.equal(bad.headers['x-amzn-errortype'], 'IncompleteSignatureException');
  });
});
