// Property tests: random valid Swagger documents survive import → export → import unchanged;
// random broken ones are refused with a 400 and leave not one document in the store.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { Gatehouse } from '../../src/server.ts';
import { startTestGatehouse, tempDataDir } from '../helpers/server.ts';
import { describeApi } from './describe.ts';

type Obj = Record<string, any>;

let g: Gatehouse;
let dataDir: string;
before(async () => {
  dataDir = tempDataDir();
  g = await startTestGatehouse({ dataDir });
});
after(() => g.close());

function docCount(): number {
  const db = new Database(join(dataDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM docs').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const VERBS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'x-amazon-apigateway-any-method'];
const STATUS = ['200', '201', '204', '400', '404', '500'];
const name = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
const header = fc.stringMatching(/^X-[A-Z][a-z]{0,5}$/);

/** A path of literal parts and depth-named variables (so siblings never hold two variables). */
const pathArb = fc.array(fc.oneof(fc.constantFrom('pets', 'toys', 'v1.2', 'a_b', 'x-y', 'items'), fc.constant('{var}')), { minLength: 1, maxLength: 3 })
  .map((parts) => '/' + parts.map((p, i) => (p === '{var}' ? `{p${i}}` : p)).join('/'));

const schemaArb = (models: string[]): fc.Arbitrary<Obj> =>
  fc.record({
    scalar: fc.dictionary(name, fc.constantFrom('string', 'integer', 'number', 'boolean'), { maxKeys: 3 }),
    refs: fc.dictionary(name, fc.constantFrom(...models), { maxKeys: 2 }),
    arrayOf: fc.option(fc.constantFrom(...models), { nil: undefined }),
    required: fc.boolean(),
  }).map(({ scalar, refs, arrayOf, required }) => {
    const properties: Obj = {};
    for (const [k, t] of Object.entries(scalar)) properties[k] = { type: t };
    for (const [k, m] of Object.entries(refs)) properties[`r${k}`] = { $ref: `#/definitions/${m}` };
    if (arrayOf !== undefined) properties.list = { type: 'array', items: { $ref: `#/definitions/${arrayOf}` } };
    const s: Obj = { type: 'object', properties };
    if (required && Object.keys(scalar).length > 0) s.required = [Object.keys(scalar)[0]];
    return s;
  });

const operationArb = (path: string, models: string[]): fc.Arbitrary<Obj> => {
  const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  return fc.record({
    query: fc.dictionary(name, fc.boolean(), { maxKeys: 3 }),
    headers: fc.dictionary(header, fc.boolean(), { maxKeys: 2 }),
    body: fc.option(fc.constantFrom(...models), { nil: undefined }),
    responses: fc.dictionary(fc.constantFrom(...STATUS), fc.record({ headers: fc.uniqueArray(header, { maxLength: 2 }), model: fc.option(fc.constantFrom(...models), { nil: undefined }) }), { minKeys: 1, maxKeys: 3 }),
    kind: fc.constantFrom('mock', 'http', 'http_proxy', 'aws'),
    mapAll: fc.boolean(),
    template: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    operationId: fc.option(fc.stringMatching(/^[A-Z][A-Za-z]{2,8}$/), { nil: undefined }),
    apiKey: fc.boolean(),
    timeout: fc.option(fc.integer({ min: 50, max: 29000 }), { nil: undefined }),
    passthrough: fc.constantFrom('when_no_match', 'when_no_templates', 'never'),
  }).map((o) => {
    const parameters: Obj[] = pathParams.map((p) => ({ name: p, in: 'path', required: true, type: 'string' }));
    // Parameter names are unique across path, query string and header (AWS refuses the rest),
    // so a name already taken is left out.
    const taken = new Set(pathParams.map((p) => p.toLowerCase()));
    for (const [q, req] of Object.entries(o.query)) {
      if (taken.has(q.toLowerCase())) continue;
      taken.add(q.toLowerCase());
      parameters.push({ name: q, in: 'query', required: req, type: 'string' });
    }
    for (const [h, req] of Object.entries(o.headers)) {
      if (taken.has(h.toLowerCase())) continue;
      taken.add(h.toLowerCase());
      parameters.push({ name: h, in: 'header', required: req, type: 'string' });
    }
    if (o.body !== undefined) parameters.push({ name: o.body, in: 'body', required: true, schema: { $ref: `#/definitions/${o.body}` } });
    const responses: Obj = {};
    const integrationResponses: Obj = {};
    let first = true;
    for (const [code, r] of Object.entries(o.responses)) {
      const resp: Obj = { description: `${code} response` };
      if (r.headers.length > 0) resp.headers = Object.fromEntries(r.headers.map((h) => [h, { type: 'string' }]));
      if (r.model !== undefined) resp.schema = { $ref: `#/definitions/${r.model}` };
      responses[code] = resp;
      const ir: Obj = { statusCode: code };
      if (r.headers.length > 0) ir.responseParameters = Object.fromEntries(r.headers.map((h) => [`method.response.header.${h}`, `integration.response.header.${h}`]));
      if (o.template !== undefined) ir.responseTemplates = { 'application/json': o.template };
      integrationResponses[first ? 'default' : `${code[0]}\\d{2}`] = ir;
      first = false;
    }
    const integration: Obj = { type: o.kind, passthroughBehavior: o.passthrough, responses: integrationResponses };
    if (o.kind === 'http' || o.kind === 'http_proxy') {
      integration.httpMethod = 'GET';
      integration.uri = 'https://backend.example.com' + path;
    } else if (o.kind === 'aws') {
      integration.httpMethod = 'POST';
      integration.uri = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn/invocations';
    }
    if (o.timeout !== undefined) integration.timeoutInMillis = o.timeout;
    if (o.mapAll && o.kind !== 'mock') {
      integration.requestParameters = Object.fromEntries(
        parameters.filter((p) => p.in !== 'body').map((p) => {
          const where = p.in === 'query' ? 'querystring' : p.in;
          return [`integration.request.${where}.${p.name}`, `method.request.${where}.${p.name}`];
        }),
      );
    }
    if (o.template !== undefined) integration.requestTemplates = { 'application/json': o.template };
    const op: Obj = { responses, 'x-amazon-apigateway-integration': integration };
    if (parameters.length > 0) op.parameters = parameters;
    if (o.operationId !== undefined) op.operationId = o.operationId;
    if (o.apiKey) op.security = [{ api_key: [] }];
    return op;
  });
};

const swaggerArb: fc.Arbitrary<Obj> = fc
  .record({ title: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,15}$/), modelCount: fc.integer({ min: 1, max: 4 }), paths: fc.uniqueArray(pathArb, { minLength: 1, maxLength: 5 }) })
  .chain(({ title, modelCount, paths }) => {
    const models = Array.from({ length: modelCount }, (_, i) => `Model${i}`);
    const pathItems = paths.map((p) =>
      fc.uniqueArray(fc.constantFrom(...VERBS), { minLength: 1, maxLength: 3 }).chain((verbs) =>
        fc.tuple(...verbs.map((v) => operationArb(p, models).map((op) => [v, op] as const))).map((ops) => [p, Object.fromEntries(ops)] as const),
      ),
    );
    return fc.record({
      defs: fc.tuple(...models.map(() => schemaArb(models))),
      items: fc.tuple(...pathItems),
    }).map(({ defs, items }) => ({
      swagger: '2.0',
      info: { title, version: '1' },
      paths: Object.fromEntries(items),
      securityDefinitions: { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } },
      definitions: Object.fromEntries(models.map((m, i) => [m, defs[i]])),
    }));
  });

