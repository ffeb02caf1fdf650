// Replays of test_apigateway_api's REST API recordings (see harness.ts and docs/aws-recorded.md).
import { CreateRestApiCommand, DeleteRestApiCommand, GetRestApiCommand, GetRestApisCommand, UpdateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { uid, useRecorded } from './harness.ts';

const rec = useRecorded('test_apigateway_api');

// Recordings from 2024 predate endpointConfiguration.ipAddressType, which AWS answers since 2025
// (the 2025 recordings of the same calls have it).
const PRE_IP_ADDRESS_TYPE = 'recorded in 2024, before AWS added ipAddressType';

async function clean(r: { setup: (c: object) => Promise<any> }): Promise<void> {
  for (const { id } of (await r.setup(new GetRestApisCommand({}))).items ?? []) await r.setup(new DeleteRestApiCommand({ restApiId: id }));
}

rec.test('TestApiGatewayApiRestApi::test_list_and_delete_apis', async (r) => {
  await clean(r);
  const a = await r.ok('create-rest-api-1', new CreateRestApiCommand({ name: uid(), description: 'this is my api' }));
  await r.ok('create-rest-api-2', new CreateRestApiCommand({ name: uid(), description: 'this is my api2' }));
  await r.send('get-rest-api-before-delete', new GetRestApisCommand({}));
  await r.send('delete-rest-api', new DeleteRestApiCommand({ restApiId: a.id }));
  await r.send('get-rest-api-after-delete', new GetRestApisCommand({}));
  await clean(r);
});

rec.test('TestApiGatewayApiRestApi::test_get_api_case_insensitive', async (r) => {
  const a = await r.ok('create-rest-api', new CreateRestApiCommand({ name: uid(), description: 'lower case api' }));
  r.alias(a.id.toUpperCase(), '<upper-id>');
  await r.send('get-api-upper-case', new GetRestApiCommand({ restApiId: a.id.toUpperCase() }));
}, { differs: { '$.create-rest-api.endpointConfiguration.ipAddressType': PRE_IP_ADDRESS_TYPE } });

rec.test('TestApiGatewayApiRestApi::test_create_rest_api_with_optional_params', async (r) => {
  await r.send('create-only-name', new CreateRestApiCommand({ name: uid() }));
  await r.send('create-empty-desc', new CreateRestApiCommand({ name: uid(), description: '' }));
  await r.send('create-with-version', new CreateRestApiCommand({ name: uid(), version: 'v1' }));
  await r.send('create-with-empty-binary-media', new CreateRestApiCommand({ name: uid(), binaryMediaTypes: [] }));
  await r.send('string-compression-size', new CreateRestApiCommand({ name: uid(), minimumCompressionSize: -1 }));
});

rec.test('TestApiGatewayApiRestApi::test_create_rest_api_with_binary_media_types', async (r) => {
  await r.send('create-with-binary-media', new CreateRestApiCommand({ name: uid(), binaryMediaTypes: ['image/png'] }));
});

rec.test('TestApiGatewayApiRestApi::test_create_rest_api_with_tags', async (r) => {
  await clean(r);
  const a = await r.ok('create-rest-api-w-tags', new CreateRestApiCommand({ name: uid(), description: 'this is my api', tags: { MY_TAG1: 'MY_VALUE1' } }));
  await r.send('get-rest-api-w-tags', new GetRestApiCommand({ restApiId: a.id }));
  await r.send('get-rest-apis-w-tags', new GetRestApisCommand({}));
  await clean(r);
});

rec.test('TestApiGatewayApiRestApi::test_update_rest_api_operation_add_remove', async (r) => {
  const a = await r.setup(new CreateRestApiCommand({ name: uid(), description: 'this is my api' }));
  const update = (label: string, patchOperations: object[]) => r.send(label, new UpdateRestApiCommand({ restApiId: a.id, patchOperations }));
  await update('update-rest-api-add', [{ op: 'add', path: '/binaryMediaTypes/image~1png' }, { op: 'add', path: '/binaryMediaTypes/image~1jpeg' }]);
  await update('update-rest-api-replace', [{ op: 'replace', path: '/binaryMediaTypes/image~1png', value: 'image/gif' }]);
  await update('update-rest-api-remove', [{ op: 'remove', path: '/binaryMediaTypes/image~1gif' }, { op: 'remove', path: '/description' }]);
});

rec.test('TestApiGatewayApiRestApi::test_update_rest_api_compression', async (r) => {
  const a = await r.setup(new CreateRestApiCommand({ name: uid(), description: 'this is my api' }));
  const update = (label: string, op: string, value: string) => r.send(label, new UpdateRestApiCommand({ restApiId: a.id, patchOperations: [{ op: op as 'replace', path: '/minimumCompressionSize', value }] }));
  await update('enable-compression', 'replace', '10');
  await r.setup(new GetRestApiCommand({ restApiId: a.id }));
  await update('disable-compression', 'replace', '');
  await r.setup(new GetRestApiCommand({ restApiId: a.id }));
  await update('set-compression-zero', 'replace', '0');
  await update('set-negative-compression', 'replace', '-1');
  await update('set-string-compression', 'replace', 'test');
  await update('unsupported-operation', 'add', '10');
});

rec.test('TestApiGatewayApiRestApi::test_update_rest_api_behaviour', async (r) => {
  const a = await r.setup(new CreateRestApiCommand({ name: uid(), description: 'this is my api' }));
  const update = (label: string, op: object) => r.send(label, new UpdateRestApiCommand({ restApiId: a.id, patchOperations: [op] }));
  await update('update-rest-api-array', { op: 'add', path: '/binaryMediaTypes/-', value: 'image/png' });
  await update('update-rest-api-add-base-path', { op: 'add', path: '/binaryMediaTypes', value: 'image/gif' });
  await update('update-rest-api-replace-base-path', { op: 'replace', path: '/binaryMediaTypes', value: 'image/gif' });
  await update('update-rest-api-remove-base-path', { op: 'remove', path: '/binaryMediaTypes' });
});

rec.test('TestApiGatewayApiRestApi::test_update_rest_api_invalid_api_id', async (r) => {
  await r.send('not-found-update-rest-api', new UpdateRestApiCommand({ restApiId: 'api_id', patchOperations: [{ op: 'replace', path: '/apiKeySource', value: 'AUTHORIZER' }] }));
});

rec.test('TestApiGatewayApiRestApi::test_create_rest_api_with_endpoint_configuration', async (r) => {
  const create = (label: string, input: object) => r.send(label, new CreateRestApiCommand({ name: uid(), ...input }));
  type Config = { types?: string[]; ipAddressType?: string };
  const config = (c: Config) => ({ endpointConfiguration: c as never });
  await create('create-with-empty-types', config({ types: [] }));
  await create('create-with-invalid-ip-address-type', config({ types: ['EDGE'], ipAddressType: 'wrong' }));
  await create('create-with-invalid-types', config({ types: ['wrong'] }));
  await create('create-with-invalid-ip-address-type-and-types', config({ ipAddressType: 'wrong', types: ['wrong'] }));
  await create('create-with-invalid-types-and-ip-address-type', config({ types: ['wrong'], ipAddressType: 'wrong' }));
  await create('create-with-multiple-errors-1', { description: '', ...config({ types: ['wrong'], ipAddressType: 'wrong' }) });
  await create('create-with-multiple-errors-2', { description: '', ...config({ types: ['EDGE', 'REGIONAL'] }) });
  await create('create-with-two-types', config({ types: ['EDGE', 'REGIONAL'] }));
  await create('create-with-endpoint-config-dualstack', config({ types: ['EDGE'], ipAddressType: 'dualstack' }));
  await create('create-with-endpoint-config-regional', config({ types: ['REGIONAL'] }));
});

rec.test('TestApiGatewayApiRestApi::test_create_rest_api_private_type', async (r) => {
  const create = (label: string, input: object) => r.send(label, new CreateRestApiCommand({ name: uid(), ...input }));
  await create('create-with-private-type-and-ipv4-ip-address-type', { endpointConfiguration: { types: ['PRIVATE'], ipAddressType: 'ipv4' } });
  await create('create-with-private-type-and-wrong-ip-address-type', { endpointConfiguration: { types: ['PRIVATE'], ipAddressType: 'wrong' } });
  await create('create-with-private-type-and-ipv4-ip-address-type-and-empty-description', { description: '', endpointConfiguration: { types: ['PRIVATE'], ipAddressType: 'ipv4' } });
});

rec.test('TestApiGatewayApiRestApi::test_create_rest_api_verify_defaults', async (r) => {
  const create = (label: string, endpointConfiguration: object) => r.send(label, new CreateRestApiCommand({ name: uid(), endpointConfiguration }));
  await create('create-with-edge-default', { types: ['EDGE'] });
  await create('create-with-regional-default', { types: ['REGIONAL'] });
  await create('create-with-private-default', { types: ['PRIVATE'] });
  await create('create-with-empty-default', {});
  await create('create-with-empty-ip-address-type-and-wrong-type', { types: ['wrong'] });
});

rec.test('TestApiGatewayApiRestApi::test_update_rest_api_ip_address_type', async (r) => {
  const a = await r.setup(new CreateRestApiCommand({ name: uid() }));
  const update = (label: string, op: string, path: string, value?: string) => r.send(label, new UpdateRestApiCommand({ restApiId: a.id, patchOperations: [{ op: op as 'replace', path, value }] }));
  await update('update-rest-api-replace-type', 'replace', '/endpointConfiguration/types/EDGE', 'PRIVATE');
  await update('update-rest-api-replace-to-ipv4-within-private-type', 'replace', '/endpointConfiguration/ipAddressType', 'ipv4');
  await update('update-rest-api-wrong-ipAddressType', 'replace', '/endpointConfiguration/ipAddressType', 'wrong');
  await update('update-rest-api-wrong-type', 'replace', '/endpointConfiguration/types/PRIVATE', 'wrong');
  await update('update-rest-api-invalid-operation-on-ipAddressType', 'add', '/endpointConfiguration/ipAddressType', 'dualstack');
  await update('update-rest-api-invalid-operation-on-type', 'test', '/endpointConfiguration/types/PRIVATE', 'EDGE');
  await update('update-rest-api-replace-ip-address-type', 'replace', '/endpointConfiguration/ipAddressType', 'dualstack');
});

rec.test('TestApiGatewayApiRestApi::test_update_rest_api_concatenation_of_errors', async (r) => {
  const a = await r.setup(new CreateRestApiCommand({ name: uid() }));
  const update = (label: string, paths: string[]) => r.send(label, new UpdateRestApiCommand({ restApiId: a.id, patchOperations: paths.map((path) => ({ op: 'wrong' as 'replace', path, value: 'x' })) }));
  await update('update-rest-api-wrong-operations-on-ipAddressType', ['/endpointConfiguration/ipAddressType', '/endpointConfiguration/ipAddressType']);
  await update('update-rest-api-wrong-operations-on-type', ['/endpointConfiguration/types/EDGE', '/endpointConfiguration/types/EDGE']);
  await update('update-rest-api-wrong-operations-on-type-and-on-ip-address-type', ['/endpointConfiguration/types/EDGE', '/endpointConfiguration/ipAddressType', '/endpointConfiguration/types/EDGE']);
});
