// Swagger/OpenAPI import and export through the AWS SDK v3, the AWS CLI and the control plane.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { parse as parseYaml } from 'yaml';
import {
  CreateDeploymentCommand, GetExportCommand, GetRestApisCommand, ImportRestApiCommand, PutRestApiCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, awsCli, awsCliError, startTestGatehouse, tempDataDir } from '../helpers/server.ts';
import { apiCount, describeApi } from './describe.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const FIXTURE_FILES = ['petstore.json', 's3-proxy.json', 'lambda-proxy.yaml', 'kinesis-proxy.yaml', 'bookstore-swagger.yaml', 'orders-oas3.json'];
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

type Obj = Record<string, any>;

let g: Gatehouse;
let sdk: APIGatewayClient;
let dataDir: string;

function docCount(): number {
  const db = new Database(join(dataDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM docs').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function importBody(body: Buffer | string, parameters: Record<string, string> = {}, failOnWarnings?: boolean): Promise<Obj> {
  return (await g.control.invoke('ImportRestApi', { body: Buffer.from(body), parameters, failOnWarnings })) as Obj;
}

async function exportOf(restApiId: string, stageName: string, exportType: string, extensions = 'apigateway', accepts?: string): Promise<string> {
  const out = (await g.control.invoke('GetExport', { restApiId, stageName, exportType, parameters: { extensions }, accepts })) as Obj;
  return out.body.toString('utf8');
}

async function rejects(body: Buffer | string, pattern: RegExp, parameters: Record<string, string> = {}, failOnWarnings?: boolean): Promise<void> {
  const before = docCount();
  const apis = await apiCount(g.control);
  await assert.rejects(importBody(body, parameters, failOnWarnings), (err: Obj) => {
    assert.equal(err.type, 'BadRequestException', err.message);
    assert.match(err.message, pattern);
    return true;
  });
  assert.equal(await apiCount(g.control), apis, 'no API is left behind');
  assert.equal(docCount(), before, 'not one document is left behind');
}

before(async () => {
  dataDir = tempDataDir();
  g = await startTestGatehouse({ dataDir });
  sdk = apiGatewayClient(g.url);
});
after(async () => {
  sdk.destroy();
  await g.close();
});

describe('import through the AWS SDK v3', () => {
  test('the PetStore example becomes resources, methods, integrations and models', async () => {
    const api = await sdk.send(new ImportRestApiCommand({ body: fixture('petstore.json'), failOnWarnings: true }));
    assert.equal(api.name, 'PetStore');
    assert.equal(api.version, '2016-02-25T01:43:35Z');
    assert.equal(api.warnings, undefined);
    const d = await describeApi(g.control, api.id!);
    assert.deepEqual(d.paths, ['/', '/pets', '/pets/{petId}']);
    assert.deepEqual(Object.keys(d.methods), ['GET /', 'GET /pets', 'GET /pets/{petId}', 'OPTIONS /pets', 'POST /pets']);
    const getPet = d.methods['GET /pets/{petId}'];
    assert.deepEqual(getPet.requestParameters, { 'method.request.path.petId': true });
    assert.equal(getPet.operationName, 'GetPet');
    assert.deepEqual(getPet.methodIntegration.requestParameters, { 'integration.request.path.petId': 'method.request.path.petId' });
    assert.equal(getPet.methodIntegration.type, 'HTTP');
    assert.equal(getPet.methodIntegration.uri, 'http://petstore-demo-endpoint.execute-api.com/petstore/pets/{petId}');
    assert.equal(getPet.methodIntegration.passthroughBehavior, 'WHEN_NO_MATCH');
    assert.equal(getPet.methodIntegration.cacheNamespace, 'resource:/pets/{petId}');
    assert.deepEqual(getPet.methodResponses['200'], {
      statusCode: '200',
      responseParameters: { 'method.response.header.Access-Control-Allow-Origin': false },
      responseModels: { 'application/json': 'Pet' },
    });
    assert.deepEqual(getPet.methodIntegration.integrationResponses['200'], {
      statusCode: '200',
      responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" },
    });
    assert.deepEqual(d.methods['POST /pets'].requestModels, { 'application/json': 'NewPet' });
    assert.deepEqual(d.methods['GET /pets'].requestParameters, { 'method.request.querystring.type': false, 'method.request.querystring.page': false });
    assert.equal(d.methods['GET /'].methodIntegration.type, 'MOCK');
    assert.deepEqual(Object.keys(d.models).sort(), ['Empty', 'NewPet', 'NewPetResponse', 'Pet', 'PetType', 'Pets']);
    assert.deepEqual(d.models.Pets.schema, { type: 'array', items: { $ref: 'https://apigateway.amazonaws.com/restapis/API/models/Pet' } });
    // The imported API deploys: every method has an integration.
    const dep = await sdk.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'test' }));
    assert.ok(dep.id);
  });

  test('every extension of the real-world Swagger file is imported', async () => {
    const api = await sdk.send(new ImportRestApiCommand({ body: fixture('bookstore-swagger.yaml') }));
    assert.equal(api.apiKeySource, 'AUTHORIZER');
    assert.deepEqual(api.binaryMediaTypes, ['image/jpeg', 'application/pdf']);
    assert.equal(api.minimumCompressionSize, 1024);
    assert.equal(api.warnings, undefined);
    const d = await describeApi(g.control, api.id!);
    assert.deepEqual(d.paths, ['/', '/authors', '/authors/{authorId}', '/authors/{authorId}/{proxy+}', '/books', '/books/{bookId}', '/books/{bookId}/cover', '/health']);
    assert.deepEqual(d.authorizers.map((a: Obj) => [a.name, a.type]), [['cognito', 'COGNITO_USER_POOLS'], ['jwt-token', 'TOKEN'], ['request-auth', 'REQUEST']]);
    const token = d.authorizers.find((a: Obj) => a.name === 'jwt-token');
    assert.deepEqual(token, {
      name: 'jwt-token', type: 'TOKEN', authType: 'oauth2',
      authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:tokenAuth/invocations',
      authorizerCredentials: 'arn:aws:iam::123456789012:role/apigInvokeAuthorizer', identitySource: 'method.request.header.Authorization',
      identityValidationExpression: '^Bearer [-0-9a-zA-Z._]+$', authorizerResultTtlInSeconds: 60,
    });
    assert.equal(d.authorizers.find((a: Obj) => a.name === 'request-auth').identitySource, 'method.request.header.X-Tenant, method.request.querystring.tenant');
    assert.deepEqual(d.validators, [
      { name: 'all', validateRequestBody: true, validateRequestParameters: true },
      { name: 'params-only', validateRequestBody: false, validateRequestParameters: true },
    ]);
    assert.deepEqual(d.gatewayResponses.map((r: Obj) => [r.responseType, r.statusCode]), [['DEFAULT_4XX', undefined], ['UNAUTHORIZED', '401']]);
    const list = d.methods['GET /books'];
    assert.equal(list.apiKeyRequired, true);
    assert.equal(list.authorizationType, 'CUSTOM');
    assert.equal(list.authorizerId, 'jwt-token');
    assert.equal(list.requestValidatorId, 'params-only', 'the API-level validator applies');
    assert.deepEqual(list.requestParameters, { 'method.request.querystring.author': false, 'method.request.querystring.limit': true, 'method.request.header.X-Request-Id': false });
    assert.deepEqual(list.methodIntegration.cacheKeyParameters, ['method.request.querystring.author']);
    assert.equal(list.methodIntegration.cacheNamespace, 'books');
    assert.equal(list.methodIntegration.timeoutInMillis, 5000);
    assert.equal(list.methodIntegration.passthroughBehavior, 'WHEN_NO_TEMPLATES');
    assert.equal(list.methodIntegration.integrationResponses['200'].selectionPattern, '2\\d{2}');
    assert.match(list.methodResponses['200'].responseModels['application/json'], /^Model[0-9a-f]{10}$/, 'an inline schema becomes a model');
    const create = d.methods['POST /books'];
    assert.equal(create.authorizationType, 'COGNITO_USER_POOLS');
    assert.deepEqual(create.authorizationScopes, ['books/write', 'books/admin']);
    assert.equal(create.requestValidatorId, 'all');
    assert.equal(create.methodIntegration.contentHandling, 'CONVERT_TO_TEXT');
    assert.equal(create.methodIntegration.passthroughBehavior, 'NEVER');
    assert.equal(create.methodIntegration.integrationResponses['400'].selectionPattern, '.*Invalid.*');
    assert.equal(d.methods['DELETE /books/{bookId}'].authorizationType, 'AWS_IAM');
    assert.equal(d.methods['DELETE /books/{bookId}'].methodIntegration.connectionType, 'VPC_LINK');
    assert.deepEqual(d.methods['GET /books/{bookId}'].requestParameters, { 'method.request.path.bookId': true }, 'path-level $ref parameters apply');
    assert.equal(d.methods['GET /books/{bookId}'].authorizerId, 'request-auth');
    assert.equal(d.methods['GET /books/{bookId}/cover'].methodIntegration.integrationResponses['200'].contentHandling, 'CONVERT_TO_BINARY');
    assert.equal(d.methods['ANY /authors/{authorId}/{proxy+}'].methodIntegration.type, 'AWS_PROXY');
    assert.equal(d.methods['GET /health'].authorizationType, 'NONE');
    // Circular models: Book ↔ Author, Book → Book.
    assert.equal(d.models.Book.schema.properties.author.$ref, 'https://apigateway.amazonaws.com/restapis/API/models/Author');
    assert.equal(d.models.Author.schema.properties.books.items.$ref, 'https://apigateway.amazonaws.com/restapis/API/models/Book');
    assert.equal(d.models.Book.schema.properties.related.items.$ref, 'https://apigateway.amazonaws.com/restapis/API/models/Book');
  });

  test('OpenAPI 3: components, requestBody, content, servers basePath', async () => {
    const api = await sdk.send(new ImportRestApiCommand({ body: fixture('orders-oas3.json'), parameters: { basepath: 'prepend', endpointConfigurationTypes: 'REGIONAL' } }));
    assert.deepEqual(api.endpointConfiguration?.types, ['REGIONAL']);
    const d = await describeApi(g.control, api.id!);
    assert.deepEqual(d.paths, ['/', '/prod', '/prod/orders', '/prod/orders/{orderId}']);
    assert.deepEqual(d.methods['POST /prod/orders'].requestModels, { 'application/json': 'NewOrder', 'application/xml': 'NewOrder' });
    assert.deepEqual(d.methods['POST /prod/orders'].methodResponses['201'].responseModels, { 'application/json': 'Order' });
    assert.equal(d.methods['GET /prod/orders'].apiKeyRequired, true);
    assert.deepEqual(d.methods['GET /prod/orders'].requestParameters, { 'method.request.querystring.status': false, 'method.request.header.X-Customer': true });
    assert.equal(d.methods['GET /prod/orders/{orderId}'].authorizationType, 'AWS_IAM');
    assert.equal(d.methods['ANY /prod/orders/{orderId}'].methodIntegration.type, 'MOCK');
    assert.equal(d.models.Order.schema.properties.parent.$ref, 'https://apigateway.amazonaws.com/restapis/API/models/Order');
  });

  test('PutRestApi merges into and overwrites an existing API', async () => {
    const api = await sdk.send(new ImportRestApiCommand({ body: fixture('petstore.json') }));
    await sdk.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'keep' }));
    const extra = JSON.stringify({
      swagger: '2.0', info: { title: 'PetStore v2', version: '2' },
      paths: { '/toys': { get: { responses: { '200': { description: 'ok' } }, 'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } } } } },
    });
    const merged = await sdk.send(new PutRestApiCommand({ restApiId: api.id, mode: 'merge', body: Buffer.from(extra) }));
    assert.equal(merged.name, 'PetStore v2', 'merge renames the API to the definition\'s title, as AWS does (recorded)');
    let d = await describeApi(g.control, api.id!);
    assert.deepEqual(d.paths, ['/', '/pets', '/pets/{petId}', '/toys']);
    assert.ok(d.models.Pet, 'merge keeps models');
    const over = await sdk.send(new PutRestApiCommand({ restApiId: api.id, mode: 'overwrite', body: Buffer.from(extra) }));
    assert.equal(over.name, 'PetStore v2');
    assert.equal(over.rootResourceId, api.rootResourceId);
    d = await describeApi(g.control, api.id!);
    assert.deepEqual(d.paths, ['/', '/toys']);
    assert.deepEqual(d.models, {});
    // Stages survive an overwrite and still export their deployment.
    const old = JSON.parse(await exportOf(api.id!, 'keep', 'swagger'));
    assert.ok(old.paths['/pets']);
  });
});

