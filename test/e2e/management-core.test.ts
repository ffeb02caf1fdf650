// The core of the management API end to end, through the AWS SDK for JavaScript v3.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIGatewayClient, CreateDeploymentCommand, CreateModelCommand, CreateResourceCommand, CreateRestApiCommand, CreateStageCommand,
  DeleteDeploymentCommand, DeleteIntegrationCommand, DeleteIntegrationResponseCommand, DeleteMethodCommand, DeleteMethodResponseCommand,
  DeleteModelCommand, DeleteResourceCommand, DeleteRestApiCommand, DeleteStageCommand, GetAccountCommand, GetDeploymentCommand,
  GetDeploymentsCommand, GetIntegrationCommand, GetIntegrationResponseCommand, GetMethodCommand, GetMethodResponseCommand,
  GetModelCommand, GetModelsCommand, GetModelTemplateCommand, GetResourceCommand, GetResourcesCommand, GetRestApiCommand,
  GenerateClientCertificateCommand, GetRestApisCommand, GetStageCommand, GetStagesCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand,
  PutMethodResponseCommand, UpdateAccountCommand, UpdateDeploymentCommand, UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand, UpdateMethodCommand, UpdateMethodResponseCommand, UpdateModelCommand, UpdateResourceCommand,
  UpdateRestApiCommand, UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, rejects, useGatehouse } from '../helpers/server.ts';

let gh: Gatehouse;
let client: APIGatewayClient;

useGatehouse((g, c) => {
  gh = g;
  client = c;
});


async function newApi(name = 'PetStore') {
  const api = await client.send(new CreateRestApiCommand({ name }));
  return { id: api.id!, rootId: api.rootResourceId! };
}

