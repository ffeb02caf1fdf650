// Replays of test_apigateway_api's method, model, authorizer and request-validator recordings.
import {
  CreateAuthorizerCommand, CreateModelCommand, CreateRequestValidatorCommand, CreateResourceCommand, CreateRestApiCommand, DeleteMethodCommand,
  DeleteModelCommand, DeleteRequestValidatorCommand, GetAuthorizersCommand, GetMethodCommand, GetModelCommand, GetModelsCommand,
  GetRequestValidatorCommand, GetRequestValidatorsCommand, PutMethodCommand, UpdateMethodCommand, UpdateModelCommand, UpdateRequestValidatorCommand,
} from '@aws-sdk/client-api-gateway';
import { uid, useRecorded, type Replay } from './harness.ts';

const rec = useRecorded('test_apigateway_api');

async function api(r: Replay, description?: string, label?: string): Promise<{ id: string; root: string }> {
  const cmd = new CreateRestApiCommand({ name: uid(), description });
  const a = label === undefined ? await r.setup(cmd) : await r.ok(label, cmd);
  return { id: a.id, root: a.rootResourceId };
}

const AUTHORIZER_URI = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:myApiAuthorizer/invocations';

rec.test('TestApiGatewayApiAuthorizer::test_authorizer_crud_no_api', async (r) => {
  await r.send('wrong-rest-api-id-create-authorizer', new CreateAuthorizerCommand({ restApiId: 'test-fake-rest-id', name: 'fake-auth-name', type: 'TOKEN', authorizerUri: AUTHORIZER_URI, identitySource: 'method.request.header.Authorization' }));
  await r.send('wrong-rest-api-id-get-authorizers', new GetAuthorizersCommand({ restApiId: 'test-fake-rest-id' }));
});

rec.test('TestApiGatewayApiMethod::test_method_lifecycle', async (r) => {
  const { id, root } = await api(r, 'testing resource method lifecycle');
  const m = { restApiId: id, resourceId: root, httpMethod: 'ANY' };
  await r.send('put-base-method-response', new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.send('get-base-method-response', new GetMethodCommand(m));
  await r.send('del-base-method-response', new DeleteMethodCommand(m));
  await r.send('get-deleted-method-response', new GetMethodCommand(m));
  await r.send('delete-deleted-method-response', new DeleteMethodCommand(m));
});

rec.test('TestApiGatewayApiMethod::test_method_request_parameters', async (r) => {
  const { id, root } = await api(r, 'testing resource method request params');
  const requestParameters = { 'method.request.querystring.q_optional': false, 'method.request.querystring.q_required': true, 'method.request.header.h_optional': false, 'method.request.header.h_required': true };
  await r.send('put-method-request-params-response', new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'ANY', authorizationType: 'NONE', requestParameters }));
  await r.send('get-method-request-params-response', new GetMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'ANY' }));
  await r.send('req-params-same-name', new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', authorizationType: 'NONE', requestParameters: { 'method.request.querystring.optional': false, 'method.request.header.optional': false } }));
});

rec.test('TestApiGatewayApiMethod::test_put_method_model', async (r) => {
  const { id, root } = await api(r, 'testing resource method model');
  const schema = (title: string) => JSON.stringify({ title, type: 'object' });
  await r.send('create-model', new CreateModelCommand({ name: 'MySchema', restApiId: id, contentType: 'application/json', description: '', schema: schema('MySchema') }));
  await r.send('create-model-2', new CreateModelCommand({ name: 'MySchemaTwo', restApiId: id, contentType: 'application/json', description: '', schema: schema('MySchemaTwo') }));
  await r.send('put-method-request-models', new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'ANY', authorizationType: 'NONE', requestModels: { 'application/json': 'MySchema' } }));
  await r.send('delete-model-used', new DeleteModelCommand({ restApiId: id, modelName: 'MySchema' }));
  await r.send('update-method-model', new UpdateMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'ANY', patchOperations: [{ op: 'replace', path: '/requestModels/application~1json', value: 'MySchemaTwo' }] }));
  await r.send('delete-model-unused', new DeleteModelCommand({ restApiId: id, modelName: 'MySchema' }));
  await r.send('delete-model-used-2', new DeleteModelCommand({ restApiId: id, modelName: 'MySchemaTwo' }));
  const test = await r.setup(new CreateResourceCommand({ restApiId: id, parentId: root, pathPart: 'test' }));
  await r.send('put-method-2-request-models', new PutMethodCommand({ restApiId: id, resourceId: test.id, httpMethod: 'ANY', authorizationType: 'NONE', requestModels: { 'application/json': 'MySchemaTwo' } }));
  await r.send('delete-model-used-by-2-method', new DeleteModelCommand({ restApiId: id, modelName: 'MySchemaTwo' }));
  await r.send('update-method-model-2', new UpdateMethodCommand({ restApiId: id, resourceId: test.id, httpMethod: 'ANY', patchOperations: [{ op: 'remove', path: '/requestModels/application~1json', value: 'MySchemaTwo' }] }));
  await r.send('delete-model-used-by-method-1', new DeleteModelCommand({ restApiId: id, modelName: 'MySchemaTwo' }));
  await r.send('delete-method-using-model-2', new DeleteMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'ANY' }));
  await r.send('delete-model-unused-2', new DeleteModelCommand({ restApiId: id, modelName: 'MySchemaTwo' }));
});

