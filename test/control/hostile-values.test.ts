// Values that JSON can carry but a name cannot: a number too large for any type (1e400 parses as
// Infinity) and NUL characters. AWS refuses both; nothing is stored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateRestApiCommand, GetRestApisCommand, UpdateRestApiCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { rejects, useGatehouse } from '../helpers/server.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
useGatehouse((g, c) => {
  gh = g;
  client = c;
});

async function post(path: string, body: string): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const res = await fetch(new URL(path, gh.url), {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDGATEHOUSETEST/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0' },
  });
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: (await res.json()) as Record<string, unknown> };
}

describe('hostile values in names', () => {
  it('refuses a name that is a number too large for JSON (1e400) as AWS does: SerializationException', async () => {
    const before = (await client.send(new GetRestApisCommand({}))).items?.length ?? 0;
    const res = await post('/restapis', '{"name": 1e400}');
    assert.equal(res.status, 400);
    assert.equal(res.type, 'SerializationException');
    assert.deepEqual(res.body, { Message: 'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String' });
    assert.equal((await client.send(new GetRestApisCommand({}))).items?.length ?? 0, before);
  });

  it('refuses NUL characters in names, on create and on update', async () => {
    const before = (await client.send(new GetRestApisCommand({}))).items?.length ?? 0;
    await rejects(client.send(new CreateRestApiCommand({ name: 'a\u0000b' })), 'BadRequestException', 'Invalid name specified: it contains a NUL character', 400);
    assert.equal((await client.send(new GetRestApisCommand({}))).items?.length ?? 0, before);
    const api = await client.send(new CreateRestApiCommand({ name: 'clean' }));
    await rejects(client.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/name', value: 'x\u0000' }] })),
      'BadRequestException', 'Invalid name specified: it contains a NUL character');
  });
});
