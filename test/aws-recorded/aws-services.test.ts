// Replays of the recordings of AWS service integrations (test_apigateway_{s3,sqs,dynamodb,kinesis,
// ssm,stepfunctions,eventbridge}, see docs/aws-recorded.md) with moto_server as the AWS endpoint.
// Each replay builds the API the recorded test built (its inputs are in the recorder's test file,
// localstack/localstack tests/aws/services/apigateway/), calls it, reads the AWS side with the AWS
// CLI or a signed request as the recorder did with boto3, and compares with what was recorded:
// strictly, a missing or extra field fails. The recordings' placeholders (<uuid:1>,
// <sequence_number:1>) match any value, the same value wherever the same placeholder occurs; the
// values the recorder replaced without a number ("timestamp", "date") match any value.
//
// A difference that remains is listed with its reason: moto answers some protocols differently
// from AWS (SQS's and SSM's query protocol in XML or in the JSON protocol's shape), or the part of
// Gatehouse it lies in is not AWS integrations'. Each listed difference must still differ.
// The binary-payload recordings of test_apigateway_s3 belong to binary support, not here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand,
  PutMethodResponseCommand, type APIGatewayClient, type PutIntegrationCommandInput,
} from '@aws-sdk/client-api-gateway';
import { AwsSigner } from '../../src/integrations/aws/sign.ts';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, REGION, startTestGatehouse } from '../helpers/server.ts';
import { callStage, type Answer } from '../execute/helpers.ts';
import { MOTO_ACCOUNT, startMoto, type Moto } from '../integrations/aws-helpers.ts';
import { diff, recordedContent, uid } from './harness.ts';

let moto: Moto;
let gh: Gatehouse;
let client: APIGatewayClient;
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/apigw-role`;

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

// ---- comparison -------------------------------------------------------------------------------

const PLACEHOLDER = /^<([A-Za-z_-]+)(?::\d+)?>$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A value can stand in a placeholder's place: a <uuid:n> a UUID, any other one a non-empty value. */
function fits(placeholder: string, value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return PLACEHOLDER.exec(placeholder)?.[1] !== 'uuid' || (typeof value === 'string' && UUID.test(value));
}

/** Replaces the recording's placeholders by the values found at their places in `actual`, then diffs. */
function compareRecorded(file: string, name: string, actual: Record<string, unknown>, options: { wild?: readonly string[]; differs?: Record<string, string> } = {}): void {
  const expected = recordedContent(file, name);
  const wild = new Set(options.wild ?? []);
  const bound = new Map<string, unknown>();
  const bind = (e: unknown, a: unknown): unknown => {
    if (typeof e === 'string' && (PLACEHOLDER.test(e) || wild.has(e))) {
      if (a === undefined) return e;
      if (wild.has(e)) return a;
      if (!fits(e, a)) return e;
      if (!bound.has(e)) bound.set(e, a);
      return bound.get(e) === a ? a : e;
    }
    if (Array.isArray(e) && Array.isArray(a)) return e.map((x, i) => bind(x, a[i]));
    if (e !== null && typeof e === 'object' && a !== null && typeof a === 'object' && !Array.isArray(a)) {
      return Object.fromEntries(Object.entries(e).map(([k, x]) => [k, bind(x, (a as Record<string, unknown>)[k])]));
    }
    return e;
  };
  const resolved = bind(expected, actual);
  const differences = diff(actual, resolved);
  const known = options.differs ?? {};
  const unexplained = differences.filter((d) => !Object.keys(known).some((p) => d.startsWith(`${p}:`) || d.startsWith(`${p}.`) || d.startsWith(`${p}[`)));
  assert.deepEqual(unexplained, [], `differences from AWS's recording:\n${unexplained.join('\n')}`);
  for (const [path, reason] of Object.entries(known)) {
    assert.ok(differences.some((d) => d.startsWith(path)), `listed as differing but matches the recording now: ${path} (${reason})`);
  }
}

// ---- building the recorded tests' APIs --------------------------------------------------------