rec.test('TestApiGatewayApiMethod::test_put_method_validation', async (r) => {
  const { id, root } = await api(r, 'testing resource method request params');
  const put = (label: string, input: object) => r.send(label, new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'ANY', authorizationType: 'NONE', ...input }));
  await put('wrong-api', { restApiId: 'fake-api', httpMethod: 'WRONG' });
  await put('wrong-resource', { resourceId: 'fake-resource-id', httpMethod: 'WRONG' });
  await put('wrong-method', { httpMethod: 'WRONG' });
  await put('missing-authorizer-id', { authorizationType: 'CUSTOM' });
  await put('invalid-request-validator', { requestValidatorId: 'fake-validator' });
  await put('invalid-model-name', { requestModels: { 'application/json': 'petModel' } });
});

rec.test('TestApiGatewayApiMethod::test_update_method', async (r) => {
  const { id, root } = await api(r, 'testing update method');
  const m = { restApiId: id, resourceId: root, httpMethod: 'ANY' };
  const update = (label: string, patchOperations: object[]) => r.send(label, new UpdateMethodCommand({ ...m, patchOperations }));
  await r.send('put-method-response', new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await update('update-method-add', [{ op: 'add', path: '/requestParameters/method.request.querystring.optional', value: 'true' }, { op: 'add', path: '/requestModels/application~1json', value: 'Empty' }]);
  await update('update-method-replace', [
    { op: 'replace', path: '/operationName', value: 'ReplacedOperationName' },
    { op: 'replace', path: '/apiKeyRequired', value: 'true' },
    { op: 'replace', path: '/authorizationType', value: 'AWS_IAM' },
    { op: 'replace', path: '/requestParameters/method.request.querystring.optional', value: 'false' },
  ]);
  const authorizer = await r.setup(new CreateAuthorizerCommand({ restApiId: id, name: 'authorizer-test', type: 'TOKEN', authorizerUri: AUTHORIZER_URI, identitySource: 'method.request.header.Authorization' }));
  r.alias(authorizer.id, '<authorizer-id:1>');
  await update('update-method-replace-authorizer', [{ op: 'replace', path: '/authorizerId', value: authorizer.id }, { op: 'replace', path: '/authorizationType', value: 'CUSTOM' }]);
  await update('update-method-remove', [{ op: 'remove', path: '/requestParameters/method.request.querystring.optional', value: 'true' }, { op: 'remove', path: '/requestModels/application~1json', value: 'Empty' }]);
});

rec.test('TestApiGatewayApiMethod::test_update_method_validation', async (r) => {
  const { id, root } = await api(r, 'testing resource method request params');
  const update = (label: string, patchOperations: object[], at: object = {}) => r.send(label, new UpdateMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'ANY', patchOperations, ...at }));
  await update('wrong-rest-api', [], { restApiId: 'fake-api' });
  await update('wrong-resource-id', [], { resourceId: 'fake-resource-id' });
  await update('method-does-not-exist', [{ op: 'replace', path: '/operationName', value: 'methodDoesNotExist' }], { httpMethod: 'GET' });
  await r.send('put-method-response', new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'ANY', authorizationType: 'NONE', apiKeyRequired: true }));
  await update('unsupported-operation', [{ op: 'add', path: '/operationName', value: 'operationName' }]);
  await update('unsupported-operation-2', [{ op: 'add', path: '/requestValidatorId', value: 'wrong-id' }]);
  await update('unsupported-path', [{ op: 'add', path: '/httpMethod', value: 'PUT' }]);
  await update('wrong-path-request-parameters', [{ op: 'replace', path: '/requestParameters', value: 'method.request.querystring.optional=false' }]);
  await update('wrong-path-request-models', [{ op: 'add', path: '/requestModels/application/json', value: 'Empty' }]);
  await update('wrong-value-type', [{ op: 'replace', path: '/apiKeyRequired', value: 'whatever' }]);
  await update('wrong-auth-type', [{ op: 'replace', path: '/authorizationType', value: 'CUSTOM' }]);
  await update('skip-auth-id-with-wrong-type', [{ op: 'replace', path: '/authorizerId', value: 'abc123' }]);
  await update('wrong-auth-id', [{ op: 'replace', path: '/authorizationType', value: 'CUSTOM' }, { op: 'replace', path: '/authorizerId', value: 'abc123' }]);
  await update('wrong-req-validator-id', [{ op: 'replace', path: '/requestValidatorId', value: 'fake-id' }]);
});

