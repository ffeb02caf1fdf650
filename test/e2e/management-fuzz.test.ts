// Fuzzing the management API: random and malformed input for every operation of the service
// model (wrong types, huge strings, bad JSON, unknown fields, invalid patch paths, hostile
// keys) must produce AWS-style 4xx errors only — never a 5xx, a crash or a hang — and must
// leave the store consistent.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Pool } from 'undici';
import { OPERATIONS } from '../../src/model/generated/operations.ts';
import type { Gatehouse } from '../../src/server.ts';
import { startTestGatehouse } from '../helpers/server.ts';

const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0';

let gh: Gatehouse;
let pool: Pool;
const ids: Record<string, string> = {};

async function call(method: string, path: string, body?: string) {
  const res = await pool.request({ method: method as 'GET', path, headers: { authorization: AUTH, 'content-type': 'application/json' }, body });
  const text = await res.body.text();
  return { status: res.statusCode, type: res.headers['x-amzn-errortype'], text };
}

before(async () => {
  gh = await startTestGatehouse();
  pool = new Pool(gh.url, { connections: 4, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const api = JSON.parse((await call('POST', '/restapis', JSON.stringify({ name: 'fuzz' }))).text);
  ids.restapi_id = api.id;
  ids.resource_id = api.rootResourceId;
  ids.parent_id = api.rootResourceId;
  const r = JSON.parse((await call('POST', `/restapis/${api.id}/resources/${api.rootResourceId}`, JSON.stringify({ pathPart: 'pets' }))).text);
  ids.resource_id = r.id;
  await call('PUT', `/restapis/${api.id}/resources/${r.id}/methods/GET`, JSON.stringify({ authorizationType: 'NONE' }));
  await call('PUT', `/restapis/${api.id}/resources/${r.id}/methods/GET/integration`, JSON.stringify({ type: 'MOCK' }));
  await call('PUT', `/restapis/${api.id}/resources/${r.id}/methods/GET/responses/200`, '{}');
  const d = JSON.parse((await call('POST', `/restapis/${api.id}/deployments`, JSON.stringify({ stageName: 'test' }))).text);
  ids.deployment_id = d.id;
  ids.stage_name = 'test';
  ids.http_method = 'GET';
  ids.status_code = '200';
  ids.model_name = 'Empty';
});

after(async () => {
  await pool.close();
  await gh.close();
});

const hostileString = fc.oneof(
  fc.string(),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '../../etc/passwd', '%00', '{', '}', '\u0000', '$ref', 'null', 'true', '-1', '1e309'),
  fc.string({ minLength: 5000, maxLength: 20000 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('v'), { maxKeys: 4 }),
  ),
})).v;

const patchOps = fc.array(
  fc.record({
    op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), fc.string()),
    path: fc.oneof(fc.constantFrom('/name', '/description', '/variables/a', '/*/*/throttling/rateLimit', '/requestParameters/method.request.header.x', '/binaryMediaTypes/a~1b', '/deploymentId', '/pathPart', '/parentId'), fc.string()),
    value: fc.oneof(fc.string(), fc.constant(undefined)),
    from: fc.oneof(fc.string(), fc.constant(undefined)),
  }, { requiredKeys: [] }),
  { maxLength: 5 },
);

const body = fc.oneof(
  hostileValue.map((v) => JSON.stringify(v)),
  fc.dictionary(fc.constantFrom('name', 'pathPart', 'type', 'uri', 'httpMethod', 'authorizationType', 'stageName', 'deploymentId', 'schema', 'contentType', 'statusCode', 'requestParameters', 'requestTemplates', 'variables', 'limit', 'unknownField', 'tags', 'selectionPattern'), hostileValue).map((o) => JSON.stringify(o)),
  patchOps.map((p) => JSON.stringify({ patchOperations: p })),
  fc.constantFrom('{', '[]', 'null', '"x"', '{"name": 1e999}', '\u0000\u0001', ''),
);

const label = (name: string) => fc.oneof(fc.constant(ids[name] ?? 'x'), hostileString.filter((s) => s.length > 0 && s.length < 300));

it('every operation answers malformed input with a 4xx AWS error, never a 5xx', async () => {
  const failures: string[] = [];
  for (const op of OPERATIONS) {
    if (process.env.FUZZ_TRACE) console.error('fuzz', op.name, new Date().toISOString());
    const labelNames = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const arb = fc.record({
      labels: fc.tuple(...labelNames.map(label), fc.constant('')),
      body,
      query: fc.dictionary(fc.constantFrom('limit', 'position', 'embed', 'includeValue', 'flatten', 'mode', 'failonwarnings', 'name'), hostileString.filter((s) => s.length < 2000), { maxKeys: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ labels, body: b, query }) => {
        let i = 0;
        const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(labels[i++] as string));
        const qs = new URLSearchParams(query);
        if (op.discriminator) qs.set(op.discriminator[0], op.discriminator[1]);
        const res = await call(op.method, `${path}?${qs}`, op.method === 'GET' || op.method === 'DELETE' ? undefined : b);
        if (res.status >= 500) failures.push(`${op.name} ${op.method} ${path} → ${res.status} ${res.text.slice(0, 200)}`);
        if (res.status >= 400) {
          assert.ok(res.type, `${op.name}: error without x-amzn-ErrorType`);
          // API Gateway's errors say "message"; Coral's input-validation errors say "Message".
          const body = JSON.parse(res.text) as { message?: unknown; Message?: unknown };
          assert.equal(typeof (body.message ?? body.Message), 'string');
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 12), seed: 20261125 },
    );
  }
  assert.deepEqual(failures, []);
  // The store is still consistent: every API left (the fuzzer may have deleted the seeded one)
  // reads back whole, each resource's path agreeing with its parent's.
  const apis = JSON.parse((await call('GET', '/restapis?limit=500')).text).item as { id: string }[];
  for (const a of apis) {
    const res = await call('GET', `/restapis/${a.id}/resources?embed=methods&limit=500`);
    assert.equal(res.status, 200);
    const items = JSON.parse(res.text).item as { id: string; parentId?: string; pathPart?: string; path: string }[];
    const byId = new Map(items.map((r) => [r.id, r]));
    for (const r of items) {
      if (r.parentId === undefined) assert.equal(r.path, '/');
      else assert.equal(r.path, (byId.get(r.parentId)!.path === '/' ? '' : byId.get(r.parentId)!.path) + '/' + r.pathPart);
    }
  }
  const health = await fetch(`${gh.url}/_gatehouse/health`);
  assert.equal(health.status, 200);
});
