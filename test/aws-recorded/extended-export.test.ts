// Replays of test_apigateway_extended's export recordings: import a definition, deploy it to
// "local", export it as Swagger 2.0 and OpenAPI 3.0, with and without API Gateway's extensions
// (see harness.ts and docs/aws-recorded.md). The definitions come from the recordings' files/.
import { CreateDeploymentCommand, GetExportCommand, ImportRestApiCommand } from '@aws-sdk/client-api-gateway';
import { REGION } from '../helpers/server.ts';
import { recordedFile, useRecorded } from './harness.ts';

// The recorder numbered only the imported API's id (as api-id) and root resource ids.
const rec = useRecorded('test_apigateway_extended', { keys: ['rootResourceId'] });

// Without a version in the definition, AWS's info.version (and so the file name) is a date, which
// the recorder replaced with "date"; the replay does the same with Gatehouse's date.
const ISO_DATE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/g;
function dated(out: Record<string, unknown>): Record<string, unknown> {
  const body = Buffer.from(out.body as Uint8Array).toString('utf8').replace(ISO_DATE, 'date');
  return { ...out, body: Buffer.from(body), contentDisposition: String(out.contentDisposition).replace(ISO_DATE, 'date') };
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
      await r.send('get-export', new GetExportCommand({ restApiId: api.id, stageName: 'local', exportType }), dated);
      await r.send('get-export-with-extensions', new GetExportCommand({ restApiId: api.id, stageName: 'local', exportType, parameters: { extensions: 'apigateway' } }), dated);
    });
  }
}
