// What AWS accepts, Gatehouse accepts (issue #11): inputs an emulator stricter than AWS refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateRestApiCommand, GetMethodCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, UpdateMethodCommand, UpdateRestApiCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { awsCli, useGatehouse } from '../helpers/server.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
useGatehouse((g, c) => {
  gh = g;
  client = c;
});

describe('leniency AWS shows', () => {
  it('takes put-method --authorization-type in any case and stores it upper-cased', async () => {
    const api = await client.send(new CreateRestApiCommand({ name: 'lenient' }));
    const out = (await awsCli(gh.url, ['apigateway', 'put-method', '--rest-api-id', api.id!, '--resource-id', api.rootResourceId!, '--http-method', 'GET', '--authorization-type', 'none'])) as { authorizationType: string };
    assert.equal(out.authorizationType, 'NONE');
    const m = await client.send(new UpdateMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'GET', patchOperations: [{ op: 'replace', path: '/authorizationType', value: 'aws_iam' }] }));
    assert.equal(m.authorizationType, 'AWS_IAM');
  });

  it('accepts an integration response before its method response, and replace on a binary media type', async () => {
    const api = await client.send(new CreateRestApiCommand({ name: 'lenient-2', binaryMediaTypes: ['image/png', 'image/jpeg'] }));
    const m = { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: 'POST' };
    await client.send(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
    await client.send(new PutIntegrationCommand({ ...m, type: 'MOCK' }));
    const ir = await client.send(new PutIntegrationResponseCommand({ ...m, statusCode: '200', selectionPattern: '' }));
    assert.equal(ir.statusCode, '200');
    assert.equal((await client.send(new GetMethodCommand(m))).methodIntegration?.integrationResponses?.['200']?.statusCode, '200');
    const up = await client.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/binaryMediaTypes/image~1png', value: 'image/gif' }] }));
    assert.deepEqual(up.binaryMediaTypes, ['image/jpeg', 'image/gif']);
    assert.deepEqual(up.tags, {});
  });
});
