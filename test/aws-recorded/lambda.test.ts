// Replays of test_apigateway_lambda's recordings: Lambda integrations (AWS and AWS_PROXY) called
// through deployed stages, with the functions run by Gatehouse's own Lambda service. The recorded
// tests' handlers are Python files of the recording's source; the handlers here are our own and
// behave the same (echo the event, echo the proxy event as the body, raise for a status code),
// in Python where the answer shows the language (a Python stack trace). See docs/aws-recorded.md.
//
// What the recorder normalised, done the same way here: the Host header and the domain name are
// <host:1> (the stage is called through the {api}.execute-api Host, as the recorder called AWS);
// request ids, trace ids, times, source IPs, resource and deployment ids become placeholders, and
// the X-Forwarded-* values fixed words. The headers an edge-optimized endpoint's CloudFront adds
// (CloudFront-*, Via, X-Amz-Cf-Id) are removed from the recording before comparing: Gatehouse
// serves a regional endpoint, with no CloudFront in front of it.
import assert from 'node:assert/strict';
import {
  CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, DeleteIntegrationCommand, GetIntegrationCommand,
  PutGatewayResponseCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient, type Runtime } from '@aws-sdk/client-lambda';
import { CREDENTIALS, REGION } from '../helpers/server.ts';
import { ROLE, zip } from '../lambda/helpers.ts';
import { Numbering, rawCall, type Replay, uid, useRecorded } from './harness.ts';

const rec = useRecorded('test_apigateway_lambda', { keys: [] });

const CREDENTIALS_ROLE = 'arn:aws:iam::000000000000:role/apigw-invoke-lambda';

