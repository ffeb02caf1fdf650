// The generators without a gateway: method names as API Gateway spells them (checked against
// names in SDKs AWS generated), JSON Schema models as TypeScript types, the operations' order and
// parameters, and the zip's determinism (same snapshot, same bytes; any time zone).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { strFromU8, unzipSync } from 'fflate';
import type { ApiSnapshot } from '../../src/deploy/snapshot.ts';
import { generateSdk, methodName, sdkFiles, sdkOperations } from '../../src/sdkgen/index.ts';
import { typeName } from '../../src/sdkgen/naming.ts';
import { SchemaTypes } from '../../src/sdkgen/schema-types.ts';
import { PET_SCHEMA } from './helpers.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

const TARGET = { restApiId: 'abc123defg', apiName: 'Pets', stageName: 'prod', region: 'eu-west-1', invokeUrl: 'https://pets.example/prod' };

function snapshot(): ApiSnapshot {
  return {
    api: { id: 'abc123defg', name: 'Pets' },
    extras: {},
    models: [
      { name: 'Pet', contentType: 'application/json', schema: JSON.stringify(PET_SCHEMA) },
      { name: 'Pets', contentType: 'application/json', schema: JSON.stringify({ type: 'array', items: { $ref: 'https://apigateway.amazonaws.com/restapis/abc123defg/models/Pet' } }) },
      { name: 'Error', contentType: 'application/json', schema: '{"type":"object","properties":{"message":{"type":"string"}}}' },
      { name: 'Empty', contentType: 'application/json', schema: '{"$schema":"http://json-schema.org/draft-04/schema#","title":"Empty Schema","type":"object"}' },
      { name: 'Broken', contentType: 'application/json', schema: 'not json' },
      { name: 'PetsGetParams', contentType: 'application/json', schema: '{"type":"string"}' },
    ],
    resources: [
      { id: 'r2', path: '/pets/{petId}', resourceMethods: { GET: { authorizationType: 'AWS_IAM', requestParameters: { 'method.request.path.petId': true, 'method.request.header.X-Trace': false } } } },
      { id: 'r1', path: '/pets', resourceMethods: {
        POST: { authorizationType: 'NONE', apiKeyRequired: true, requestModels: { 'application/json': 'Pet' }, methodResponses: { '201': { responseModels: { 'application/json': 'Pet' } } } },
        GET: { authorizationType: 'NONE', requestParameters: { 'method.request.querystring.type': true, 'method.request.querystring.page': false }, methodResponses: { '200': { responseModels: { 'application/json': 'Pets' } } } },
      } },
      { id: 'r0', path: '/', resourceMethods: { GET: { authorizationType: 'NONE' } } },
      { id: 'r3', path: '/files/{proxy+}', resourceMethods: { ANY: { authorizationType: 'NONE' } } },
      { id: 'r4', path: '/no-methods' },
    ],
  };
}

describe('method names', () => {
  it('follow API Gateway: camel-cased segments, braces and + dropped, words split at hyphens, the verb last', () => {
    assert.equal(methodName('/', 'GET'), 'rootGet');
    assert.equal(methodName('/', 'OPTIONS'), 'rootOptions');
    assert.equal(methodName('/pets', 'POST'), 'petsPost');
    assert.equal(methodName('/pets/{petId}', 'GET'), 'petsPetIdGet');
    assert.equal(methodName('/comment/{commentId}', 'DELETE'), 'commentCommentIdDelete');
    assert.equal(methodName('/{proxy+}', 'OPTIONS'), 'proxyOptions');
    assert.equal(methodName('/user-proxy/{proxy+}', 'OPTIONS'), 'userProxyProxyOptions');
    assert.equal(methodName('/auth-svc/health', 'GET'), 'authSvcHealthGet');
    assert.equal(methodName('/user-info', 'GET'), 'userInfoGet');
    assert.equal(methodName('/admin-proxy/{proxy+}', 'ANY'), 'adminProxyProxyAny');
    assert.equal(methodName('/v1.2/items_all', 'PATCH'), 'v12ItemsAllPatch');
    assert.equal(methodName('/2024/report', 'GET'), '_2024ReportGet');
  });

  it('are made distinct when two paths give one name', () => {
    const s = snapshot();
    s.resources.push({ id: 'r5', path: '/a-b', resourceMethods: { GET: { authorizationType: 'NONE' } } }, { id: 'r6', path: '/aB', resourceMethods: { GET: { authorizationType: 'NONE' } } });
    const names = sdkOperations(s).map((o) => o.name);
    assert.ok(names.includes('aBGet') && names.includes('aBGet2'), names.join(','));
  });

  it('type names are identifiers that shadow nothing the client declares', () => {
    assert.equal(typeName('Pet'), 'Pet');
    assert.equal(typeName('pet-list'), 'PetList');
    assert.equal(typeName('Error'), 'Error_');
    assert.equal(typeName('ApiResponse'), 'ApiResponse_');
    assert.equal(typeName('2fa'), 'M2fa');
  });
});

