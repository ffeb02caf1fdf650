// The dispatcher's one API-exists check (src/control/api-exists.ts): every operation it covers
// answers AWS's NotFound for a missing REST API, over HTTP and through invoke, after Coral's
// validation; and the check sits in the handler's own transaction, so an API deleted while the
// handler was on its way gets nothing written under it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_CHECKED } from '../../src/control/api-exists.ts';
import { HANDLERS } from '../../src/control/handlers.ts';
import { ApiError, createControlPlane } from '../../src/control/index.ts';
import { K } from '../../src/control/kinds.ts';
import { OPERATIONS, type OperationDef } from '../../src/model/generated/operations.ts';
import { SHAPES, type ShapeName } from '../../src/model/generated/shapes.ts';
import type { RestApi } from '../../src/model/generated/types.ts';
import type { Gatehouse } from '../../src/server.ts';
import { startTestGatehouse } from '../helpers/server.ts';

let gh: Gatehouse;
before(async () => {
  gh = await startTestGatehouse();
});
after(async () => {
  await gh.close();
});

const MISSING = 'nosuchapi0';
const notFoundMessage = (account: string) => `Invalid API identifier specified ${account}:${MISSING}`;

// Payloads that get past the handler's own checks made before its first transaction (PutRestApi
// reads its definition first): a missing API is then the only thing wrong with the request.
const PAYLOADS: Partial<Record<string, string>> = {
  PutRestApi: JSON.stringify({ swagger: '2.0', info: { title: 't', version: '1' }, paths: {} }),
  ImportDocumentationParts: JSON.stringify({ swagger: '2.0', info: { title: 't', version: '1' }, paths: {} }),
};

/** A value Coral and the protocol accept for a required member of this shape. */
function sample(name: ShapeName): unknown {
  const s = SHAPES[name];
  switch (s.type) {
    case 'string':
      return s.enum === null ? 'x' : s.enum[0];
    case 'structure':
      return Object.fromEntries(s.required.map((m) => [m, sample(s.members[m]!.shape)]));
    case 'list':
      return [];
    case 'map':
      return {};
    case 'boolean':
      return false;
    default:
      return 1;
  }
}

/** The HTTP request of `op` on the missing API, every other label and required member filled. */
function request(op: OperationDef): { url: string; init: RequestInit } {
  const input = SHAPES[op.input!];
  assert.equal(input.type, 'structure');
  if (input.type !== 'structure') throw new Error('unreachable');
  let path = op.path;
  const body: Record<string, unknown> = {};
  for (const [member, m] of Object.entries(input.members)) {
    if (m.location === 'uri') {
      const value = member === 'restApiId' ? MISSING : String(sample(m.shape));
      path = path.replace(`{${m.wireName}}`, encodeURIComponent(value));
    } else if (m.location === null && input.required.includes(member) && input.payload !== member) {
      body[m.wireName ?? member] = sample(m.shape);
    }
  }
  const query = op.discriminator === null ? '' : `?${op.discriminator[0]}=${op.discriminator[1]}`;
  const payload = input.payload !== null ? (PAYLOADS[op.name] ?? '') : Object.keys(body).length > 0 ? JSON.stringify(body) : undefined;
  const init: RequestInit = { method: op.method };
  if (payload !== undefined && op.method !== 'GET' && op.method !== 'DELETE') {
    init.body = payload;
    init.headers = { 'content-type': 'application/json' };
  }
  return { url: `${gh.url}${path}${query}`, init };
}

describe('the API-exists check', () => {
  it('covers the operations on one REST API, except those AWS answers through another lookup first', () => {
    assert.ok(API_CHECKED.has('GetStages') && API_CHECKED.has('DeleteRestApi') && API_CHECKED.has('FlushStageCache'));
    // Recorded: a method's resource, a model, a validator or a documentation part answers first.
    for (const own of ['GetMethod', 'PutIntegration', 'TestInvokeMethod', 'GetModel', 'GetRequestValidator', 'GetDocumentationPart', 'CreateAuthorizer']) {
      assert.equal(API_CHECKED.has(own as never), false, own);
    }
    // Account-level operations have no API to check.
    assert.equal(API_CHECKED.has('CreateRestApi'), false);
    assert.equal(API_CHECKED.has('CreateBasePathMapping'), false);
  });

  it('answers AWS NotFound for a missing API on every operation it covers, over HTTP', async () => {
    const covered = OPERATIONS.filter((op) => API_CHECKED.has(op.name));
    assert.equal(covered.length, API_CHECKED.size);
    for (const op of covered) {
      const { url, init } = request(op);
      const res = await fetch(url, init);
      const text = await res.text();
      assert.equal(res.status, 404, `${op.name}: ${text}`);
      assert.equal(res.headers.get('x-amzn-errortype'), 'NotFoundException', op.name);
      assert.deepEqual(JSON.parse(text), { message: notFoundMessage(gh.config.accountId) }, op.name);
    }
  });

  it('comes after Coral validation, as AWS answers', async () => {
    const res = await fetch(`${gh.url}/restapis/${MISSING}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ patchOperations: [{ op: 'wrong', path: '/name', value: 'x' }] }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'ValidationException');
  });

  it('holds for invoke too, in the caller account named by its scope', async () => {
    await assert.rejects(gh.control.invoke('GetStages', { restApiId: MISSING }), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.type, 'NotFoundException');
      assert.equal(err.message, notFoundMessage(gh.config.accountId));
      return true;
    });
    await assert.rejects(gh.control.invoke('GetStages', { restApiId: MISSING }, { accountId: '210987654321' }), { message: notFoundMessage('210987654321') });
    // Another region is another partition: the API is not there.
    const api = (await gh.control.invoke('CreateRestApi', { name: 'here' })) as RestApi;
    const stages = await gh.control.invoke('GetStages', { restApiId: api.id });
    assert.deepEqual(stages, { item: [] });
    await assert.rejects(gh.control.invoke('GetStages', { restApiId: api.id }, { region: 'eu-west-3' }), { message: `Invalid API identifier specified ${gh.config.accountId}:${api.id}` });
  });

  it('runs in the transaction the handler writes in: an API deleted before it gets nothing written under it', async () => {
    const createModel = HANDLERS.CreateModel!;
    let arrived!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // CreateModel held between the dispatcher and its write transaction, as a slow request is.
    const control = createControlPlane({
      store: gh.store,
      config: gh.config,
      handlers: {
        ...HANDLERS,
        async CreateModel(input, ctx) {
          arrived();
          await gate;
          return createModel(input, ctx);
        },
      },
    });
    const api = (await control.invoke('CreateRestApi', { name: 'short-lived' })) as RestApi;
    const late = control.invoke('CreateModel', { restApiId: api.id, name: 'Late', contentType: 'application/json', schema: '{"type":"object","properties":{"a":{"type":"string"}}}' });
    await handlerStarted;
    await control.invoke('DeleteRestApi', { restApiId: api.id });
    release();
    await assert.rejects(late, { message: `Invalid API identifier specified ${gh.config.accountId}:${api.id}` });
    const partition = `${gh.config.accountId}/${gh.config.region}`;
    assert.equal(await gh.store.read(partition, (tx) => tx.get(K.model, api.id!, 'Late')), undefined);
    assert.equal(await gh.store.read(partition, (tx) => tx.count(K.model, api.id!)), 0);
  });
});
