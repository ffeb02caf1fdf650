// Documentation parts through Swagger/OpenAPI: x-amazon-apigateway-documentation imported by
// ImportRestApi / PutRestApi (unless ignore=documentation) and exported by GetExport from the
// stage's documentation version.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { parse as parseYaml } from 'yaml';
import {
  CreateDocumentationVersionCommand, GetDocumentationPartsCommand, GetExportCommand, ImportRestApiCommand, PutRestApiCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse, tempDataDir } from '../helpers/server.ts';
import { apiCount } from './describe.ts';

type Obj = Record<string, any>;

let g: Gatehouse;
let sdk: APIGatewayClient;
let dataDir: string;

before(async () => {
  dataDir = tempDataDir();
  g = await startTestGatehouse({ dataDir });
  sdk = apiGatewayClient(g.url);
});
after(async () => {
  sdk.destroy();
  await g.close();
});

function docCount(): number {
  const db = new Database(join(dataDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM docs').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const PARTS = [
  { location: { type: 'API' }, properties: { description: 'API description', info: { description: 'API info description' } } },
  { location: { type: 'RESOURCE', path: '/pets' }, properties: { description: 'All the pets' } },
  { location: { type: 'METHOD', path: '/pets', method: 'GET' }, properties: { summary: 'List pets', 'x-example': 'GET /pets' } },
  { location: { type: 'QUERY_PARAMETER', path: '/pets', method: 'GET', name: 'limit' }, properties: { description: 'At most this many' } },
  { location: { type: 'RESPONSE', path: '/pets', method: 'GET', statusCode: '200' }, properties: { description: 'The pets' } },
  { location: { type: 'MODEL', name: 'Pet' }, properties: { title: 'A pet' } },
];

function definition(parts: unknown[] | undefined, extra: Obj = {}): Obj {
  const doc: Obj = {
    swagger: '2.0',
    info: { title: 'Documented', version: '1' },
    paths: {
      '/pets': {
        get: {
          parameters: [{ name: 'limit', in: 'query', type: 'string' }],
          responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Pet' } } },
          'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } },
        },
      },
    },
    definitions: { Pet: { type: 'object', properties: { name: { type: 'string' } } } },
    ...extra,
  };
  if (parts !== undefined) doc['x-amazon-apigateway-documentation'] = { version: '1.0.0', documentationParts: parts };
  return doc;
}

const body = (doc: Obj) => Buffer.from(JSON.stringify(doc));

/** Parts without ids, in a canonical order, with parsed properties. */
async function partsOf(restApiId: string): Promise<Obj[]> {
  const out = await sdk.send(new GetDocumentationPartsCommand({ restApiId, limit: 500 }));
  return canonical((out.items ?? []).map((p) => ({ location: p.location, properties: JSON.parse(p.properties!) })));
}

function canonical(parts: Obj[]): Obj[] {
  const key = (p: Obj) => JSON.stringify([p.location.type, p.location.path ?? '', p.location.method ?? '', p.location.statusCode ?? '', p.location.name ?? '']);
  return [...parts].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** What the importer stores for PARTS: AWS's location defaults filled in. */
function expectedParts(parts: Obj[]): Obj[] {
  const defaults: Record<string, Obj> = {
    API: {},
    RESOURCE: { path: '/' },
    METHOD: { path: '/', method: '*' },
    QUERY_PARAMETER: { path: '/', method: '*' },
    RESPONSE: { path: '/', method: '*', statusCode: '*' },
    MODEL: {},
  };
  return canonical(parts.map((p) => ({ location: { type: p.location.type, ...defaults[p.location.type], ...p.location }, properties: p.properties })));
}

describe('import', () => {
  test('ImportRestApi (SDK) turns x-amazon-apigateway-documentation into documentation parts', async () => {
    const api = await sdk.send(new ImportRestApiCommand({ body: body(definition(PARTS)) }));
    assert.equal(api.warnings, undefined);
    assert.deepEqual(await partsOf(api.id!), expectedParts(PARTS));
    // The import creates no documentation version: `version` names an exported snapshot.
    assert.deepEqual((await g.control.invoke('GetDocumentationVersions', { restApiId: api.id! }) as Obj).items, []);
  });

  test('ignore=documentation leaves them out; other ignore values are a 400', async () => {
    const api = await sdk.send(new ImportRestApiCommand({ body: body(definition(PARTS)), parameters: { ignore: 'documentation' } }));
    assert.deepEqual(await partsOf(api.id!), []);
    const resources = (await g.control.invoke('GetResources', { restApiId: api.id! })) as Obj;
    assert.ok(resources.items.some((r: Obj) => r.path === '/pets'), 'the API itself is imported');
    await assert.rejects(sdk.send(new ImportRestApiCommand({ body: body(definition(PARTS)), parameters: { ignore: 'models' } })), (err: Obj) => {
      assert.equal(err.name, 'BadRequestException');
      assert.match(err.message, /Invalid ignore parameter: models/);
      return true;
    });
  });

  test('a bad part is a warning; failonwarnings=true rolls the whole import back', async () => {
    const bad = [...PARTS.slice(0, 2), { location: { type: 'NOPE' }, properties: { description: 'x' } }];
    const api = (await g.control.invoke('ImportRestApi', { body: body(definition(bad)) })) as Obj;
    assert.deepEqual(api.warnings, ['Documentation part 3 was not imported: Invalid documentation part location type specified: NOPE. Valid values are API, AUTHORIZER, MODEL, RESOURCE, METHOD, PATH_PARAMETER, QUERY_PARAMETER, REQUEST_HEADER, REQUEST_BODY, RESPONSE, RESPONSE_HEADER, RESPONSE_BODY']);
    assert.deepEqual(await partsOf(api.id), expectedParts(PARTS.slice(0, 2)));

    const docs = docCount();
    const apis = await apiCount(g.control);
    await assert.rejects(g.control.invoke('ImportRestApi', { body: body(definition(bad)), failOnWarnings: true }), (err: Obj) => {
      assert.equal(err.type, 'BadRequestException');
      assert.match(err.message, /^Warnings found during import:\n\tDocumentation part 3 was not imported/);
      return true;
    });
    assert.equal(await apiCount(g.control), apis, 'no API is left behind');
    assert.equal(docCount(), docs, 'not one document (API, resource or documentation part) is left behind');
  });

  test('PutRestApi merges parts by location, or replaces them all with mode=overwrite', async () => {
    const api = await sdk.send(new ImportRestApiCommand({ body: body(definition(PARTS.slice(0, 3))) }));
    const changed = [{ location: { type: 'API' }, properties: { description: 'changed' } }, PARTS[4]!];
    await sdk.send(new PutRestApiCommand({ restApiId: api.id, mode: 'merge', body: body(definition(changed)) }));
    assert.deepEqual(await partsOf(api.id!), expectedParts([changed[0]!, PARTS[1]!, PARTS[2]!, PARTS[4]!]));
    await sdk.send(new PutRestApiCommand({ restApiId: api.id, mode: 'overwrite', body: body(definition(changed)) }));
    assert.deepEqual(await partsOf(api.id!), expectedParts(changed));
    // A definition without the extension (or with ignore=documentation) leaves the parts alone.
    await sdk.send(new PutRestApiCommand({ restApiId: api.id, mode: 'overwrite', body: body(definition(undefined)) }));
    await sdk.send(new PutRestApiCommand({ restApiId: api.id, mode: 'overwrite', body: body(definition([PARTS[1]!])), parameters: { ignore: 'documentation' } }));
    assert.deepEqual(await partsOf(api.id!), expectedParts(changed));
  });
});

describe('export', () => {
  async function exported(restApiId: string, stageName: string, exportType: string, extensions?: string, accepts?: string): Promise<Obj> {
    const out = await sdk.send(new GetExportCommand({ restApiId, stageName, exportType, accepts, ...(extensions !== undefined ? { parameters: { extensions } } : {}) }));
    const text = Buffer.from(out.body!).toString('utf8');
    return accepts === 'application/yaml' ? parseYaml(text) : JSON.parse(text);
  }

  test('round trip: import → documentation version on a stage → export → import gives the same parts', async () => {
    const first = await sdk.send(new ImportRestApiCommand({ body: body(definition(PARTS)) }));
    await g.control.invoke('CreateDeployment', { restApiId: first.id!, stageName: 'prod' });
    const version = await sdk.send(new CreateDocumentationVersionCommand({ restApiId: first.id, documentationVersion: '1.0.0', stageName: 'prod' }));
    // Parts changed after the version do not show: the export is the version's snapshot.
    await g.control.invoke('CreateDocumentationPart', { restApiId: first.id!, location: { type: 'AUTHORIZER', name: 'later' }, properties: '{"description":"after the snapshot"}' });

    for (const [type, accepts] of [['swagger', undefined], ['oas30', 'application/yaml']] as const) {
      const doc = await exported(first.id!, 'prod', type, undefined, accepts);
      const x = doc['x-amazon-apigateway-documentation'];
      assert.equal(x.version, '1.0.0');
      assert.equal(x.createdDate, version.createdDate!.toISOString().replace(/\.\d{3}Z$/, 'Z'));
      assert.deepEqual(canonical(x.documentationParts), expectedParts(PARTS));
      assert.ok(x.documentationParts.every((p: Obj) => p.id === undefined), 'no ids in the export');

      const again = await sdk.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(doc)) }));
      assert.deepEqual(await partsOf(again.id!), expectedParts(PARTS), `${type}: the re-imported API has the same parts`);
    }
  });

  test('which exports carry documentation: by default and with documentation in the list', async () => {
    const api = await sdk.send(new ImportRestApiCommand({ body: body(definition(PARTS)) }));
    await g.control.invoke('CreateDeployment', { restApiId: api.id!, stageName: 'docs' });
    await g.control.invoke('CreateDeployment', { restApiId: api.id!, stageName: 'nodocs' });
    assert.equal((await exported(api.id!, 'docs', 'swagger'))['x-amazon-apigateway-documentation'], undefined, 'a stage without a documentation version exports none');
    await sdk.send(new CreateDocumentationVersionCommand({ restApiId: api.id, documentationVersion: 'v1', stageName: 'docs' }));

    assert.ok((await exported(api.id!, 'docs', 'swagger'))['x-amazon-apigateway-documentation'], 'no extensions parameter: included');
    const both = await exported(api.id!, 'docs', 'oas30', 'integrations,documentation');
    assert.ok(both['x-amazon-apigateway-documentation']);
    assert.ok(both.paths['/pets'].get['x-amazon-apigateway-integration']);
    assert.equal((await exported(api.id!, 'docs', 'swagger', 'integrations'))['x-amazon-apigateway-documentation'], undefined, 'a list without documentation');
    assert.equal((await exported(api.id!, 'docs', 'swagger', 'apigateway'))['x-amazon-apigateway-documentation'], undefined);
    assert.equal((await exported(api.id!, 'nodocs', 'swagger', 'documentation'))['x-amazon-apigateway-documentation'], undefined, 'another stage, no version');
  });

  test('extensions=postman is refused with a 400, not ignored', async () => {
    const api = await sdk.send(new ImportRestApiCommand({ body: body(definition(undefined)) }));
    await g.control.invoke('CreateDeployment', { restApiId: api.id!, stageName: 's' });
    for (const extensions of ['postman', 'integrations,postman']) {
      await assert.rejects(exported(api.id!, 's', 'swagger', extensions), (err: Obj) => {
        assert.equal(err.name, 'BadRequestException');
        assert.match(err.message, /Invalid extensions parameter specified: postman\. Gatehouse does not implement Postman extensions/);
        return true;
      });
    }
  });
});