interface Method {
  path: string;
  httpMethod: string;
  methodParameters?: Record<string, boolean>;
  integration: Omit<PutIntegrationCommandInput, 'restApiId' | 'resourceId' | 'httpMethod'>;
  responseTemplates?: Record<string, string>;
  selectionPattern?: string;
}

/** An API with one method per entry (each with its 200 method and integration response), deployed to `stage`. */
async function recordedApi(stage: string, methods: Method[]): Promise<string> {
  const api = await client.send(new CreateRestApiCommand({ name: uid() }));
  const restApiId = api.id!;
  const ids = new Map<string, string>([['/', api.rootResourceId!]]);
  for (const m of methods) {
    let resourceId = ids.get(m.path);
    if (resourceId === undefined) {
      resourceId = (await client.send(new CreateResourceCommand({ restApiId, parentId: api.rootResourceId!, pathPart: m.path.slice(1) }))).id!;
      ids.set(m.path, resourceId);
    }
    const key = { restApiId, resourceId, httpMethod: m.httpMethod };
    await client.send(new PutMethodCommand({ ...key, authorizationType: 'NONE', requestParameters: m.methodParameters }));
    await client.send(new PutIntegrationCommand({ ...key, credentials: ROLE, ...m.integration }));
    await client.send(new PutMethodResponseCommand({ ...key, statusCode: '200' }));
    await client.send(new PutIntegrationResponseCommand({ ...key, statusCode: '200', selectionPattern: m.selectionPattern, responseTemplates: m.responseTemplates }));
  }
  await client.send(new CreateDeploymentCommand({ restApiId, stageName: stage }));
  return restApiId;
}

const json = (a: Answer): unknown => JSON.parse(a.body);

/** The Error element of an S3 XML error, as xmltodict shows it. */
function s3Error(xml: string): Record<string, unknown> {
  const inner = /<Error>([\s\S]*)<\/Error>/.exec(xml)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of inner.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) out[m[1]!] = m[2]!;
  return { Error: out };
}

/** A request signed with Gatehouse's default keys straight to moto (what the recorder did with boto3). */
async function motoRequest(service: string, method: string, path: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { host: new URL(moto.url).host };
  new AwsSigner({ accessKeyId: 'test', secretAccessKey: 'test' }).sign({ method, path, query: {}, headers, body: Buffer.alloc(0) }, REGION, service);
  const res = await fetch(moto.url + path, { method, headers });
  return { status: res.status, body: await res.text() };
}

const SQS_JSON = 'moto answers SQS\'s query protocol in XML whatever the Accept header; SQS answers JSON to API Gateway\'s Accept: application/json';

// ---- SQS --------------------------------------------------------------------------------------

