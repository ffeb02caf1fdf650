// A Lambda proxy (AWS_PROXY) function's multiValueHeaders reach the client as separate headers:
// two Set-Cookie values are two Set-Cookie headers, as API Gateway sends them, never one header
// joined with ','. A real function in Gatehouse's Lambda service, called through a deployed stage.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { ROLE, zip } from '../lambda/helpers.ts';
import { callStage, createApi, deploy, putMethod, resourcePath } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let lambda: LambdaClient;
let apiId: string;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  await lambda.send(new CreateFunctionCommand({
    FunctionName: 'SetsCookies', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler',
    Code: {
      ZipFile: zip({
        'index.js': `exports.handler = async () => ({
  statusCode: 200,
  headers: { 'X-Single': 'one', 'Set-Cookie': 'single=1' },
  multiValueHeaders: { 'Set-Cookie': ['language=en-US; Path=/', 'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT'], 'X-Listed': ['a'] },
  body: '{"cookies": 2}',
});`,
      }),
    },
  }));
  const api = await createApi(client, 'lambda-proxy-cookies');
  apiId = api.id;
  await putMethod(client, apiId, await resourcePath(client, apiId, '/profile'), {
    httpMethod: 'GET',
    integration: { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/SetsCookies/invocations` },
  });
  await deploy(client, apiId, 'test');
});

after(async () => {
  lambda.destroy();
  client.destroy();
  await gh.close();
});

// A header in both headers and multiValueHeaders gets both: the list's values, then the single
// one (AWS's recording of test_aws_proxy_response_payload_format_validation: "value-multi, value-solo").
test('multiValueHeaders Set-Cookie: one header per cookie, the headers value after them; single values as they were', { timeout: 60_000 }, async () => {
  const r = await callStage(gh.url, apiId, 'test', '/profile');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(r.headers['set-cookie'], ['language=en-US; Path=/', 'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT', 'single=1']);
  assert.equal(r.headers['x-single'], 'one');
  assert.equal(r.headers['x-listed'], 'a');
  assert.deepEqual(JSON.parse(r.body), { cookies: 2 });
});
