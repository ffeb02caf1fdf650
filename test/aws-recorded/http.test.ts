// Replays of test_apigateway_http's recordings: HTTP and HTTP_PROXY integrations called through
// deployed stages. The recorder's back end was an echo function behind a Lambda function URL; the
// stand-in here is a local server that answers the same way (see `startUrlEcho`): the request's
// query, JSON body, host, lower-cased headers, method, caller and path, with what a function
// URL's front adds to the headers it passes on (x-amzn-tls-*, x-forwarded-*) and to its answers
// (Date, x-amzn-RequestId). See docs/aws-recorded.md.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { randomUUID } from 'node:crypto';
import {
  CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, CreateStageCommand, PutIntegrationCommand,
  PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { startBackend, type Backend } from '../execute/helpers.ts';
import { REGION } from '../helpers/server.ts';
import { Numbering, rawCall, type Replay, uid, useRecorded } from './harness.ts';

const rec = useRecorded('test_apigateway_http', { keys: [] });

let echo: Backend;
let echoUrl: string;

/**
 * The stand-in for the recorder's function-URL echo back end. `/status/{code}` answers that
 * status (the recorder's status-code echo function); any other path echoes the request.
 */
before(async () => {
  echo = await startBackend((req, text, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const front = { 'Date': new Date().toUTCString(), 'x-amzn-RequestId': randomUUID(), 'Content-Type': 'application/json' };
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (status !== null) {
      const answer = JSON.stringify({ message: '', status_code: Number(status[1]) });
      res.writeHead(Number(status[1]), { ...front, 'Content-Length': Buffer.byteLength(answer) });
      res.end(answer);
      return;
    }
    const origin = req.socket.remoteAddress ?? '';
    const headers: Record<string, string> = {};
    // The front keeps the connection's own headers to itself.
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() !== 'connection') headers[req.rawHeaders[i]!.toLowerCase()] = req.rawHeaders[i + 1]!;
    // What a function URL's front adds before the function sees the request.
    headers['x-amzn-tls-cipher-suite'] = 'TLS_AES_128_GCM_SHA256';
    headers['x-amzn-tls-version'] = 'TLSv1.3';
    headers['x-forwarded-for'] = headers['x-forwarded-for'] === undefined ? origin : `${headers['x-forwarded-for']}, ${origin}`;
    headers['x-forwarded-port'] = '443';
    headers['x-forwarded-proto'] = 'https';
    if (url.searchParams.has('trim')) for (const k of Object.keys(headers)) if (k.startsWith('x-')) delete headers[k];
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch { /* kept as text */ }
    const args = Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'trim'));
    const answer = JSON.stringify({ args, data, domain: headers.host, headers, method: req.method, origin, path: url.pathname });
    // A function URL answers with its length and the call's trace, its own segment added.
    const trace = req.headers['x-amzn-trace-id'];
    res.writeHead(200, { ...front, 'Content-Length': Buffer.byteLength(answer), ...(typeof trace === 'string' ? { 'X-Amzn-Trace-Id': `${trace};Parent=${randomUUID().replace(/-/g, '').slice(0, 16)};Sampled=0` } : {}) });
    res.end(answer);
  });
  echoUrl = echo.url;
});
after(() => echo.close());

/** The recorder's create_rest_api_with_integration: POST /test (or `pathPart`), one integration, a stage. */
async function apiWithIntegration(r: Replay, type: 'HTTP' | 'HTTP_PROXY', uri: string, stage: string, pathPart = 'test', requestParameters: Record<string, string> = {}, httpMethod = 'POST'): Promise<string> {
  const api = await r.setup(new CreateRestApiCommand({ name: uid('test-apigw'), endpointConfiguration: { types: ['REGIONAL'] } }));
  const res = await r.setup(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart }));
  const m = { restApiId: api.id, resourceId: res.id, httpMethod };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE', apiKeyRequired: false, requestParameters: Object.fromEntries(Object.values(requestParameters).map((v) => [v, true])) }));
  await r.setup(new PutIntegrationCommand({ ...m, integrationHttpMethod: 'POST', type, uri, requestTemplates: {}, requestParameters }));
  await r.setup(new PutMethodResponseCommand({ ...m, statusCode: '200' }));
  await r.setup(new PutIntegrationResponseCommand({ ...m, statusCode: '200', responseTemplates: { 'application/json': "$input.json('$')" } }));
  const d = await r.setup(new CreateDeploymentCommand({ restApiId: api.id }));
  await r.setup(new CreateStageCommand({ restApiId: api.id, stageName: stage, deploymentId: d.id }));
  return api.id;
}

