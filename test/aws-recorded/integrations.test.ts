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

// The four MOCK data-plane recordings below hold only the answers: the templates that produced
// them are not in the stored version of the recorded test file. Each replay uses templates of our
// own that do what the test names and answers say, so the answers check Gatehouse's Velocity
// context as AWS's does: $context.responseOverride set in a request template and read in the
// response template, a status override without a response template (empty body), values put in
// $context.requestOverride read back, and map assignment in VTL.

/** An API whose GET /{name} (or POST) is a MOCK with these templates, deployed to `dev`. */
async function mockApi(r: Replay, requestTemplate: string, responseTemplates: Record<string, string>, pathPart = 'mock'): Promise<string> {
  const a = await r.setup(new CreateRestApiCommand({ name: uid() }));
  const res = await r.setup(new CreateResourceCommand({ restApiId: a.id, parentId: a.rootResourceId, pathPart }));
  const m = { restApiId: a.id, resourceId: res.id, httpMethod: 'GET' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.setup(new PutIntegrationCommand({ ...m, type: 'MOCK', requestTemplates: { 'application/json': requestTemplate } }));
  await r.setup(new PutMethodResponseCommand({ ...m, statusCode: '200' }));
  await r.setup(new PutIntegrationResponseCommand({ ...m, statusCode: '200', responseTemplates }));
  await r.setup(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'dev' }));
  return a.id;
}

/** The answer as the recorder kept it: status and JSON body, or the raw bytes' repr when empty. */
async function mockCall(r: Replay, apiId: string, path: string): Promise<{ body: unknown; status_code: number }> {
  const res = await callStage(r.gh.url, apiId, 'dev', path, { headers: { 'Content-Type': 'application/json' } });
  return { body: res.body === '' ? "b''" : JSON.parse(res.body), status_code: res.status };
}

for (const withTemplate of [true, false]) {
  rec.test(`test_integration_mock_with_response_override_in_request_template[${withTemplate ? 'True' : 'False'}]`, async (r) => {
    const request = [
      '#set($context.responseOverride.status = 444)',
      '#set($context.responseOverride.header.foo = "bar")',
      '#set($context.custom = "is also passed around")',
      '{"statusCode": 200}',
    ].join('\n');
    const response = '{"statusOverride": "$context.responseOverride.status", "fooHeader": "$context.responseOverride.header.foo", "custom": "$context.custom"}';
    const apiId = await mockApi(r, request, withTemplate ? { 'application/json': response } : {});
    r.record('response', await mockCall(r, apiId, '/mock'));
  });
}

rec.test('test_integration_mock_with_request_overrides_in_response_template', async (r) => {
  const request = [
    '#set($context.requestOverride.path.chosen = $input.params("path"))',
    '{"statusCode": 200}',
  ].join('\n');
  const response = [
    '#if($context.requestOverride.path.chosen == "path1")',
    '{"response": "path was path one"}',
    '#elseif($context.requestOverride.path.chosen == "path2")',
    '{"response": "path was path two"}',
    '#else',
    '{"response": "this is the else clause"}',
    '#end',
  ].join('\n');
  const apiId = await mockApi(r, request, { 'application/json': response }, '{path}');
  for (const [label, path] of [['invoke-path1', '/path1'], ['invoke-path2', '/path2'], ['invoke-path-else', '/other']] as const) {
    const res = await callStage(r.gh.url, apiId, 'dev', path, { headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 200, res.body);
    r.record(label, JSON.parse(res.body));
  }
});

rec.test('test_integration_mock_with_vtl_map_assignation', async (r) => {
  const request = '{"statusCode": 200}';
  const response = [
    '#set($map = {})',
    '#set($map.value = "bar")',
    '#set($ignored = $map.put("value2", "putBar"))',
    '#set($nested = {"inner": {}})',
    '#set($nested.inner.value = "nestedFoo")',
    '{"value": "$map.value", "value2": "$map.value2", "value3": "$nested.inner.value"}',
  ].join('\n');
  const apiId = await mockApi(r, request, { 'application/json': response });
  r.record('response', await mockCall(r, apiId, '/mock'));
});
