// Gateway responses end to end: AWS's defaults, customization, DEFAULT_4XX/5XX inheritance.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIGatewayClient, CreateRestApiCommand, DeleteGatewayResponseCommand, GetGatewayResponseCommand, GetGatewayResponsesCommand,
  PutGatewayResponseCommand, UpdateGatewayResponseCommand, type GatewayResponseType,
} from '@aws-sdk/client-api-gateway';
import { effectiveGatewayResponse } from '../../src/gateway-responses/index.ts';
import type { Gatehouse } from '../../src/server.ts';
import { awsCli, awsCliError, rejects, useGatehouse } from '../helpers/server.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
useGatehouse((g, c) => {
  gh = g;
  client = c;
});

const TEMPLATE = { 'application/json': '{"message":$context.error.messageString}' };
const EXPECTED_STATUS: Record<string, string | undefined> = {
  DEFAULT_4XX: undefined, DEFAULT_5XX: undefined, ACCESS_DENIED: '403', API_CONFIGURATION_ERROR: '500', AUTHORIZER_CONFIGURATION_ERROR: '500',
  AUTHORIZER_FAILURE: '500', BAD_REQUEST_PARAMETERS: '400', BAD_REQUEST_BODY: '400', EXPIRED_TOKEN: '403', INTEGRATION_FAILURE: '504',
  INTEGRATION_TIMEOUT: '504', INVALID_API_KEY: '403', INVALID_SIGNATURE: '403', MISSING_AUTHENTICATION_TOKEN: '403', QUOTA_EXCEEDED: '429',
  REQUEST_TOO_LARGE: '413', RESOURCE_NOT_FOUND: '404', THROTTLED: '429', UNAUTHORIZED: '401', UNSUPPORTED_MEDIA_TYPE: '415', WAF_FILTERED: '403',
};

async function newApi(): Promise<string> {
  return (await client.send(new CreateRestApiCommand({ name: 'gr' }))).id!;
}