/** The recorder's transformers over one echo answer: its values by key, in the recorder's order. */
function normaliseEcho(content: Record<string, any>, n: Numbering): Record<string, unknown> {
  content.domain = n.of('domain', content.domain);
  content.origin = n.of('origin', content.origin);
  const h = content.headers as Record<string, string>;
  for (const key of ['host', 'x-amzn-tls-cipher-suite', 'x-amzn-tls-version', 'x-amzn-trace-id', 'x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto']) {
    if (h[key] === undefined) continue;
    // Values already seen under another key keep that key's placeholder (the recorder replaced
    // each value wherever it occurred): host is the domain, an API Gateway-less x-forwarded-for the origin.
    const known = key === 'host' ? 'domain' : key === 'x-forwarded-for' ? 'origin' : undefined;
    const raw = h[key]!;
    h[key] = known === 'domain' ? content.domain : known === 'origin' && raw === content.originRaw ? content.origin : n.of(key, raw);
  }
  delete content.originRaw;
  return content;
}

/** The answer's headers, lower-cased, with the recorder's placeholders. */
function normaliseAnswer(headers: Record<string, string>, n: Numbering): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    out[key] = key === 'content-length' || key === 'x-amzn-remapped-content-length' ? n.of('content_length', v)
      : key === 'date' ? n.of('date', v)
        : key === 'x-amzn-remapped-date' ? '<date>'
          : key === 'x-amz-apigw-id' || key === 'x-amzn-requestid' || key === 'x-amzn-trace-id' ? n.of(key, v)
            : key === 'x-amzn-remapped-x-amzn-requestid' ? n.of('uuid', v)
              : v;
  }
  return out;
}

for (const type of ['HTTP', 'HTTP_PROXY'] as const) {
  rec.test(`test_http_integration_with_lambda[${type}]`, async (r) => {
    const apiId = await apiWithIntegration(r, type, `${echoUrl}/`, 'test');
    r.record('api_id', { rest_api_id: '<rest_api_id:1>' });
    r.alias(apiId, '<rest_api_id:1>');
    // The recording shows what the client sent where HTTP_PROXY passes it on: Accept application/xml.
    const res = await rawCall(r.gh.url, `${apiId}.execute-api.${REGION}.amazonaws.com`, 'POST', '/test/test', '{"message": "hello world"}', {
      'Content-Type': 'application/json', accept: type === 'HTTP' ? 'application/json' : 'application/xml', 'user-Agent': 'test/integration',
      'Accept-Encoding': 'gzip, deflate', 'Content-Length': '26',
    });
    assert.equal(res.status, 200, res.body);
    const n = new Numbering();
    const content = JSON.parse(res.body) as Record<string, any>;
    content.originRaw = content.origin;
    const echoed = normaliseEcho(content, n);
    r.record('http-invocation-lambda-url', { content: echoed, headers: normaliseAnswer(res.rawHeaders, n), status_code: res.status });
  });

  rec.test(`test_http_integration_invoke_status_code_passthrough[${type}]`, async (r) => {
    const apiId = await apiWithIntegration(r, type, `${echoUrl}/{map}`, 'test', '{map+}', { 'integration.request.path.map': 'method.request.path.map' });
    for (const [label, code] of [['matching-response', '200'], ['non-matching-response', '400']] as const) {
      const res = await rawCall(r.gh.url, `${apiId}.execute-api.${REGION}.amazonaws.com`, 'POST', `/test/status/${code}`, undefined, { 'User-Agent': 'python-requests/2.32.3', Accept: '*/*', 'Accept-Encoding': 'gzip, deflate', 'Content-Length': '0' });
      r.record(label, { body: JSON.parse(res.body), status_code: res.status });
    }
  });
}

// The stored version of the recorded test file predates test_http_integration_method; this replay
// is rebuilt from what the recording shows: one ANY method whose integration calls the back end
// with POST, called with POST, PUT and GET, each with the same JSON body, and an echo that leaves
// out the x- headers (the recorder's trim_x_headers).
for (const type of ['HTTP', 'HTTP_PROXY'] as const) {
  rec.test(`test_http_integration_method[${type}]`, async (r) => {
    const apiId = await apiWithIntegration(r, type, `${echoUrl}/?trim`, 'test', 'test', {}, 'ANY');
    r.record('api_id', { rest_api_id: '<rest_api_id:1>' });
    r.alias(apiId, '<rest_api_id:1>');
    const n = new Numbering();
    for (const method of ['POST', 'PUT', 'GET']) {
      const res = await rawCall(r.gh.url, `${apiId}.execute-api.${REGION}.amazonaws.com`, method, '/test/test', '{"message": "hello world"}', {
        'Content-Type': 'application/json', accept: 'application/json', 'user-Agent': 'test/integration', 'Accept-Encoding': 'gzip, deflate', 'Content-Length': '26',
      });
      assert.equal(res.status, 200, res.body);
      const content = JSON.parse(res.body) as Record<string, any>;
      const h = content.headers as Record<string, string>;
      content.domain = n.of('domain', content.domain);
      content.origin = `<origin:${['POST', 'PUT', 'GET'].indexOf(method) + 1}>`; // one caller address per call on AWS
      h.host = content.domain;
      h['content-length'] = n.of('content_length', h['content-length']!);
      delete content.args.trim;
      r.record(`http-invocation-lambda-url-${method.toLowerCase()}`, content);
    }
  });
}
