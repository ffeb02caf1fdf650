// Documentation parts and versions end to end through the AWS SDK v3 and the AWS CLI.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIGatewayClient, CreateDeploymentCommand, CreateDocumentationPartCommand, CreateDocumentationVersionCommand, CreateRestApiCommand,
  DeleteDocumentationPartCommand, DeleteDocumentationVersionCommand, GetDocumentationPartCommand, GetDocumentationPartsCommand,
  GetDocumentationVersionCommand, GetDocumentationVersionsCommand, GetStageCommand, ImportDocumentationPartsCommand, PutIntegrationCommand,
  PutMethodCommand, UpdateDocumentationPartCommand, UpdateDocumentationVersionCommand, type DocumentationPartLocation,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { awsCli, awsCliError, rejects, useGatehouse } from '../helpers/server.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
useGatehouse((g, c) => {
  gh = g;
  client = c;
});

async function newApi(): Promise<{ id: string; rootId: string }> {
  const api = await client.send(new CreateRestApiCommand({ name: 'docs' }));
  return { id: api.id!, rootId: api.rootResourceId! };
}


const part = (restApiId: string, location: DocumentationPartLocation, properties = '{"description":"d"}') =>
  client.send(new CreateDocumentationPartCommand({ restApiId, location, properties }));

