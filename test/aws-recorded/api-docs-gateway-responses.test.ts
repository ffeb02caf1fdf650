// Replays of test_apigateway_api's documentation-part and gateway-response recordings.
import {
  CreateDocumentationPartCommand, CreateRestApiCommand, DeleteDocumentationPartCommand, DeleteGatewayResponseCommand, GetDocumentationPartCommand,
  GetDocumentationPartsCommand, GetGatewayResponseCommand, GetGatewayResponsesCommand, ImportDocumentationPartsCommand, ImportRestApiCommand,
  PutGatewayResponseCommand, UpdateDocumentationPartCommand, UpdateGatewayResponseCommand, type GatewayResponseType,
} from '@aws-sdk/client-api-gateway';
import { recordedFile, uid, useRecorded, type Replay } from './harness.ts';

const rec = useRecorded('test_apigateway_api');

async function api(r: Replay, description: string): Promise<string> {
  return (await r.setup(new CreateRestApiCommand({ name: uid(), description }))).id;
}

const SAMPLE = '{ "description": "Sample API description" }';

rec.test('TestApiGatewayApiDocumentationPart::test_doc_parts_crud_no_api', async (r) => {
  await r.send('wrong-rest-api-id-create-doc-part', new CreateDocumentationPartCommand({ restApiId: 'test-fake-rest-id', location: { type: 'API' }, properties: '{\n\t"info": {\n\t\t"description" : "Your first API with Amazon API Gateway."\n\t}\n}' }));
  await r.send('wrong-rest-api-id-get-doc-parts', new GetDocumentationPartsCommand({ restApiId: 'test-fake-rest-id' }));
});

rec.test('TestApiGatewayApiDocumentationPart::test_documentation_part_lifecycle', async (r) => {
  const id = await api(r, 'this is my api');
  const part = await r.ok('create-documentation-part', new CreateDocumentationPartCommand({ restApiId: id, location: { type: 'API' }, properties: SAMPLE }));
  const at = { restApiId: id, documentationPartId: part.id };
  await r.send('get-documentation-part', new GetDocumentationPartCommand(at));
  await r.send('get-documentation-parts', new GetDocumentationPartsCommand({ restApiId: id }));
  await r.send('update-documentation-part', new UpdateDocumentationPartCommand({ ...at, patchOperations: [{ op: 'replace', path: '/properties', value: '{ "description": "Updated Sample API description" }' }] }));
  await r.send('get-documentation-part-after-update', new GetDocumentationPartCommand(at));
  await r.send('delete_documentation_part', new DeleteDocumentationPartCommand(at));
});

rec.test('TestApiGatewayApiDocumentationPart::test_invalid_get_documentation_part', async (r) => {
  const id = await api(r, 'this is my api');
  const part = await r.setup(new CreateDocumentationPartCommand({ restApiId: id, location: { type: 'API' }, properties: SAMPLE }));
  await r.send('get-documentation-part-invalid-api-id', new GetDocumentationPartCommand({ restApiId: 'api_id', documentationPartId: part.id }));
  await r.send('get-documentation-part-invalid-doc-id', new GetDocumentationPartCommand({ restApiId: id, documentationPartId: 'documentation_part_id' }));
});

rec.test('TestApiGatewayApiDocumentationPart::test_invalid_get_documentation_parts', async (r) => {
  await r.send('get-inavlid-documentation-parts', new GetDocumentationPartsCommand({ restApiId: 'api_id' }));
});

rec.test('TestApiGatewayApiDocumentationPart::test_invalid_update_documentation_part', async (r) => {
  const id = await api(r, 'this is my api');
  const part = await r.setup(new CreateDocumentationPartCommand({ restApiId: id, location: { type: 'API' }, properties: SAMPLE }));
  const value = '{ "description": "Updated Sample API description" }';
  await r.send('update-documentation-part-invalid-api-id', new UpdateDocumentationPartCommand({ restApiId: 'api_id', documentationPartId: part.id, patchOperations: [{ op: 'replace', path: '/properties', value }] }));
  await r.send('update-documentation-part-invalid-add-operation', new UpdateDocumentationPartCommand({ restApiId: id, documentationPartId: part.id, patchOperations: [{ op: 'add', path: '/properties', value }] }));
  await r.send('update-documentation-part-invalid-path', new UpdateDocumentationPartCommand({ restApiId: id, documentationPartId: part.id, patchOperations: [{ op: 'replace', path: '/invalidPath', value }] }));
});

rec.test('TestApiGatewayApiDocumentationPart::test_invalid_create_documentation_part_operations', async (r) => {
  const id = await api(r, 'this is my api');
  await r.send('create_documentation_part_invalid_api_id', new CreateDocumentationPartCommand({ restApiId: 'api_id', location: { type: 'API' }, properties: SAMPLE }));
  await r.send('create_documentation_part_invalid_location_type', new CreateDocumentationPartCommand({ restApiId: id, location: { type: 'INVALID' as 'API' }, properties: SAMPLE }));
});

