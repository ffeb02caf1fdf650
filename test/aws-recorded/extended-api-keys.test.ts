// Replays of test_apigateway_extended's API key and usage plan recordings (see harness.ts and
// docs/aws-recorded.md). The recorder deleted every API key before the class ran; each replay
// does the same, since the file's tests share one Gatehouse.
//
// List order: AWS listed the second key first in every list; its ids are random (as Gatehouse's
// are, which lists by id), so the order cannot be reproduced from the recording. Each list is
// sorted by name and the second key's name is drawn to sort first; the two one-item pages are
// checked to hold both keys, then recorded with the second key's page first, as AWS's were.
import {
  CreateApiKeyCommand, CreateUsagePlanCommand, CreateUsagePlanKeyCommand, DeleteApiKeyCommand, GetApiKeysCommand, GetUsagePlanKeysCommand, UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import assert from 'node:assert/strict';
import { uid, useRecorded, type Replay } from './harness.ts';

const rec = useRecorded('test_apigateway_extended', { keys: ['id', 'value', 'name', 'position'] });

/** Two key names sharing the prefix 'test-key', the second sorting before the first. */
function twoNames(): [string, string] {
  for (;;) {
    const a = uid('test-key');
    const b = uid('test-key');
    if (b < a) return [a, b];
  }
}

async function noKeys(r: Replay): Promise<void> {
  const all = await r.setup(new GetApiKeysCommand({ limit: 500 }));
  for (const k of all.items ?? []) await r.setup(new DeleteApiKeyCommand({ apiKey: k.id }));
}

rec.test('TestApigatewayApiKeysCrud::test_get_api_keys', async (r) => {
  await noKeys(r);
  const [name1, name2] = twoNames();
  r.sort('items', (x) => x.name);
  await r.send('get-api-keys', new GetApiKeysCommand({}));
  await r.ok('create-api-key', new CreateApiKeyCommand({ name: name1 }));
  await r.send('get-api-keys-after-create-1', new GetApiKeysCommand({}));
  await r.send('get-api-keys-wrong-name-query', new GetApiKeysCommand({ nameQuery: name2 }));
  await r.send('get-api-keys-prefix-name-query', new GetApiKeysCommand({ nameQuery: name1.slice(0, 8) }));
  await r.send('get-api-keys-prefix-name-query-cased', new GetApiKeysCommand({ nameQuery: name1.slice(0, 8).toUpperCase() }));
  await r.send('get-api-keys-postfix-name-query', new GetApiKeysCommand({ nameQuery: name1.slice(2) }));
  await r.send('get-api-keys-infix-name-query', new GetApiKeysCommand({ nameQuery: name1.slice(2, 8) }));
  await r.ok('create-api-key-2', new CreateApiKeyCommand({ name: name2 }));
  await r.send('get-api-keys-after-create-2', new GetApiKeysCommand({}));
  await r.send('get-api-keys-name-query', new GetApiKeysCommand({ nameQuery: name2 }));
  await r.send('get-api-keys-prefix-name-query-2', new GetApiKeysCommand({ nameQuery: name1.slice(0, 8) }));
  const page1 = await r.setup(new GetApiKeysCommand({ limit: 1 }));
  const page2 = await r.setup(new GetApiKeysCommand({ limit: 1, position: page1.position }));
  assert.equal(page2.position, undefined);
  const pages = [page1, page2].map((p) => ({ items: p.items.map((k: { createdDate: Date; lastUpdatedDate: Date }) => ({ ...k, createdDate: 'datetime', lastUpdatedDate: 'datetime' })), ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode: 200 } }));
  assert.deepEqual(pages.map((p) => p.items[0].name).sort(), [name2, name1]);
  const [first, second] = pages[0]!.items[0].name === name2 ? pages : [pages[1]!, pages[0]!];
  r.record('get-apis-keys-pagination', { ...first, position: page1.position });
  r.record('get-apis-keys-pagination-2', second);
});

