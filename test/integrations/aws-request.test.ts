// AWS service integrations, the endpoint request as it reaches the endpoint: a local node:http
// server stands in for the AWS endpoint (--aws-endpoint, and per-service overrides) and records
// what Gatehouse sends — method, path, query string, headers, body — and each request's SigV4
// signature is verified by Gatehouse's own verifier (src/iam/sigv4.ts, proven on AWS's test
// suite) with the secret it was signed with. Then the endpoint's answers: status-code selection,
// an endpoint that cannot be reached, a timeout, and no endpoint at all.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestInvokeMethodCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { readSignature, verifySignature } from '../../src/iam/sigv4.ts';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { freePort } from '../helpers/private-services.ts';
import { callStage, createApi, deploy, json, putMethod, resourcePath, startBackend, type Backend, type MethodSpec } from '../execute/helpers.ts';

const SECRET = 'aws-request-test-secret';
const KEY_ID = 'AKIDAWSREQUESTTEST';

let endpoint: Backend;
let dynamo: Backend;
let gh: Gatehouse;
let client: APIGatewayClient;
let apiId: string;
let unreachable: string;

type Recorded = Backend['requests'][number];

/** Verifies the recorded request's SigV4 signature with the secret Gatehouse signs with; returns its scope. */
async function verified(r: Recorded, body = r.body): Promise<{ region: string; service: string; accessKeyId: string; signedHeaders: readonly string[] }> {
  const q = r.url.indexOf('?');
  const req = {
    method: r.method,
    path: q === -1 ? r.url : r.url.slice(0, q),
    query: q === -1 ? '' : r.url.slice(q + 1),
    header: (name: string) => {
      const v = r.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    },
    body: Buffer.from(body),
  };
  const sig = readSignature(req);
  assert.ok(sig !== null, 'the request carries a signature');
  await verifySignature(req, sig, SECRET);
  return { region: sig.region, service: sig.service, accessKeyId: sig.accessKeyId, signedHeaders: sig.signedHeaders };
}

const spec = (uri: string, extra: Partial<MethodSpec['integration']> = {}, responses?: MethodSpec['responses']): MethodSpec => ({
  httpMethod: 'POST',
  requestParameters: { 'method.request.path.id': true },
  integration: { type: 'AWS', integrationHttpMethod: 'POST', uri, ...extra },
  responses: responses ?? [{ statusCode: '200' }],
});