describe('import and export through the AWS CLI', () => {
  test('import-rest-api --body fileb://api.yaml, put-rest-api and get-export', async () => {
    const file = join(FIXTURES, 'kinesis-proxy.yaml');
    const api = (await awsCli(g.url, ['apigateway', 'import-rest-api', '--body', `fileb://${file}`, '--fail-on-warnings'])) as Obj;
    assert.equal(api.name, 'KinesisProxy');
    const resources = (await awsCli(g.url, ['apigateway', 'get-resources', '--rest-api-id', api.id])) as Obj;
    assert.equal(resources.items.length, 6);
    const yamlFile = join(FIXTURES, 'lambda-proxy.yaml');
    const put = (await awsCli(g.url, ['apigateway', 'put-rest-api', '--rest-api-id', api.id, '--mode', 'overwrite', '--body', `fileb://${yamlFile}`])) as Obj;
    assert.equal(put.name, 'LambdaProxy');
    await awsCli(g.url, ['apigateway', 'create-deployment', '--rest-api-id', api.id, '--stage-name', 'prod']);
    const out = join(mkdtempSync(join(tmpdir(), 'gatehouse-export-')), 'api.yaml');
    const meta = (await awsCli(g.url, [
      'apigateway', 'get-export', '--rest-api-id', api.id, '--stage-name', 'prod', '--export-type', 'oas30',
      '--parameters', 'extensions=integrations', '--accepts', 'application/yaml', out,
    ])) as Obj;
    assert.equal(meta.contentType, 'application/yaml');
    const doc = parseYaml(readFileSync(out, 'utf8'));
    assert.equal(doc.openapi, '3.0.1');
    assert.equal(doc.servers[0].variables.basePath.default, 'prod', "AWS's basePath variable has no leading slash (recorded)");
    assert.equal(doc.paths['/{proxy+}']['x-amazon-apigateway-any-method']['x-amazon-apigateway-integration'].type, 'aws_proxy');
    const err = await awsCliError(g.url, ['apigateway', 'import-rest-api', '--body', 'fileb:///etc/hostname']);
    assert.equal(err.code, 'BadRequestException');
  });
});

