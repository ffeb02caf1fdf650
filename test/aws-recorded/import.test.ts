// Replays of test_apigateway_import's recordings that use the default API Gateway transformers
// (ids, names, parent and root resource ids); see harness.ts and docs/aws-recorded.md. The
// definitions are read from the recordings' files/ folder at run time.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateDeploymentCommand, CreateRestApiCommand, CreateStageCommand, GetAuthorizersCommand, GetModelsCommand, GetRestApiCommand, ImportRestApiCommand, PutRestApiCommand,
} from '@aws-sdk/client-api-gateway';
import { recordedFile, uid, useRecorded } from './harness.ts';
import { snapshotImported } from './import-resources.ts';

const rec = useRecorded('test_apigateway_import');
const T = 'TestApiGatewayImportRestApi::';
// What the recorded tests put where their definitions hold placeholders: any Lambda ARN will do.
const LAMBDA_INVOCATION_ARN = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:recorded-authorizer/invocations';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/recorded-role';

const file = (name: string) => recordedFile(name).toString('utf8');

// A Lambda ARN written in the definition with account 000000000000, which is also Gatehouse's
// account id: the harness maps Gatehouse's account to the recordings' 111111111111, and the
// recorder wrote arn:<partition>. The URI itself is stored exactly as written, as AWS does.
const ACCOUNT_IN_DEFINITION = 'the definition\'s account 000000000000 is Gatehouse\'s own, which the harness maps; stored as written';
// Overwrite keeps the resource of a path declared again; AWS gives its new integration a cache
// namespace that is no resource's id, Gatehouse the resource id (as a fresh import does).
const CACHE_NAMESPACE = 'AWS gives a re-imported integration an unrelated cache namespace';

rec.test(`${T}test_import_rest_api`, async (r) => {
  await r.send('import_rest_api', new ImportRestApiCommand({ body: Buffer.from(file('openapi.spec.pulumi.json')), failOnWarnings: true }));
});

for (const name of ['openapi.spec.tf.json', 'swagger-mock-cors.json']) {
  rec.test(`${T}test_import_and_validate_rest_api[${name}]`, async (r) => {
    const api = await r.ok('import_tf_rest_api', new ImportRestApiCommand({ body: Buffer.from(file(name)), failOnWarnings: true }));
    r.sort('items', (x) => x.name ?? x.path);
    await r.send('get-models', new GetModelsCommand({ restApiId: api.id }));
    await snapshotImported(r, api.id, 'resources');
  }, {
    differs: Object.fromEntries(
      (name === 'openapi.spec.tf.json' ? ['root-get'] : ['product-get', 'product/{product_id}-get']).flatMap((at) => [
        [`$.method-${at}.methodIntegration.uri`, ACCOUNT_IN_DEFINITION],
        [`$.integration-${at}.uri`, ACCOUNT_IN_DEFINITION],
      ]),
    ),
  });
}

for (const mode of ['ignore', 'prepend', 'split']) {
  rec.test(`${T}test_import_rest_apis_with_base_path_swagger[${mode}]`, async (r) => {
    const api = await r.setup(new CreateRestApiCommand({ name: uid('restapi') }));
    const spec = file('swagger.json')
      .replace('arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:myapi-authorizer-0-22ad13b/invocations', LAMBDA_INVOCATION_ARN)
      .replace('arn:aws:iam::000000000000:role/myapi-authorizer-0-authorizer-role-3bd761a', ROLE_ARN);
    await r.send('put-rest-api-swagger-json', new PutRestApiCommand({ restApiId: api.id, body: Buffer.from(spec), mode: 'overwrite', parameters: { basepath: mode } }));
    for (const a of (await r.setup(new GetAuthorizersCommand({ restApiId: api.id }))).items ?? []) r.alias(a.id, '<authorizer-id:1>');
    await snapshotImported(r, api.id, 'get-resources-swagger-json');
    const second = await r.setup(new ImportRestApiCommand({ body: Buffer.from(file('pets.json')), parameters: { basepath: mode } }));
    await snapshotImported(r, second.id, 'get-resources-no-base-path-swagger');
  });
}

for (const mode of ['prepend', 'split', 'ignore']) {
  rec.test(`${T}test_import_rest_api_with_base_path_oas30[${mode}]`, async (r) => {
    const api = await r.setup(new CreateRestApiCommand({ name: uid('restapi') }));
    const put = (label: string, name: string) => r.send(label, new PutRestApiCommand({ restApiId: api.id, body: Buffer.from(file(name)), mode: 'overwrite', parameters: { basepath: mode } }));
    await put('put-rest-api-oas30-srv-var', 'openapi-basepath-server-variable.yaml');
    await snapshotImported(r, api.id, 'get-resources-oas30-srv-var', 'srv-var-');
    await put('put-rest-api-oas30-srv-url', 'openapi-basepath-url.yaml');
    await snapshotImported(r, api.id, 'get-resources-oas30-srv-url', 'srv-url-');
  }, {
    differs: mode !== 'ignore' ? {} : Object.fromEntries(['get', 'options'].flatMap((verb) => [
      [`$.srv-url-method-test-${verb}.methodIntegration.cacheNamespace`, CACHE_NAMESPACE],
      [`$.srv-url-integration-test-${verb}.cacheNamespace`, CACHE_NAMESPACE],
    ])),
  });
}

