// apiKeySource AUTHORIZER: the API key is the usageIdentifierKey a real Lambda TOKEN authorizer
// (a function run by Gatehouse's Lambda service) returns, not the x-api-key header; it must be
// an enabled key in a usage plan of the stage, and it is counted against that plan's quota.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateAuthorizerCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
  UpdateRestApiCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, resourcePath } from '../execute/helpers.ts';
import { authorizerUri, createFunction } from './lambda-authorizer-helpers.ts';
import { assertAdmitted, assertForbidden, assertQuotaExceeded, KEY_TEMPLATE, planWithKey } from './traffic-helpers.ts';

// "allow:KEY" allows and names KEY as the usage identifier key; "allow" names none.
const KEY_AUTHORIZER = `
exports.handler = async (event) => {
  const [effect, key] = event.authorizationToken.split(':');
  const out = {
    principalId: 'user',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect === 'allow' ? 'Allow' : 'Deny', Resource: event.methodArn }] },
  };
  if (key) out.usageIdentifierKey = key;
  return out;
};
`;

let gh: Gatehouse;
let client: APIGatewayClient;
let lambda: LambdaClient;
let apiId: string;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  await createFunction(lambda, 'key-authorizer', KEY_AUTHORIZER);
  const api = await createApi(client, 'keys-from-authorizer');
  apiId = api.id;
  await client.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: 'replace', path: '/apiKeySource', value: 'AUTHORIZER' }] }));
  const authorizer = await client.send(new CreateAuthorizerCommand({
    restApiId: apiId, name: 'keys', type: 'TOKEN', authorizerUri: authorizerUri('key-authorizer'),
    identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 0,
  }));
  const ids = { restApiId: apiId, resourceId: await resourcePath(client, apiId, '/keyed'), httpMethod: 'GET' };
  await client.send(new PutMethodCommand({ ...ids, authorizationType: 'CUSTOM', authorizerId: authorizer.id, apiKeyRequired: true }));
  await client.send(new PutIntegrationCommand({ ...ids, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  await client.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' }));
  await client.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', responseTemplates: { 'application/json': KEY_TEMPLATE } }));
  await deploy(client, apiId, 'test');
});
after(async () => {
  lambda.destroy();
  client.destroy();
  await gh.close();
});

const call = (authorization: string, apiKeyHeader?: string) =>
  callStage(gh.url, apiId, 'test', '/keyed', { headers: { Authorization: authorization, ...(apiKeyHeader === undefined ? {} : { 'x-api-key': apiKeyHeader }) } });

test("the authorizer's usageIdentifierKey is the key: checked against the stage's plans and counted", async () => {
  const { value, keyId } = await planWithKey(client, 'authorizer-keys', [{ apiId, stage: 'test' }], { quota: { limit: 2, period: 'DAY' } });
  assertAdmitted(await call(`allow:${value}`), value, keyId, 'key from the authorizer');
  assertForbidden(await call('allow', value), 'no usageIdentifierKey: the x-api-key header does not count');
  assertForbidden(await call('allow:someOtherKeyValueThatIsNotThere'), 'an unknown usageIdentifierKey');
  assertAdmitted(await call(`allow:${value}`), value, keyId, 'second request of the quota');
  assertQuotaExceeded(await call(`allow:${value}`), 'the quota counts requests by the authorizer-given key');
  // A Deny is the authorizer's answer (403 of its own), before the key is looked at.
  const denied = await call(`deny:${value}`);
  assert.equal(denied.status, 403);
  assert.deepEqual(JSON.parse(denied.body), { message: 'User is not authorized to access this resource with an explicit deny' });
});