describe('round trip: import → export → import', () => {
  for (const file of FIXTURE_FILES) {
    for (const type of ['swagger', 'oas30']) {
      for (const yaml of [false, true]) {
        test(`${file} through ${type} ${yaml ? 'YAML' : 'JSON'}`, async () => {
          const first = await importBody(fixture(file));
          await g.control.invoke('CreateDeployment', { restApiId: first.id, stageName: 'dev' });
          const accepts = yaml ? 'application/yaml' : 'application/json';
          const exported = await exportOf(first.id, 'dev', type, 'apigateway', accepts);
          assert.equal(await exportOf(first.id, 'dev', type, 'apigateway', accepts), exported, 'the same API exports to the same bytes');
          const second = await importBody(exported, {}, true);
          assert.deepEqual(await describeApi(g.control, second.id), await describeApi(g.control, first.id));
          // Exporting the copy gives the same document, but for its id and deployment date.
          await g.control.invoke('CreateDeployment', { restApiId: second.id, stageName: 'dev' });
          const again = await exportOf(second.id, 'dev', type, 'apigateway', accepts);
          const norm = (text: string, id: string) => text.replaceAll(id, 'API').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'DATE');
          assert.equal(norm(again, second.id), norm(exported, first.id));
        });
      }
    }
  }
});