before(async () => {
  endpoint = await startBackend((req, _body, res) => {
    if (req.url?.startsWith('/slow')) return; // never answers
    if (req.url?.includes('Action=Fail')) return json(res, 400, { __type: 'ValidationException', message: 'bad input' }, { 'x-amzn-requestid': 'r-1' });
    json(res, 200, { ok: true, url: req.url }, { 'x-amzn-requestid': 'r-0' });
  });
  dynamo = await startBackend((_req, _body, res) => json(res, 200, { TableNames: ['from-override'] }));
  unreachable = `http://127.0.0.1:${await freePort()}`;
  gh = await startTestGatehouse({
    awsEndpoint: endpoint.url,
    awsEndpointOverrides: `dynamodb=${dynamo.url},kinesis=${unreachable}`,
    awsAccessKeyId: KEY_ID,
    awsSecretAccessKey: SECRET,
  });
  client = apiGatewayClient(gh.url);
  apiId = (await createApi(client, 'aws-request')).id;
  const put = async (path: string, s: MethodSpec) => putMethod(client, apiId, await resourcePath(client, apiId, path), s);

  // JSON protocol, no header mapped: X-Amz-Target and Content-Type from the service table.
  await put('/ddb/{id}', spec('arn:aws:apigateway:eu-west-1:dynamodb:action/PutItem', {
    requestTemplates: { 'application/json': '{"TableName": "t", "Item": {"id": {"S": "$input.params(\'id\')"}}}' },
  }));
  // The API maps Content-Type itself, and sets X-Amz-Target through $context.requestOverride.
  await put('/events/{id}', spec('arn:aws:apigateway:us-west-2:events:action/PutEvents', {
    requestParameters: { 'integration.request.header.Content-Type': "'application/json'" },
    requestTemplates: { 'application/json': '#set($context.requestOverride.header.X-Amz-Target = "AWSEvents.PutEvents")\n{"Entries": []}' },
  }));
  // Query protocol: Action first, then the URI's own parameters, then the mapped ones, RFC 3986-encoded.
  await put('/sqs/{id}', spec('arn:aws:apigateway:us-east-1:sqs:action/SendMessage&QueueUrl=http%3A%2F%2Fq%2F1', {
    requestParameters: { 'integration.request.querystring.MessageBody': 'method.request.path.id', 'integration.request.querystring.Note': "'a b+c*'" },
  }));
  // Path form, with a path parameter holding characters to encode.
  await put('/ssm/{id}', spec('arn:aws:apigateway:ap-south-1:ssm:path/parameters/{name}', {
    integrationHttpMethod: 'GET',
    requestParameters: { 'integration.request.path.name': 'method.request.path.id' },
  }));
  // {bucket}.s3: the bucket becomes the first path segment.
  await put('/bucket/{id}', spec('arn:aws:apigateway:us-east-1:my-bucket.s3:path/{key}', {
    integrationHttpMethod: 'GET',
    requestParameters: { 'integration.request.path.key': 'method.request.path.id' },
  }));
  // runtime.sagemaker: signed as "sagemaker".
  await put('/sagemaker/{id}', spec('arn:aws:apigateway:us-east-1:runtime.sagemaker:path/endpoints/e1/invocations', {}));
  // An error status selected by pattern, and the default for the rest.
  await put('/fail/{id}', spec('arn:aws:apigateway:us-east-1:sns:action/Fail', {}, [
    { statusCode: '200' },
    { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': '{"failed": $input.json(\'$.message\')}' } },
  ]));
  await put('/kinesis/{id}', spec('arn:aws:apigateway:us-east-1:kinesis:action/ListStreams', { requestTemplates: { 'application/json': '{}' } }));
  await put('/slow/{id}', spec('arn:aws:apigateway:us-east-1:s3:path/slow', { integrationHttpMethod: 'GET', timeoutInMillis: 200 }));
  await put('/role/{id}', spec('arn:aws:apigateway:us-east-1:sns:action/ListTopics', { credentials: 'arn:aws:iam::123456789012:role/apigAwsProxyRole' }));
  await deploy(client, apiId, 'test');
});

after(async () => {
  client.destroy();
  await gh.close();
  await endpoint.close();
  await dynamo.close();
});

const last = (b: Backend): Recorded => b.requests[b.requests.length - 1]!;

describe('the endpoint request of an AWS integration', () => {
  test('a JSON-protocol action: POST /?Action=PutItem with X-Amz-Target and application/x-amz-json-1.0, signed for the URI region and dynamodb, at the dynamodb override', async () => {
    const before = endpoint.requests.length;
    const res = await callStage(gh.url, apiId, 'test', '/ddb/item-1', { method: 'POST' });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(JSON.parse(res.body), { TableNames: ['from-override'] });
    assert.equal(endpoint.requests.length, before, 'the one endpoint was not called');
    const r = last(dynamo);
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/?Action=PutItem');
    assert.equal(r.headers['x-amz-target'], 'DynamoDB_20120810.PutItem');
    assert.equal(r.headers['content-type'], 'application/x-amz-json-1.0');
    assert.equal(r.headers['host'], new URL(dynamo.url).host);
    assert.equal(r.headers['accept'], 'application/json');
    assert.equal(r.headers['user-agent'], `AmazonAPIGateway_${apiId}`);
    assert.deepEqual(JSON.parse(r.body), { TableName: 't', Item: { id: { S: 'item-1' } } });
    const sig = await verified(r);
    assert.deepEqual([sig.region, sig.service, sig.accessKeyId], ['eu-west-1', 'dynamodb', KEY_ID]);
    assert.ok(sig.signedHeaders.includes('x-amz-target') && sig.signedHeaders.includes('content-type') && sig.signedHeaders.includes('host'));
  });

  test('a Content-Type the API maps and an X-Amz-Target its template sets win over the protocol\'s', async () => {
    const res = await callStage(gh.url, apiId, 'test', '/events/e', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 200, res.body);
    const r = last(endpoint);
    assert.equal(r.url, '/?Action=PutEvents');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-amz-target'], 'AWSEvents.PutEvents');
    assert.deepEqual((await verified(r)).service, 'events');
  });

  test('a query-protocol action: Action, the URI\'s parameters, then the mapped ones, encoded as SigV4 encodes (%20, never +)', async () => {
    const res = await callStage(gh.url, apiId, 'test', '/sqs/hello%20world', { method: 'POST' });
    assert.equal(res.status, 200, res.body);
    const r = last(endpoint);
    assert.equal(r.url, '/?Action=SendMessage&QueueUrl=http%3A%2F%2Fq%2F1&MessageBody=hello%20world&Note=a%20b%2Bc%2A');
    assert.equal(r.headers['x-amz-target'], undefined, 'no target for a query-protocol service');
    const sig = await verified(r);
    assert.deepEqual([sig.region, sig.service], ['us-east-1', 'sqs']);
  });

  test('a path URI: the integration method and the path, its parameters encoded (a slash kept, as for HTTP); signed for ssm in ap-south-1', async () => {
    const res = await callStage(gh.url, apiId, 'test', '/ssm/a%20b%2Fc', { method: 'POST' });
    assert.equal(res.status, 200, res.body);
    const r = last(endpoint);
    assert.equal(r.method, 'GET');
    assert.equal(r.url, '/parameters/a%20b/c');
    const sig = await verified(r);
    assert.deepEqual([sig.region, sig.service], ['ap-south-1', 'ssm']);
  });

  test('{bucket}.s3 becomes a path-style request for the bucket; runtime.sagemaker is signed as sagemaker', async () => {
    assert.equal((await callStage(gh.url, apiId, 'test', '/bucket/notes.txt', { method: 'POST' })).status, 200);
    const s3 = last(endpoint);
    assert.equal(s3.url, '/my-bucket/notes.txt');
    assert.match(String(s3.headers['authorization']), /\/us-east-1\/s3\/aws4_request/);
    assert.match(String(s3.headers['x-amz-content-sha256']), /^[0-9a-f]{64}$/);
    assert.equal((await callStage(gh.url, apiId, 'test', '/sagemaker/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"in":1}' })).status, 200);
    const sm = last(endpoint);
    assert.equal(sm.url, '/endpoints/e1/invocations');
    assert.equal(sm.body, '{"in":1}');
    assert.equal((await verified(sm)).service, 'sagemaker');
  });

  test('the integration\'s credentials role is accepted: the call is signed with the gateway\'s keys', async () => {
    const res = await callStage(gh.url, apiId, 'test', '/role/x', { method: 'POST' });
    assert.equal(res.status, 200, res.body);
    const r = last(endpoint);
    assert.equal(r.url, '/?Action=ListTopics');
    assert.equal((await verified(r)).accessKeyId, KEY_ID);
  });
});