rec.test('TestApiGatewayApiDocumentationPart::test_invalid_delete_documentation_part', async (r) => {
  const id = await api(r, 'this is my api');
  const part = await r.setup(new CreateDocumentationPartCommand({ restApiId: id, location: { type: 'API' }, properties: SAMPLE }));
  await r.send('delete_documentation_part_wrong_api_id', new DeleteDocumentationPartCommand({ restApiId: 'api_id', documentationPartId: part.id }));
  await r.send('delete_documentation_part', new DeleteDocumentationPartCommand({ restApiId: id, documentationPartId: part.id }));
  await r.send('delete_already_deleted_documentation_part', new DeleteDocumentationPartCommand({ restApiId: id, documentationPartId: part.id }));
});

rec.test('TestApiGatewayApiDocumentationPart::test_import_documentation_parts', async (r) => {
  const spec = recordedFile('oas30_documentation_parts.json');
  const imported = await r.setup(new ImportRestApiCommand({ body: spec, failOnWarnings: true }));
  const parts = await r.ok('get-documentations-parts-after-api-imports', new GetDocumentationPartsCommand({ restApiId: imported.id }));
  for (const p of parts.items) await r.setup(new DeleteDocumentationPartCommand({ restApiId: imported.id, documentationPartId: p.id }));
  const out = await r.ok('import-documentation-parts', new ImportDocumentationPartsCommand({ restApiId: imported.id, mode: 'overwrite', body: spec }));
  // The recording numbered the returned ids as ids (its "$..ids[*]" transformer).
  out.ids.forEach((x: string, i: number) => r.alias(x, `<id:${parts.items.length + i + 1}>`));
  await r.send('get-documentations-parts-after-import', new GetDocumentationPartsCommand({ restApiId: imported.id }));
});

rec.test('TestApiGatewayApiDocumentationPart::test_import_documentation_parts_bad_file', async (r) => {
  const id = await api(r, 'this is my api');
  await r.send('import-documentation-parts-bad-yaml-file', new ImportDocumentationPartsCommand({ restApiId: id, mode: 'overwrite', body: Buffer.from('openapi: 3.0.0\n  info: [\n') }));
  await r.send('import-documentation-parts-bad-json-file', new ImportDocumentationPartsCommand({ restApiId: id, mode: 'overwrite', body: Buffer.from('{"openapi": "3.0.0", ') }));
});

const TEMPLATE_404 = '{\n     "message": $context.error.messageString,\n     "type":  "$context.error.responseType",\n     "stage":  "$context.stage",\n     "resourcePath":  "$context.resourcePath",\n     "stageVariables.a":  "$stageVariables.a",\n     "statusCode": "\'404\'"\n}';
const PARAMETERS = {
  'gatewayresponse.header.x-request-path': 'method.request.path.petId',
  'gatewayresponse.header.Access-Control-Allow-Origin': "'a.b.c'",
  'gatewayresponse.header.x-request-query': 'method.request.querystring.q',
  'gatewayresponse.header.x-request-header': 'method.request.header.Accept',
};

rec.test('TestApiGatewayGatewayResponse::test_gateway_response_crud', async (r) => {
  r.sort('items', (x) => x.responseType);
  const id = await api(r, 'APIGW test GatewayResponse');
  const at = { restApiId: id, responseType: 'MISSING_AUTHENTICATION_TOKEN' as const };
  await r.send('get-gateway-response-default', new GetGatewayResponseCommand(at));
  await r.send('put-gateway-response', new PutGatewayResponseCommand({ ...at, statusCode: '404', responseParameters: PARAMETERS, responseTemplates: { 'application/json': TEMPLATE_404 } }));
  await r.send('get-gateway-responses', new GetGatewayResponsesCommand({ restApiId: id }));
  await r.send('get-gateway-response', new GetGatewayResponseCommand(at));
  await r.send('delete-gateway-response', new DeleteGatewayResponseCommand(at));
  await r.send('get-deleted-gw-response', new GetGatewayResponseCommand(at));
});