test('random valid Swagger documents round-trip through export and import', async () => {
  await fc.assert(
    fc.asyncProperty(swaggerArb, fc.constantFrom('swagger', 'oas30'), fc.boolean(), async (doc, type, yaml) => {
      const first = (await g.control.invoke('ImportRestApi', { body: Buffer.from(JSON.stringify(doc)), parameters: {}, failOnWarnings: true })) as Obj;
      await g.control.invoke('CreateDeployment', { restApiId: first.id, stageName: 's' });
      const out = (await g.control.invoke('GetExport', {
        restApiId: first.id, stageName: 's', exportType: type, parameters: { extensions: 'apigateway' }, accepts: yaml ? 'application/yaml' : 'application/json',
      })) as Obj;
      const second = (await g.control.invoke('ImportRestApi', { body: out.body, parameters: {}, failOnWarnings: true })) as Obj;
      assert.deepEqual(await describeApi(g.control, second.id), await describeApi(g.control, first.id));
      await g.control.invoke('DeleteRestApi', { restApiId: first.id });
      await g.control.invoke('DeleteRestApi', { restApiId: second.id });
    }),
    { numRuns: 60 },
  );
});

/** One way to break a valid document, each a major issue API Gateway refuses. */
const mutations: ((doc: Obj, pick: number) => Obj | string)[] = [
  (d) => ({ ...d, swagger: '1.2' }),
  // (No info.title is not broken: AWS imports it.)
  (d) => ({ ...d, paths: ['/a'] }),
  (d) => ({ ...d, definitions: { ...d.definitions, 'not-alnum': { type: 'object' } } }),
  (d) => ({ ...d, definitions: { ...d.definitions, Broken: { type: 17 } } }),
  (d, n) => withOperation(d, n, (op) => { op['x-amazon-apigateway-integration'].type = 'carrier_pigeon'; }),
  (d, n) => withOperation(d, n, (op) => { op['x-amazon-apigateway-integration'].responses = { '(unclosed': { statusCode: '200' } }; }),
  (d, n) => withOperation(d, n, (op) => { op['x-amazon-apigateway-integration'] = { type: 'http', httpMethod: 'GET', uri: 'https://h.example.com', requestParameters: { 'integration.request.header.X': 'method.request.header.Undeclared' } }; }),
  (d, n) => withOperation(d, n, (op) => { op['x-amazon-apigateway-integration'].timeoutInMillis = 10; }),
  (d, n) => withOperation(d, n, (op) => { op['x-amazon-apigateway-request-validator'] = 'missing'; }),
  (d) => ({ ...d, paths: { ...d.paths, '/has space': { get: { responses: {} } } } }),
  (d) => ({ ...d, paths: { ...d.paths, '/{a}/x': {}, '/{b}/y': {} } }),
  (d) => JSON.stringify(d).slice(0, Math.floor(JSON.stringify(d).length / 2)),
  (d) => JSON.stringify(d).replace('{', '{{'),
];

