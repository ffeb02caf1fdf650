// Replays of test_apigateway_basic's recordings that need no other AWS service: MOCK integrations
// called through a deployed stage (path-based and through the execute-api Host header), an
// UpdateDeployment answer (see harness.ts and docs/aws-recorded.md).
import assert from 'node:assert/strict';
import {
  CreateAuthorizerCommand, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, PutIntegrationCommand,
  PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand, PutRestApiCommand, UpdateDeploymentCommand,
} from '@aws-sdk/client-api-gateway';
import { callStage } from '../execute/helpers.ts';
import { REGION } from '../helpers/server.ts';
import { recordedFile, uid, useRecorded } from './harness.ts';

const rec = useRecorded('test_apigateway_basic');

/** The stage's answer, parsed as the recorder parsed it (response.json()). */
async function invoke(baseUrl: string, apiId: string, stage: string, path: string, init: Parameters<typeof callStage>[4] = {}): Promise<unknown> {
  const res = await callStage(baseUrl, apiId, stage, path, init);
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body);
}

rec.test('TestAPIGateway::test_api_gateway_mock_integration', async (r) => {
  const api = await r.setup(new CreateRestApiCommand({ name: uid('apigw') }));
  await r.setup(new PutRestApiCommand({ restApiId: api.id, body: recordedFile('openapi-mock.json'), mode: 'overwrite' }));
  // The recorded test calls a stage named "latest"; on AWS a stage has to be deployed first.
  await r.setup(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'latest' }));
  r.record('mocked-response', await invoke(r.gh.url, api.id, 'latest', '/echo/foobar'));
});

for (const passthroughBehavior of ['WHEN_NO_MATCH', 'NEVER', 'WHEN_NO_TEMPLATES']) {
  for (const urlType of ['PATH_BASED', 'HOST_BASED']) {
    for (const method of ['GET', 'POST']) {
      rec.test(`TestIntegrations::test_mock_integration_response[${passthroughBehavior}-UrlType.${urlType}-${method}]`, async (r) => {
        const api = await r.setup(new CreateRestApiCommand({ name: 'mock-api' }));
        const res = await r.setup(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: '{id}' }));
        const m = { restApiId: api.id, resourceId: res.id, httpMethod: method };
        await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
        await r.setup(new PutIntegrationCommand({
          ...m, type: 'MOCK', integrationHttpMethod: method, passthroughBehavior, requestTemplates: { 'application/json': '{"statusCode":200}' },
        }));
        await r.setup(new PutMethodResponseCommand({ ...m, statusCode: '200', responseModels: { 'application/json': 'Empty' } }));
        await r.setup(new PutIntegrationResponseCommand({
          ...m, statusCode: '200', responseTemplates: { 'application/json': '{"statusCode": 200, "id": $input.params().path.id}' },
        }));
        await r.setup(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'local' }));
        const host = urlType === 'HOST_BASED' ? { host: `${api.id}.execute-api.localhost` } : {};
        r.record('mock-response', await invoke(r.gh.url, api.id, 'local', '/42', { method, headers: { 'Content-Type': 'application/json' }, ...host }));
      });
    }
  }
}

rec.test('TestAPIGateway::test_update_rest_api_deployment', async (r) => {
  const api = await r.setup(new CreateRestApiCommand({ name: 'test_gateway5' }));
  const m = { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'none' }));
  await r.setup(new PutIntegrationCommand({ ...m, type: 'HTTP', uri: 'http://httpbin.org/robots.txt', integrationHttpMethod: 'POST' }));
  await r.setup(new PutIntegrationResponseCommand({ ...m, statusCode: '200', selectionPattern: 'foobar', responseTemplates: {} }));
  const d = await r.setup(new CreateDeploymentCommand({ restApiId: api.id, description: 'my deployment' }));
  await r.send('after-update', new UpdateDeploymentCommand({
    restApiId: api.id, deploymentId: d.id, patchOperations: [{ op: 'replace', path: '/description', value: 'new-description' }],
  }));
});

rec.test('TestAPIGateway::test_apigateway_with_custom_authorization_method', async (r) => {
  const api = await r.setup(new CreateRestApiCommand({ name: uid() }));
  r.record('api-id', { api_id: api.id });
  // The recorded test's URI has 17 spaces in its path (a Python line continuation inside the
  // string literal): AWS accepts it as written.
  const fn = `arn:aws:lambda:${REGION}:000000000000:function:${uid('auth')}`;
  const authorizer = await r.ok('authorizer', new CreateAuthorizerCommand({
    restApiId: api.id, name: 'lambda_authorizer', type: 'TOKEN', identitySource: 'method.request.header.Auth',
    authorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/ ${' '.repeat(16)}2015-03-31/functions/${fn}/invocations`,
  }));
  await r.ok('put-method-response', new PutMethodCommand({
    restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', authorizationType: 'CUSTOM', authorizerId: authorizer.id, apiKeyRequired: true,
  }));
}, { keys: ['api_id', 'authorizerUri', 'id'] });