describe('documentation parts', () => {
  it('creates parts with AWS location defaults and keeps locations unique', async () => {
    const { id } = await newApi();
    const apiPart = await part(id, { type: 'API' }, '{"info":{"description":"pets"}}');
    assert.equal(apiPart.$metadata.httpStatusCode, 201);
    assert.match(apiPart.id!, /^[a-z0-9]{6}$/);
    assert.deepEqual(apiPart.location, { type: 'API' });
    const res = await part(id, { type: 'RESOURCE' });
    assert.deepEqual(res.location, { type: 'RESOURCE', path: '/' });
    const m = await part(id, { type: 'METHOD', path: '/pets' });
    assert.deepEqual(m.location, { type: 'METHOD', path: '/pets', method: '*' });
    const rh = await part(id, { type: 'RESPONSE_HEADER', path: '/pets', method: 'GET', name: 'X-Count' });
    assert.deepEqual(rh.location, { type: 'RESPONSE_HEADER', path: '/pets', method: 'GET', statusCode: '*', name: 'X-Count' });
    await rejects(part(id, { type: 'METHOD', path: '/pets', method: '*' }), 'ConflictException', /^Documentation part already exists for the specified location/);
    await rejects(part(id, { type: 'API', path: '/' }), 'BadRequestException', "Invalid location: 'path' is not a valid field for documentation parts of type API");
    await rejects(part(id, { type: 'MODEL' }), 'BadRequestException', "Invalid location: 'name' is required for documentation parts of type MODEL");
    await rejects(part(id, { type: 'METHOD', path: '/pets', method: 'FETCH' }), 'BadRequestException', /'FETCH' is not a valid HTTP method/);
    // The service model's pattern for the status code, checked by AWS's input validation.
    await rejects(part(id, { type: 'RESPONSE', statusCode: '999' }), 'ValidationException',
      "1 validation error detected: Value '999' at 'createDocumentationPartInput.location.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([1-5]\\d\\d|\\*|\\s*)$");
    await rejects(part(id, { type: 'AUTHORIZER', name: 'a' }, 'not json'), 'BadRequestException', /properties must be a JSON object/);
    const got = await client.send(new GetDocumentationPartCommand({ restApiId: id, documentationPartId: m.id }));
    assert.equal(got.properties, '{"description":"d"}');
    await rejects(client.send(new GetDocumentationPartCommand({ restApiId: id, documentationPartId: 'nope00' })), 'NotFoundException', 'Invalid Documentation part identifier specified');
  });

  it('filters by type, name, path and status, and pages', async () => {
    const { id } = await newApi();
    await part(id, { type: 'QUERY_PARAMETER', path: '/pets', method: 'GET', name: 'limit' });
    await part(id, { type: 'QUERY_PARAMETER', path: '/pets', method: 'GET', name: 'page' });
    await part(id, { type: 'REQUEST_HEADER', path: '/pets', method: 'GET', name: 'X-Limit' });
    await part(id, { type: 'MODEL', name: 'Pet' }, '{}');
    const q = await client.send(new GetDocumentationPartsCommand({ restApiId: id, type: 'QUERY_PARAMETER' }));
    assert.deepEqual(q.items!.map((p) => p.location!.name), ['limit', 'page']);
    const n = await client.send(new GetDocumentationPartsCommand({ restApiId: id, nameQuery: 'limit' }));
    assert.deepEqual(n.items!.map((p) => p.location!.name), ['limit', 'X-Limit']);
    const byPath = await client.send(new GetDocumentationPartsCommand({ restApiId: id, path: '/pets' }));
    assert.equal(byPath.items!.length, 3);
    const undocumented = await client.send(new GetDocumentationPartsCommand({ restApiId: id, locationStatus: 'UNDOCUMENTED' }));
    assert.deepEqual(undocumented.items!.map((p) => p.location!.name), ['Pet']);
    const documented = await client.send(new GetDocumentationPartsCommand({ restApiId: id, locationStatus: 'DOCUMENTED' }));
    assert.equal(documented.items!.length, 3);
    const p1 = await client.send(new GetDocumentationPartsCommand({ restApiId: id, limit: 3 }));
    const p2 = await client.send(new GetDocumentationPartsCommand({ restApiId: id, limit: 3, position: p1.position }));
    assert.deepEqual([p1.items!.length, p2.items!.length, p2.position], [3, 1, undefined]);
  });

  it('updates /properties and deletes', async () => {
    const { id } = await newApi();
    const p = await part(id, { type: 'API' });
    const u = await client.send(new UpdateDocumentationPartCommand({ restApiId: id, documentationPartId: p.id, patchOperations: [{ op: 'replace', path: '/properties', value: '{"description":"new"}' }] }));
    assert.equal(u.properties, '{"description":"new"}');
    await rejects(client.send(new UpdateDocumentationPartCommand({ restApiId: id, documentationPartId: p.id, patchOperations: [{ op: 'replace', path: '/location/type', value: 'MODEL' }] })),
      'BadRequestException', /Invalid patch path/);
    await rejects(client.send(new UpdateDocumentationPartCommand({ restApiId: id, documentationPartId: p.id, patchOperations: [{ op: 'replace', path: '/properties', value: '[1]' }] })),
      'BadRequestException', /properties must be a JSON object/);
    const d = await client.send(new DeleteDocumentationPartCommand({ restApiId: id, documentationPartId: p.id }));
    assert.equal(d.$metadata.httpStatusCode, 202);
    await rejects(client.send(new DeleteDocumentationPartCommand({ restApiId: id, documentationPartId: p.id })), 'NotFoundException', 'Invalid Documentation part identifier specified');
  });

  it('imports x-amazon-apigateway-documentation in merge and overwrite modes', async () => {
    const { id } = await newApi();
    const existing = await part(id, { type: 'API' }, '{"description":"old"}');
    const other = await part(id, { type: 'MODEL', name: 'Old' });
    const spec = {
      swagger: '2.0', info: { title: 't', version: '1' }, paths: {},
      'x-amazon-apigateway-documentation': {
        version: '1.0',
        documentationParts: [
          { location: { type: 'API' }, properties: { description: 'new' } },
          { location: { type: 'METHOD', path: '/pets', method: 'GET' }, properties: { summary: 'List pets' } },
          { location: { type: 'BOGUS' }, properties: {} },
        ],
      },
    };
    const body = new TextEncoder().encode(JSON.stringify(spec));
    await rejects(client.send(new ImportDocumentationPartsCommand({ restApiId: id, body, failOnWarnings: true })), 'BadRequestException', /^Import failed on warnings: \[Documentation part 3 was not imported/);
    const merged = await client.send(new ImportDocumentationPartsCommand({ restApiId: id, body, mode: 'merge' }));
    assert.equal(merged.ids!.length, 2);
    assert.equal(merged.ids![0], existing.id, 'merge updates the part at the same location');
    assert.equal(merged.warnings!.length, 1);
    assert.equal((await client.send(new GetDocumentationPartCommand({ restApiId: id, documentationPartId: existing.id }))).properties, '{"description":"new"}');
    assert.ok(await client.send(new GetDocumentationPartCommand({ restApiId: id, documentationPartId: other.id })));

    const yaml = 'openapi: 3.0.1\ninfo: {title: t, version: "1"}\npaths: {}\nx-amazon-apigateway-documentation:\n  documentationParts:\n    - location: {type: MODEL, name: Pet}\n      properties: {description: A pet}\n';
    const over = await client.send(new ImportDocumentationPartsCommand({ restApiId: id, body: new TextEncoder().encode(yaml), mode: 'overwrite' }));
    assert.equal(over.ids!.length, 1);
    const all = await client.send(new GetDocumentationPartsCommand({ restApiId: id }));
    assert.deepEqual(all.items!.map((p) => [p.location!.type, p.properties]), [['MODEL', '{"description":"A pet"}']]);
    // AWS's words for a body that is not JSON or YAML (test_apigateway_api recording).
    await rejects(client.send(new ImportDocumentationPartsCommand({ restApiId: id, body: new TextEncoder().encode('{not json') })), 'BadRequestException', 'Unable to build importer with provided input.');
  });
});

describe('documentation versions', () => {
  it('snapshots parts, sets the stage version, updates and deletes', async () => {
    const api = await newApi();
    await part(api.id, { type: 'API' });
    await client.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootId, httpMethod: 'GET', authorizationType: 'NONE' }));
    await client.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootId, httpMethod: 'GET', type: 'MOCK' }));
    await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod' }));
    const v = await client.send(new CreateDocumentationVersionCommand({ restApiId: api.id, documentationVersion: '1.0.0', stageName: 'prod', description: 'first' }));
    assert.equal(v.$metadata.httpStatusCode, 201);
    assert.equal(v.version, '1.0.0');
    assert.ok(v.createdDate instanceof Date);
    assert.equal((await client.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }))).documentationVersion, '1.0.0');
    await rejects(client.send(new CreateDocumentationVersionCommand({ restApiId: api.id, documentationVersion: '1.0.0' })), 'ConflictException', /already exists/);
    await rejects(client.send(new CreateDocumentationVersionCommand({ restApiId: api.id, documentationVersion: '2', stageName: 'nostage' })), 'NotFoundException', 'Invalid Stage identifier specified');
    await client.send(new CreateDocumentationVersionCommand({ restApiId: api.id, documentationVersion: '1.1.0' }));
    const list = await client.send(new GetDocumentationVersionsCommand({ restApiId: api.id, limit: 1 }));
    assert.deepEqual(list.items!.map((x) => x.version), ['1.0.0']);
    const list2 = await client.send(new GetDocumentationVersionsCommand({ restApiId: api.id, limit: 1, position: list.position }));
    assert.deepEqual(list2.items!.map((x) => x.version), ['1.1.0']);
    const u = await client.send(new UpdateDocumentationVersionCommand({ restApiId: api.id, documentationVersion: '1.0.0', patchOperations: [{ op: 'replace', path: '/description', value: 'changed' }] }));
    assert.equal(u.description, 'changed');
    const g = await client.send(new GetDocumentationVersionCommand({ restApiId: api.id, documentationVersion: '1.0.0' }));
    assert.equal(g.description, 'changed');
    await client.send(new DeleteDocumentationVersionCommand({ restApiId: api.id, documentationVersion: '1.1.0' }));
    await rejects(client.send(new GetDocumentationVersionCommand({ restApiId: api.id, documentationVersion: '1.1.0' })), 'NotFoundException', 'Invalid Documentation version identifier specified');
    // The version keeps the parts as they were.
    const { documentationVersionParts } = await import('../../src/control/apis/documentation.ts');
    await client.send(new CreateDocumentationPartCommand({ restApiId: api.id, location: { type: 'MODEL', name: 'Later' }, properties: '{}' }));
    const parts = await gh.store.read(`${gh.config.accountId}/us-east-1`, (tx) => documentationVersionParts(tx, api.id, '1.0.0'));
    assert.deepEqual(parts!.map((p) => p.location!.type), ['API']);
  });

  it('works through the AWS CLI', async () => {
    const { id } = await newApi();
    const p = (await awsCli(gh.url, ['apigateway', 'create-documentation-part', '--rest-api-id', id, '--location', 'type=METHOD,path=/pets,method=GET',
      '--properties', '{"summary":"List"}'])) as { id: string; location: Record<string, string> };
    assert.deepEqual(p.location, { type: 'METHOD', path: '/pets', method: 'GET' });
    const v = (await awsCli(gh.url, ['apigateway', 'create-documentation-version', '--rest-api-id', id, '--documentation-version', 'v1'])) as { version: string };
    assert.equal(v.version, 'v1');
    const err = await awsCliError(gh.url, ['apigateway', 'create-documentation-part', '--rest-api-id', id, '--location', 'type=METHOD,path=/pets,method=GET', '--properties', '{}']);
    assert.equal(err.code, 'ConflictException');
  });
});
