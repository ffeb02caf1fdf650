// AWS service integrations end to end against moto_server as the AWS endpoint (--aws-endpoint):
// the guide's walkthroughs — the AWS service proxy to SNS (ListTopics), the API as an Amazon S3
// proxy (guide L5588-6470: list buckets, create a bucket, put, get and list objects), the API as an
// Amazon Kinesis proxy (guide L7380-8860: ListStreams, DescribeStream, PutRecord) — and the
// integrations users commonly wire: SQS SendMessage with the body mapped into MessageBody by a
// template, SNS Publish, DynamoDB PutItem/GetItem/Query, Step Functions StartExecution. After each
// call the AWS CLI, against the same moto, checks that the object, message, record, item or
// execution exists.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestInvokeMethodCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, REGION, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath, type MethodSpec } from '../execute/helpers.ts';
import { MOTO_ACCOUNT, startMoto, type Moto } from './aws-helpers.ts';

// The guide's execution role; Gatehouse accepts it and signs with its own keys.
const ROLE = 'arn:aws:iam::123456789012:role/apigAwsProxyRole';
const uri = (service: string, rest: string): string => `arn:aws:apigateway:${REGION}:${service}:${rest}`;

let moto: Moto;
let gh: Gatehouse;
let client: APIGatewayClient;

before(async () => {
  moto = await startMoto();
  gh = await startTestGatehouse({ awsEndpoint: moto.url });
  client = apiGatewayClient(gh.url);
});

after(async () => {
  client.destroy();
  await gh.close();
  await moto.close();
});

/** Creates an API with `methods` (by resource path), deploys it to `test`; returns its id. */
async function api(name: string, methods: Record<string, MethodSpec[]>): Promise<string> {
  const { id } = await createApi(client, name);
  for (const [path, specs] of Object.entries(methods)) {
    const resourceId = await resourcePath(client, id, path);
    for (const s of specs) await putMethod(client, id, resourceId, s);
  }
  await deploy(client, id, 'test');
  return id;
}

interface Extra {
  requestParameters?: Record<string, boolean>;
  integration?: Partial<MethodSpec['integration']>;
  responses?: MethodSpec['responses'];
}

const aws = (httpMethod: string, integrationHttpMethod: string, u: string, rest: Extra = {}): MethodSpec => ({
  httpMethod,
  requestParameters: rest.requestParameters,
  integration: { type: 'AWS', integrationHttpMethod, uri: u, credentials: ROLE, ...rest.integration },
  responses: rest.responses ?? [{ statusCode: '200' }],
});

describe('an AWS service proxy to SNS: GET /mydemoawsproxy calls ListTopics (guide, "Create an AWS Service Proxy")', () => {
  test('the topic created on the AWS side is listed', async () => {
    const topic = await moto.cli(['sns', 'create-topic', '--name', 'MySNSTopic-1']) as { TopicArn: string };
    const id = await api('MyDemoAPI', { '/mydemoawsproxy': [aws('GET', 'GET', uri('sns', 'action/ListTopics'))] });
    const res = await callStage(gh.url, id, 'test', '/mydemoawsproxy');
    assert.equal(res.status, 200, res.body);
    // moto answers SNS's query protocol in XML whatever the Accept header; AWS answers JSON for
    // API Gateway's Accept: application/json (the guide's {"ListTopicsResponse": ...}).
    assert.ok(res.body.includes(topic.TopicArn), res.body);
    assert.match(res.body, /ListTopicsResponse/);
  });
});