describe('gateway responses', () => {
  it('lists every response type with AWS defaults, paged', async () => {
    const id = await newApi();
    const all = await client.send(new GetGatewayResponsesCommand({ restApiId: id, limit: 500 }));
    assert.equal(all.items!.length, 21);
    for (const r of all.items!) {
      assert.equal(r.statusCode, EXPECTED_STATUS[r.responseType!], r.responseType);
      assert.equal(r.defaultResponse, true);
      assert.deepEqual(r.responseTemplates, TEMPLATE);
      assert.deepEqual(r.responseParameters, {});
    }
    assert.deepEqual(new Set(all.items!.map((r) => r.responseType)), new Set(Object.keys(EXPECTED_STATUS)));
    const p1 = await client.send(new GetGatewayResponsesCommand({ restApiId: id, limit: 20 }));
    assert.equal(p1.items!.length, 20);
    const p2 = await client.send(new GetGatewayResponsesCommand({ restApiId: id, limit: 20, position: p1.position }));
    assert.equal(p2.items!.length, 1);
    assert.equal(p2.position, undefined);
    const one = await client.send(new GetGatewayResponseCommand({ restApiId: id, responseType: 'UNAUTHORIZED' }));
    assert.deepEqual({ t: one.responseType, s: one.statusCode, d: one.defaultResponse }, { t: 'UNAUTHORIZED', s: '401', d: true });
  });

  it('puts, updates and deletes a customized response', async () => {
    const id = await newApi();
    const put = await client.send(new PutGatewayResponseCommand({
      restApiId: id, responseType: 'UNAUTHORIZED', statusCode: '401',
      responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" },
      responseTemplates: { 'application/json': '{"error":"unauthorized"}' },
    }));
    assert.equal(put.$metadata.httpStatusCode, 201);
    assert.equal(put.defaultResponse, false);
    assert.deepEqual(put.responseParameters, { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" });
    const upd = await client.send(new UpdateGatewayResponseCommand({ restApiId: id, responseType: 'UNAUTHORIZED', patchOperations: [
      { op: 'replace', path: '/statusCode', value: '403' },
      { op: 'add', path: '/responseTemplates/application~1xml', value: '<error/>' },
      { op: 'remove', path: '/responseParameters/gatewayresponse.header.WWW-Authenticate' },
    ] }));
    assert.equal(upd.statusCode, '403');
    assert.deepEqual(upd.responseTemplates, { 'application/json': '{"error":"unauthorized"}', 'application/xml': '<error/>' });
    assert.deepEqual(upd.responseParameters, {});
    // Patching an untouched type customizes it.
    const thr = await client.send(new UpdateGatewayResponseCommand({ restApiId: id, responseType: 'THROTTLED', patchOperations: [{ op: 'replace', path: '/statusCode', value: '503' }] }));
    assert.deepEqual({ s: thr.statusCode, d: thr.defaultResponse, t: thr.responseTemplates }, { s: '503', d: false, t: TEMPLATE });
    await client.send(new DeleteGatewayResponseCommand({ restApiId: id, responseType: 'UNAUTHORIZED' }));
    const back = await client.send(new GetGatewayResponseCommand({ restApiId: id, responseType: 'UNAUTHORIZED' }));
    assert.deepEqual({ s: back.statusCode, d: back.defaultResponse }, { s: '401', d: true });
    await rejects(client.send(new DeleteGatewayResponseCommand({ restApiId: id, responseType: 'UNAUTHORIZED' })), 'NotFoundException', 'Gateway response type not defined on api');
  });

  it('lets DEFAULT_4XX and DEFAULT_5XX customize every untouched response of their class', async () => {
    const id = await newApi();
    const cors = { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" };
    const d4 = await client.send(new PutGatewayResponseCommand({ restApiId: id, responseType: 'DEFAULT_4XX', responseParameters: cors }));
    assert.deepEqual({ s: d4.statusCode, p: d4.responseParameters, t: d4.responseTemplates, d: d4.defaultResponse }, { s: undefined, p: cors, t: TEMPLATE, d: false });
    await client.send(new PutGatewayResponseCommand({ restApiId: id, responseType: 'DEFAULT_5XX', statusCode: '599' }));
    await client.send(new PutGatewayResponseCommand({ restApiId: id, responseType: 'ACCESS_DENIED', statusCode: '451' }));
    const byType = new Map((await client.send(new GetGatewayResponsesCommand({ restApiId: id, limit: 100 }))).items!.map((r) => [r.responseType, r]));
    assert.deepEqual({ s: byType.get('UNAUTHORIZED')!.statusCode, p: byType.get('UNAUTHORIZED')!.responseParameters, d: byType.get('UNAUTHORIZED')!.defaultResponse }, { s: '401', p: cors, d: true });
    assert.equal(byType.get('INTEGRATION_TIMEOUT')!.statusCode, '599');
    assert.deepEqual(byType.get('INTEGRATION_TIMEOUT')!.responseParameters, {});
    assert.equal(byType.get('ACCESS_DENIED')!.statusCode, '451');
    assert.equal(byType.get('ACCESS_DENIED')!.defaultResponse, false);
    assert.deepEqual(byType.get('ACCESS_DENIED')!.responseParameters, {}, 'a customized type does not inherit DEFAULT_4XX parameters');
  });

  it('exports the effective response for the execution plane', () => {
    const stored = [{ responseType: 'DEFAULT_4XX' as const, statusCode: '418', responseParameters: { a: 'b' }, responseTemplates: {} }];
    assert.deepEqual(effectiveGatewayResponse('RESOURCE_NOT_FOUND', stored), { responseType: 'RESOURCE_NOT_FOUND', statusCode: '418', responseParameters: { a: 'b' }, responseTemplates: {}, defaultResponse: true });
    assert.equal(effectiveGatewayResponse('INTEGRATION_FAILURE', stored).statusCode, '504');
    assert.equal(effectiveGatewayResponse('INTEGRATION_FAILURE', []).defaultResponse, true);
  });

  it('validates type, status code and parameters', async () => {
    const id = await newApi();
    await rejects(client.send(new PutGatewayResponseCommand({ restApiId: id, responseType: 'NOPE' as GatewayResponseType })), 'ValidationException',
      /^1 validation error detected: Value 'NOPE' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set/);
    await rejects(client.send(new PutGatewayResponseCommand({ restApiId: id, responseType: 'THROTTLED', statusCode: '600' })), 'ValidationException',
      "1 validation error detected: Value '600' at 'putGatewayResponseInput.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d");
    await rejects(client.send(new PutGatewayResponseCommand({ restApiId: id, responseType: 'THROTTLED', responseParameters: { 'method.response.header.X': "'a'" } })),
      'BadRequestException', /Invalid mapping expression specified/);
    await rejects(client.send(new PutGatewayResponseCommand({ restApiId: id, responseType: 'THROTTLED', responseParameters: { 'gatewayresponse.header.X': 'bogus' } })),
      'BadRequestException', /Invalid mapping expression parameter specified: bogus/);
    await rejects(client.send(new GetGatewayResponseCommand({ restApiId: 'missingapi', responseType: 'THROTTLED' })), 'NotFoundException', /Invalid API identifier specified/);
  });

  it('works through the AWS CLI', async () => {
    const id = await newApi();
    const put = (await awsCli(gh.url, ['apigateway', 'put-gateway-response', '--rest-api-id', id, '--response-type', 'MISSING_AUTHENTICATION_TOKEN',
      '--status-code', '404', '--response-templates', '{"application/json":"{\\"message\\":\\"not found\\"}"}'])) as Record<string, unknown>;
    assert.equal(put.statusCode, '404');
    assert.equal(put.defaultResponse, false);
    const list = (await awsCli(gh.url, ['apigateway', 'get-gateway-responses', '--rest-api-id', id])) as { items: { responseType: string }[] };
    assert.equal(list.items.length, 21);
    const err = await awsCliError(gh.url, ['apigateway', 'delete-gateway-response', '--rest-api-id', id, '--response-type', 'THROTTLED']);
    assert.equal(err.code, 'NotFoundException');
  });
});
