// Replays of test_apigateway_extended's export recordings: import a definition, deploy it to
// "local", export it as Swagger 2.0 and OpenAPI 3.0, with and without API Gateway's extensions
// (see harness.ts and docs/aws-recorded.md). The definitions come from the recordings' files/.
import { CreateDeploymentCommand, GetExportCommand, ImportRestApiCommand } from '@aws-sdk/client-api-gateway';
import { REGION } from '../helpers/server.ts';
import { recordedFile, useRecorded } from './harness.ts';

// The recorder numbered only the imported API's id (as api-id) and root resource ids.
const rec = useRecorded('test_apigateway_extended', { keys: ['rootResourceId'] });

// Where Gatehouse's export (src/openapi, the OpenAPI area's) differs from AWS's, by reason.
const REASONS = {
  VERSION: "info.version: AWS exports the API's version (the definition's, else the import date, recorded as 'date'); Gatehouse the export time",
  FILE: 'AWS names the file {type}_{version}.json and answers application/octet-stream; Gatehouse {api}-{stage}-{type}.json as application/json',
  TIMEOUT: 'Gatehouse exports the default timeoutInMillis 29000, which AWS leaves out',
  MEDIA: "AWS exports consumes/produces Gatehouse leaves out (the root GET's, and the OPTIONS methods' consumes)",
  BASE_PATH: "oas30 servers: AWS's basePath variable is 'local', Gatehouse's '/local'",
  REQUIRED: 'oas30: Gatehouse writes required: false on optional query parameters; AWS leaves it out',
  EMPTY: 'oas30: AWS writes an empty content {} on responses without models and an empty components {}; Gatehouse leaves them out',
} as const;
type Reason = keyof typeof REASONS;

// Paths under each answer's body (contentDisposition and contentType beside it); TIMEOUT is only in
// the export with extensions.
const KNOWN: Record<string, Partial<Record<Reason, string[]>>> = {
  'test_export_swagger_openapi[TEST_IMPORT_PETSTORE_SWAGGER]': {
    VERSION: ['.info.version'],
    MEDIA: ['.paths./.get.consumes', '.paths./.get.produces', '.paths./pets.options.consumes', '.paths./pets/{petId}.options.consumes'],
    FILE: ['.contentDisposition', '.contentType'],
    TIMEOUT: ['.paths./.get.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets.get.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets.post.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets.options.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets/{petId}.get.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets/{petId}.options.x-amazon-apigateway-integration.timeoutInMillis'],
  },
  'test_export_swagger_openapi[TEST_IMPORT_PETS]': {
    VERSION: ['.info.version'],
    FILE: ['.contentDisposition', '.contentType'],
    TIMEOUT: ['.paths./pets.get.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets/{petId}.get.x-amazon-apigateway-integration.timeoutInMillis'],
  },
  'test_export_oas30_openapi[TEST_IMPORT_PETSTORE_SWAGGER]': {
    VERSION: ['.info.version'],
    BASE_PATH: ['.servers[0].variables.basePath.default'],
    REQUIRED: ['.paths./pets.get.parameters[0].required', '.paths./pets.get.parameters[1].required'],
    EMPTY: ['.paths./.get.responses.200.content'],
    FILE: ['.contentDisposition', '.contentType'],
    TIMEOUT: ['.paths./pets.get.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets.post.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets.options.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets/{petId}.get.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets/{petId}.options.x-amazon-apigateway-integration.timeoutInMillis', '.paths./.get.x-amazon-apigateway-integration.timeoutInMillis'],
  },
  'test_export_oas30_openapi[TEST_IMPORT_PETS]': {
    VERSION: ['.info.version'],
    BASE_PATH: ['.servers[0].variables.basePath.default'],
    EMPTY: ['.paths./pets.get.responses.200.content', '.paths./pets/{petId}.get.responses.200.content', '.components'],
    FILE: ['.contentDisposition', '.contentType'],
    TIMEOUT: ['.paths./pets.get.x-amazon-apigateway-integration.timeoutInMillis', '.paths./pets/{petId}.get.x-amazon-apigateway-integration.timeoutInMillis'],
  },
};

function differs(test: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [reason, paths] of Object.entries(KNOWN[test] ?? {}) as [Reason, string[]][]) {
    const labels = reason === 'TIMEOUT' ? ['get-export-with-extensions'] : ['get-export', 'get-export-with-extensions'];
    for (const label of labels) for (const path of paths) out[`$.${label}${reason === 'FILE' ? '' : '.body'}${path}`] = REASONS[reason];
  }
  return out;
}

const DEFINITIONS: Record<string, string> = { TEST_IMPORT_PETSTORE_SWAGGER: 'petstore-swagger.json', TEST_IMPORT_PETS: 'pets.json' };

for (const [exportType, test] of [['swagger', 'test_export_swagger_openapi'], ['oas30', 'test_export_oas30_openapi']] as const) {
  for (const [param, file] of Object.entries(DEFINITIONS)) {
    const name = `${test}[${param}]`;
    rec.test(name, async (r) => {
      const body = recordedFile(file).toString('utf8').replaceAll('${uri}', `http://petstore.execute-api.${REGION}.amazonaws.com/petstore/pets`);
      const api = await r.ok('import-api', new ImportRestApiCommand({ body: Buffer.from(body), failOnWarnings: true }));
      r.alias(api.id, '<api-id:1>');
      await r.setup(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'local' }));
      await r.send('get-export', new GetExportCommand({ restApiId: api.id, stageName: 'local', exportType }));
      await r.send('get-export-with-extensions', new GetExportCommand({ restApiId: api.id, stageName: 'local', exportType, parameters: { extensions: 'apigateway' } }));
    }, { differs: differs(name) });
  }
}
