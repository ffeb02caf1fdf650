// Replays of test_apigateway_api's integration, integration-response and method-response recordings.
import {
  CreateRestApiCommand, DeleteIntegrationResponseCommand, DeleteMethodResponseCommand, GetIntegrationCommand, GetIntegrationResponseCommand, GetMethodCommand,
  GetMethodResponseCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand, UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand, UpdateMethodResponseCommand, type IntegrationType,
} from '@aws-sdk/client-api-gateway';
import { uid, useRecorded, type Replay } from './harness.ts';

const rec = useRecorded('test_apigateway_api');
const MOCK_TEMPLATES = { 'application/json': '{"statusCode": 200}' };

async function api(r: Replay, description?: string): Promise<{ id: string; root: string }> {
  const a = await r.setup(new CreateRestApiCommand({ name: uid(), description }));
  return { id: a.id, root: a.rootResourceId };
}

/** An API whose root has GET with a MOCK integration, as most of these recordings start. */
async function mockGet(r: Replay, withMethodResponse = false): Promise<{ id: string; root: string; m: { restApiId: string; resourceId: string; httpMethod: string } }> {
  const { id, root } = await api(r);
  const m = { restApiId: id, resourceId: root, httpMethod: 'GET' };
  r.alias(root, '<cache-namespace:1>');
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.setup(new PutIntegrationCommand({ ...m, type: 'MOCK', requestTemplates: MOCK_TEMPLATES }));
  if (withMethodResponse) {
    await r.setup(new PutMethodResponseCommand({ ...m, statusCode: '200', responseParameters: { 'method.response.header.my-header': false }, responseModels: { 'application/json': 'Empty' } }));
  }
  return { id, root, m };
}