describe('operations', () => {
  it('come in path then verb order, with the parameters their method requests declare', () => {
    const ops = sdkOperations(snapshot());
    assert.deepEqual(ops.map((o) => o.name), ['rootGet', 'filesProxyAny', 'petsGet', 'petsPost', 'petsPetIdGet']);
    const get = ops.find((o) => o.name === 'petsGet')!;
    assert.deepEqual(get.queryParameters, [{ name: 'page', required: false }, { name: 'type', required: true }]);
    assert.equal(get.responseModel, 'Pets');
    const post = ops.find((o) => o.name === 'petsPost')!;
    assert.equal(post.apiKeyRequired, true);
    assert.equal(post.requestModel, 'Pet');
    assert.equal(post.responseModel, 'Pet'); // the first 2XX response: 201
    const byId = ops.find((o) => o.name === 'petsPetIdGet')!;
    assert.deepEqual(byId.pathParameters, [{ name: 'petId', required: true }]);
    assert.deepEqual(byId.headerParameters, [{ name: 'X-Trace', required: false }]);
    assert.equal(byId.authorizationType, 'AWS_IAM');
    assert.deepEqual(ops.find((o) => o.name === 'filesProxyAny')!.pathParameters, [{ name: 'proxy', required: true }]);
  });
});

describe('models as TypeScript types', () => {
  const types = new SchemaTypes(snapshot().models);
  const decl = (name: string, schema: unknown) => types.declaration({ name, schema: JSON.stringify(schema) });

  it('objects, required properties, enums, arrays, unions and references', () => {
    assert.equal(types.declaration(snapshot().models[0]!), `export interface Pet {
  id?: number;
  type: "dog" | "cat" | "fish";
  /** in euros */
  price: number;
  tags?: Array<string>;
  "owner-name"?: string | null;
}
`);
    assert.equal(types.declaration(snapshot().models[1]!), 'export type Pets = Array<Pet>;\n');
    assert.equal(types.declaration(snapshot().models[3]!), 'export type Empty = Record<string, unknown>;\n');
    assert.equal(types.declaration(snapshot().models[4]!), 'export type Broken = unknown;\n');
    assert.equal(decl('Map', { type: 'object', additionalProperties: { type: 'integer' } }), 'export interface Map {\n  [key: string]: number;\n}\n');
    assert.equal(decl('Either', { oneOf: [{ type: 'string' }, { type: 'array', items: { enum: [1, 2] } }] }), 'export type Either = string | Array<1 | 2>;\n');
    assert.equal(decl('Both', { allOf: [{ $ref: '#/definitions/A' }, { type: 'object', properties: { b: { type: 'boolean' } } }], definitions: { A: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } } }),
      'export type Both = {\n  a: string;\n} & {\n  b?: boolean;\n};\n');
    assert.equal(decl('Other', { $ref: 'https://apigateway.amazonaws.com/restapis/abc123defg/models/Nope' }), 'export type Other = unknown;\n');
    assert.equal(decl('Loop', { $ref: '#/definitions/L', definitions: { L: { $ref: '#/definitions/L' } } }), 'export type Loop = unknown;\n');
  });
});