describe('export', () => {
  let id: string;
  before(async () => {
    id = (await importBody(fixture('bookstore-swagger.yaml'))).id;
    await g.control.invoke('CreateDeployment', { restApiId: id, stageName: 'v1' });
  });

  test('through the SDK: host, basePath, title, version, extensions by parameter', async () => {
    const plain = await sdk.send(new GetExportCommand({ restApiId: id, stageName: 'v1', exportType: 'swagger' }));
    // As AWS answers (recorded): application/octet-stream, named {type}_{info.version}.json.
    assert.equal(plain.contentType, 'application/octet-stream');
    assert.equal(plain.contentDisposition, 'attachment; filename="swagger_1.4.0.json"');
    const doc = JSON.parse(Buffer.from(plain.body!).toString('utf8'));
    assert.equal(doc.swagger, '2.0');
    assert.equal(doc.host, `${id}.execute-api.us-east-1.amazonaws.com`);
    assert.equal(doc.basePath, '/v1');
    assert.equal(doc.info.title, 'Bookstore');
    assert.equal(doc.info.version, '1.4.0', "the API's version, from the imported definition");
    assert.deepEqual(doc.schemes, ['https']);
    assert.equal(doc.paths['/books'].get['x-amazon-apigateway-integration'], undefined, 'no extensions unless asked');
    assert.equal(doc.securityDefinitions['jwt-token']['x-amazon-apigateway-authorizer'], undefined);
    assert.equal(doc['x-amazon-apigateway-request-validators'], undefined);
    assert.deepEqual(doc.paths['/books'].get.security, [{ api_key: [] }, { 'jwt-token': [] }]);
    assert.deepEqual(doc.securityDefinitions.api_key, { type: 'apiKey', name: 'x-api-key', in: 'header' });
    assert.equal(doc.definitions.Book.properties.author.$ref, '#/definitions/Author');

    const integ = JSON.parse(await exportOf(id, 'v1', 'swagger', 'integrations'));
    assert.equal(integ.paths['/books'].get['x-amazon-apigateway-integration'].type, 'http');
    assert.equal(integ.paths['/books'].get['x-amazon-apigateway-integration'].passthroughBehavior, 'when_no_templates');
    assert.equal(integ['x-amazon-apigateway-gateway-responses'], undefined);
    const auth = JSON.parse(await exportOf(id, 'v1', 'swagger', 'authorizers'));
    assert.equal(auth.securityDefinitions['jwt-token']['x-amazon-apigateway-authorizer'].type, 'token');
    assert.equal(auth.paths['/books'].get['x-amazon-apigateway-integration'], undefined);
    const all = JSON.parse(await exportOf(id, 'v1', 'swagger', 'apigateway'));
    assert.equal(all['x-amazon-apigateway-api-key-source'], 'AUTHORIZER');
    assert.deepEqual(all['x-amazon-apigateway-binary-media-types'], ['image/jpeg', 'application/pdf']);
    assert.equal(all.paths['/books'].post['x-amazon-apigateway-request-validator'], 'all');
    assert.equal(all['x-amazon-apigateway-gateway-responses'].UNAUTHORIZED.statusCode, '401');
    assert.ok(all.paths['/authors/{authorId}/{proxy+}']['x-amazon-apigateway-any-method']);
  });

  test('YAML by the Accept header, OpenAPI 3 layout', async () => {
    const out = await sdk.send(new GetExportCommand({ restApiId: id, stageName: 'v1', exportType: 'oas30', accepts: 'application/yaml', parameters: { extensions: 'apigateway' } }));
    assert.equal(out.contentType, 'application/yaml');
    const doc = parseYaml(Buffer.from(out.body!).toString('utf8'));
    assert.equal(doc.openapi, '3.0.1');
    assert.equal(doc.servers[0].url, `https://${id}.execute-api.us-east-1.amazonaws.com/{basePath}`);
    assert.equal(doc.components.schemas.Author.properties.books.items.$ref, '#/components/schemas/Book');
    assert.deepEqual(doc.paths['/books'].post.requestBody, { content: { 'application/json': { schema: { $ref: '#/components/schemas/Book' } } }, required: true });
    assert.equal(doc.components.securitySchemes.cognito['x-amazon-apigateway-authorizer'].type, 'cognito_user_pools');
  });

  test('errors: unknown stage, export type, accepts value, extension', async () => {
    await assert.rejects(g.control.invoke('GetExport', { restApiId: id, stageName: 'nope', exportType: 'swagger' }), /Invalid Stage identifier specified/);
    await assert.rejects(g.control.invoke('GetExport', { restApiId: id, stageName: 'v1', exportType: 'raml' }), /Invalid export type specified: raml. Valid values are swagger, oas30/);
    await assert.rejects(g.control.invoke('GetExport', { restApiId: id, stageName: 'v1', exportType: 'swagger', accepts: 'text/html' }), /Invalid accepts value specified: text\/html/);
    await assert.rejects(g.control.invoke('GetExport', { restApiId: id, stageName: 'v1', exportType: 'swagger', parameters: { extensions: 'everything' } }), /Invalid extensions parameter specified: everything/);
  });
});