rec.test('TestApigatewayIntegration::test_put_integration_wrong_type', async (r) => {
  const { id, root } = await api(r, 'APIGW test PutIntegration Types');
  await r.send('put-integration-wrong-type', new PutIntegrationCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', type: 'HTTPS_PROXY' as IntegrationType }));
});

rec.test('TestApigatewayIntegration::test_put_integration_response_validation', async (r) => {
  const { id, root } = await api(r, 'testing PutIntegrationResponse method exc');
  await r.setup(new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'POST', authorizationType: 'NONE' }));
  const integration = { integrationHttpMethod: 'GET', type: 'MOCK' as const, requestTemplates: MOCK_TEMPLATES };
  await r.send('put-integration-wrong-method', new PutIntegrationCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', ...integration }));
  await r.send('put-integration-wrong-resource', new PutIntegrationCommand({ restApiId: id, resourceId: 'badresource', httpMethod: 'GET', ...integration }));
  await r.setup(new PutIntegrationCommand({ restApiId: id, resourceId: root, httpMethod: 'POST', ...integration }));
  const response = { statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': '{}' } };
  await r.send('put-integration-response-wrong-method', new PutIntegrationResponseCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', ...response }));
  await r.send('put-integration-response-wrong-resource', new PutIntegrationResponseCommand({ restApiId: id, resourceId: 'badresource', httpMethod: 'GET', ...response }));
});

rec.test('TestApigatewayIntegration::test_put_integration_request_parameter_bool_type', async (r) => {
  const { id, root } = await api(r, 'APIGW test PutIntegration RequestParam');
  await r.send('bool-method', new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', authorizationType: 'NONE', requestParameters: { 'method.request.path.testPath': true } }));
  const base = `/restapis/${id}/resources/${root}/methods`;
  // Bodies no SDK would send: a boolean where the model wants a string.
  await r.raw('put-method-request-param-wrong-type', 'PUT', `${base}/POST`, '{"authorizationType":"NONE","requestParameters":{"method.request.path.testPath":true,"true":true}}');
  await r.raw('put-integration-request-param-wrong-type', 'PUT', `${base}/GET/integration`, '{"type":"HTTP_PROXY","requestParameters":{"true":true}}');
  await r.raw('put-integration-request-param-bool-value', 'PUT', `${base}/GET/integration`, '{"type":"HTTP_PROXY","requestParameters":{"integration.request.path.testPath":true}}');
});

rec.test('TestApigatewayIntegration::test_create_integration_with_vpc_link', async (r) => {
  const { id, root } = await api(r);
  const m = { restApiId: id, resourceId: root, httpMethod: 'GET' };
  r.alias(root, '<cache-namespace:1>');
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  const uri = 'http://my-vpclink-test-nlb-1234567890abcdef.us-east-1.amazonaws.com';
  await r.send('put-integration-vpc-link', new PutIntegrationCommand({ ...m, type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri, connectionType: 'VPC_LINK', connectionId: '${stageVariables.vpcLinkId}' }));
  await r.send('get-integration-vpc-link', new GetIntegrationCommand(m));
  await r.send('update-integration-vpc-link', new UpdateIntegrationCommand({ ...m, patchOperations: [{ op: 'replace', path: '/connectionId', value: '${stageVariables.vpcLinkIdBeta}' }] }));
  await r.send('get-integration-update-vpc-link', new GetIntegrationCommand(m));
});

rec.test('TestApigatewayIntegration::test_get_integration_non_existent', async (r) => {
  const { id, root } = await api(r);
  await r.setup(new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', authorizationType: 'NONE' }));
  await r.send('get-integration-no-api', new GetIntegrationCommand({ restApiId: 'fake-api', resourceId: root, httpMethod: 'GET' }));
  await r.send('get-integration-no-resource', new GetIntegrationCommand({ restApiId: id, resourceId: 'fake-resource', httpMethod: 'GET' }));
  await r.send('get-integration-no-method', new GetIntegrationCommand({ restApiId: id, resourceId: root, httpMethod: 'POST' }));
  await r.send('get-integration-no-integration', new GetIntegrationCommand({ restApiId: id, resourceId: root, httpMethod: 'GET' }));
});

rec.test('TestApigatewayIntegration::test_put_integration_response_templates', async (r) => {
  const { id, root, m } = await mockGet(r);
  await r.raw('put-integration-response-template-none', 'PUT', `/restapis/${id}/resources/${root}/methods/GET/integration/responses/200`, '{"selectionPattern":"","responseTemplates":{"application/json":null}}');
  await r.send('put-integration-response-template-empty', new PutIntegrationResponseCommand({ ...m, statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': '' } }));
  await r.send('put-integration-no-response-template', new PutIntegrationResponseCommand({ ...m, statusCode: '200', selectionPattern: '' }));
});

rec.test('TestApigatewayIntegrationResponse::test_integration_response_wrong_api', async (r) => {
  const at = { restApiId: 'wrong-api', resourceId: 'dummy-value', httpMethod: 'GET', statusCode: '200' };
  await r.send('put-integration-response-wrong-api', new PutIntegrationResponseCommand(at));
  await r.send('get-integration-response-wrong-api', new GetIntegrationResponseCommand(at));
});

rec.test('TestApigatewayIntegrationResponse::test_integration_response_wrong_resource', async (r) => {
  const { id } = await api(r, 'APIGW test Integration Resource');
  const at = { restApiId: id, resourceId: 'wrong-resource', httpMethod: 'GET', statusCode: '200' };
  await r.send('put-integration-response-wrong-resource', new PutIntegrationResponseCommand(at));
  await r.send('get-integration-response-wrong-resource', new GetIntegrationResponseCommand(at));
});

rec.test('TestApigatewayIntegrationResponse::test_integration_response_wrong_method', async (r) => {
  const { id, root } = await api(r, 'APIGW test Integration Method');
  const at = { restApiId: id, resourceId: root, httpMethod: 'wrong-method', statusCode: '200' };
  await r.send('put-integration-response-wrong-method', new PutIntegrationResponseCommand(at));
  await r.send('get-integration-response-wrong-method', new GetIntegrationResponseCommand(at));
});

rec.test('TestApigatewayIntegrationResponse::test_integration_response_invalid_statuscode', async (r) => {
  const { id, root } = await api(r, 'APIGW test Integration Invalid StatusCode');
  const at = { restApiId: id, resourceId: root, httpMethod: 'GET', statusCode: 'wrong' };
  await r.send('put-integration-response-invalid-statusCode', new PutIntegrationResponseCommand({ ...at, responseTemplates: { 'application/json': '"created"' }, selectionPattern: '' }));
  await r.send('get-integration-response-invalid-statusCode', new GetIntegrationResponseCommand(at));
});

rec.test('TestApigatewayIntegrationResponse::test_integration_response_invalid_responsetemplates', async (r) => {
  const { id, root } = await api(r, 'APIGW test wrong api');
  const m = { restApiId: id, resourceId: root, httpMethod: 'GET' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.setup(new PutIntegrationCommand({ ...m, integrationHttpMethod: 'GET', type: 'MOCK', requestTemplates: MOCK_TEMPLATES }));
  const path = `/restapis/${id}/resources/${root}/methods/GET/integration/responses/200`;
  await r.raw('put-integration-response-invalid-responseTemplates-1', 'PUT', path, '{"selectionPattern":"","responseTemplates":{"application/json":123}}');
  await r.raw('put-integration-response-invalid-responseTemplates-2', 'PUT', path, '{"selectionPattern":"","responseTemplates":{"123":"{\\"statusCode\\": 200}"}}');
});

rec.test('TestApigatewayIntegrationResponse::test_integration_response_invalid_integration', async (r) => {
  const { id, root } = await api(r);
  await r.setup(new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', authorizationType: 'NONE' }));
  await r.send('get-integration-response-without-integration', new GetIntegrationResponseCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', statusCode: '200' }));
});

rec.test('TestApigatewayIntegrationResponse::test_integration_response_wrong_status_code', async (r) => {
  const { m } = await mockGet(r);
  await r.send('get-integration-response-wrong-status-code', new GetIntegrationResponseCommand({ ...m, statusCode: '201' }));
});

rec.test('TestApigatewayIntegrationResponse::test_lifecycle_integration_response', async (r) => {
  const { m } = await mockGet(r);
  const at = { ...m, statusCode: '200' };
  await r.send('put-integration-response', new PutIntegrationResponseCommand({ ...at, responseTemplates: { 'application/json': '"created"' }, selectionPattern: '' }));
  await r.send('get-integration-response', new GetIntegrationResponseCommand(at));
  await r.send('update-integration-response', new UpdateIntegrationResponseCommand({ ...at, patchOperations: [{ op: 'replace', path: '/selectionPattern', value: 'updated-pattern' }] }));
  await r.send('overwrite-integration-response', new PutIntegrationResponseCommand({ ...at, responseTemplates: { 'application/json': 'overwrite' }, selectionPattern: 'overwrite-pattern' }));
  await r.send('get-method', new GetMethodCommand(m));
  await r.send('delete-integration-response', new DeleteIntegrationResponseCommand(at));
});

rec.test('TestApigatewayIntegrationResponse::test_delete_integration_response_errors', async (r) => {
  const { id, root, m } = await mockGet(r);
  await r.send('put-integration-response', new PutIntegrationResponseCommand({ ...m, statusCode: '200', responseTemplates: { 'application/json': '"created"' }, selectionPattern: '' }));
  await r.send('non-existent-resource', new DeleteIntegrationResponseCommand({ ...m, resourceId: 'fake-resource', statusCode: '200' }));
  await r.send('non-existent-api-id', new DeleteIntegrationResponseCommand({ ...m, restApiId: 'fake-api', statusCode: '200' }));
  await r.send('non-existent-method', new DeleteIntegrationResponseCommand({ ...m, httpMethod: 'POST', statusCode: '200' }));
  await r.send('non-existent-status-code', new DeleteIntegrationResponseCommand({ ...m, statusCode: '201' }));
  await r.send('bad-method', new DeleteIntegrationResponseCommand({ restApiId: id, resourceId: root, httpMethod: 'BAD', statusCode: '200' }));
});

const HEADER = '/responseParameters/method.response.header.my-header';
const JSON_MODEL = '/responseModels/application~1json';

rec.test('TestApigatewayMethodResponse::test_lifecycle_method_response', async (r) => {
  const { m } = await mockGet(r);
  const at = { ...m, statusCode: '200' };
  await r.send('put-method-response', new PutMethodResponseCommand({ ...at, responseParameters: {}, responseModels: {} }));
  await r.send('get-integration-response', new GetMethodResponseCommand(at));
  await r.send('add-method-responses', new UpdateMethodResponseCommand({ ...at, patchOperations: [{ op: 'add', path: HEADER, value: 'true' }, { op: 'add', path: JSON_MODEL, value: 'Empty' }] }));
  await r.send('update-method-responses', new UpdateMethodResponseCommand({ ...at, patchOperations: [{ op: 'replace', path: HEADER, value: 'true' }, { op: 'replace', path: JSON_MODEL, value: 'Empty' }] }));
  await r.send('get-method', new GetMethodCommand(m));
  await r.send('delete-method-response', new DeleteMethodResponseCommand(at));
});

rec.test('TestApigatewayMethodResponse::test_update_method_response', async (r) => {
  const { m } = await mockGet(r, true);
  const at = { ...m, statusCode: '200' };
  await r.send('remove-update-method-response', new UpdateMethodResponseCommand({ ...at, patchOperations: [{ op: 'remove', path: HEADER, value: 'true' }, { op: 'remove', path: JSON_MODEL, value: 'Empty' }] }));
  await r.send('add-update-method-response', new UpdateMethodResponseCommand({ ...at, patchOperations: [{ op: 'add', path: HEADER, value: 'true' }, { op: 'add', path: JSON_MODEL, value: 'Empty' }] }));
});

rec.test('TestApigatewayMethodResponse::test_update_method_response_wrong_operations', async (r) => {
  const { m } = await mockGet(r, true);
  const update = (label: string, patchOperations: object[]) => r.send(label, new UpdateMethodResponseCommand({ ...m, statusCode: '200', patchOperations }));
  const wrongHeader = { op: 'wrong_op', path: HEADER, value: 'true' };
  const wrongModel = { op: 'wrong_op', path: JSON_MODEL, value: 'Empty' };
  await update('update-method-response-wrong-operation-1', [wrongHeader]);
  await update('update-method-response-wrong-operation-2', [wrongModel]);
  await update('update-method-response-wrong-operation-3', [wrongHeader, wrongModel]);
  await update('update-method-response-wrong-operation-4', [wrongHeader, wrongModel, wrongHeader, wrongModel]);
  await update('update-method-response-wrong-operation-5', [wrongHeader, { op: 'remove', path: JSON_MODEL, value: 'Empty' }, wrongModel]);
});

rec.test('TestApigatewayMethodResponse::test_update_method_response_negative_tests', async (r) => {
  const { m } = await mockGet(r, true);
  const update = (label: string, at: object, op = 'replace') => r.send(label, new UpdateMethodResponseCommand({ ...m, statusCode: '200', ...at, patchOperations: [{ op: op as 'replace', path: HEADER, value: 'true' }] }));
  await update('update-method-response-wrong-statuscode', { statusCode: '201' });
  await update('update-method-response-invalid-statuscode', { statusCode: 'wrong' });
  await update('update-method-response-invalid-statuscode-and-wrong-op', { statusCode: 'wrong' }, 'wrong_op');
  await update('update-method-response-wrong-resource', { resourceId: 'wrong' });
  await update('update-method-response-wrong-method', { httpMethod: 'POST' });
});

rec.test('TestApigatewayMethodResponse::test_update_method_lack_response_parameters_and_models', async (r) => {
  const { m } = await mockGet(r);
  const at = { ...m, statusCode: '200' };
  await r.setup(new PutMethodResponseCommand({ ...at, responseParameters: {}, responseModels: {} }));
  await r.send('update-method-response-operation-without-response-parameters', new UpdateMethodResponseCommand({ ...at, patchOperations: [{ op: 'remove', path: HEADER, value: 'true' }] }));
  await r.send('update-method-response-operation-without-response-models', new UpdateMethodResponseCommand({ ...at, patchOperations: [{ op: 'remove', path: JSON_MODEL, value: 'Empty' }] }));
  await r.send('update-method-response-operation-with-wrong-path', new UpdateMethodResponseCommand({ ...at, patchOperations: [{ op: 'remove', path: '/wrong/method.response.header.my-header', value: 'true' }] }));
});

rec.test('TestApigatewayMethodResponse::test_update_method_wrong_param_names', async (r) => {
  const { m } = await mockGet(r, true);
  const update = (label: string, op: object) => r.send(label, new UpdateMethodResponseCommand({ ...m, statusCode: '200', patchOperations: [op] }));
  await update('update-method-response-operation-with-wrong-param-name-1', { op: 'replace', path: '/responseParameters/wrong', value: 'true' });
  await update('update-method-response-operation-with-wrong-param-name-2', { op: 'remove', path: '/responseParameters/wrong', value: 'true' });
  await update('update-method-response-operation-with-wrong-param-name-3', { op: 'replace', path: '/responseModels/wrong', value: 'Empty' });
  await update('update-method-response-operation-with-wrong-param-name-4', { op: 'remove', path: '/responseModels/wrong', value: 'Empty' });
});