function withOperation(doc: Obj, pick: number, change: (op: Obj) => void): Obj {
  const copy = structuredClone(doc);
  const ops = Object.values(copy.paths as Obj).flatMap((item) => Object.values(item as Obj));
  change(ops[pick % ops.length]);
  return copy;
}

test('random broken documents are refused with a 400 and leave nothing behind', async () => {
  await fc.assert(
    fc.asyncProperty(swaggerArb, fc.integer({ min: 0, max: mutations.length - 1 }), fc.nat(), async (doc, which, pick) => {
      const broken = mutations[which]!(doc, pick);
      const body = Buffer.from(typeof broken === 'string' ? broken : JSON.stringify(broken));
      const before = docCount();
      await assert.rejects(g.control.invoke('ImportRestApi', { body, parameters: {} }), (err: Obj) => {
        assert.equal(err.type, 'BadRequestException', `mutation ${which}: ${err.message}`);
        return true;
      });
      assert.equal(docCount(), before, `mutation ${which} left documents behind`);
    }),
    { numRuns: 120 },
  );
});

test('random bytes are refused cleanly', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
      const before = docCount();
      await assert.rejects(g.control.invoke('ImportRestApi', { body: Buffer.from(bytes), parameters: {} }), (err: Obj) => err.type === 'BadRequestException');
      assert.equal(docCount(), before);
    }),
    { numRuns: 200 },
  );
});

/** Every JSON path into a value, so a test can replace any node of a document. */
function nodePaths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => nodePaths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) nodePaths(x, [...at, k], out);
  return out;
}

test('any node of a valid document replaced by any JSON value: a 201 or a clean 400, never a crash or a partial API', async () => {
  await fc.assert(
    fc.asyncProperty(swaggerArb, fc.nat(), fc.jsonValue({ maxDepth: 3 }), async (doc, pick, value) => {
      const paths = nodePaths(doc).filter((p) => p.length > 0);
      const target = paths[pick % paths.length]!;
      const copy = structuredClone(doc);
      let cur: any = copy;
      for (const k of target.slice(0, -1)) cur = cur[k];
      cur[target[target.length - 1]!] = value;
      const before = docCount();
      try {
        const api = (await g.control.invoke('ImportRestApi', { body: Buffer.from(JSON.stringify(copy)), parameters: {} })) as Obj;
        await g.control.invoke('DeleteRestApi', { restApiId: api.id });
      } catch (err) {
        assert.equal((err as Obj).type, 'BadRequestException', `${target.join('.')} = ${JSON.stringify(value)}: ${(err as Error).stack}`);
        assert.equal(docCount(), before);
      }
    }),
    { numRuns: 300 },
  );
});