describe('the javascript SDK\'s declarations', () => {
  it('type a TypeScript program that imports apigClient.mjs, and catch a wrong call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sdk-dts-'));
    try {
      for (const [path, text] of sdkFiles('javascript', snapshot(), TARGET)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
      const use = join(dir, 'use.mts');
      const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
      const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', use];
      writeFileSync(use, `import apigClientFactory, { type Pet } from './apiGateway-js-sdk/apigClient.mjs';
const client = apigClientFactory.newClient({ apiKey: 'k', region: 'eu-west-1' });
const pet: Pet = { type: 'cat', price: 2 };
export const created = client.petsPost({}, pet).then((r) => r.data.price.toFixed(1));
export const listed = client.petsGet({ type: 'dog' }).then((r) => r.data.map((p) => p.type));
`);
      await run(tsc, args);
      writeFileSync(use, `import apigClientFactory from './apiGateway-js-sdk/apigClient.mjs';\napigClientFactory.newClient().petsPetIdGet({});\n`);
      await assert.rejects(run(tsc, args), (err: { stdout: string }) => /petId/.test(err.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('text from the API in generated code', () => {
  it('cannot end a comment or become code, whatever the API, stage or path is called', async () => {
    const hostile = 'x */ globalThis.pwned = 1; /* \u2028 globalThis.pwned = 2; // \n globalThis.pwned = 3;';
    const s = snapshot();
    s.resources.push({ id: 'r7', path: '/a*/b', resourceMethods: { GET: { authorizationType: 'NONE' } } });
    const target = { ...TARGET, apiName: hostile, stageName: hostile };
    const js = sdkFiles('javascript', s, target);
    const context: Record<string, unknown> = {};
    for (const name of ['lib/apiGatewayCore/utils.js', 'apigClient.js']) {
      runInNewContext(js.get(`apiGateway-js-sdk/${name}`)!, context);
    }
    assert.equal(context.pwned, undefined);
    assert.equal(typeof (context.apigClientFactory as { newClient: unknown }).newClient, 'function');
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sdk-ts-'));
    try {
      const file = join(dir, 'client.ts');
      writeFileSync(file, sdkFiles('typescript', s, target).get('gatehouse-ts-sdk/client.ts')!);
      await run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the zip', () => {
  it('is the same bytes for the same snapshot, in any time zone', async () => {
    const a = generateSdk('javascript', snapshot(), TARGET);
    const b = generateSdk('javascript', snapshot(), TARGET);
    assert.deepEqual(Buffer.from(a), Buffer.from(b));
    // Another process in another time zone writes the same bytes.
    const script = `import { generateSdk } from './src/sdkgen/index.ts';
const s = JSON.parse(process.argv[1]); process.stdout.write(Buffer.from(generateSdk('typescript', s.snapshot, s.target)).toString('base64'));`;
    const input = JSON.stringify({ snapshot: snapshot(), target: TARGET });
    const inZone = async (tz: string) => (await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, input], { cwd: ROOT, env: { ...process.env, TZ: tz } })).stdout;
    const [tokyo, honolulu] = await Promise.all([inZone('Asia/Tokyo'), inZone('Pacific/Honolulu')]);
    assert.equal(tokyo, honolulu);
    assert.equal(tokyo, Buffer.from(generateSdk('typescript', snapshot(), TARGET)).toString('base64'));
    // And it differs when the API does.
    const changed = snapshot();
    changed.resources.push({ id: 'r9', path: '/new', resourceMethods: { GET: { authorizationType: 'NONE' } } });
    assert.notDeepEqual(Buffer.from(generateSdk('javascript', changed, TARGET)), Buffer.from(a));
    const files = unzipSync(a);
    assert.match(strFromU8(files['apiGateway-js-sdk/apigClient.js']!), /apigClient\.petsPetIdGet = function \(params, body, additionalParams\)/);
    assert.match(strFromU8(files['apiGateway-js-sdk/apigClient.js']!), /region', "eu-west-1"/);
    assert.match(strFromU8(files['apiGateway-js-sdk/README.md']!), /<script type="text\/javascript" src="lib\/apiGatewayCore\/sigV4Client\.js"><\/script>/);
  });

  it("typescript: client.ts of this snapshot passes tsc's strictest checks, with the DOM's types or Node's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sdk-ts-'));
    try {
      const file = join(dir, 'client.ts');
      writeFileSync(file, sdkFiles('typescript', snapshot(), TARGET).get('gatehouse-ts-sdk/client.ts')!);
      writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
      const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
      const common = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
      await run(tsc, [...common, '--lib', 'es2022,dom', '--noUncheckedIndexedAccess', '--exactOptionalPropertyTypes', '--noUnusedLocals',
        '--noUnusedParameters', '--noImplicitReturns', '--isolatedModules', '--verbatimModuleSyntax', '--noPropertyAccessFromIndexSignature', file]);
      await run(tsc, [...common, '--lib', 'es2022', '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node', file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
