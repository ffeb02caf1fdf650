// TestInvokeAuthorizer of COGNITO_USER_POOLS authorizers, through the AWS SDK against a Gatehouse
// started with --jwks-issuer mappings to a local issuer (test/access/cognito-helpers.ts): a good
// ID or access token answers 200 with its claims as strings, a missing, forged or expired token
// and a token of another app client 401, a pool no --jwks-issuer maps 500.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestInvokeAuthorizerCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { createApi } from '../execute/helpers.ts';
import { accessClaims, cognitoAuthorizer, idClaims, mint, poolArn, signingKey, startIssuer, type SigningKey, type TestIssuer } from './cognito-helpers.ts';

const POOL = poolArn('PoolTest');
const POOL_UNMAPPED = poolArn('PoolNobody');

describe('TestInvokeAuthorizer for a Cognito user pool authorizer', () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let key: SigningKey;
  let stranger: SigningKey;
  let issuer: TestIssuer;
  let apiId: string;
  let plain: string;
  let byClient: string;
  let unmapped: string;

  before(async () => {
    [key, stranger] = await Promise.all([signingKey('k1'), signingKey('k1')]);
    issuer = await startIssuer('pool-test', [key]);
    gh = await startTestGatehouse({ jwksIssuers: `${POOL}=${issuer.issuer}` });
    client = apiGatewayClient(gh.url);
    apiId = (await createApi(client, 'cognito-test-invoke')).id;
    plain = await cognitoAuthorizer(client, apiId, 'pool', [POOL]);
    byClient = await cognitoAuthorizer(client, apiId, 'pool-client', [POOL], { identitySource: 'method.request.header.X-Token', identityValidationExpression: 'web-[a-z]+' });
    unmapped = await cognitoAuthorizer(client, apiId, 'nobody', [POOL_UNMAPPED]);
  });

  after(async () => {
    client?.destroy();
    await gh?.close();
    await issuer?.close();
  });

  const invoke = (authorizerId: string, headers: Record<string, string>) =>
    client.send(new TestInvokeAuthorizerCommand({ restApiId: apiId, authorizerId, headers }));

  test('a good ID token: 200 with its claims, every value a string', async () => {
    const token = await mint(key, issuer.issuer, idClaims('alice', { 'cognito:groups': ['admins', 'users'] }));
    const r = await invoke(plain, { Authorization: `Bearer ${token}` });
    assert.equal(r.clientStatus, 200, r.log);
    assert.equal(r.claims?.sub, 'alice');
    assert.equal(r.claims?.email_verified, 'true');
    assert.equal(r.claims?.['cognito:groups'], 'admins,users');
    assert.equal(r.claims?.auth_time, '1700000000');
    assert.match(r.log ?? '', /Starting authorizer: \w+ for request: test-request/);
    assert.match(r.log ?? '', /Successfully completed authorizer execution/);
    assert.equal(r.principalId, undefined);
  });

  test('an access token passes too (a test has no method, so no scopes apply)', async () => {
    const token = await mint(key, issuer.issuer, accessClaims('bob', 'pets/read'));
    const r = await invoke(plain, { authorization: token });
    assert.equal(r.clientStatus, 200, r.log);
    assert.equal(r.claims?.scope, 'pets/read');
  });

  test('no token, a forged one and an expired one: 401 without claims', async () => {
    for (const [what, headers] of [
      ['no header', {}],
      ['not a JWT', { Authorization: 'hello' }],
      ['forged', { Authorization: await mint(stranger, issuer.issuer, idClaims('mallory')) }],
      ['expired', { Authorization: await mint(key, issuer.issuer, idClaims('carol'), { expiresIn: -600 }) }],
    ] as const) {
      const r = await invoke(plain, headers);
      assert.equal(r.clientStatus, 401, `${what}: ${r.log}`);
      assert.equal(r.claims, undefined, what);
      assert.match(r.log ?? '', /Unauthorized request: test-request/, what);
    }
  });

  test("the identity source header and identityValidationExpression are the authorizer's", async () => {
    const web = await mint(key, issuer.issuer, idClaims('dave', { aud: 'web-app' }));
    const other = await mint(key, issuer.issuer, idClaims('erin', { aud: 'mobile-app' }));
    assert.equal((await invoke(byClient, { Authorization: web })).clientStatus, 401, 'the token must be in X-Token');
    assert.equal((await invoke(byClient, { 'X-Token': web })).clientStatus, 200);
    assert.equal((await invoke(byClient, { 'X-Token': other })).clientStatus, 401);
  });

  test('a user pool no --jwks-issuer maps: 500 with the reason in the log', async () => {
    const token = await mint(key, 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_PoolNobody', idClaims('frank'));
    const r = await invoke(unmapped, { Authorization: token });
    assert.equal(r.clientStatus, 500);
    assert.match(r.log ?? '', /no --jwks-issuer maps user pool arn:aws:cognito-idp:us-east-1:123456789012:userpool\/us-east-1_PoolNobody/);
  });
});