rec.test('TestApigatewayApiKeysCrud::test_get_usage_plan_api_keys', async (r) => {
  await noKeys(r);
  const [name1, name2] = twoNames();
  r.sort('items', (x) => x.name);
  await r.send('get-api-keys', new GetApiKeysCommand({}));
  const k1 = await r.ok('create-api-key', new CreateApiKeyCommand({ name: name1 }));
  const k2 = await r.ok('create-api-key-2', new CreateApiKeyCommand({ name: name2 }));
  await r.send('get-api-keys-after-create-1', new GetApiKeysCommand({}));
  const plan = await r.ok('create-usage-plan', new CreateUsagePlanCommand({ name: uid('usage-plan') }));
  const usagePlanId = plan.id;
  await r.send('get-up-keys-before-create', new GetUsagePlanKeysCommand({ usagePlanId }));
  await r.send('create-up-key', new CreateUsagePlanKeyCommand({ usagePlanId, keyId: k1.id, keyType: 'API_KEY' }));
  await r.send('create-up-key-2', new CreateUsagePlanKeyCommand({ usagePlanId, keyId: k2.id, keyType: 'API_KEY' }));
  await r.send('get-up-keys', new GetUsagePlanKeysCommand({ usagePlanId }));
  await r.send('get-up-keys-name-query', new GetUsagePlanKeysCommand({ usagePlanId, nameQuery: 'test-key' }));
  await r.send('get-up-keys-name-query-cased', new GetUsagePlanKeysCommand({ usagePlanId, nameQuery: 'TEST-key' }));
  await r.send('get-up-keys-name-query-key-name', new GetUsagePlanKeysCommand({ usagePlanId, nameQuery: name1 }));
  await r.send('get-up-keys-bad-query', new GetUsagePlanKeysCommand({ usagePlanId, nameQuery: 'nothing' }));
  await r.setup(new DeleteApiKeyCommand({ apiKey: k1.id }));
  await r.setup(new DeleteApiKeyCommand({ apiKey: k2.id }));
  await r.send('get-up-keys-after-delete', new GetUsagePlanKeysCommand({ usagePlanId }));
  await r.send('get-up-keys-bad-usage-plan', new GetUsagePlanKeysCommand({ usagePlanId: 'bad-id' }));
});

rec.test('TestApigatewayApiKeysCrud::test_negative_get_usage_plan_api_keys', async (r) => {
  await noKeys(r);
  await r.send('get-api-keys-invalid-limit', new GetApiKeysCommand({ limit: -1 }));
  const key = await r.ok('create-api-key', new CreateApiKeyCommand({ name: 'key-enabled-false', enabled: false }));
  await r.send('update-api-key-name', new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/name', value: 'new-name' }] }));
});

rec.test('TestApigatewayApiKeysCrud::test_create_api_key_with_invalid_name', async (r) => {
  await r.send('create-api-key-name-too-long', new CreateApiKeyCommand({ name: 'a'.repeat(1025) }));
  await r.send('create-api-key-empty-name', new CreateApiKeyCommand({ name: '' }));
  await r.send('create-api-key-no-name', new CreateApiKeyCommand({}));
});

rec.test('TestApigatewayApiKeysCrud::test_create_api_key_with_invalid_value', async (r) => {
  await r.send('create-api-key-short-value', new CreateApiKeyCommand({ value: 'short' }));
  await r.send('create-api-key-invalid-value-too-long', new CreateApiKeyCommand({ value: 'a'.repeat(129) }));
  await r.send('create-api-key-empty-value', new CreateApiKeyCommand({ value: '' }));
});

rec.test('TestApigatewayApiKeysCrud::test_update_api_key_invalid_description_length', async (r) => {
  await r.send('create-api-key-description-too-long', new CreateApiKeyCommand({ description: 'a'.repeat(125001) }));
  const key = await r.setup(new CreateApiKeyCommand({}));
  await r.send('update-api-key-description-too-long', new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/description', value: 'a'.repeat(125001) }] }));
});

rec.test('TestApigatewayApiKeysCrud::test_update_api_key_invalid_enabled_type', async (r) => {
  const key = await r.setup(new CreateApiKeyCommand({}));
  await r.send('update-api-key-invalid-enabled-type', new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/enabled', value: 'not-a-boolean' }] }));
});

rec.test('TestApigatewayApiKeysCrud::test_update_api_key_immutable_field', async (r) => {
  const key = await r.setup(new CreateApiKeyCommand({}));
  await r.send('update-api-key-immutable-field', new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/id', value: 'new-id' }] }));
});

rec.test('TestApigatewayApiKeysCrud::test_create_usage_plan_with_throttle', async (r) => {
  await r.send('create-usage-plan-burst-gt-rate', new CreateUsagePlanCommand({ name: uid('invalid-throttle-burst-gt-rate'), throttle: { rateLimit: 10, burstLimit: 20 } }));
});