describe('basepath', () => {
  const doc = (basePath: string) =>
    JSON.stringify({
      swagger: '2.0', info: { title: 'Base', version: '1' }, basePath,
      paths: Object.fromEntries(['/e', '/f'].map((p) => [p, { get: { responses: {}, 'x-amazon-apigateway-integration': { type: 'mock' } } }])),
    });
  for (const [mode, paths] of [
    ['ignore', ['/', '/e', '/f']],
    ['prepend', ['/', '/a', '/a/b', '/a/b/c', '/a/b/c/e', '/a/b/c/f']],
    ['split', ['/', '/b', '/b/c', '/b/c/e', '/b/c/f']],
  ] as const) {
    test(`basepath=${mode} as the guide describes`, async () => {
      const api = await importBody(doc('/a/b/c'), { basepath: mode });
      assert.deepEqual((await describeApi(g.control, api.id)).paths, paths);
    });
  }
  test('an unknown basepath mode is a 400', async () => {
    await rejects(doc('/a'), /Invalid basepath parameter/, { basepath: 'squash' });
  });
});

describe('warnings and errors', () => {
  const withMissingModel = JSON.stringify({
    swagger: '2.0', info: { title: 'Warn', version: '1' },
    paths: { '/x': { get: { responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Missing' } } }, 'x-amazon-apigateway-integration': { type: 'mock' } } } },
  });

  test('warnings come back on the RestApi; failonwarnings=true rolls back with them as the message', async () => {
    const api = await importBody(withMissingModel);
    assert.deepEqual(api.warnings, ["Unable to find model for the 200 response of method 'GET /x': '#/definitions/Missing' is not a model the definition declares; the model is left out"]);
    await rejects(withMissingModel, /^Warnings found during import:\n\tUnable to find model for the 200 response/, {}, true);
  });

  test('failonwarnings over HTTP (SDK)', async () => {
    const before = (await sdk.send(new GetRestApisCommand({ limit: 500 }))).items!.length;
    await assert.rejects(sdk.send(new ImportRestApiCommand({ body: Buffer.from(withMissingModel), failOnWarnings: true })), (err: Obj) => {
      assert.equal(err.name, 'BadRequestException');
      assert.match(err.message, /Warnings found during import/);
      return true;
    });
    assert.equal((await sdk.send(new GetRestApisCommand({ limit: 500 }))).items!.length, before);
  });

  const op = (integration: unknown) =>
    JSON.stringify({ swagger: '2.0', info: { title: 'Bad', version: '1' }, paths: { '/a': { get: { responses: {}, 'x-amazon-apigateway-integration': integration } } } });

  test('errors are AWS-worded, say where, and leave nothing behind', async () => {
    await rejects(op({ type: 'aws', httpMethod: 'POST', uri: 'not-an-arn' }), /^Errors found during import:\n\tUnable to put integration on 'GET' for resource at path '\/a': Invalid ARN specified in the request/);
    await rejects(op({ type: 'http', httpMethod: 'GET', uri: 'https://x.example.com', requestParameters: { 'integration.request.path.id': 'method.request.path.id' } }), /Invalid mapping expression parameter specified: method.request.path.id/);
    await rejects(op({ type: 'teleport' }), /Enumeration value for IntegrationType must be non-empty/);
    await rejects(op({ type: 'mock', timeoutInMillis: 5 }), /Timeout should be between 50 ms and 29000 ms/);
    await rejects(op({ type: 'mock', responses: { '[': { statusCode: '200' } } }), /Invalid selection pattern specified/);
    await rejects(JSON.stringify({ swagger: '2.0', info: { title: 'P', version: '1' }, paths: { '/a b': { get: { responses: {} } } } }), /Unable to create resource at path '\/a b'/);
    await rejects(JSON.stringify({ swagger: '2.0', info: { title: 'T' }, paths: {}, definitions: { 'bad-name': { type: 'object' } } }), /Model name must be alphanumeric/);
    await rejects(JSON.stringify({ swagger: '2.0', info: { title: 'T' }, paths: {}, definitions: { A: { type: 'nonsense' } } }), /Unable to create model 'A'/);
    await rejects(JSON.stringify({ swagger: '2.0', info: { title: 'T' }, paths: { '/a': { get: { 'x-amazon-apigateway-request-validator': 'nope', responses: {} } } } }), /request validator 'nope'/);
    await rejects(JSON.stringify({ swagger: '2.0', info: { title: 'T' }, paths: {}, 'x-amazon-apigateway-gateway-responses': { NOT_A_TYPE: {} } }), /Invalid gateway response type/);
    await rejects(JSON.stringify({
      swagger: '2.0', info: { title: 'T' }, paths: {},
      securityDefinitions: { a: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: 'https://nope' } } },
    }), /Unable to create authorizer 'a': Invalid authorizer URI/);
  });

  test('malformed and hostile files get a clear 400', async () => {
    // AWS's answer to any body it cannot read as a definition.
    const unreadable = /^Invalid OpenAPI input\.$/;
    await rejects('', unreadable);
    await rejects('this: is: not: yaml: {', unreadable);
    await rejects('{"swagger": "2.0", ', unreadable);
    await rejects('[1, 2, 3]', unreadable);
    await rejects('just a string', unreadable);
    await rejects(JSON.stringify({ swagger: '1.2', info: { title: 'Old' } }), /Unsupported version: swagger 1.2/);
    await rejects(JSON.stringify({ openapi: '4.0.0', info: { title: 'New' } }), /Unsupported version: openapi 4.0.0/);
    await rejects(JSON.stringify({ info: { title: 'None' } }), /neither Swagger 2.0/);
    // Huge: over API Gateway's 6 MB.
    await rejects(JSON.stringify({ swagger: '2.0', info: { title: 'Huge', description: 'x'.repeat(7 * 1024 * 1024) }, paths: {} }), /limit is 6291456 bytes/);
    // Deeply nested, in JSON and in YAML.
    await rejects(`{"swagger":"2.0","info":{"title":"Deep"},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, unreadable);
    await rejects(`swagger: "2.0"\ninfo: {title: Deep}\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, unreadable);
    // A YAML "billion laughs" bomb.
    const bomb = ['swagger: "2.0"', 'info: {title: Bomb}', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
    await rejects(bomb.join('\n'), unreadable);
  });

  test('over HTTP, a hostile body is a 400 BadRequestException, not a crash', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-bad-')), 'bad.yaml');
    writeFileSync(file, `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`);
    const err = await awsCliError(g.url, ['apigateway', 'import-rest-api', '--body', `fileb://${file}`]);
    assert.equal(err.code, 'BadRequestException');
  });
});