const CALC_SCHEMA = '{\n\t"title": "Calc output",\n\t"type": "object",\n\t"properties": {\n\t\t"a": {\n\t\t\t"type": "number"\n\t\t},\n\t\t"b": {\n\t\t\t"type": "number"\n\t\t},\n\t\t"op": {\n\t\t\t"description": "operation of +, -, * or /",\n\t\t\t"type": "string"\n\t\t},\n\t\t"c": {\n\t\t    "type": "number"\n\t\t}\n\t},\n\t"required": ["a", "b", "op"]\n}\n';

rec.test('TestApiGatewayApiModels::test_model_lifecycle', async (r) => {
  const { id } = await api(r, 'testing resource model lifecycle');
  await r.send('create-model', new CreateModelCommand({ name: 'CalcOutput', restApiId: id, contentType: 'application/json', description: 'Calc output model', schema: CALC_SCHEMA }));
  r.sort('items', (x) => x.name);
  await r.send('get-models', new GetModelsCommand({ restApiId: id }));
  await r.send('get-model', new GetModelCommand({ restApiId: id, modelName: 'CalcOutput' }));
  await r.send('del-model', new DeleteModelCommand({ restApiId: id, modelName: 'CalcOutput' }));
});

rec.test('TestApiGatewayApiModels::test_model_validation', async (r) => {
  const { id } = await api(r, 'testing resource model lifecycle');
  const schema = JSON.stringify({ title: 'MySchema', type: 'object' });
  await r.send('create-model-wrong-id', new CreateModelCommand({ name: 'MySchema', restApiId: 'abcde0', contentType: 'application/json', description: 'Test model', schema }));
  await r.send('get-models-wrong-id', new GetModelsCommand({ restApiId: 'abcde0' }));
  await r.send('get-model-wrong-id', new GetModelCommand({ restApiId: 'abcde0', modelName: 'MySchema' }));
  await r.send('del-model-wrong-id', new DeleteModelCommand({ restApiId: 'abcde0', modelName: 'MySchema' }));
  await r.setup(new CreateModelCommand({ name: 'MySchema', restApiId: id, contentType: 'application/json', description: '', schema }));
  await r.send('create-model-already-exists', new CreateModelCommand({ name: 'MySchema', restApiId: id, contentType: 'application/json', description: '', schema }));
  await r.send('create-model-empty-name', new CreateModelCommand({ name: '', restApiId: id, contentType: 'application/json', description: '', schema }));
  await r.send('create-model-empty-schema', new CreateModelCommand({ name: 'MyEmptySchema', restApiId: id, contentType: 'application/json', description: '', schema: '' }));
  await r.send('create-model-no-schema-json', new CreateModelCommand({ name: 'MyEmptySchema', restApiId: id, contentType: 'application/json', description: '' }));
  await r.send('create-model-no-schema-xml', new CreateModelCommand({ name: 'MyEmptySchemaXml', restApiId: id, contentType: 'application/xml', description: '' }));
});

rec.test('TestApiGatewayApiModels::test_update_model', async (r) => {
  const { id } = await api(r, 'testing update resource model');
  const patch = [{ op: 'replace' as const, path: '/schema', value: JSON.stringify({ title: 'Updated schema', type: 'object' }) }, { op: 'replace' as const, path: '/description', value: '' }];
  await r.send('update-model-wrong-id', new UpdateModelCommand({ restApiId: 'abcde0', modelName: 'mySchema', patchOperations: patch }));
  await r.send('create-model', new CreateModelCommand({ name: 'MySchema', restApiId: id, contentType: 'application/json', description: '', schema: JSON.stringify({ title: 'MySchema', type: 'object' }) }));
  await r.send('update-model', new UpdateModelCommand({ restApiId: id, modelName: 'MySchema', patchOperations: patch }));
  await r.send('update-model-invalid-op', new UpdateModelCommand({ restApiId: id, modelName: 'MySchema', patchOperations: [{ op: 'add', path: '/wrong-path', value: 'not supported op' }] }));
  await r.send('update-model-invalid-path', new UpdateModelCommand({ restApiId: id, modelName: 'MySchema', patchOperations: [{ op: 'replace', path: '/name', value: 'invalid' }] }));
  await r.send('update-model-empty-schema', new UpdateModelCommand({ restApiId: id, modelName: 'MySchema', patchOperations: [{ op: 'replace', path: '/schema', value: '' }] }));
});