describe('the endpoint response of an AWS integration', () => {
  test('the service\'s status is selected on like an HTTP back end\'s: 400 by 4\\d{2}, with its body to the template', async () => {
    const res = await callStage(gh.url, apiId, 'test', '/fail/x', { method: 'POST' });
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), { failed: 'bad input' });
  });

  test('an endpoint that cannot be reached answers 500 Internal server error', async () => {
    const res = await callStage(gh.url, apiId, 'test', '/kinesis/x', { method: 'POST' });
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.body), { message: 'Internal server error' });
  });

  test('timeoutInMillis elapsing answers 504 Endpoint request timed out', async () => {
    const res = await callStage(gh.url, apiId, 'test', '/slow/x', { method: 'POST' });
    assert.equal(res.status, 504);
    assert.deepEqual(JSON.parse(res.body), { message: 'Endpoint request timed out' });
  });

  test('TestInvokeMethod: the execution log shows the AWS URL, the endpoint request and the service\'s answer', async () => {
    const resourceId = await resourcePath(client, apiId, '/ddb/{id}');
    const out = await client.send(new TestInvokeMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'POST', pathWithQueryString: '/ddb/from-test' }));
    assert.equal(out.status, 200, out.log);
    const log = out.log!;
    assert.match(log, /Endpoint request URI: https:\/\/dynamodb\.eu-west-1\.amazonaws\.com\/\?Action=PutItem\n/);
    assert.match(log, /Sending request to https:\/\/dynamodb\.eu-west-1\.amazonaws\.com\/\?Action=PutItem\n/);
    assert.match(log, /Endpoint request body after transformations: \{"TableName": "t", "Item": \{"id": \{"S": "from-test"\}\}\}/);
    assert.match(log, /Received response\. Status: 200/);
    assert.match(log, /Endpoint response body before transformations: \{"TableNames":\["from-override"\]\}/);
  });
});

describe('without an AWS endpoint', () => {
  let bare: Gatehouse;
  let bareClient: APIGatewayClient;
  let bareApi: string;
  before(async () => {
    bare = await startTestGatehouse();
    bareClient = apiGatewayClient(bare.url);
    bareApi = (await createApi(bareClient, 'no-endpoint')).id;
    await putMethod(bareClient, bareApi, await resourcePath(bareClient, bareApi, '/q/{id}'), spec('arn:aws:apigateway:us-east-1:sqs:path/123456789012/q'));
    await deploy(bareClient, bareApi, 'test');
  });
  after(async () => {
    bareClient.destroy();
    await bare.close();
  });

  test('a call answers 500 Internal server error, and the execution log says there is no endpoint (nothing is sent to AWS)', async () => {
    const res = await callStage(bare.url, bareApi, 'test', '/q/1', { method: 'POST', body: 'x' });
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.body), { message: 'Internal server error' });
    const resourceId = await resourcePath(bareClient, bareApi, '/q/{id}');
    const out = await bareClient.send(new TestInvokeMethodCommand({ restApiId: bareApi, resourceId, httpMethod: 'POST', pathWithQueryString: '/q/1' }));
    assert.equal(out.status, 500);
    assert.match(out.log!, /Execution failed due to configuration error: No endpoint for AWS service sqs: Gatehouse sends AWS integrations to the endpoint named by --aws-endpoint \(or --aws-endpoint-override sqs=URL\), never to AWS itself\n/);
    assert.match(out.log!, /Method completed with status: 500/);
  });
});