rec.test(`${T}test_import_with_global_api_key_authorizer`, async (r) => {
  const spec = file('openapi.spec.global-auth.json').replaceAll('${authorizer_lambda_invocation_arn}', LAMBDA_INVOCATION_ARN);
  r.alias(LAMBDA_INVOCATION_ARN, '<authorizer-uri:1>');
  const api = await r.ok('import-swagger', new ImportRestApiCommand({ body: Buffer.from(spec), failOnWarnings: true }));
  await r.send('get-authorizers', new GetAuthorizersCommand({ restApiId: api.id }));
  await snapshotImported(r, api.id, 'resources');
});

rec.test(`${T}test_import_with_http_method_integration`, async (r) => {
  const spec = file('openapi-http-method-integration.json').replaceAll('${lambda_invocation_arn}', LAMBDA_INVOCATION_ARN);
  r.alias(LAMBDA_INVOCATION_ARN, '<uri:1>');
  const api = await r.setup(new ImportRestApiCommand({ body: Buffer.from(spec), failOnWarnings: true }));
  await snapshotImported(r, api.id, 'resources');
});

rec.test(`${T}test_import_with_integer_http_status_code`, async (r) => {
  const api = await r.setup(new ImportRestApiCommand({ body: Buffer.from(file('openapi-method-int.spec.yaml')), failOnWarnings: true }));
  await snapshotImported(r, api.id, 'resources');
});

for (const mode of ['merge', 'overwrite'] as const) {
  rec.test(`${T}test_put_rest_api_mode_binary_media_types[${mode}]`, async (r) => {
    const api = await r.ok('create-rest-api', new CreateRestApiCommand({ name: uid(), binaryMediaTypes: ['image/heif'] }));
    await r.send('get-rest-api', new GetRestApiCommand({ restApiId: api.id }));
    const spec = { swagger: '2.0', info: { title: uid(), version: '1.0.0' }, paths: {}, 'x-amazon-apigateway-binary-media-types': ['image/png', 'image/jpg'] };
    await r.send('put-api', new PutRestApiCommand({ restApiId: api.id, body: Buffer.from(JSON.stringify(spec)), mode }));
  });
}

rec.test(`${T}test_import_api_bad_file`, async (r) => {
  const api = await r.setup(new CreateRestApiCommand({ name: uid() }));
  const badYaml = Buffer.from('openapi: 3.0.1\ninfo:\n  title: [unterminated\n  version: 1.0\n');
  const badJson = Buffer.from('{"openapi": "3.0.1", "info": {"title": "bad", ');
  await r.send('import-api-bad-yaml-file', new ImportRestApiCommand({ body: badYaml }));
  await r.send('import-api-bad-json-file', new ImportRestApiCommand({ body: badJson }));
  await r.send('put-rest-api-bad-yaml-file', new PutRestApiCommand({ restApiId: api.id, body: badYaml }));
  await r.send('put-rest-api-bad-json-file', new PutRestApiCommand({ restApiId: api.id, body: badJson }));
});

rec.test(`${T}test_import_with_stage_variables`, async (r) => {
  // The recording's echo server answers with what it received; this one does the same.
  const echo = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://echo');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        args: Object.fromEntries(url.searchParams), data: Buffer.concat(chunks).toString('utf8'), domain: req.headers.host,
        method: req.method, origin: req.socket.remoteAddress, path: url.pathname,
      }));
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  try {
    const host = `127.0.0.1:${(echo.address() as AddressInfo).port}`;
    r.alias(host, '<domain:1>');
    r.alias('127.0.0.1', '<origin:1>');
    // As the recorded test does away from AWS: plain HTTP to the local echo server.
    const spec = file('openapi.spec.stage-variables.json').replaceAll('https://', 'http://');
    const api = await r.setup(new ImportRestApiCommand({ body: Buffer.from(spec), failOnWarnings: true }));
    const deployment = await r.setup(new CreateDeploymentCommand({ restApiId: api.id }));
    await r.setup(new CreateStageCommand({ restApiId: api.id, stageName: 'v1', deploymentId: deployment.id, variables: { TestHost: host, testPath: 'test-path', querystring: 'qs_key=qs_value' } }));
    const ok = await fetch(`${r.gh.url}/restapis/${api.id}/v1/_user_request_/path1`);
    r.record('get-resp-from-http', await ok.json());
    await r.setup(new CreateStageCommand({ restApiId: api.id, stageName: 'v2', deploymentId: deployment.id }));
    const failed = await fetch(`${r.gh.url}/restapis/${api.id}/v2/_user_request_/path1`);
    assert.equal(failed.status, 500, 'an unset stage variable leaves no host to call: 500');
    r.record('get-error-resp-from-http', { body: await failed.json(), errorType: failed.headers.get('x-amzn-errortype') });
  } finally {
    await new Promise((resolve) => echo.close(resolve));
  }
});
