// Replays of test_apigateway_api's REST API recordings (see harness.ts and docs/aws-recorded.md).
import { CreateRestApiCommand, DeleteRestApiCommand, GetRestApiCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { useRecorded } from './harness.ts';

const rec = useRecorded('test_apigateway_api');

// Recordings from 2024 predate endpointConfiguration.ipAddressType, which AWS answers since 2025
// (the 2025 recordings of the same calls have it).
const PRE_IP_ADDRESS_TYPE = 'recorded in 2024, before AWS added ipAddressType';

rec.test('TestApiGatewayApiRestApi::test_list_and_delete_apis', async (r) => {
  for (const { id } of (await r.setup(new GetRestApisCommand({}))).items ?? []) await r.setup(new DeleteRestApiCommand({ restApiId: id }));
  const a = await r.ok('create-rest-api-1', new CreateRestApiCommand({ name: 'list-and-delete-1', description: 'this is my api' }));
  await r.ok('create-rest-api-2', new CreateRestApiCommand({ name: 'list-and-delete-2', description: 'this is my api2' }));
  await r.send('get-rest-api-before-delete', new GetRestApisCommand({}));
  await r.send('delete-rest-api', new DeleteRestApiCommand({ restApiId: a.id }));
  await r.send('get-rest-api-after-delete', new GetRestApisCommand({}));
});

rec.test('TestApiGatewayApiRestApi::test_get_api_case_insensitive', async (r) => {
  const a = await r.ok('create-rest-api', new CreateRestApiCommand({ name: 'case-sensitive', description: 'lower case api' }));
  r.alias(a.id.toUpperCase(), '<upper-id>');
  await r.send('get-api-upper-case', new GetRestApiCommand({ restApiId: a.id.toUpperCase() }));
}, { differs: { '$.create-rest-api.endpointConfiguration.ipAddressType': PRE_IP_ADDRESS_TYPE } });
