// Replays of test_apigateway_integrations' management recordings (see harness.ts and
// docs/aws-recorded.md). The recorder's HTTP back end was a public echo server; here it is a
// local one, and its address stands in for the recording's <uri:1>.
import {
  CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, DeleteIntegrationResponseCommand, GetIntegrationResponseCommand, GetMethodCommand,
  PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand, type IntegrationType,
} from '@aws-sdk/client-api-gateway';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { REGION } from '../helpers/server.ts';
import { callStage, json, startBackend, type Backend } from '../execute/helpers.ts';
import { uid, useRecorded, type Replay } from './harness.ts';

const rec = useRecorded('test_apigateway_integrations', { keys: ['cacheNamespace', 'id'] });
const ACCOUNT = '000000000000';

let echo: Backend;
before(async () => {
  echo = await startBackend((req, body, res) => json(res, 200, { method: req.method, url: req.url, data: body }));
});
after(() => echo.close());

async function rootGet(r: Replay): Promise<{ id: string; root: string; m: { restApiId: string; resourceId: string; httpMethod: string } }> {
  const a = await r.setup(new CreateRestApiCommand({ name: uid() }));
  return { id: a.id, root: a.rootResourceId, m: { restApiId: a.id, resourceId: a.rootResourceId, httpMethod: 'GET' } };
}

rec.test('test_put_integration_responses', async (r) => {
  const { id, root, m } = await rootGet(r);
  const uri = `${echo.url}/post`;
  r.alias(uri, '<uri:1>');
  const put = { ...m, httpMethod: 'PUT' };
  await r.send('put-method-get', new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.send('put-method-response-get', new PutMethodResponseCommand({ ...m, statusCode: '200' }));
  await r.send('put-integration-get', new PutIntegrationCommand({ ...m, type: 'HTTP', uri, integrationHttpMethod: 'POST' }));
  await r.send('put-integration-response-get', new PutIntegrationResponseCommand({ ...m, statusCode: '200', selectionPattern: '2\\d{2}', responseTemplates: {} }));
  await r.send('get-integration-response-get', new GetIntegrationResponseCommand({ ...m, statusCode: '200' }));
  await r.send('get-method-get', new GetMethodCommand(m));
  await r.send('deploy', new CreateDeploymentCommand({ restApiId: id, stageName: 'local' }));
  // The recording checked only that the deployed GET answered 2xx.
  const answer = await callStage(r.gh.url, id, 'local', '/');
  assert.equal(answer.status, 200, answer.body);
  await r.send('delete-integration-response-get', new DeleteIntegrationResponseCommand({ ...m, statusCode: '200' }));
  await r.send('get-method-get-after-int-resp-delete', new GetMethodCommand(m));
  await r.send('put-method-put', new PutMethodCommand({ ...put, authorizationType: 'none' }));
  await r.send('put-method-response-put', new PutMethodResponseCommand({ ...put, statusCode: '200' }));
  await r.send('put-integration-put', new PutIntegrationCommand({ ...put, type: 'HTTP', uri, integrationHttpMethod: 'POST' }));
  await r.send('put-integration-response-put', new PutIntegrationResponseCommand({ ...put, statusCode: '200', selectionPattern: '2\\d{2}', contentHandling: 'CONVERT_TO_BINARY' }));
  await r.send('get-integration-response-put', new GetIntegrationResponseCommand({ ...put, statusCode: '200' }));
  void root;
});

rec.test('test_put_integration_response_with_response_template', async (r) => {
  const { m } = await rootGet(r);
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.setup(new PutMethodResponseCommand({ ...m, statusCode: '200' }));
  await r.setup(new PutIntegrationCommand({ ...m, type: 'HTTP', uri: echo.url, integrationHttpMethod: 'POST' }));
  await r.setup(new PutIntegrationResponseCommand({ ...m, statusCode: '200', selectionPattern: 'foobar', responseTemplates: { 'application/json': JSON.stringify({ data: 'test' }) } }));
  await r.send('get-integration-response', new GetIntegrationResponseCommand({ ...m, statusCode: '200' }));
});

rec.test('test_put_integration_validation', async (r) => {
  const { m } = await rootGet(r);
  r.alias('arn:aws:', 'arn:<partition>:');
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.setup(new PutMethodResponseCommand({ ...m, statusCode: '200' }));
  const put = (type: string, more: Record<string, string> = {}) => new PutIntegrationCommand({ ...m, type: type as IntegrationType, ...more });
  for (const type of ['HTTP', 'HTTP_PROXY', 'AWS']) await r.send(`required-integration-method-${type}`, put(type, { uri: 'http://example.com' }));
  await r.send('not-required-integration-method-MOCK', put('MOCK', { uri: 'http://example.com' }));
  for (const type of ['HTTP', 'HTTP_PROXY']) await r.send(`http-method-${type}`, put(type, { uri: 'http://example.com', integrationHttpMethod: 'POST' }));
  const credentials = `arn:aws:iam::${ACCOUNT}:role/service-role/testfunction-role-oe783psq`;
  const s3 = `arn:aws:apigateway:${REGION}:s3:path/b/k`;
  await r.send('aws-integration-AWS', put('AWS', { credentials, uri: s3, integrationHttpMethod: 'POST' }));
  const lambda = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:MyLambda/invocations`;
  for (const type of ['AWS', 'AWS_PROXY']) await r.send(`aws-integration-type-${type}`, put(type, { uri: lambda, integrationHttpMethod: 'POST' }));
  await r.send('no-s3-support-AWS_PROXY', put('AWS_PROXY', { credentials, uri: s3, integrationHttpMethod: 'POST' }));
  for (const type of ['HTTP', 'HTTP_PROXY']) await r.send(`invalid-uri-${type}`, put(type, { uri: 'non-valid-http', integrationHttpMethod: 'POST' }));
  await r.send('invalid-uri-not-an-arn', put('AWS', { uri: 'non-valid-arn', integrationHttpMethod: 'POST' }));
  await r.send('invalid-uri-invalid-arn', put('AWS', { uri: 'arn:aws:iam::0000000000:role/service-role/asdf', integrationHttpMethod: 'POST' }));
});

// Only the PutIntegration answer was recorded; its inputs are read back from it (a path
// parameter mapped from the method's, and a MOCK request template).
rec.test('test_integration_mock_with_path_param', async (r) => {
  const { id, root } = await rootGet(r);
  const res = await r.setup(new CreateResourceCommand({ restApiId: id, parentId: root, pathPart: '{testPath}' }));
  const m = { restApiId: id, resourceId: res.id, httpMethod: 'GET' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE', requestParameters: { 'method.request.path.testPath': true } }));
  await r.send('integration', new PutIntegrationCommand({
    ...m, type: 'MOCK', requestParameters: { 'integration.request.path.integrationPath': 'method.request.path.testPath' }, requestTemplates: { 'application/json': '{statusCode: 200}' },
  }));
});
