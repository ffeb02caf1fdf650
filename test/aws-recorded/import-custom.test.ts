// Replays of test_apigateway_import's recordings made without the default API Gateway
// transformers: each numbered its own ids (rest-id, resource-id, model-id, authorizer-id, ...)
// by where they appear, which these replays reproduce with aliases. See harness.ts.
import {
  GetAuthorizersCommand, GetModelsCommand, GetRequestValidatorsCommand, GetResourcesCommand, ImportRestApiCommand, type Resource,
} from '@aws-sdk/client-api-gateway';
import { recordedFile, useRecorded, type Replay } from './harness.ts';
import { snapshotImported } from './import-resources.ts';

const rec = useRecorded('test_apigateway_import', { keys: ['authorizerCredentials', 'authorizerUri'] });
const T = 'TestApiGatewayImportRestApi::';
const LAMBDA_INVOCATION_ARN = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:recorded-authorizer/invocations';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/recorded-role';
const MODEL_BASE_URL = 'https://apigateway.amazonaws.com';

const file = (name: string) => recordedFile(name).toString('utf8');
const byPath = (a: Resource, b: Resource) => (a.path! < b.path! ? -1 : a.path! > b.path! ? 1 : 0);

/** Numbers the API's resources by path and its models by name, as the recordings' transformers did. */
async function aliasIds(r: Replay, restApiId: string, models: boolean): Promise<void> {
  r.alias(restApiId, '<rest-id:1>');
  r.alias(MODEL_BASE_URL, '<model-base-url>');
  const resources = (await r.setup<{ items: Resource[] }>(new GetResourcesCommand({ restApiId, limit: 500 }))).items.sort(byPath);
  resources.forEach((x, i) => r.alias(x.id!, `<resource-id:${i + 1}>`));
  if (!models) return;
  const list = (await r.setup<{ items: { id: string; name: string }[] }>(new GetModelsCommand({ restApiId }))).items;
  [...list].sort((a, b) => (a.name < b.name ? -1 : 1)).forEach((m, i) => r.alias(m.id, `<model-id:${i + 1}>`));
}

/**
 * The recording sorted every `required` list (SortingTransformer); model schemas are JSON text,
 * which the harness's sorters do not reach, so they are sorted here.
 */
function sortRequired(models: unknown): void {
  for (const m of (models as { items?: { schema?: string }[] }).items ?? []) {
    if (m.schema === undefined) continue;
    m.schema = JSON.stringify(JSON.parse(m.schema), (k, v) => (k === 'required' && Array.isArray(v) ? [...v].sort() : v));
  }
}

rec.test(`${T}test_import_swagger_api`, async (r) => {
  const spec = file('petstore-authorizer.swagger.json')
    .replaceAll('${uri}', 'http://petstore.execute-api.us-east-1.amazonaws.com/petstore/pets')
    .replaceAll('arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:account-id:function:function-name/invocations', LAMBDA_INVOCATION_ARN)
    .replaceAll('arn:aws:iam::account-id:role', ROLE_ARN);
  // Numbered by the harness's authorizerUri key otherwise, but the value holds <region> once
  // normalised, which the harness takes for a placeholder already.
  r.alias(LAMBDA_INVOCATION_ARN, '<authorizer-uri:1>');
  const api = await r.ok('import-swagger', new ImportRestApiCommand({ body: Buffer.from(spec), failOnWarnings: true }));
  await aliasIds(r, api.id, true);
  const authorizers = await r.send<{ items: { id: string }[] }>('get-authorizers', new GetAuthorizersCommand({ restApiId: api.id }));
  authorizers?.items.forEach((a, i) => r.alias(a.id, `<authorizer-id:${i + 1}>`));
  r.sort('items', (x) => x.name ?? x.path);
  await r.send('get-models', new GetModelsCommand({ restApiId: api.id }));
  await snapshotImported(r, api.id, 'resources');
});

for (const [name, validators] of [['test_import_with_circular_models', false], ['test_import_with_circular_models_and_request_validation', true]] as const) {
  rec.test(`${T}${name}`, async (r) => {
    const spec = file(validators ? 'openapi.spec.circular-ref-with-request-body.json' : 'openapi.spec.circular-ref.json');
    const api = await r.ok('import-api', new ImportRestApiCommand({ body: Buffer.from(spec), failOnWarnings: true }));
    await aliasIds(r, api.id, true);
    r.sort('items', (x) => x.name ?? x.path);
    await r.send('get-models', new GetModelsCommand({ restApiId: api.id }));
    sortRequired(r.results['get-models']);
    if (validators) {
      const list = await r.send<{ items: { id: string }[] }>('request-validators', new GetRequestValidatorsCommand({ restApiId: api.id }));
      list?.items.forEach((v, i) => r.alias(v.id, `<request-validator-id:${i + 1}>`));
    }
    await snapshotImported(r, api.id, 'resources');
  });
}

rec.test(`${T}test_import_with_cognito_auth_identity_source`, async (r) => {
  const spec = file('openapi.cognito-auth.json').replaceAll('${cognito_pool_arn}', 'arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_ABC123');
  r.alias('arn:aws:cognito-idp:', 'arn:<partition>:cognito-idp:');
  r.alias('petstore.execute-api.us-west-1', '<external-aws-endpoint>');
  const api = await r.ok('import-swagger', new ImportRestApiCommand({ body: Buffer.from(spec), failOnWarnings: true }));
  await aliasIds(r, api.id, false);
  const authorizers = (await r.setup<{ items: { id: string; name: string }[] }>(new GetAuthorizersCommand({ restApiId: api.id }))).items;
  const sorted = JSON.parse(JSON.stringify([...authorizers].sort((a, b) => (a.name < b.name ? -1 : 1))));
  sorted.forEach((a: { id: string }, i: number) => r.alias(a.id, `<authorizer-id:${i + 1}>`));
  r.record('get-authorizers', sorted);
  await snapshotImported(r, api.id, 'resources');
});