/** Creates a function in Gatehouse's Lambda service and answers its ARN. */
async function createFunction(r: Replay, runtime: string, files: Record<string, string>, handler: string): Promise<string> {
  const lambda = new LambdaClient({ endpoint: r.gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  try {
    const out = await lambda.send(new CreateFunctionCommand({
      FunctionName: uid('test-function'), Runtime: runtime as Runtime, Role: ROLE, Handler: handler, Code: { ZipFile: zip(files) },
    }));
    return out.FunctionArn!;
  } finally {
    lambda.destroy();
  }
}

const invocationsUri = (arn: string) => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn}/invocations`;

// Our handlers (written here; they do what the recorded tests' handlers do).
const PROXY_ECHO = { 'index.js': 'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event), isBase64Encoded: false });' };
const EVENT_ECHO = { 'index.js': 'exports.handler = async (event) => event;' };
const MAPPING_RESPONSES = {
  'index.js': 'exports.handler = async (event) => ({ statusCode: 200, body: Number(event.body.httpStatus) >= 400 ? "customerror" : "noerror" });',
};
// Python, because the recorded 4xx/5xx bodies carry a Python stack trace (file, line, source).
const SELECT_PATTERN = {
  'lambda_select_pattern.py': [
    'def handler(event, context):',
    '    code = event["statusCode"]',
    '    if code == "200":',
    '        return "Pass"',
    '    # The raises sit on lines 7 and 9, where the recorded stack traces name them.',
    '    if code == "400":',
    '        raise Exception("Error: Raising four hundred from within the Lambda function")',
    '    if code == "500":',
    '        raise Exception("Error: Raising five hundred from within the Lambda function")',
    '    return "Pass"',
    '',
  ].join('\n'),
};

/** A proxy-event answer, with the stage's host and the per-request values as the recorder saw them. */
interface StageCall {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

const CLOUDFRONT = /^(CloudFront-|Via$|X-Amz-Cf-Id$)/;

/** The recording without the headers CloudFront adds in front of an edge-optimized endpoint. */
function withoutCloudFront(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutCloudFront);
  if (v === null || typeof v !== 'object') return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if ((k === 'headers' || k === 'multiValueHeaders') && x !== null && typeof x === 'object') {
      o[k] = Object.fromEntries(Object.entries(x).filter(([h]) => !CLOUDFRONT.test(h)));
    } else o[k] = withoutCloudFront(x);
  }
  return o;
}

/** Replaces the per-request values of a proxy event with the recorder's placeholders. */
function normaliseEvent(event: Record<string, any>, n: Numbering): Record<string, unknown> {
  const number = (kind: string, value: string): string => n.of(kind, value);
  // The recorder's own transformers: trace ids numbered, the X-Forwarded-* values fixed words
  // (in multiValueHeaders too, where the word replaced the whole list).
  for (const key of ['headers', 'multiValueHeaders']) {
    const h = event[key];
    if (h === null || h === undefined) continue;
    if (h['X-Amzn-Trace-Id'] !== undefined) {
      const id = number('trace-id', String(h['X-Amzn-Trace-Id']));
      h['X-Amzn-Trace-Id'] = key === 'headers' ? id : [id];
    }
    for (const f of ['X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto']) if (h[f] !== undefined) h[f] = `<${f}>`;
  }
  const ctx = event.requestContext;
  if (ctx !== undefined) {
    ctx.requestId = number('uuid', ctx.requestId);
    ctx.extendedRequestId = number('extended-request-id', ctx.extendedRequestId);
    ctx.requestTime = '<request-time>';
    ctx.requestTimeEpoch = '<request-time-epoch>';
    ctx.resourceId = number('resource-id', ctx.resourceId);
    ctx.deploymentId = number('deployment-id', ctx.deploymentId);
    if (ctx.identity?.sourceIp !== undefined) ctx.identity.sourceIp = number('source-ip', ctx.identity.sourceIp);
  }
  return event;
}

rec.test('test_lambda_aws_proxy_integration', async (r) => {
  const fn = await createFunction(r, 'nodejs20.x', PROXY_ECHO, 'index.handler');
  const api = await r.setup(new CreateRestApiCommand({ name: uid(), description: 'Integration test API' }));
  for (const pathPart of ['{proxy+}', 'hardcoded']) {
    const res = await r.setup(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart }));
    const m = { restApiId: api.id, resourceId: res.id, httpMethod: 'ANY' };
    await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
    await r.setup(new PutIntegrationCommand({ ...m, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: invocationsUri(fn), credentials: CREDENTIALS_ROLE }));
  }
  await r.setup(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'stage' }));
  const host = `${api.id}.execute-api.${REGION}.amazonaws.com`;
  r.alias(host, '<host:1>');
  r.alias(api.id, '<api-id>');
  const counters = new Numbering();
  const call = async (label: string, rawPath: string, init: StageCall = {}) => {
    const res = await rawCall(r.gh.url, host, init.method ?? 'GET', rawPath, init.body,
      init.headers ?? { 'User-Agent': 'python-requests/testing', 'tEsT-HEADeR': 'aValUE', authorization: 'random-value', Accept: '*/*', 'Accept-Encoding': 'gzip, deflate' });
    assert.equal(res.status, 200, `${label}: ${res.body}`);
    r.record(label, normaliseEvent(JSON.parse(res.body), counters));
  };
  await call('invocation-payload-without-trailing-slash', '/stage/proxy-value');
  await call('invocation-payload-with-trailing-slash', '/stage/proxy-value/');
  await call('invocation-payload-with-double-slash', '/stage/proxy-value//double-slash');
  await call('invocation-payload-with-prepended-slash-to-stage', '//stage/proxy-value');
  await call('invocation-payload-with-prepended-slash', '/stage//proxy-value');
  await call('invocation-payload-without-trailing-slash-and-query-params', '/stage/proxy-value?urlparam=test');
  await call('invocation-payload-with-trailing-slash-and-query-params', '/stage/proxy-value/?urlparam=test');
  await call('invocation-payload-with-path-encoded-email', '/stage/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com');
  // As python-requests sends them: the space quoted, everything after '#' left out.
  await call('invocation-payload-with-params-encoding', '/stage/proxy-value/api?dateTimeOffset=2023-06-12T18:05:10.123456+00:00&email=test%2Balias@gmail.com&plus=test+alias@gmail.com&url=https://www.google.com/&whitespace=foo%20bar&zhash=abort/');
  await call('invocation-payload-with-params-encoding-multi', '/stage/proxy-value?category=electronics&category=books&price=10&price=20&price=30', {
    method: 'POST',
    body: JSON.stringify({ message: 'hello world' }),
    headers: {
      'Content-Type': 'application/json;charset=utf-8', aUThorization: 'Bearer token123;API key456', 'User-Agent': 'python-requests/testing',
      Accept: '*/*', 'Accept-Encoding': 'gzip, deflate', 'Content-Length': String(JSON.stringify({ message: 'hello world' }).length),
    },
  });
  await call('invocation-hardcoded', '/stage//hardcoded');
}, { transformRecording: withoutCloudFront });

/** A stage call through the execute-api Host, as the recorder made it; answers status, raw-cased headers, body. */
async function stageCall(r: Replay, apiId: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  const res = await rawCall(r.gh.url, `${apiId}.execute-api.${REGION}.amazonaws.com`, method, path, body, {
    'User-Agent': 'python-requests/testing', Accept: '*/*', 'Accept-Encoding': 'gzip, deflate', ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...headers,
  });
  return { status: res.status, headers: res.rawHeaders, text: res.body };
}

/** The parsed body as python-requests' response.json() gives it (text when it is not JSON). */
function content(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An API with one resource whose method calls `fn` through an AWS (non-proxy) integration. */
async function awsApi(r: Replay, pathPart: string) {
  const api = await r.setup(new CreateRestApiCommand({ name: uid() }));
  const res = await r.setup(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart }));
  return { apiId: api.id as string, resourceId: res.id as string };
}

const INTEGRATION_KEYS = ['cacheNamespace', 'credentials', 'uri'];

rec.test('test_lambda_aws_proxy_integration_non_post_method', async (r) => {
  const fn = await createFunction(r, 'nodejs20.x', PROXY_ECHO, 'index.handler');
  const { apiId, resourceId } = await awsApi(r, '{proxy+}');
  const m = { restApiId: apiId, resourceId, httpMethod: 'ANY' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  // GET is not a method Lambda's Invoke takes: AWS accepts the integration and fails each call.
  await r.setup(new PutIntegrationCommand({ ...m, type: 'AWS_PROXY', integrationHttpMethod: 'GET', uri: invocationsUri(fn), credentials: CREDENTIALS_ROLE }));
  await r.setup(new PutGatewayResponseCommand({ restApiId: apiId, responseType: 'INTEGRATION_FAILURE', responseParameters: {} }));
  await r.setup(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'test' }));
  const res = await stageCall(r, apiId, 'GET', '/test/test-path', {});
  assert.equal(res.status, 500, res.text);
  r.record('invocation-payload-with-get-proxy-method', content(res.text));
});

rec.test('test_lambda_aws_integration', async (r) => {
  const fn = await createFunction(r, 'nodejs20.x', EVENT_ECHO, 'index.handler');
  const { apiId, resourceId } = await awsApi(r, 'test');
  const m = { restApiId: apiId, resourceId, httpMethod: 'POST' };
  await r.ok('put-method', new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.ok('put-integration', new PutIntegrationCommand({ ...m, type: 'AWS', integrationHttpMethod: 'POST', uri: invocationsUri(fn), credentials: CREDENTIALS_ROLE }));
  await r.ok('put-integration-response', new PutIntegrationResponseCommand({ ...m, statusCode: '200' }));
  await r.ok('put-method-response', new PutMethodResponseCommand({ ...m, statusCode: '200' }));
  await r.setup(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'api' }));
  const res = await stageCall(r, apiId, 'POST', '/api/test', {}, JSON.stringify({ message: 'hello world' }));
  assert.equal(res.status, 200, res.text);
  r.record('lambda-aws-integration', content(res.text));
}, { keys: INTEGRATION_KEYS });

rec.test('test_lambda_aws_integration_with_request_template', async (r) => {
  const fn = await createFunction(r, 'nodejs20.x', EVENT_ECHO, 'index.handler');
  const { apiId, resourceId } = await awsApi(r, 'test');
  const m = { restApiId: apiId, resourceId, httpMethod: 'GET' };
  await r.ok('put-method', new PutMethodCommand({ ...m, authorizationType: 'NONE', requestParameters: { 'method.request.querystring.param1': false } }));
  await r.ok('put-method-response', new PutMethodResponseCommand({ ...m, statusCode: '200' }));
  await r.ok('put-integration', new PutIntegrationCommand({
    ...m, integrationHttpMethod: 'POST', type: 'AWS', uri: invocationsUri(fn), credentials: CREDENTIALS_ROLE,
    requestTemplates: { 'application/json': `{"param1": "$input.params('param1')"}` },
  }));
  await r.ok('put-integration-response', new PutIntegrationResponseCommand({ ...m, statusCode: '200', selectionPattern: '' }));
  await r.setup(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'api' }));
  for (const [label, query] of [['lambda-aws-integration-1', 'param1=foobar'], ['lambda-aws-integration-2', 'param1=foobar&Signature=1']] as const) {
    const res = await stageCall(r, apiId, 'GET', `/api/test?${query}`, {});
    assert.equal(res.status, 200, res.text);
    r.record(label, content(res.text));
  }
  await r.ok('delete-integration', new DeleteIntegrationCommand(m));
  await r.send('get-integration-after-delete', new GetIntegrationCommand(m));
}, { keys: INTEGRATION_KEYS });

// Our own templates, doing what the recorded test's request-template.vm and response-template.vm
// do: the request passes context, parameters and body on; the response echoes the function's
// result and overrides the status with 400 when it carries "customerror", else 202.
const REQUEST_TEMPLATE = [
  '#set($params = $input.params())',
  '{',
  '  "context": {"apiId": "$context.apiId", "method": "$context.httpMethod", "stage": "$context.stage", "requestId": "$context.requestId"},',
  '  "path": {#foreach($k in $params.path.keySet())"$k": "$util.escapeJavaScript($params.path.get($k))"#if($foreach.hasNext),#end#end},',
  '  "querystring": {#foreach($k in $params.querystring.keySet())"$k": "$util.escapeJavaScript($params.querystring.get($k))"#if($foreach.hasNext),#end#end},',
  '  "body": $input.json(\'$\')',
  '}',
].join('\n');
const RESPONSE_TEMPLATE = [
  '#set($result = $input.path(\'$\'))',
  "$input.json('$')",
  '#if($result.toString().contains("customerror"))',
  '#set($context.responseOverride.status = 400)',
  '#else',
  '#set($context.responseOverride.status = 202)',
  '#end',
].join('\n');

rec.test('test_lambda_aws_integration_response_with_mapping_templates', async (r) => {
  const fn = await createFunction(r, 'nodejs20.x', MAPPING_RESPONSES, 'index.handler');
  const { apiId, resourceId } = await awsApi(r, 'test');
  const m = { restApiId: apiId, resourceId, httpMethod: 'POST' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.setup(new PutMethodResponseCommand({ ...m, statusCode: '200' }));
  await r.setup(new PutMethodResponseCommand({ ...m, statusCode: '400' }));
  await r.setup(new PutIntegrationCommand({
    ...m, integrationHttpMethod: 'POST', type: 'AWS', uri: invocationsUri(fn), credentials: CREDENTIALS_ROLE, requestTemplates: { 'application/json': REQUEST_TEMPLATE },
  }));
  await r.setup(new PutIntegrationResponseCommand({ ...m, statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': RESPONSE_TEMPLATE } }));
  await r.setup(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'api' }));
  for (const [label, body] of [['response-template-202', { httpStatus: '200' }], ['response-template-400', { httpStatus: '400', errorMessage: 'Test Bad request' }]] as const) {
    const res = await stageCall(r, apiId, 'POST', '/api/test', { 'Content-Type': 'application/json' }, JSON.stringify(body));
    r.record(label, { statusCode: res.status, body: content(res.text) });
  }
});

rec.test('test_lambda_selection_patterns', async (r) => {
  const fn = await createFunction(r, 'python3.12', SELECT_PATTERN, 'lambda_select_pattern.handler');
  const { apiId, resourceId } = await awsApi(r, '{statusCode}');
  const m = { restApiId: apiId, resourceId, httpMethod: 'GET' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.setup(new PutIntegrationCommand({
    ...m, integrationHttpMethod: 'POST', type: 'AWS', uri: invocationsUri(fn), credentials: CREDENTIALS_ROLE,
    requestTemplates: { 'application/json': `{"statusCode": "$input.params('statusCode')"}` },
  }));
  for (const statusCode of ['200', '405', '502']) await r.setup(new PutMethodResponseCommand({ ...m, statusCode }));
  await r.setup(new PutIntegrationResponseCommand({ ...m, statusCode: '200' }));
  // The stored version of the recorded test selects with '.*400.*' and '.*5\d\d.*' on messages
  // that say "Raising 400"; the recording's messages say "four hundred", so the recorded run's
  // patterns matched words: these do the same selection on the recorded messages.
  await r.setup(new PutIntegrationResponseCommand({ ...m, statusCode: '405', selectionPattern: '.*four hundred.*' }));
  await r.setup(new PutIntegrationResponseCommand({ ...m, statusCode: '502', selectionPattern: '.*five hundred.*' }));
  await r.setup(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }));
  const uuids = new Numbering();
  for (const [code, expected] of [['200', 200], ['400', 405], ['500', 502]] as const) {
    const res = await stageCall(r, apiId, 'GET', `/dev/${code}`, {});
    assert.equal(res.status, expected, res.text);
    const body = content(res.text) as Record<string, unknown>;
    if (typeof body === 'object' && typeof body.requestId === 'string') {
      body.requestId = uuids.of('uuid', body.requestId);
    }
    r.record(`lambda-selection-pattern-${code}`, body);
  }
});

rec.test('test_lambda_aws_proxy_integration_request_data_mapping', async (r) => {
  const fn = await createFunction(r, 'nodejs20.x', PROXY_ECHO, 'index.handler');
  const api = await r.setup(new CreateRestApiCommand({ name: uid(), description: 'Integration test API' }));
  const host = `${api.id}.execute-api.${REGION}.amazonaws.com`;
  r.alias(host, '<host:1>');
  r.record('api_id', { rest_api_id: api.id });
  const res = await r.setup(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: '{pathVariable}' }));
  // AWS_PROXY does not apply the integration's request parameters: the event is the request as sent.
  const mapping = {
    'integration.request.header.headerVar': 'method.request.header.foobar',
    'integration.request.path.qsVar': 'method.request.querystring.testVar',
    'integration.request.path.pathVar': 'method.request.path.pathVariable',
    'integration.request.querystring.queryString': 'method.request.querystring.testQueryString',
    'integration.request.querystring.testQs': 'method.request.querystring.testQueryString',
    'integration.request.querystring.testEmptyQs': 'method.request.header.emptyheader',
  };
  const m = { restApiId: api.id, resourceId: res.id, httpMethod: 'ANY' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE', requestParameters: Object.fromEntries(Object.values(mapping).map((v) => [v, true])) }));
  await r.setup(new PutIntegrationCommand({ ...m, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: invocationsUri(fn), credentials: CREDENTIALS_ROLE, requestParameters: mapping }));
  await r.setup(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'test' }));
  const body = JSON.stringify({ message: 'hello world' });
  const out = await stageCall(r, api.id, 'POST', '/test/foobar?testQueryString=foo&testVar=bar', {
    'Content-Type': 'application/json', Accept: 'application/json', foobar: 'mapped-value', 'User-Agent': 'test/integration', headerVar: 'request-value',
  }, body);
  assert.equal(out.status, 200, out.text);
  r.record('http-proxy-invocation-data-mapping', { content: normaliseEvent(JSON.parse(out.text), new Numbering()), status_code: out.status });
}, { keys: ['rest_api_id'], transformRecording: withoutCloudFront });

const RESULT_FROM_BODY = { 'index.js': 'exports.handler = async (event) => JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, "base64").toString() : event.body);' };
const EDGE_RESPONSE_HEADERS = new Set(['Via', 'X-Amz-Cf-Id', 'X-Amz-Cf-Pop', 'X-Cache']);

rec.test('test_aws_proxy_response_payload_format_validation', async (r) => {
  const fn = await createFunction(r, 'nodejs20.x', RESULT_FROM_BODY, 'index.handler');
  const { apiId, resourceId } = await awsApi(r, '{proxy+}');
  const m = { restApiId: apiId, resourceId, httpMethod: 'ANY' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.setup(new PutIntegrationCommand({ ...m, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: invocationsUri(fn), credentials: CREDENTIALS_ROLE }));
  await r.setup(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'test' }));
  const numbering = new Numbering();
  const number = (kind: string, value: string): string => numbering.of(kind, value);
  // As python-requests' json= sends a result: JSON with its Content-Type; none for an empty one.
  const invoke = async (label: string, result: unknown, status = 200, withHeaders = false) => {
    const empty = result === null || (typeof result === 'object' && Object.keys(result as object).length === 0);
    const res = await stageCall(r, apiId, 'POST', '/test/test', { 'User-Agent': 'python/test', ...(empty ? {} : { 'Content-Type': 'application/json' }) }, empty ? undefined : JSON.stringify(result));
    assert.equal(res.status, status, `${label}: ${res.text}`);
    const out: Record<string, unknown> = { content: content(res.text) };
    if (withHeaders) {
      const h: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (EDGE_RESPONSE_HEADERS.has(k)) continue;
        h[k] = k === 'Date' ? '<date>' : k === 'X-Amzn-Trace-Id' ? number('x--amzn--trace--id', v) : k === 'x-amz-apigw-id' ? number('x-amz-apigw-id', v) : k === 'x-amzn-RequestId' ? number('uuid', v) : v;
      }
      out.headers = h;
    }
    r.record(label, out);
  };
  await invoke('invoke-api-no-body', { statusCode: 200 });
  await invoke('invoke-api-with-headers', { statusCode: 200, headers: { 'test-header': 'value', 'header-bool': true } }, 200, true);
  await invoke('invoke-api-with-headers-null', { statusCode: 200, headers: null }, 200, true);
  await invoke('invoke-api-wrong-format', { statusCode: 200, wrongValue: 'value' }, 502);
  await invoke('invoke-api-empty-response', {}, 502);
  const b64 = Buffer.from('test-data').toString('base64');
  await invoke('invoke-api-b64-encoded-true', { statusCode: 200, body: b64, isBase64Encoded: true });
  await invoke('invoke-api-b64-encoded-false', { statusCode: 200, body: b64 });
  await invoke('invoke-api-multi-headers-valid', { statusCode: 200, multiValueHeaders: { 'test-multi': ['value1', 'value2'] } }, 200, true);
  await invoke('invoke-api-multi-headers-overwrite', { statusCode: 200, multiValueHeaders: { 'test-multi': ['value-multi'] }, headers: { 'test-multi': 'value-solo' } }, 200, true);
  await invoke('invoke-api-multi-headers-overwrite-casing', { statusCode: 200, multiValueHeaders: { 'tesT-Multi': ['value-multi'] }, headers: { 'test-multi': 'value-solo' } }, 200, true);
  await invoke('invoke-api-multi-headers-invalid', { statusCode: 200, multiValueHeaders: { 'test-multi-invalid': 'value1' } }, 502);
  await invoke('invoke-api-invalid-status-code', { statusCode: 'test' }, 502);
  await invoke('invoke-api-status-code-str', { statusCode: '201' }, 201);
  await invoke('invoke-api-just-string', 'justAString', 502);
  await invoke('invoke-api-only-headers', { headers: { 'test-header': 'value' } });
}, {
  keys: [],
  transformRecording: (recorded) => {
    const out = structuredClone(recorded) as Record<string, { headers?: Record<string, string> }>;
    for (const answer of Object.values(out)) {
      if (answer.headers !== undefined) for (const h of EDGE_RESPONSE_HEADERS) delete answer.headers[h];
    }
    return out;
  },
});