describe('an API as an Amazon S3 proxy (guide walkthrough and its Swagger definitions)', () => {
  let id: string;
  const contentTypeOut = { 'method.response.header.Content-Type': 'integration.response.header.Content-Type' };
  const folder = { 'method.request.path.folder': true };
  const item = { 'method.request.path.folder': true, 'method.request.path.item': true };
  const toBucket = { 'integration.request.path.bucket': 'method.request.path.folder' };
  const toObject = { ...toBucket, 'integration.request.path.object': 'method.request.path.item' };
  // The guide maps every status to 200 ("\d{3}"); a 404 of its own shows S3's status selected on.
  const responses = (params: Record<string, string>) => [
    { statusCode: '200', responseParameters: params },
    { statusCode: '404', selectionPattern: '404', responseParameters: params },
  ];

  before(async () => {
    id = await api('MyS3', {
      '/': [aws('GET', 'GET', uri('s3', 'path//'), {
        responses: [{ statusCode: '200', responseParameters: { ...contentTypeOut, 'method.response.header.Timestamp': 'integration.response.header.Date' } }],
      })],
      '/{folder}': [
        aws('GET', 'GET', uri('s3', 'path/{bucket}'), { requestParameters: folder, integration: { requestParameters: toBucket }, responses: responses(contentTypeOut) }),
        aws('PUT', 'PUT', uri('s3', 'path/{bucket}'), {
          requestParameters: { ...folder, 'method.request.header.Content-Type': false },
          integration: { requestParameters: { ...toBucket, 'integration.request.header.Content-Type': 'method.request.header.Content-Type' } },
          responses: responses(contentTypeOut),
        }),
      ],
      '/{folder}/{item}': [
        aws('GET', 'GET', uri('s3', 'path/{bucket}/{object}'), { requestParameters: item, integration: { requestParameters: toObject }, responses: responses(contentTypeOut) }),
        aws('PUT', 'PUT', uri('s3', 'path/{bucket}/{object}'), {
          requestParameters: { ...item, 'method.request.header.Content-Type': false },
          // As the guide's Swagger: Content-Type mapped twice, in two spellings; one header reaches S3.
          integration: { requestParameters: { ...toObject, 'integration.request.header.Content-Type': 'method.request.header.Content-Type', 'integration.request.header.content-type': 'method.request.header.Content-Type' } },
          responses: responses(contentTypeOut),
        }),
        aws('DELETE', 'DELETE', uri('s3', 'path/{bucket}/{object}'), { requestParameters: item, integration: { requestParameters: toObject }, responses: responses(contentTypeOut) }),
      ],
      // The {bucket}.s3 subdomain form, reading objects of the bucket it names.
      '/demo/{item}': [aws('GET', 'GET', uri('apig-demo.s3', 'path/{object}'), {
        requestParameters: { 'method.request.path.item': true },
        integration: { requestParameters: { 'integration.request.path.object': 'method.request.path.item' } },
        responses: responses(contentTypeOut),
      })],
    });
  });

  test('PUT /apig-demo creates the bucket, and GET / lists it', async () => {
    const created = await callStage(gh.url, id, 'test', '/apig-demo', { method: 'PUT' });
    assert.equal(created.status, 200, created.body);
    const buckets = await moto.cli(['s3api', 'list-buckets']) as { Buckets: { Name: string }[] };
    assert.ok(buckets.Buckets.some((b) => b.Name === 'apig-demo'));
    const listed = await callStage(gh.url, id, 'test', '/');
    assert.equal(listed.status, 200, listed.body);
    assert.match(listed.body, /<Name>apig-demo<\/Name>/);
    assert.match(String(listed.headers['content-type']), /xml/);
    assert.ok(listed.headers['timestamp'] !== undefined, 'Timestamp is mapped from the Date header');
  });

  test('PUT /apig-demo/README.txt stores the object with its Content-Type; GET reads it back; GET /apig-demo lists it', async () => {
    const put = await callStage(gh.url, id, 'test', '/apig-demo/README.txt', { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'Welcome to README.txt' });
    assert.equal(put.status, 200, put.body);
    const head = await moto.cli(['s3api', 'head-object', '--bucket', 'apig-demo', '--key', 'README.txt']) as { ContentType: string; ContentLength: number };
    assert.equal(head.ContentType, 'text/plain');
    assert.equal(head.ContentLength, 'Welcome to README.txt'.length);
    const dir = mkdtempSync(join(tmpdir(), 'gh-s3-'));
    await moto.cli(['s3api', 'get-object', '--bucket', 'apig-demo', '--key', 'README.txt', join(dir, 'out')]);
    assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'Welcome to README.txt');

    const got = await callStage(gh.url, id, 'test', '/apig-demo/README.txt');
    assert.equal(got.status, 200);
    assert.equal(got.body, 'Welcome to README.txt');
    assert.equal(got.headers['content-type'], 'text/plain');
    const list = await callStage(gh.url, id, 'test', '/apig-demo');
    assert.match(list.body, /<Key>README\.txt<\/Key>/);
  });

  test('a key with spaces and reserved characters is the same object on S3 (path encoding and S3\'s signing)', async () => {
    const key = 'my notes+(1).txt';
    const put = await callStage(gh.url, id, 'test', `/apig-demo/${encodeURIComponent(key)}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'spaced' });
    assert.equal(put.status, 200, put.body);
    const head = await moto.cli(['s3api', 'head-object', '--bucket', 'apig-demo', '--key', key]) as { ContentLength: number };
    assert.equal(head.ContentLength, 6);
    const got = await callStage(gh.url, id, 'test', `/apig-demo/${encodeURIComponent(key)}`);
    assert.equal(got.body, 'spaced');
  });

  test('the apig-demo.s3 subdomain form reads from that bucket', async () => {
    const got = await callStage(gh.url, id, 'test', '/demo/README.txt');
    assert.equal(got.status, 200, got.body);
    assert.equal(got.body, 'Welcome to README.txt');
  });

  test('a missing object: S3\'s 404 selects the 404 response, with S3\'s error body', async () => {
    const got = await callStage(gh.url, id, 'test', '/apig-demo/missing.txt');
    assert.equal(got.status, 404);
    assert.match(got.body, /NoSuchKey/);
  });

  test('DELETE removes the object on S3', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-s3-')), 'gone.txt');
    writeFileSync(file, 'soon gone');
    await moto.cli(['s3api', 'put-object', '--bucket', 'apig-demo', '--key', 'gone.txt', '--body', file]);
    const del = await callStage(gh.url, id, 'test', '/apig-demo/gone.txt', { method: 'DELETE' });
    assert.equal(del.status, 200, del.body);
    const objects = await moto.cli(['s3api', 'list-objects-v2', '--bucket', 'apig-demo']) as { Contents: { Key: string }[] };
    assert.ok(!objects.Contents.some((o) => o.Key === 'gone.txt'));
  });

  test('the console\'s Test button (TestInvokeMethod) on GET /{folder}/{item}, as the guide shows it', async () => {
    const resourceId = await resourcePath(client, id, '/{folder}/{item}');
    const out = await client.send(new TestInvokeMethodCommand({ restApiId: id, resourceId, httpMethod: 'GET', pathWithQueryString: '/apig-demo/README.txt' }));
    assert.equal(out.status, 200);
    assert.equal(out.body, 'Welcome to README.txt');
    assert.equal(out.headers!['Content-Type'], 'text/plain');
    assert.match(out.log!, /Method request path: \{(folder=apig-demo, item=README\.txt|item=README\.txt, folder=apig-demo)\}/);
    assert.match(out.log!, /Endpoint request URI: https:\/\/s3\.us-east-1\.amazonaws\.com\/apig-demo\/README\.txt\n/);
  });
});

describe('an API as an Amazon Kinesis proxy (guide walkthrough)', () => {
  let id: string;
  const stream = { 'method.request.path.stream-name': true };
  const kinesisJson = { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" };
  // The guide's PutRecord template ends its object with a trailing comma, which no JSON parser
  // takes; it is dropped here (the guide's text otherwise as printed).
  const putRecordTemplate = `{
  "StreamName": "$input.params('stream-name')",
  "Data": "$util.base64Encode($input.path('$.Data'))",
  "PartitionKey": "$input.path('$.PartitionKey')"
}`;

  before(async () => {
    await moto.cli(['kinesis', 'create-stream', '--stream-name', 'myStream', '--shard-count', '1']);
    id = await api('kinesisProxy', {
      // ListStreams: the guide maps Content-Type and sends the template {}.
      '/streams': [aws('GET', 'POST', uri('kinesis', 'action/ListStreams'), { integration: { requestParameters: kinesisJson, requestTemplates: { 'application/json': '{}' } } })],
      // DescribeStream: no header mapped; the JSON protocol's Content-Type and target are API Gateway's.
      '/streams/{stream-name}': [aws('GET', 'POST', uri('kinesis', 'action/DescribeStream'), {
        requestParameters: stream,
        integration: { requestTemplates: { 'application/json': '{\n  "StreamName": "$input.params(\'stream-name\')"\n}' } },
      })],
      '/streams/{stream-name}/record': [aws('PUT', 'POST', uri('kinesis', 'action/PutRecord'), {
        requestParameters: stream,
        integration: { requestParameters: kinesisJson, requestTemplates: { 'application/json': putRecordTemplate } },
      })],
    });
  });

  test('GET /streams lists the stream (ListStreams)', async () => {
    const res = await callStage(gh.url, id, 'test', '/streams');
    assert.equal(res.status, 200, res.body);
    const body = JSON.parse(res.body) as { HasMoreStreams: boolean; StreamNames: string[] };
    assert.ok(body.StreamNames.includes('myStream'));
    assert.equal(body.HasMoreStreams, false);
  });

  test('GET /streams/myStream describes it (DescribeStream)', async () => {
    const res = await callStage(gh.url, id, 'test', '/streams/myStream');
    assert.equal(res.status, 200, res.body);
    const body = JSON.parse(res.body) as { StreamDescription: { StreamName: string; Shards: unknown[] } };
    assert.equal(body.StreamDescription.StreamName, 'myStream');
    assert.equal(body.StreamDescription.Shards.length, 1);
  });

  test('PUT /streams/myStream/record adds a record (PutRecord), read back from the stream', async () => {
    const res = await callStage(gh.url, id, 'test', '/streams/myStream/record', {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Data: 'some data', PartitionKey: 'some key' }),
    });
    assert.equal(res.status, 200, res.body);
    const put = JSON.parse(res.body) as { SequenceNumber: string; ShardId: string };
    assert.match(put.ShardId, /^shardId-/);
    const it = await moto.cli(['kinesis', 'get-shard-iterator', '--stream-name', 'myStream', '--shard-id', put.ShardId, '--shard-iterator-type', 'AT_SEQUENCE_NUMBER', '--starting-sequence-number', put.SequenceNumber]) as { ShardIterator: string };
    const records = await moto.cli(['kinesis', 'get-records', '--shard-iterator', it.ShardIterator]) as { Records: { Data: string; PartitionKey: string }[] };
    assert.equal(records.Records[0]!.PartitionKey, 'some key');
    assert.equal(Buffer.from(records.Records[0]!.Data, 'base64').toString(), 'some data');
  });
});

describe('SQS and SNS as users wire them', () => {
  let queueUrl: string;
  let id: string;
  let topicArn: string;
  let fanout: string;
  before(async () => {
    queueUrl = (await moto.cli(['sqs', 'create-queue', '--queue-name', 'gh-queue']) as { QueueUrl: string }).QueueUrl;
    topicArn = (await moto.cli(['sns', 'create-topic', '--name', 'gh-topic']) as { TopicArn: string }).TopicArn;
    fanout = (await moto.cli(['sqs', 'create-queue', '--queue-name', 'gh-fanout']) as { QueueUrl: string }).QueueUrl;
    const fanoutArn = (await moto.cli(['sqs', 'get-queue-attributes', '--queue-url', fanout, '--attribute-names', 'QueueArn']) as { Attributes: { QueueArn: string } }).Attributes.QueueArn;
    await moto.cli(['sns', 'subscribe', '--topic-arn', topicArn, '--protocol', 'sqs', '--notification-endpoint', fanoutArn, '--attributes', 'RawMessageDelivery=true']);
    const form = { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" };
    id = await api('queues', {
      // The guide's SQS example: the body mapped into MessageBody by the template.
      '/sqs': [aws('POST', 'POST', uri('sqs', `path/${MOTO_ACCOUNT}/gh-queue`), {
        integration: { requestParameters: form, requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$input.body' }, passthroughBehavior: 'NEVER' },
        responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"message": "great success!"}' } }],
      })],
      // The same with $util.urlEncode, for bodies holding & and +.
      '/sqs-encoded': [aws('POST', 'POST', uri('sqs', `path/${MOTO_ACCOUNT}/gh-queue`), {
        integration: { requestParameters: form, requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' }, passthroughBehavior: 'NEVER' },
      })],
      // SNS Publish by action, its parameters mapped into the query string.
      '/publish': [aws('POST', 'POST', uri('sns', 'action/Publish'), {
        integration: { requestParameters: { 'integration.request.querystring.TopicArn': `'${topicArn}'`, 'integration.request.querystring.Message': 'method.request.body' } },
      })],
    });
  });

  const receive = async (url: string): Promise<{ Body: string }[]> =>
    ((await moto.cli(['sqs', 'receive-message', '--queue-url', url, '--max-number-of-messages', '10', '--wait-time-seconds', '1'])) as { Messages?: { Body: string }[] } | null)?.Messages ?? [];

  test('POST /sqs sends the body as the message (SendMessage), and the template answers', async () => {
    const res = await callStage(gh.url, id, 'test', '/sqs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"foo":"bar"}' });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(JSON.parse(res.body), { message: 'great success!' });
    const messages = await receive(queueUrl);
    assert.deepEqual(messages.map((m) => m.Body), ['{"foo":"bar"}']);
  });

  test('$util.urlEncode keeps & and + in the message', async () => {
    const res = await callStage(gh.url, id, 'test', '/sqs-encoded', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q":"a&b=c+d"}' });
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /SendMessageResponse/);
    assert.deepEqual((await receive(queueUrl)).map((m) => m.Body), ['{"q":"a&b=c+d"}']);
  });

  test('POST /publish publishes to the topic (Publish), delivered to its SQS subscriber', async () => {
    const res = await callStage(gh.url, id, 'test', '/publish', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello subscribers & friends' });
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /MessageId/);
    assert.deepEqual((await receive(fanout)).map((m) => m.Body), ['hello subscribers & friends']);
  });
});

describe('DynamoDB as users wire it (PutItem, GetItem, Query)', () => {
  let id: string;
  before(async () => {
    await moto.cli(['dynamodb', 'create-table', '--table-name', 'Pets', '--attribute-definitions', 'AttributeName=id,AttributeType=S',
      '--key-schema', 'AttributeName=id,KeyType=HASH', '--billing-mode', 'PAY_PER_REQUEST']);
    const idParam = { 'method.request.path.id': true };
    id = await api('pets', {
      '/pets': [aws('POST', 'POST', uri('dynamodb', 'action/PutItem'), {
        integration: { requestTemplates: { 'application/json': '#set($p = $input.path(\'$\'))\n{"TableName": "Pets", "Item": {"id": {"S": "$p.id"}, "name": {"S": "$util.escapeJavaScript($p.name)"}}}' } },
        responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"stored": true}' } }, { statusCode: '400', selectionPattern: '4\\d{2}' }],
      })],
      '/pets/{id}': [aws('GET', 'POST', uri('dynamodb', 'action/GetItem'), {
        requestParameters: idParam,
        integration: { requestTemplates: { 'application/json': '{"TableName": "Pets", "Key": {"id": {"S": "$input.params(\'id\')"}}}' } },
        responses: [{ statusCode: '200', responseTemplates: { 'application/json': '#set($i = $input.path(\'$.Item\'))\n{"id": "$i.id.S", "name": "$util.escapeJavaScript($i.name.S)"}' } }],
      })],
      '/query/{id}': [aws('GET', 'POST', uri('dynamodb', 'action/Query'), {
        requestParameters: idParam,
        integration: { requestTemplates: { 'application/json': '{"TableName": "Pets", "KeyConditionExpression": "id = :id", "ExpressionAttributeValues": {":id": {"S": "$input.params(\'id\')"}}}' } },
      })],
    });
  });

  test('POST /pets stores the item; the CLI reads it; GET /pets/{id} and the Query return it', async () => {
    const put = await callStage(gh.url, id, 'test', '/pets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id": "p1", "name": "Rex \\"the dog\\""}' });
    assert.equal(put.status, 200, put.body);
    assert.deepEqual(JSON.parse(put.body), { stored: true });
    const item = await moto.cli(['dynamodb', 'get-item', '--table-name', 'Pets', '--key', '{"id": {"S": "p1"}}']) as { Item: Record<string, { S: string }> };
    assert.deepEqual(item.Item, { id: { S: 'p1' }, name: { S: 'Rex "the dog"' } });
    const got = await callStage(gh.url, id, 'test', '/pets/p1');
    assert.equal(got.status, 200, got.body);
    assert.deepEqual(JSON.parse(got.body), { id: 'p1', name: 'Rex "the dog"' });
    const q = await callStage(gh.url, id, 'test', '/query/p1');
    assert.equal(q.status, 200, q.body);
    const body = JSON.parse(q.body) as { Count: number; Items: unknown[] };
    assert.equal(body.Count, 1);
    assert.deepEqual(body.Items, [{ id: { S: 'p1' }, name: { S: 'Rex "the dog"' } }]);
  });

  test('DynamoDB refusing the request (a missing table) answers its 400, selected by 4\\d{2}', async () => {
    const res = await callStage(gh.url, id, 'test', '/pets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id": ""}' });
    assert.equal(res.status, 400, res.body);
    assert.match(res.body, /ValidationException/);
  });
});

describe('Step Functions as users wire it (StartExecution)', () => {
  test('POST / starts an execution of the state machine with the body as its input', async () => {
    const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
    const sm = await moto.cli(['stepfunctions', 'create-state-machine', '--name', 'gh-machine', '--definition', definition, '--role-arn', `arn:aws:iam::${MOTO_ACCOUNT}:role/sfn`]) as { stateMachineArn: string };
    const id = await api('sfn', {
      '/': [aws('POST', 'POST', uri('states', 'action/StartExecution'), {
        integration: { requestTemplates: { 'application/json': `{"input": "$util.escapeJavaScript($input.json('$'))", "stateMachineArn": "${sm.stateMachineArn}"}` } },
      })],
    });
    const res = await callStage(gh.url, id, 'test', '/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"test": "test-value"}' });
    assert.equal(res.status, 200, res.body);
    const started = JSON.parse(res.body) as { executionArn: string; startDate: number };
    assert.match(started.executionArn, /^arn:aws:states:us-east-1:\d{12}:execution:gh-machine:/);
    const execution = await moto.cli(['stepfunctions', 'describe-execution', '--execution-arn', started.executionArn]) as { input: string; stateMachineArn: string };
    assert.equal(execution.stateMachineArn, sm.stateMachineArn);
    assert.deepEqual(JSON.parse(execution.input), { test: 'test-value' });
  });
});