describe('test_apigateway_sqs', () => {
  const sqsPath = (queue: string): Method['integration'] => ({
    type: 'AWS', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:${REGION}:sqs:path/${MOTO_ACCOUNT}/${queue}`,
    requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
    passthroughBehavior: 'NEVER',
  });
  const receive = async (url: string, attributes = false): Promise<Record<string, unknown>[]> =>
    ((await moto.cli(['sqs', 'receive-message', '--queue-url', url, '--max-number-of-messages', '10', ...(attributes ? ['--message-attribute-names', 'All'] : [])])) as { Messages?: Record<string, unknown>[] } | null)?.Messages ?? [];

  test('test_sqs_aws_integration', async () => {
    const queue = uid('queue');
    const url = (await moto.cli(['sqs', 'create-queue', '--queue-name', queue]) as { QueueUrl: string }).QueueUrl;
    const id = await recordedApi('testing', [{
      path: '/sqs', httpMethod: 'POST',
      integration: { ...sqsPath(queue), requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$input.body' } },
      responseTemplates: { 'application/json': '{"message": "great success!"}' },
    }]);
    const withPayload = await callStage(gh.url, id, 'testing', '/sqs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"foo": "bar"}' });
    const withoutPayload = await callStage(gh.url, id, 'testing', '/sqs', { method: 'POST' });
    const messages = (await receive(url)).map((m) => ({ ...m, Body: m.Body === '' ? '' : JSON.parse(m.Body as string) }));
    compareRecorded('test_apigateway_sqs', 'test_sqs_aws_integration', {
      'sqs-aws-integration-with-payload': json(withPayload),
      'sqs-aws-integration-without-payload': json(withoutPayload),
      'sqs-messages': messages,
    });
  });

  for (const attribute of ['MessageAttribute', 'MessageAttributes']) {
    test(`test_sqs_aws_integration_with_message_attribute[${attribute}]`, async () => {
      const queue = uid('queue');
      const url = (await moto.cli(['sqs', 'create-queue', '--queue-name', queue]) as { QueueUrl: string }).QueueUrl;
      const id = await recordedApi('testing', [{
        path: '/', httpMethod: 'POST',
        integration: {
          ...sqsPath(queue),
          requestTemplates: {
            'application/json': `Action=SendMessage&MessageBody=$input.body&${attribute}.1.Name=user-agent&${attribute}.1.Value.DataType=String&${attribute}.1.Value.StringValue=$input.params('HeaderFoo')`,
          },
        },
      }]);
      const res = await callStage(gh.url, id, 'testing', '/', { method: 'POST', headers: { 'content-type': 'application/json', HeaderFoo: 'BAR-Header' }, body: '{"foo": "bar"}' });
      assert.equal(res.status, 200, res.body);
      const [message] = await receive(url, true);
      compareRecorded('test_apigateway_sqs', `test_sqs_aws_integration_with_message_attribute[${attribute}]`, {
        'sqs-message-body': JSON.parse(message!.Body as string),
        'sqs-message-attributes': message!.MessageAttributes,
      }, attribute === 'MessageAttributes' ? { differs: { '$.sqs-message-attributes': 'moto reads only the singular MessageAttribute.N form of the query protocol; SQS takes MessageAttributes.N too' } } : {});
    });
  }

  test('test_sqs_request_and_response_xml_templates_integration', async () => {
    const queue = uid('queue');
    await moto.cli(['sqs', 'create-queue', '--queue-name', queue]);
    const id = await recordedApi('testing', [{
      path: '/sqs', httpMethod: 'POST',
      integration: { ...sqsPath(queue), requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$input.body' } },
      responseTemplates: {
        'application/json': `
            #set($responseBody = $input.path('$.SendMessageResponse'))
            #set($requestId = $input.path('$.SendMessageResponse.ResponseMetadata.RequestId'))
            #set($messageId = $responseBody.SendMessageResult.MessageId)
            {
            "requestId": "$requestId",
            "messageId": "$messageId"
            }
            `,
      },
    }]);
    const res = await callStage(gh.url, id, 'testing', '/sqs', { method: 'POST', body: '<xml>Hello World</xml>' });
    assert.equal(res.status, 200, res.body);
    compareRecorded('test_apigateway_sqs', 'test_sqs_request_and_response_xml_templates_integration', { 'sqs-json-response': json(res) }, {
      differs: { '$.sqs-json-response.messageId': SQS_JSON, '$.sqs-json-response.requestId': SQS_JSON },
    });
  });
});

// ---- DynamoDB ---------------------------------------------------------------------------------

describe('test_apigateway_dynamodb', () => {
  // The recorder's create_rest_api_with_integration: POST /test, a 200 integration response with $input.json('$').
  const ddbApi = (action: string, template: string) => recordedApi('dev', [{
    path: '/test', httpMethod: 'POST',
    integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:${REGION}:dynamodb:action/${action}`, requestTemplates: { 'application/json': template } },
    responseTemplates: { 'application/json': "$input.json('$')" },
  }]);
  const invoke = async (id: string, idParam: string | null) => {
    const res = await callStage(gh.url, id, 'dev', `/test?id=${encodeURIComponent(String(idParam))}`, { method: 'POST' });
    assert.equal(res.status, 200, res.body);
    const headers: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = v;
    return { status_code: res.status, content: json(res), headers };
  };
  const WILD = ['date', 'content-length', 'x-amz-apigw-id'];
  const table = async () => {
    const name = uid('table');
    await moto.cli(['dynamodb', 'create-table', '--table-name', name, '--attribute-definitions', 'AttributeName=id,AttributeType=S', '--key-schema', 'AttributeName=id,KeyType=HASH', '--billing-mode', 'PAY_PER_REQUEST']);
    for (const itemId of ['test', 'test2', 'test 3']) await moto.cli(['dynamodb', 'put-item', '--table-name', name, '--item', JSON.stringify({ id: { S: itemId } })]);
    return name;
  };
  const sortItems = (items: { id: { S: string } }[]) => items.sort((a, b) => (a.id.S < b.id.S ? -1 : 1));

  test('test_rest_api_to_dynamodb_integration[PutItem]', async () => {
    const name = await table();
    const id = await ddbApi('PutItem', JSON.stringify({ TableName: name, Item: { id: { S: "$input.params('id')" } } }));
    const result = await invoke(id, 'test-new');
    const scan = await moto.cli(['dynamodb', 'scan', '--table-name', name]) as { Items: { id: { S: string } }[] };
    sortItems(scan.Items);
    compareRecorded('test_apigateway_dynamodb', 'test_rest_api_to_dynamodb_integration[PutItem]', {
      'result-put-item': result,
      'result-scan': { ...scan, ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode: 200 } },
    }, {
      wild: WILD,
      differs: {
        '$.result-scan.ConsumedCapacity': 'moto\'s Scan answers ConsumedCapacity: null, which DynamoDB leaves out',
      },
    });
  });

  test('test_rest_api_to_dynamodb_integration[Query]', async () => {
    const name = await table();
    const id = await ddbApi('Query', JSON.stringify({ TableName: name, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': { S: "$input.params('id')" } } }));
    const out: Record<string, unknown> = {};
    for (const itemId of ['test', 'test2', 'test 3']) out[`result-${itemId}`] = await invoke(id, itemId);
    out['result-invalid'] = await invoke(id, 'test-invalid');
    compareRecorded('test_apigateway_dynamodb', 'test_rest_api_to_dynamodb_integration[Query]', out, {
      wild: WILD,
    });
  });

  test('test_rest_api_to_dynamodb_integration[Scan]', async () => {
    const name = await table();
    const id = await ddbApi('Scan', JSON.stringify({ TableName: name }));
    const result = await invoke(id, null);
    sortItems((result.content as { Items: { id: { S: string } }[] }).Items);
    compareRecorded('test_apigateway_dynamodb', 'test_rest_api_to_dynamodb_integration[Scan]', { 'result-scan': result }, {
      wild: WILD,
    });
  });

  test('test_error_aws_proxy_not_supported', async () => {
    const api = await client.send(new CreateRestApiCommand({ name: uid() }));
    const resourceId = (await client.send(new CreateResourceCommand({ restApiId: api.id!, parentId: api.rootResourceId!, pathPart: 'test' }))).id!;
    await client.send(new PutMethodCommand({ restApiId: api.id!, resourceId, httpMethod: 'POST', authorizationType: 'NONE' }));
    let error: Record<string, unknown> = {};
    try {
      await client.send(new PutIntegrationCommand({ restApiId: api.id!, resourceId, httpMethod: 'POST', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:${REGION}:dynamodb:action/Query` }));
    } catch (err) {
      const e = err as Error & { $metadata: { httpStatusCode: number } };
      error = { Error: { Code: e.name, Message: e.message }, message: e.message, ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode: e.$metadata.httpStatusCode } };
    }
    compareRecorded('test_apigateway_dynamodb', 'test_error_aws_proxy_not_supported', { 'create-integration-error': error });
  });
});

// ---- Kinesis ----------------------------------------------------------------------------------

describe('test_apigateway_kinesis', () => {
  const streamApi = (action: string, template: string) => recordedApi('dev', [{
    path: '/test', httpMethod: 'POST',
    integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:${REGION}:kinesis:action/${action}`, requestTemplates: { 'application/json': template } },
    responseTemplates: { 'application/json': "$input.json('$')" },
  }]);
  const stream = async () => {
    const name = uid('kinesis-stream');
    await moto.cli(['kinesis', 'create-stream', '--stream-name', name, '--shard-count', '1']);
    const shardId = (await moto.cli(['kinesis', 'describe-stream', '--stream-name', name]) as { StreamDescription: { Shards: { ShardId: string }[] } }).StreamDescription.Shards[0]!.ShardId;
    const iterator = (await moto.cli(['kinesis', 'get-shard-iterator', '--stream-name', name, '--shard-id', shardId, '--shard-iterator-type', 'LATEST']) as { ShardIterator: string }).ShardIterator;
    return { name, iterator };
  };
  /** get-records as boto3 shows it: Data as Python's bytes repr, the arrival time as the recorder replaced it. */
  const records = async (iterator: string) => {
    const out = await moto.cli(['kinesis', 'get-records', '--shard-iterator', iterator]) as { Records: Record<string, unknown>[] };
    const shown = out.Records.map((r) => ({ ...r, Data: `b'${Buffer.from(r.Data as string, 'base64').toString()}'` }));
    return { ...out, Records: shown, ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode: 200 } };
  };

  test('test_apigateway_to_kinesis[PutRecord]', async () => {
    const s = await stream();
    const id = await streamApi('PutRecord', JSON.stringify({ StreamName: s.name, Data: '$util.base64Encode($input.body)', PartitionKey: 'test' }));
    const res = await callStage(gh.url, id, 'dev', '/test', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kinesis": "snapshot"}' });
    assert.equal(res.status, 200, res.body);
    compareRecorded('test_apigateway_kinesis', 'test_apigateway_to_kinesis[PutRecord]', {
      apigateway_response: json(res),
      kinesis_records: await records(s.iterator),
    }, { wild: ['timestamp'] });
  });

  test('test_apigateway_to_kinesis[PutRecords]', async () => {
    const s = await stream();
    // The recorded test's template is not in the recorder's stored test file; this one sends the
    // three records the recording shows (partition key 20, data {"foo": "barN"}).
    const template = `{"StreamName": "${s.name}", "Records": [#foreach($r in $input.path('$.records')){"Data": "$util.base64Encode($r.data)", "PartitionKey": "$r.partitionKey"}#if($foreach.hasNext),#end#end]}`;
    const id = await streamApi('PutRecords', template);
    const body = JSON.stringify({ records: [1, 2, 3].map((n) => ({ data: `{"foo": "bar${n}"}`, partitionKey: '20' })) });
    const res = await callStage(gh.url, id, 'dev', '/test', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 200, res.body);
    compareRecorded('test_apigateway_kinesis', 'test_apigateway_to_kinesis[PutRecords]', {
      apigateway_response: json(res),
      kinesis_records: await records(s.iterator),
    }, { wild: ['timestamp'] });
  });
});

// ---- SSM, Step Functions, EventBridge ----------------------------------------------------------

describe('test_apigateway_ssm', () => {
  test('test_ssm_aws_integration', async () => {
    const put = await moto.cli(['ssm', 'put-parameter', '--name', 'param-test-123', '--description', 'test', '--value', '123', '--type', 'String']) as Record<string, unknown>;
    const id = await recordedApi('test', [{
      path: '/ssm', httpMethod: 'GET',
      integration: {
        type: 'AWS', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:${REGION}:ssm:action/GetParameter`,
        passthroughBehavior: 'WHEN_NO_TEMPLATES', requestParameters: { 'integration.request.querystring.Name': "'param-test-123'" },
      },
    }]);
    const res = await callStage(gh.url, id, 'test', '/ssm');
    assert.equal(res.status, 200, res.body);
    const answer = json(res) as Record<string, Record<string, unknown> | undefined>;
    // The recorder read response.json()["GetParameterResponse"] and put the answer's headers in its ResponseMetadata.
    const body = answer.GetParameterResponse ?? answer;
    compareRecorded('test_apigateway_ssm', 'test_ssm_aws_integration', {
      'put-param': { ...put, ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode: 200 } },
      'ssm-aws-integration': { ...body, ResponseMetadata: { HTTPHeaders: {} } },
    }, {
      wild: ['<timestamp>'],
      differs: {
        '$.ssm-aws-integration.GetParameterResult': 'moto answers SSM\'s query protocol (Action=GetParameter, which API Gateway sends) in the JSON protocol\'s shape, without the GetParameterResponse/GetParameterResult wrapper SSM gives',
        '$.ssm-aws-integration.Parameter': 'the same: moto\'s JSON-protocol shape',
      },
    });
  });
});

describe('test_apigateway_stepfunctions', () => {
  const machine = async () => {
    const definition = JSON.stringify({ Comment: 'Hello World example', StartAt: 'step1', States: { step1: { Type: 'Pass', End: true } } });
    return (await moto.cli(['stepfunctions', 'create-state-machine', '--name', uid('test'), '--definition', definition, '--role-arn', ROLE, '--type', 'EXPRESS']) as { stateMachineArn: string }).stateMachineArn;
  };
  const sfnApi = (action: string, template: Record<string, string>) => recordedApi('dev', [{
    path: '/', httpMethod: 'POST', selectionPattern: '',
    integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:${REGION}:states:action/${action}`, requestTemplates: template },
  }]);

  test('test_apigateway_with_step_function_integration[StartExecution]', async () => {
    const arn = await machine();
    const id = await sfnApi('StartExecution', { 'application/json': `\n            {\n            "input": "$util.escapeJavaScript($input.json('$'))",\n            "stateMachineArn": "${arn}"\n            }\n            ` });
    const res = await callStage(gh.url, id, 'dev', '/', { method: 'POST', body: '{"test": "test-value"}' });
    assert.equal(res.status, 200, res.body);
    compareRecorded('test_apigateway_stepfunctions', 'test_apigateway_with_step_function_integration[StartExecution]', { start_execution_response: json(res) });
    const started = json(res) as { executionArn: string };
    const execution = await moto.cli(['stepfunctions', 'describe-execution', '--execution-arn', started.executionArn]) as { input: string };
    assert.deepEqual(JSON.parse(execution.input), { test: 'test-value' });
  });

  test('test_apigateway_with_step_function_integration[DeleteStateMachine]', async () => {
    const arn = await machine();
    const id = await sfnApi('DeleteStateMachine', {});
    const res = await callStage(gh.url, id, 'dev', '/', { method: 'POST', body: JSON.stringify({ stateMachineArn: arn }) });
    assert.equal(res.status, 200, res.body);
    compareRecorded('test_apigateway_stepfunctions', 'test_apigateway_with_step_function_integration[DeleteStateMachine]', { delete_state_machine_response: json(res) });
    const left = await moto.cli(['stepfunctions', 'list-state-machines']) as { stateMachines: { stateMachineArn: string }[] };
    assert.ok(!left.stateMachines.some((m) => m.stateMachineArn === arn));
  });
});

describe('test_apigateway_eventbridge', () => {
  test('test_apigateway_to_eventbridge', async () => {
    const id = await recordedApi('dev', [{
      path: '/event', httpMethod: 'POST',
      methodParameters: { 'method.request.header.X-Amz-Target': false, 'method.request.header.Content-Type': false },
      integration: {
        type: 'AWS', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:${REGION}:events:action/PutEvents`, passthroughBehavior: 'WHEN_NO_TEMPLATES',
        requestParameters: {},
        requestTemplates: {
          'application/json': `
              #set($context.requestOverride.header.X-Amz-Target = "AWSEvents.PutEvents")
              #set($context.requestOverride.header.Content-Type = "application/x-amz-json-1.1")
              #set($inputRoot = $input.path('$'))
              {
                "Entries": [
                  #foreach($elem in $inputRoot.items)
                  {
                    "Detail": "$util.escapeJavaScript($elem.Detail).replaceAll("\\\\'","'")",
                    "DetailType": "$elem.DetailType",
                    "Source":"$elem.Source"
                  }#if($foreach.hasNext),#end
                  #end
                ]
              }
            `,
        },
      },
      responseTemplates: { 'application/json': "#set($inputRoot = $input.json('$'))\n$inputRoot" },
    }]);
    const res = await callStage(gh.url, id, 'dev', '/event', {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ items: [{ Detail: '{"data":"Order is created"}', DetailType: 'Test', Source: 'order' }] }),
    });
    assert.equal(res.status, 200, res.body);
    compareRecorded('test_apigateway_eventbridge', 'test_apigateway_to_eventbridge', { 'eventbridge-put-events-response': json(res) });
  });
});

// ---- S3 ---------------------------------------------------------------------------------------

describe('test_apigateway_s3', () => {
  const bucket = async () => {
    const name = uid('bucket');
    await moto.cli(['s3api', 'create-bucket', '--bucket', name]);
    return name;
  };

  test('test_apigateway_s3_any', async () => {
    const name = await bucket();
    const api = await client.send(new CreateRestApiCommand({ name: uid() }));
    const restApiId = api.id!;
    const resourceId = (await client.send(new CreateResourceCommand({ restApiId, parentId: api.rootResourceId!, pathPart: '{object_path+}' }))).id!;
    const key = { restApiId, resourceId, httpMethod: 'ANY' };
    await client.send(new PutMethodCommand({ ...key, authorizationType: 'NONE', requestParameters: { 'method.request.path.object_path': true, 'method.request.header.Content-Type': false } }));
    await client.send(new PutMethodResponseCommand({ ...key, statusCode: '200' }));
    await client.send(new PutIntegrationCommand({
      ...key, integrationHttpMethod: 'ANY', type: 'AWS', uri: `arn:aws:apigateway:${REGION}:s3:path/${name}/{object_path}`, credentials: ROLE,
      requestParameters: { 'integration.request.path.object_path': 'method.request.path.object_path', 'integration.request.header.Content-Type': 'method.request.header.Content-Type' },
    }));
    await client.send(new PutIntegrationResponseCommand({ ...key, statusCode: '200' }));
    await client.send(new CreateDeploymentCommand({ restApiId, stageName: 'test' }));

    const call = (method: string, body?: string) => callStage(gh.url, restApiId, 'test', '/test.json', { method, body, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
    // The recording's first and fourth labels came from an earlier version of the test: GET of the
    // missing object, answered 200 with S3's XML error (the integration response is the default).
    const empty = await call('GET');
    assert.equal(empty.status, 200);
    assert.equal((await call('PUT', '{"put_id": 1}')).status, 200);
    const first = await call('GET');
    assert.equal((await call('PUT', '{"put_id": 2}')).status, 200);
    const second = await call('GET');
    assert.equal((await call('DELETE')).status, 200);
    const deleted = await call('GET');
    const direct = await motoRequest('s3', 'GET', `/${name}/test.json`);
    const e = s3Error(direct.body).Error as Record<string, string>;
    compareRecorded('test_apigateway_s3', 'test_apigateway_s3_any', {
      'get-object-empty': s3Error(empty.body),
      'get-object-1': json(first),
      'get-object-2': json(second),
      'get-object-deleted': s3Error(deleted.body),
      'get-object-s3': { Error: { Code: e.Code, Key: e.Key, Message: e.Message }, ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode: direct.status } },
    }, { wild: ['<host-id>'] });
  });

  test('test_apigateway_s3_method_mapping', async () => {
    const name = await bucket();
    const uri = `arn:aws:apigateway:${REGION}:s3:path/${name}/test.json`;
    const id = await recordedApi('test', [
      { path: '/get', httpMethod: 'GET', integration: { type: 'AWS', integrationHttpMethod: 'GET', uri } },
      {
        path: '/put', httpMethod: 'GET',
        integration: {
          type: 'AWS', integrationHttpMethod: 'PUT', uri,
          requestParameters: { 'integration.request.header.Content-Type': "'application/json'" },
          requestTemplates: { 'application/json': '{"message": "great success!"}' },
        },
      },
      { path: '/delete', httpMethod: 'GET', integration: { type: 'AWS', integrationHttpMethod: 'DELETE', uri } },
    ]);
    assert.equal((await callStage(gh.url, id, 'test', '/put')).status, 200);
    const got = await callStage(gh.url, id, 'test', '/get');
    assert.equal((await callStage(gh.url, id, 'test', '/delete')).status, 200);
    const gone = await callStage(gh.url, id, 'test', '/get');
    assert.equal(gone.status, 200);
    compareRecorded('test_apigateway_s3', 'test_apigateway_s3_method_mapping', { 'get-object': json(got), 'get-deleted-object': s3Error(gone.body) });
  });
});
