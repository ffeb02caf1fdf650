// The shapes of a Lambda proxy result API Gateway accepts and refuses, as AWS's recording of
// test_aws_proxy_response_payload_format_validation shows them: the function returns the request's
// JSON body as its result, so each case posts the result to try. Run through the built-in Lambda
// service and a deployed AWS_PROXY method.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath } from '../execute/helpers.ts';
import { ROLE, zip } from '../lambda/helpers.ts';

describe('Lambda proxy result formats (recorded)', { timeout: 120_000 }, () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let lambda: LambdaClient;
  let apiId: string;

  before(async () => {
    gh = await startTestGatehouse();
    client = apiGatewayClient(gh.url);
    lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'result-echo', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler',
      Code: { ZipFile: zip({ 'index.js': 'exports.handler = async (e) => JSON.parse(e.body);' }) },
    }));
    apiId = (await createApi(client, 'proxy-formats')).id;
    await putMethod(client, apiId, await resourcePath(client, apiId, '/echo'), {
      httpMethod: 'POST',
      integration: { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:000000000000:function:result-echo/invocations` },
    });
    await deploy(client, apiId, 'test');
  });

  after(async () => {
    client?.destroy();
    lambda?.destroy();
    await gh?.close();
  });

  const invoke = (result: unknown) => callStage(gh.url, apiId, 'test', '/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) });
  const internalError = { message: 'Internal server error' };

  it('statusCode alone: 200 with no body', async () => {
    const r = await invoke({ statusCode: 200 });
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
  });

  it('headers: a boolean value becomes its text; null headers are none', async () => {
    const r = await invoke({ statusCode: 200, headers: { 'test-header': 'value', 'header-bool': true } });
    assert.equal(r.headers['test-header'], 'value');
    assert.equal(r.headers['header-bool'], 'true');
    assert.equal((await invoke({ statusCode: 200, headers: null })).status, 200);
  });

  it('only headers, no statusCode: 200 (recorded as invoke-api-only-headers)', async () => {
    const r = await invoke({ headers: { 'test-header': 'value' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['test-header'], 'value');
  });

  it('a string statusCode of digits is the status; another string, an unknown field, {} and a bare string are 502', async () => {
    assert.equal((await invoke({ statusCode: '201' })).status, 201);
    for (const bad of [{ statusCode: 'test' }, { statusCode: 200, wrongValue: 'value' }, {}, 'justAString']) {
      const r = await invoke(bad);
      assert.equal(r.status, 502, JSON.stringify(bad));
      assert.deepEqual(JSON.parse(r.body), internalError, JSON.stringify(bad));
    }
  });

  it('a base64 body leaves as its text when the API has no binary media types, isBase64Encoded or not', async () => {
    const b64 = Buffer.from('test-data').toString('base64');
    assert.equal((await invoke({ statusCode: 200, body: b64, isBase64Encoded: true })).body, 'dGVzdC1kYXRh');
    assert.equal((await invoke({ statusCode: 200, body: b64 })).body, 'dGVzdC1kYXRh');
  });
});