rec.test('TestApiGatewayGatewayResponse::test_gateway_response_put', async (r) => {
  r.sort('items', (x) => x.responseType);
  const id = await api(r, 'APIGW test GatewayResponse');
  const at = { restApiId: id, responseType: 'MISSING_AUTHENTICATION_TOKEN' as const };
  const accept = { 'gatewayresponse.header.x-request-header': 'method.request.header.Accept' };
  await r.send('put-gateway-response-all-value', new PutGatewayResponseCommand({ ...at, statusCode: '404', responseParameters: PARAMETERS, responseTemplates: { 'application/json': TEMPLATE_404 } }));
  await r.send('put-gateway-response-status-only', new PutGatewayResponseCommand({ ...at, statusCode: '404' }));
  await r.send('put-gateway-response-response-parameters-only', new PutGatewayResponseCommand({ ...at, responseParameters: accept }));
  await r.send('put-gateway-response-response-templates-only', new PutGatewayResponseCommand({ ...at, responseTemplates: { 'application/json': TEMPLATE_404 } }));
  await r.send('put-gateway-response-default-5xx', new PutGatewayResponseCommand({ restApiId: id, responseType: 'DEFAULT_5XX', statusCode: '599', responseParameters: accept, responseTemplates: { 'application/json': TEMPLATE_404 } }));
  await r.send('put-gateway-response-default-ignored', new PutGatewayResponseCommand({ restApiId: id, responseType: 'AUTHORIZER_FAILURE', responseParameters: { 'gatewayresponse.header.foo': "'bar'" } }));
  await r.send('get-gateway-responses', new GetGatewayResponsesCommand({ restApiId: id }));
});

rec.test('TestApiGatewayGatewayResponse::test_gateway_response_validation', async (r) => {
  const id = await api(r, 'APIGW test GatewayResponse');
  const fake = uid('apiid123');
  r.alias(fake, 'fake-api-id');
  const FAKE = 'FAKE_RESPONSE_TYPE' as GatewayResponseType;
  await r.send('get-gateway-responses-no-api', new GetGatewayResponsesCommand({ restApiId: fake }));
  await r.send('get-gateway-response-no-api', new GetGatewayResponseCommand({ restApiId: fake, responseType: 'DEFAULT_4XX' }));
  await r.send('delete-gateway-response-no-api', new DeleteGatewayResponseCommand({ restApiId: fake, responseType: 'DEFAULT_4XX' }));
  await r.send('update-gateway-response-no-api', new UpdateGatewayResponseCommand({ restApiId: fake, responseType: 'DEFAULT_4XX', patchOperations: [] }));
  await r.send('delete-gateway-response-not-set', new DeleteGatewayResponseCommand({ restApiId: id, responseType: 'DEFAULT_4XX' }));
  await r.send('get-gateway-response-wrong-response-type', new GetGatewayResponseCommand({ restApiId: id, responseType: FAKE }));
  await r.send('delete-gateway-response-wrong-response-type', new DeleteGatewayResponseCommand({ restApiId: id, responseType: FAKE }));
  await r.send('update-gateway-response-wrong-response-type', new UpdateGatewayResponseCommand({ restApiId: id, responseType: FAKE, patchOperations: [] }));
  await r.send('put-gateway-response-wrong-response-type', new PutGatewayResponseCommand({ restApiId: id, responseType: FAKE, statusCode: '404', responseParameters: {}, responseTemplates: {} }));
});

rec.test('TestApiGatewayGatewayResponse::test_update_gateway_response', async (r) => {
  const id = await api(r, 'APIGW test GatewayResponse');
  const at = { restApiId: id, responseType: 'DEFAULT_4XX' as const };
  const update = (label: string, patchOperations: object[], responseType: GatewayResponseType = 'DEFAULT_4XX') => r.send(label, new UpdateGatewayResponseCommand({ restApiId: id, responseType, patchOperations }));
  await update('update-gateway-response-not-set', [{ op: 'replace', path: '/statusCode', value: '444' }]);
  await r.send('default-get-gateway-response', new GetGatewayResponseCommand(at));
  await r.send('put-gateway-response', new PutGatewayResponseCommand({ ...at, statusCode: '404', responseParameters: PARAMETERS, responseTemplates: { 'application/json': JSON.stringify({ 'application/json': '{"message":$context.error.messageString}' }) } }));
  await update('update-gateway-response', [
    { op: 'replace', path: '/statusCode', value: '444' },
    { op: 'replace', path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin', value: "'example.com'" },
    { op: 'add', path: '/responseTemplates/application~1xml', value: '<gatewayResponse><message>$context.error.messageString</message><type>$context.error.responseType</type></gatewayResponse>' },
  ]);
  await r.send('get-gateway-response', new GetGatewayResponseCommand(at));
  await update('update-gateway-add-status-code', [{ op: 'add', path: '/statusCode', value: '444' }]);
  await update('update-gateway-remove-status-code', [{ op: 'remove', path: '/statusCode' }]);
  await update('update-gateway-replace-invalid-parameter', [{ op: 'replace', path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin', value: "'example.com'" }], 'DEFAULT_5XX');
  await update('update-gateway-no-path', [{ op: 'add', value: "'example.com'" }]);
  await update('update-gateway-wrong-op', [{ op: 'wrong-op', path: '/statusCode', value: "'example.com'" }]);
  await update('update-gateway-wrong-path', [{ op: 'add', path: '/wrongPath', value: "'example.com'" }]);
  await update('update-gateway-replace-invalid-parameter-0-none', [{ op: 'replace', path: '/responseTemplates/application~1xml' }]);
  await update('update-gateway-replace-invalid-parameter-1-none', [{ op: 'replace', path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin' }]);
});