describe('REST APIs', () => {
  it('creates an API with a root resource and default models, in AWS formats', async () => {
    const api = await client.send(new CreateRestApiCommand({
      name: 'PetStore', description: 'Your first API', version: '1.0', binaryMediaTypes: ['image/png'],
      endpointConfiguration: { types: ['REGIONAL'] }, tags: { team: 'a' }, apiKeySource: 'AUTHORIZER',
    }));
    assert.equal(api.$metadata.httpStatusCode, 201);
    assert.match(api.id!, /^[a-z0-9]{10}$/);
    assert.ok(api.createdDate instanceof Date && Math.abs(api.createdDate.getTime() - Date.now()) < 60_000);
    assert.equal(api.name, 'PetStore');
    assert.equal(api.description, 'Your first API');
    assert.equal(api.version, '1.0');
    assert.deepEqual(api.binaryMediaTypes, ['image/png']);
    assert.deepEqual(api.endpointConfiguration?.types, ['REGIONAL']);
    assert.equal(api.apiKeySource, 'AUTHORIZER');
    assert.deepEqual(api.tags, { team: 'a' });
    const resources = await client.send(new GetResourcesCommand({ restApiId: api.id }));
    assert.deepEqual(resources.items, [{ id: api.rootResourceId, path: '/' }]);
    const models = await client.send(new GetModelsCommand({ restApiId: api.id }));
    assert.deepEqual(models.items!.map((m) => m.name).sort(), ['Empty', 'Error']);
    const got = await client.send(new GetRestApiCommand({ restApiId: api.id }));
    assert.equal(got.id, api.id);
    assert.equal(got.rootResourceId, api.rootResourceId);
  });

  it('answers unknown APIs with AWS NotFoundException text', async () => {
    await rejects(client.send(new GetRestApiCommand({ restApiId: 'nope123456' })), 'NotFoundException', 'Invalid API identifier specified 000000000000:nope123456');
    await rejects(client.send(new DeleteRestApiCommand({ restApiId: 'nope123456' })), 'NotFoundException');
  });

  it('updates with patch operations and rejects unknown paths', async () => {
    const { id } = await newApi();
    const out = await client.send(new UpdateRestApiCommand({
      restApiId: id,
      patchOperations: [
        { op: 'replace', path: '/name', value: 'Renamed' },
        { op: 'add', path: '/binaryMediaTypes/image~1jpeg' },
        { op: 'replace', path: '/endpointConfiguration/types/EDGE', value: 'REGIONAL' },
        { op: 'replace', path: '/minimumCompressionSize', value: '1024' },
      ],
    }));
    assert.equal(out.name, 'Renamed');
    assert.deepEqual(out.binaryMediaTypes, ['image/jpeg']);
    assert.deepEqual(out.endpointConfiguration?.types, ['REGIONAL']);
    assert.equal(out.minimumCompressionSize, 1024);
    // UpdateRestApi words an unknown path briefly (test_apigateway_api recording).
    await rejects(client.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [{ op: 'replace', path: '/id', value: 'x' }] })),
      'BadRequestException', 'Invalid patch path /id');
    // a failed patch changes nothing
    await rejects(client.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [
      { op: 'replace', path: '/name', value: 'Half' }, { op: 'replace', path: '/apiKeySource', value: 'NOPE' }] })), 'BadRequestException');
    assert.equal((await client.send(new GetRestApiCommand({ restApiId: id }))).name, 'Renamed');
  });

  it('pages GetRestApis with limit and position', async () => {
    for (let i = 0; i < 5; i++) await newApi(`page-${i}`);
    const seen = new Set<string>();
    let position: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new GetRestApisCommand({ limit: 2, position }));
      assert.ok(page.items!.length <= 2);
      for (const a of page.items!) seen.add(a.id!);
      position = page.position;
      pages++;
    } while (position);
    const all = await client.send(new GetRestApisCommand({ limit: 500 }));
    assert.equal(seen.size, all.items!.length);
    assert.ok(pages >= 3);
    await rejects(client.send(new GetRestApisCommand({ limit: 501 })), 'BadRequestException', /less than or equal to 500/);
    await rejects(client.send(new GetRestApisCommand({ position: 'garbage' })), 'BadRequestException');
  });

  it('clones an API with cloneFrom', async () => {
    const src = await newApi('Source');
    const r = await client.send(new CreateResourceCommand({ restApiId: src.id, parentId: src.rootId, pathPart: 'pets' }));
    await client.send(new PutMethodCommand({ restApiId: src.id, resourceId: r.id, httpMethod: 'GET', authorizationType: 'NONE' }));
    await client.send(new PutIntegrationCommand({ restApiId: src.id, resourceId: r.id, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    const clone = await client.send(new CreateRestApiCommand({ name: 'Clone', cloneFrom: src.id }));
    assert.notEqual(clone.id, src.id);
    const res = await client.send(new GetResourcesCommand({ restApiId: clone.id, embed: ['methods'] }));
    const pets = res.items!.find((x) => x.path === '/pets')!;
    assert.notEqual(pets.id, r.id);
    assert.equal(pets.resourceMethods!.GET!.methodIntegration!.type, 'MOCK');
    await rejects(client.send(new CreateRestApiCommand({ name: 'x', cloneFrom: 'missing000' })), 'NotFoundException');
  });

  it('deletes an API and everything under it', async () => {
    const { id } = await newApi();
    await client.send(new DeleteRestApiCommand({ restApiId: id }));
    await rejects(client.send(new GetRestApiCommand({ restApiId: id })), 'NotFoundException');
    await rejects(client.send(new GetResourcesCommand({ restApiId: id })), 'NotFoundException');
  });

  it('validates required members with AWS wording', async () => {
    await rejects(client.send(new CreateRestApiCommand({ name: undefined as unknown as string })), 'BadRequestException',
      "1 validation error detected: Value null at 'createRestApiInput.name' failed to satisfy constraint: Member must not be null");
  });
});

describe('resources', () => {
  it('creates nested resources, rejects bad and duplicate path parts', async () => {
    const { id, rootId } = await newApi();
    const pets = await client.send(new CreateResourceCommand({ restApiId: id, parentId: rootId, pathPart: 'pets' }));
    assert.equal(pets.$metadata.httpStatusCode, 201);
    assert.equal(pets.path, '/pets');
    assert.equal(pets.parentId, rootId);
    const petId = await client.send(new CreateResourceCommand({ restApiId: id, parentId: pets.id, pathPart: '{petId}' }));
    assert.equal(petId.path, '/pets/{petId}');
    await rejects(client.send(new CreateResourceCommand({ restApiId: id, parentId: rootId, pathPart: 'pets' })),
      'ConflictException', 'Another resource with the same parent already has this name: pets');
    await rejects(client.send(new CreateResourceCommand({ restApiId: id, parentId: pets.id, pathPart: '{other}' })),
      'BadRequestException', /A sibling \(\{petId\}\) of this resource already has a variable path part/);
    await rejects(client.send(new CreateResourceCommand({ restApiId: id, parentId: rootId, pathPart: 'a b' })), 'BadRequestException', /path part only allow/);
    await rejects(client.send(new CreateResourceCommand({ restApiId: id, parentId: 'missing', pathPart: 'x' })), 'NotFoundException', 'Invalid Resource identifier specified');
    const proxy = await client.send(new CreateResourceCommand({ restApiId: id, parentId: rootId, pathPart: '{proxy+}' }));
    await rejects(client.send(new CreateResourceCommand({ restApiId: id, parentId: proxy.id, pathPart: 'x' })), 'BadRequestException', /greedy/);
    const got = await client.send(new GetResourceCommand({ restApiId: id, resourceId: petId.id }));
    assert.equal(got.pathPart, '{petId}');
  });

  it('renames and moves a subtree, and deletes it with its methods', async () => {
    const { id, rootId } = await newApi();
    const a = await client.send(new CreateResourceCommand({ restApiId: id, parentId: rootId, pathPart: 'a' }));
    const b = await client.send(new CreateResourceCommand({ restApiId: id, parentId: a.id, pathPart: 'b' }));
    const c = await client.send(new CreateResourceCommand({ restApiId: id, parentId: rootId, pathPart: 'c' }));
    const renamed = await client.send(new UpdateResourceCommand({ restApiId: id, resourceId: a.id, patchOperations: [{ op: 'replace', path: '/pathPart', value: 'aa' }] }));
    assert.equal(renamed.path, '/aa');
    assert.equal((await client.send(new GetResourceCommand({ restApiId: id, resourceId: b.id }))).path, '/aa/b');
    const moved = await client.send(new UpdateResourceCommand({ restApiId: id, resourceId: a.id, patchOperations: [{ op: 'replace', path: '/parentId', value: c.id }] }));
    assert.equal(moved.path, '/c/aa');
    assert.equal((await client.send(new GetResourceCommand({ restApiId: id, resourceId: b.id }))).path, '/c/aa/b');
    await rejects(client.send(new UpdateResourceCommand({ restApiId: id, resourceId: c.id, patchOperations: [{ op: 'replace', path: '/parentId', value: b.id }] })), 'BadRequestException');
    await client.send(new PutMethodCommand({ restApiId: id, resourceId: b.id, httpMethod: 'GET', authorizationType: 'NONE' }));
    await client.send(new DeleteResourceCommand({ restApiId: id, resourceId: c.id }));
    const left = await client.send(new GetResourcesCommand({ restApiId: id }));
    assert.deepEqual(left.items!.map((r) => r.path), ['/']);
    await rejects(client.send(new DeleteResourceCommand({ restApiId: id, resourceId: rootId })), 'BadRequestException');
  });

  it('lists resources with and without embedded methods, paged', async () => {
    const { id, rootId } = await newApi();
    for (let i = 0; i < 7; i++) {
      const r = await client.send(new CreateResourceCommand({ restApiId: id, parentId: rootId, pathPart: `r${i}` }));
      await client.send(new PutMethodCommand({ restApiId: id, resourceId: r.id, httpMethod: 'GET', authorizationType: 'NONE' }));
    }
    const plain = await client.send(new GetResourcesCommand({ restApiId: id, limit: 500 }));
    assert.deepEqual(plain.items![1]!.resourceMethods, { GET: {} });
    const embedded = await client.send(new GetResourcesCommand({ restApiId: id, embed: ['methods'], limit: 500 }));
    assert.equal(embedded.items![1]!.resourceMethods!.GET!.authorizationType, 'NONE');
    const page1 = await client.send(new GetResourcesCommand({ restApiId: id, limit: 3 }));
    assert.equal(page1.items!.length, 3);
    const page2 = await client.send(new GetResourcesCommand({ restApiId: id, limit: 3, position: page1.position }));
    assert.notEqual(page2.items![0]!.id, page1.items![0]!.id);
  });
});

describe('methods, integrations and their responses', () => {
  it('runs the whole life cycle with AWS shapes and errors', async () => {
    const { id, rootId } = await newApi();
    const r = await client.send(new CreateResourceCommand({ restApiId: id, parentId: rootId, pathPart: 'pets' }));
    const m = { restApiId: id, resourceId: r.id!, httpMethod: 'GET' };
    const put = await client.send(new PutMethodCommand({ ...m, authorizationType: 'NONE', requestParameters: { 'method.request.querystring.type': false, 'method.request.header.x-id': true }, operationName: 'ListPets' }));
    assert.equal(put.$metadata.httpStatusCode, 201);
    assert.equal(put.apiKeyRequired, false);
    await rejects(client.send(new PutMethodCommand({ ...m, authorizationType: 'NONE' })), 'ConflictException', 'Method already exists for this resource');
    await rejects(client.send(new PutMethodCommand({ ...m, httpMethod: 'FETCH', authorizationType: 'NONE' })), 'BadRequestException', /Invalid HttpMethod/);
    await rejects(client.send(new PutMethodCommand({ ...m, httpMethod: 'POST', authorizationType: 'CUSTOM' })), 'BadRequestException', /authorizer/);
    await rejects(client.send(new PutMethodCommand({ ...m, httpMethod: 'POST', authorizationType: 'NONE', requestParameters: { 'bogus.param': true } })), 'BadRequestException', /Invalid mapping expression/);
    await rejects(client.send(new PutMethodCommand({ ...m, httpMethod: 'POST', authorizationType: 'NONE', requestModels: { 'application/json': 'NoSuchModel' } })), 'BadRequestException', /Invalid model identifier/);

    await rejects(client.send(new PutIntegrationCommand({ ...m, type: 'HTTP', uri: 'http://example.com' })), 'BadRequestException', 'Enumeration value for HttpMethod must be non-empty');
    await rejects(client.send(new PutIntegrationCommand({ ...m, type: 'HTTP', integrationHttpMethod: 'GET', uri: 'not a url' })), 'BadRequestException', 'Invalid HTTP endpoint specified for URI');
    await rejects(client.send(new PutIntegrationCommand({ ...m, type: 'AWS', integrationHttpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:lambda:nothing' })), 'BadRequestException', 'AWS ARN for integration must contain path or action');
    await rejects(client.send(new PutIntegrationCommand({ ...m, type: 'HTTP', integrationHttpMethod: 'GET', uri: 'http://example.com', timeoutInMillis: 40000 })), 'BadRequestException', 'Timeout should be between 50 ms and 29000 ms');
    await rejects(client.send(new PutIntegrationCommand({ ...m, type: 'HTTP', integrationHttpMethod: 'GET', uri: 'http://example.com', requestParameters: { 'integration.request.querystring.page': 'method.request.querystring.page' } })),
      'BadRequestException', 'Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: method.request.querystring.page]');
    const integ = await client.send(new PutIntegrationCommand({
      ...m, type: 'HTTP', integrationHttpMethod: 'GET', uri: 'http://petstore-demo-endpoint.execute-api.com/petstore/pets',
      requestParameters: { 'integration.request.querystring.type': 'method.request.querystring.type', 'integration.request.header.x-static': "'abc'" },
    }));
    assert.equal(integ.$metadata.httpStatusCode, 201);
    assert.equal(integ.httpMethod, 'GET');
    assert.equal(integ.passthroughBehavior, 'WHEN_NO_MATCH');
    assert.equal(integ.timeoutInMillis, 29000);
    assert.equal(integ.connectionType, 'INTERNET');
    assert.equal(integ.cacheNamespace, r.id);
    assert.deepEqual(integ.cacheKeyParameters, []);

    // AWS accepts an integration response before its method response (test_apigateway_api recording);
    // only header mappings need the method response's declarations.
    const early = await client.send(new PutIntegrationResponseCommand({ ...m, statusCode: '200' }));
    assert.equal(early.statusCode, '200');
    await rejects(client.send(new PutIntegrationResponseCommand({ ...m, statusCode: '200', responseParameters: { 'method.response.header.X': "'a'" } })),
      'BadRequestException', /No method response exists for method/);
    const mr = await client.send(new PutMethodResponseCommand({ ...m, statusCode: '200', responseParameters: { 'method.response.header.Content-Type': false }, responseModels: { 'application/json': 'Empty' } }));
    assert.equal(mr.statusCode, '200');
    await rejects(client.send(new PutMethodResponseCommand({ ...m, statusCode: '200' })), 'ConflictException', 'Response already exists for this resource');
    // The service model's status-code pattern, checked before API Gateway's code runs (recorded wording).
    await rejects(client.send(new PutMethodResponseCommand({ ...m, statusCode: '600' })), 'ValidationException',
      "1 validation error detected: Value '600' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d");
    await rejects(client.send(new PutIntegrationResponseCommand({ ...m, statusCode: '200', responseParameters: { 'method.response.header.X-Undeclared': "'a'" } })),
      'BadRequestException', /Invalid mapping expression parameter specified: method.response.header.X-Undeclared/);
    await rejects(client.send(new PutIntegrationResponseCommand({ ...m, statusCode: '200', selectionPattern: '([a-' })), 'BadRequestException', /selection pattern/);
    const ir = await client.send(new PutIntegrationResponseCommand({
      ...m, statusCode: '200', selectionPattern: '2\\d{2}',
      responseParameters: { 'method.response.header.Content-Type': "'application/json'" }, responseTemplates: { 'application/json': "$input.path('$')" },
    }));
    assert.equal(ir.selectionPattern, '2\\d{2}');

    const full = await client.send(new GetMethodCommand(m));
    assert.equal(full.operationName, 'ListPets');
    assert.equal(full.methodResponses!['200']!.responseModels!['application/json'], 'Empty');
    assert.equal(full.methodIntegration!.integrationResponses!['200']!.responseTemplates!['application/json'], "$input.path('$')");

    const um = await client.send(new UpdateMethodCommand({ ...m, patchOperations: [
      { op: 'replace', path: '/apiKeyRequired', value: 'true' },
      { op: 'add', path: '/requestParameters/method.request.querystring.page', value: 'false' },
    ] }));
    assert.equal(um.apiKeyRequired, true);
    assert.equal(um.requestParameters!['method.request.querystring.page'], false);
    const ui = await client.send(new UpdateIntegrationCommand({ ...m, patchOperations: [
      { op: 'add', path: '/requestParameters/integration.request.querystring.page', value: 'method.request.querystring.page' },
      { op: 'add', path: '/requestTemplates/application~1json', value: '{"a": 1}' },
      { op: 'replace', path: '/passthroughBehavior', value: 'NEVER' },
    ] }));
    assert.equal(ui.requestParameters!['integration.request.querystring.page'], 'method.request.querystring.page');
    assert.equal(ui.requestTemplates!['application/json'], '{"a": 1}');
    assert.equal(ui.passthroughBehavior, 'NEVER');
    const umr = await client.send(new UpdateMethodResponseCommand({ ...m, statusCode: '200', patchOperations: [{ op: 'add', path: '/responseParameters/method.response.header.X-Rate', value: 'false' }] }));
    assert.equal(umr.responseParameters!['method.response.header.X-Rate'], false);
    const uir = await client.send(new UpdateIntegrationResponseCommand({ ...m, statusCode: '200', patchOperations: [{ op: 'replace', path: '/selectionPattern', value: '' }] }));
    assert.equal(uir.selectionPattern, '');
    assert.equal((await client.send(new GetMethodResponseCommand({ ...m, statusCode: '200' }))).statusCode, '200');
    assert.equal((await client.send(new GetIntegrationResponseCommand({ ...m, statusCode: '200' }))).statusCode, '200');
    assert.equal((await client.send(new GetIntegrationCommand(m))).type, 'HTTP');

    const d1 = await client.send(new DeleteIntegrationResponseCommand({ ...m, statusCode: '200' }));
    assert.equal(d1.$metadata.httpStatusCode, 204);
    await rejects(client.send(new GetIntegrationResponseCommand({ ...m, statusCode: '200' })), 'NotFoundException');
    await client.send(new DeleteMethodResponseCommand({ ...m, statusCode: '200' }));
    await client.send(new DeleteIntegrationCommand(m));
    await rejects(client.send(new GetIntegrationCommand(m)), 'NotFoundException');
    await client.send(new DeleteMethodCommand(m));
    await rejects(client.send(new GetMethodCommand(m)), 'NotFoundException', 'Invalid Method identifier specified');
  });
});

describe('models', () => {
  it('validates draft-04 schemas, resolves $ref between models, generates templates', async () => {
    const { id } = await newApi();
    const petSchema = { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Pet', type: 'object', properties: { id: { type: 'integer' }, type: { type: 'string' }, price: { type: 'number' } } };
    const pet = await client.send(new CreateModelCommand({ restApiId: id, name: 'Pet', contentType: 'application/json', schema: JSON.stringify(petSchema) }));
    assert.match(pet.id!, /^[a-z0-9]{6}$/);
    const pets = await client.send(new CreateModelCommand({
      restApiId: id, name: 'Pets', contentType: 'application/json',
      schema: JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'array', items: { $ref: `https://apigateway.amazonaws.com/restapis/${id}/models/Pet` } }),
    }));
    assert.equal(pets.name, 'Pets');
    await rejects(client.send(new CreateModelCommand({ restApiId: id, name: 'Pet', contentType: 'application/json', schema: '{}' })), 'ConflictException');
    await rejects(client.send(new CreateModelCommand({ restApiId: id, name: 'Bad', contentType: 'application/json', schema: '{not json' })), 'BadRequestException', /Invalid model/);
    await rejects(client.send(new CreateModelCommand({ restApiId: id, name: 'Bad', contentType: 'application/json', schema: '{"type": "nonsense"}' })), 'BadRequestException', /Invalid model schema/);
    await rejects(client.send(new CreateModelCommand({ restApiId: id, name: 'Dangling', contentType: 'application/json',
      schema: JSON.stringify({ $ref: `https://apigateway.amazonaws.com/restapis/${id}/models/Nope` }) })), 'BadRequestException', /Nope/);
    await rejects(client.send(new CreateModelCommand({ restApiId: id, name: 'bad-name', contentType: 'application/json', schema: '{}' })), 'BadRequestException', /alphanumeric/);

    const template = await client.send(new GetModelTemplateCommand({ restApiId: id, modelName: 'Pets' }));
    assert.match(template.value!, /^#set\(\$inputRoot = \$input.path\('\$'\)\)/);
    assert.match(template.value!, /#foreach\(\$elem in \$inputRoot\)/);
    assert.match(template.value!, /"type" : "\$elem.type"/);
    assert.match(template.value!, /"id" : \$elem.id/);

    const flat = await client.send(new GetModelCommand({ restApiId: id, modelName: 'Pets', flatten: true }));
    assert.equal(JSON.parse(flat.schema!).items.title, 'Pet');
    await rejects(client.send(new DeleteModelCommand({ restApiId: id, modelName: 'Pet' })), 'ConflictException', /referenced/);
    const upd = await client.send(new UpdateModelCommand({ restApiId: id, modelName: 'Pet', patchOperations: [{ op: 'replace', path: '/description', value: 'A pet' }] }));
    assert.equal(upd.description, 'A pet');
    await client.send(new DeleteModelCommand({ restApiId: id, modelName: 'Pets' }));
    await client.send(new DeleteModelCommand({ restApiId: id, modelName: 'Pet' }));
    await rejects(client.send(new GetModelCommand({ restApiId: id, modelName: 'Pet' })), 'NotFoundException');
  });
});

describe('deployments and stages', () => {
  async function deployableApi() {
    const api = await newApi();
    await client.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootId, httpMethod: 'GET', authorizationType: 'NONE' }));
    await client.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootId, httpMethod: 'GET', type: 'MOCK' }));
    return api;
  }

  it('refuses to deploy an API without methods', async () => {
    const { id } = await newApi();
    await rejects(client.send(new CreateDeploymentCommand({ restApiId: id })), 'BadRequestException', "The REST API doesn't contain any methods");
  });

  it('deploys with a stage and variables, lists, updates, deletes', async () => {
    const { id } = await deployableApi();
    const d = await client.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'test', stageDescription: 'Test stage', description: 'first', variables: { url: 'example.com' } }));
    assert.equal(d.$metadata.httpStatusCode, 201);
    assert.match(d.id!, /^[a-z0-9]{6}$/);
    const stage = await client.send(new GetStageCommand({ restApiId: id, stageName: 'test' }));
    assert.equal(stage.deploymentId, d.id);
    assert.equal(stage.description, 'Test stage');
    assert.deepEqual(stage.variables, { url: 'example.com' });
    assert.equal(stage.cacheClusterEnabled, false);
    assert.equal(stage.cacheClusterStatus, 'NOT_AVAILABLE');

    const withSummary = await client.send(new GetDeploymentCommand({ restApiId: id, deploymentId: d.id, embed: ['apisummary'] }));
    assert.deepEqual(withSummary.apiSummary, { '/': { GET: { authorizationType: 'NONE', apiKeyRequired: false } } });
    const d2 = await client.send(new CreateDeploymentCommand({ restApiId: id }));
    const list = await client.send(new GetDeploymentsCommand({ restApiId: id }));
    assert.deepEqual(list.items!.map((x) => x.id), [d.id, d2.id]);
    const ud = await client.send(new UpdateDeploymentCommand({ restApiId: id, deploymentId: d2.id, patchOperations: [{ op: 'replace', path: '/description', value: 'second' }] }));
    assert.equal(ud.description, 'second');

    const prod = await client.send(new CreateStageCommand({ restApiId: id, stageName: 'prod', deploymentId: d2.id, variables: { a: '1' } }));
    assert.equal(prod.$metadata.httpStatusCode, 201);
    await rejects(client.send(new CreateStageCommand({ restApiId: id, stageName: 'prod', deploymentId: d2.id })), 'ConflictException', 'Stage already exists');
    await rejects(client.send(new CreateStageCommand({ restApiId: id, stageName: 'x', deploymentId: 'nope00' })), 'NotFoundException', 'Invalid Deployment identifier specified');
    await rejects(client.send(new CreateStageCommand({ restApiId: id, stageName: 'bad name', deploymentId: d2.id })), 'BadRequestException', /Stage name only allows/);
    await rejects(client.send(new CreateStageCommand({ restApiId: id, stageName: 'v', deploymentId: d2.id, variables: { 'bad-name': 'x' } })), 'BadRequestException', /Stage variable name/);

    const up = await client.send(new UpdateStageCommand({ restApiId: id, stageName: 'prod', patchOperations: [
      { op: 'replace', path: '/deploymentId', value: d.id },
      { op: 'replace', path: '/variables/b', value: '2' },
      { op: 'remove', path: '/variables/a' },
      { op: 'replace', path: '/cacheClusterEnabled', value: 'true' },
      { op: 'replace', path: '/cacheClusterSize', value: '1.6' },
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '100' },
      { op: 'replace', path: '/~1pets/GET/caching/ttlInSeconds', value: '60' },
      { op: 'replace', path: '/*/*/logging/loglevel', value: 'INFO' },
      { op: 'replace', path: '/description', value: 'Production' },
    ] }));
    assert.equal(up.deploymentId, d.id);
    assert.deepEqual(up.variables, { b: '2' });
    assert.equal(up.cacheClusterEnabled, true);
    assert.equal(up.cacheClusterSize, '1.6');
    // As AWS answers the call that enables a cache; GetStage then shows it ready (docs/cache.md).
    assert.equal(up.cacheClusterStatus, 'CREATE_IN_PROGRESS');
    assert.equal((await client.send(new GetStageCommand({ restApiId: id, stageName: 'prod' }))).cacheClusterStatus, 'AVAILABLE');
    assert.equal(up.methodSettings!['*/*']!.throttlingRateLimit, 100);
    assert.equal(up.methodSettings!['*/*']!.loggingLevel, 'INFO');
    assert.equal(up.methodSettings!['pets/GET']!.cacheTtlInSeconds, 60);
    await rejects(client.send(new UpdateStageCommand({ restApiId: id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/deploymentId', value: 'nope00' }] })), 'NotFoundException');
    await rejects(client.send(new UpdateStageCommand({ restApiId: id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/cacheClusterSize', value: '3' }] })), 'BadRequestException');

    const cert = await client.send(new GenerateClientCertificateCommand({ description: 'backend' }));
    const withCert = await client.send(new UpdateStageCommand({ restApiId: id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/clientCertificateId', value: cert.clientCertificateId }] }));
    assert.equal(withCert.clientCertificateId, cert.clientCertificateId);
    await rejects(client.send(new UpdateStageCommand({ restApiId: id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/clientCertificateId', value: 'nope00' }] })),
      'NotFoundException', 'Invalid Client Certificate identifier specified');

    const stages = await client.send(new GetStagesCommand({ restApiId: id }));
    assert.deepEqual(stages.item!.map((s) => s.stageName).sort(), ['prod', 'test']);
    await rejects(client.send(new DeleteDeploymentCommand({ restApiId: id, deploymentId: d.id })), 'BadRequestException', 'Active stages pointing to this deployment must be moved or deleted');
    await client.send(new DeleteStageCommand({ restApiId: id, stageName: 'prod' }));
    await client.send(new DeleteStageCommand({ restApiId: id, stageName: 'test' }));
    await rejects(client.send(new GetStageCommand({ restApiId: id, stageName: 'test' })), 'NotFoundException', 'Invalid Stage identifier specified');
    await client.send(new DeleteDeploymentCommand({ restApiId: id, deploymentId: d.id }));
    await rejects(client.send(new GetDeploymentCommand({ restApiId: id, deploymentId: d.id })), 'NotFoundException');
  });

  it('keeps a deployment immutable when the API changes', async () => {
    const api = await deployableApi();
    const d = await client.send(new CreateDeploymentCommand({ restApiId: api.id }));
    await client.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootId, pathPart: 'later' }));
    const snap = await gh.store.read('000000000000/us-east-1', (tx) => tx.get<{ resources: { path: string }[] }>('snapshot', api.id, d.id!));
    assert.deepEqual(snap!.resources.map((r) => r.path), ['/']);
  });
});

describe('account', () => {
  it('reads defaults and updates what AWS lets you update', async () => {
    const acct = await client.send(new GetAccountCommand({}));
    assert.deepEqual(acct.throttleSettings, { burstLimit: 5000, rateLimit: 10000 });
    const up = await client.send(new UpdateAccountCommand({ patchOperations: [
      { op: 'replace', path: '/cloudwatchRoleArn', value: 'arn:aws:iam::123456789012:role/apigAwsProxyRole' },
      { op: 'add', path: '/features', value: 'UsagePlans' },
    ] }));
    assert.equal(up.cloudwatchRoleArn, 'arn:aws:iam::123456789012:role/apigAwsProxyRole');
    assert.deepEqual(up.features, ['UsagePlans']);
    await rejects(client.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/throttleSettings/rateLimit', value: '1' }] })), 'BadRequestException', /Invalid patch path/);
  });
});

describe('partitions', () => {
  it('keeps regions apart, as the SigV4 credential scope says', async () => {
    const west = apiGatewayClient(gh.url, 'eu-west-1');
    try {
      const api = await west.send(new CreateRestApiCommand({ name: 'west' }));
      await rejects(client.send(new GetRestApiCommand({ restApiId: api.id })), 'NotFoundException');
      assert.equal((await west.send(new GetRestApiCommand({ restApiId: api.id }))).name, 'west');
    } finally {
      west.destroy();
    }
  });
});