rec.test('TestApiGatewayApiRequestValidator::test_validators_crud_no_api', async (r) => {
  await r.send('wrong-rest-api-id-create-validator', new CreateRequestValidatorCommand({ restApiId: 'test-fake-rest-id', name: 'test-validator', validateRequestBody: true, validateRequestParameters: false }));
  await r.send('wrong-rest-api-id-get-validators', new GetRequestValidatorsCommand({ restApiId: 'test-fake-rest-id' }));
});

rec.test('TestApiGatewayApiRequestValidator::test_request_validator_lifecycle', async (r) => {
  const { id } = await api(r, 'my api', 'create-rest-api');
  const v = await r.ok('create-request-validator', new CreateRequestValidatorCommand({ restApiId: id, name: uid('test-validator') }));
  const at = { restApiId: id, requestValidatorId: v.id };
  await r.send('get-request-validator', new GetRequestValidatorCommand(at));
  await r.send('get-request-validators', new GetRequestValidatorsCommand({ restApiId: id }));
  await r.send('update-request-validator-with-value', new UpdateRequestValidatorCommand({ ...at, patchOperations: [{ op: 'replace', path: '/validateRequestBody', value: 'true' }] }));
  await r.send('update-request-validator-without-value', new UpdateRequestValidatorCommand({ ...at, patchOperations: [{ op: 'replace', path: '/validateRequestBody' }] }));
  await r.send('get-request-validators-after-update-operation', new GetRequestValidatorCommand(at));
  await r.send('delete-request-validator', new DeleteRequestValidatorCommand(at));
  await r.send('get-deleted-request-validator', new GetRequestValidatorCommand(at));
  await r.send('get-request-validators-after-delete', new GetRequestValidatorsCommand({ restApiId: id }));
});

rec.test('TestApiGatewayApiRequestValidator::test_invalid_get_request_validator', async (r) => {
  const { id } = await api(r, 'my api');
  const v = await r.setup(new CreateRequestValidatorCommand({ restApiId: id, name: uid('test-validator') }));
  await r.send('get-request-validators-invalid-api-id', new GetRequestValidatorCommand({ restApiId: 'api_id', requestValidatorId: v.id }));
  await r.send('get-request-validators-invalid-validator-id', new GetRequestValidatorCommand({ restApiId: id, requestValidatorId: 'validator_id' }));
});

rec.test('TestApiGatewayApiRequestValidator::test_invalid_get_request_validators', async (r) => {
  await r.send('get-invalid-request-validators', new GetRequestValidatorsCommand({ restApiId: 'api_id' }));
});

rec.test('TestApiGatewayApiRequestValidator::test_invalid_delete_request_validator', async (r) => {
  const { id } = await api(r, 'my api');
  const v = await r.setup(new CreateRequestValidatorCommand({ restApiId: id, name: uid('test-validator') }));
  await r.send('delete-request-validator-invalid-api-id', new DeleteRequestValidatorCommand({ restApiId: 'api_id', requestValidatorId: v.id }));
  await r.send('delete-request-validator-invalid-validator-id', new DeleteRequestValidatorCommand({ restApiId: id, requestValidatorId: 'validator_id' }));
});

rec.test('TestApiGatewayApiRequestValidator::test_create_request_validator_invalid_api_id', async (r) => {
  await r.send('invalid-create-request-validator', new CreateRequestValidatorCommand({ restApiId: 'api_id', name: uid('test-validator') }));
});

rec.test('TestApiGatewayApiRequestValidator::test_invalid_update_request_validator_operations', async (r) => {
  const { id } = await api(r, 'my api', 'create-rest-api');
  const v = await r.ok('create-request-validator', new CreateRequestValidatorCommand({ restApiId: id, name: uid('test-validator') }));
  const update = (label: string, op: object) => r.send(label, new UpdateRequestValidatorCommand({ restApiId: id, requestValidatorId: v.id, patchOperations: [op] }));
  await update('update-request-validator-invalid-add-operation', { op: 'add', path: '/validateRequestBody', value: 'true' });
  await update('update-request-validator-invalid-remove-operation', { op: 'remove', path: '/validateRequestBody', value: 'true' });
  await update('update-request-validator-invalid-path', { op: 'replace', path: '/invalidPath', value: 'true' });
  await update('update-request-validator-empty-name-value', { op: 'replace', path: '/name' });
});
