// A resource policy with a Lambda authorizer (a real TOKEN function on Gatehouse's Lambda service,
// each call reported to a counter): the policy's explicit deny refuses before the authorizer is
// called; otherwise the authorizer's policy and the resource policy combine as AWS's table A says
// (an Allow in either admits, a Deny in the authorizer's refuses).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UpdateRestApiCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, startTestGatehouse } from '../helpers/server.ts';
import {
  ACCOUNT, authorizerUri, call, COUNTING_AUTHORIZER, createAuthorizedApi, createFunction, deployStage, REGION, startCounter, type AuthorizedApi, type Counter,
} from './lambda-authorizer-helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let lambda: LambdaClient;
let counter: Counter;
let api: AuthorizedApi;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  counter = await startCounter();
  await createFunction(lambda, 'policy-authorizer', COUNTING_AUTHORIZER, { COUNTER_URL: counter.url });
  // No result cache: every request that reaches the authorizer calls the function once.
  api = await createAuthorizedApi(client, 'policy-and-authorizer', {
    type: 'TOKEN', authorizerUri: authorizerUri('policy-authorizer'), identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 0,
  });
});

after(async () => {
  lambda.destroy();
  client.destroy();
  await gh.close();
  await counter.close();
});

const statement = (effect: string, resource = 'execute-api:/*', extra: object = {}) => ({ Effect: effect, Principal: '*', Action: 'execute-api:Invoke', Resource: resource, ...extra });

async function usePolicy(...statements: object[]): Promise<void> {
  const text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  await client.send(new UpdateRestApiCommand({ restApiId: api.restApiId, patchOperations: [{ op: 'replace', path: '/policy', value: text }] }));
  await deployStage(client, api.restApiId, 'test');
}

const get = (path: string, token?: string) => call(gh.url, api.restApiId, 'test', path, token === undefined ? {} : { Authorization: token });

function anonymousRefusal(path: string, explicit: boolean): unknown {
  const arn = `arn:aws:execute-api:us-east-1:********${ACCOUNT.slice(-4)}:${api.restApiId}/test/GET${path}`;
  return { Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${arn}${explicit ? ' with an explicit deny' : ''}` };
}

describe('a resource policy and a Lambda authorizer', () => {
  it('an explicit deny in the policy refuses before the authorizer is called', async () => {
    await usePolicy(statement('Allow'), statement('Deny', 'execute-api:/*', { Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }));
    const r = await get('/pets/1', 'alice');
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('x-amzn-errortype'), 'AccessDeniedException');
    assert.deepEqual(r.json, anonymousRefusal('/pets/1', true));
    assert.equal(counter.count('alice'), 0, 'the authorizer was not called');
    // No token either: the policy's deny still comes first (no 401).
    assert.deepEqual((await get('/pets/1')).json, anonymousRefusal('/pets/1', true));
  });

  it('table A: the authorizer\'s Allow admits without the policy\'s; the policy\'s Allow admits when the authorizer says nothing; the authorizer\'s Deny refuses', async () => {
    await usePolicy(statement('Allow', 'execute-api:/*/GET/other'));
    // Authorizer Allow (GET /pets/*), policy silent.
    const before = counter.count('alice');
    const pets = await get('/pets/1', 'alice');
    assert.equal(pets.status, 200, pets.body);
    assert.equal(pets.json.principalId, 'user-alice');
    // Authorizer silent about /other, policy Allow.
    const other = await get('/other', 'alice');
    assert.equal(other.status, 200, other.body);
    assert.equal(counter.count('alice'), before + 2);
    // Authorizer Deny, policy Allow.
    const denied = await get('/other', 'deny-all');
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json, { message: 'User is not authorized to access this resource with an explicit deny' });
    // A method without authorization: the policy alone, which is silent about /open.
    assert.deepEqual((await get('/open')).json, anonymousRefusal('/open', false));
  });

  it('both silent: the authorizer\'s implicit deny', async () => {
    await usePolicy(statement('Allow', 'execute-api:/*/GET/open'));
    const r = await get('/other', 'alice');
    assert.equal(r.status, 403);
    assert.deepEqual(r.json, { message: 'User is not authorized to access this resource' });
    assert.equal((await get('/open')).status, 200);
  });
});
