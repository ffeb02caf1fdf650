// API keys enforced on one Gatehouse: a method with apiKeyRequired answers AWS's 403
// {"message":"Forbidden"} (INVALID_API_KEY) unless x-api-key holds an enabled key that a usage
// plan attached to the stage holds, and every change to keys, plans and their links takes effect
// on the next request without a redeployment. APIs, keys and plans are made through the AWS SDK;
// requests go over HTTP to the deployed stage.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateApiKeyCommand, CreateUsagePlanKeyCommand, DeleteApiKeyCommand, DeleteUsagePlanCommand, DeleteUsagePlanKeyCommand,
  ImportApiKeysCommand, PutGatewayResponseCommand, UpdateApiKeyCommand, UpdateRestApiCommand, UpdateUsagePlanCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { callStage, deploy } from '../execute/helpers.ts';
import { addKey, assertAdmitted, assertForbidden, get, mockApi, planWithKey } from './traffic-helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
});
after(async () => {
  client.destroy();
  await gh.close();
});

describe('a method that requires an API key', () => {
  let apiId: string;
  let other: string;
  before(async () => {
    apiId = await mockApi(client, 'keyed', [{ path: '/keyed', apiKeyRequired: true }, { path: '/open' }]);
    other = await mockApi(client, 'other', [{ path: '/keyed', apiKeyRequired: true }]);
  });

  test('is refused without a key, with an unknown one, and with one in no plan for this stage', async () => {
    assertForbidden(await get(gh.url, apiId, '/keyed'), 'no x-api-key');
    assertForbidden(await get(gh.url, apiId, '/keyed', 'nosuchkeynosuchkeynosuchkey'), 'unknown key');
    const loose = await client.send(new CreateApiKeyCommand({ name: 'loose', enabled: true }));
    assertForbidden(await get(gh.url, apiId, '/keyed', loose.value), 'a key in no plan');
    const elsewhere = await planWithKey(client, 'elsewhere', [{ apiId: other, stage: 'test' }]);
    assertForbidden(await get(gh.url, apiId, '/keyed', elsewhere.value), "a key in a plan for another API's stage");
    assertAdmitted(await get(gh.url, other, '/keyed', elsewhere.value), elsewhere.value, elsewhere.keyId, 'the same key on its own stage');
    // A method that does not require a key ignores one, and $context.identity.apiKey stays null.
    const open = await get(gh.url, apiId, '/open', elsewhere.value);
    assert.equal(open.status, 200);
    assert.deepEqual(JSON.parse(open.body), { apiKey: '', apiKeyId: '' });
  });

  test('admits an enabled key in a plan attached to the stage and sets $context.identity.apiKey and apiKeyId', async () => {
    const { value, keyId } = await planWithKey(client, 'gold', [{ apiId, stage: 'test' }]);
    assertAdmitted(await get(gh.url, apiId, '/keyed', value), value, keyId, 'key in plan');
    // Header names are case-insensitive.
    const r = await callStage(gh.url, apiId, 'test', '/keyed', { headers: { 'X-API-Key': value } });
    assertAdmitted(r, value, keyId, 'X-API-Key');
  });

  test('changes to keys, plans and plan keys take effect on the next request without a redeployment', async () => {
    const plan = await planWithKey(client, 'changing', [{ apiId, stage: 'test' }]);
    const { value, keyId, planId } = plan;
    assertAdmitted(await get(gh.url, apiId, '/keyed', value), value, keyId, 'at first');

    await client.send(new UpdateApiKeyCommand({ apiKey: keyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }));
    assertForbidden(await get(gh.url, apiId, '/keyed', value), 'disabled key');
    await client.send(new UpdateApiKeyCommand({ apiKey: keyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }] }));
    assertAdmitted(await get(gh.url, apiId, '/keyed', value), value, keyId, 'enabled again');

    await client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: planId, keyId }));
    assertForbidden(await get(gh.url, apiId, '/keyed', value), 'key taken out of the plan');
    await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: 'API_KEY' }));
    assertAdmitted(await get(gh.url, apiId, '/keyed', value), value, keyId, 'key put back');

    await client.send(new UpdateUsagePlanCommand({ usagePlanId: planId, patchOperations: [{ op: 'remove', path: '/apiStages', value: `${apiId}:test` }] }));
    assertForbidden(await get(gh.url, apiId, '/keyed', value), 'stage taken out of the plan');
    await client.send(new UpdateUsagePlanCommand({ usagePlanId: planId, patchOperations: [{ op: 'add', path: '/apiStages', value: `${apiId}:test` }] }));
    assertAdmitted(await get(gh.url, apiId, '/keyed', value), value, keyId, 'stage added back');

    // A second key added to the plan works at once; deleting the plan refuses both.
    const second = await addKey(client, planId, 'changing-2');
    assertAdmitted(await get(gh.url, apiId, '/keyed', second.value), second.value, second.keyId, 'second key');
    await client.send(new DeleteUsagePlanCommand({ usagePlanId: planId }));
    assertForbidden(await get(gh.url, apiId, '/keyed', value), 'plan deleted (first key)');
    assertForbidden(await get(gh.url, apiId, '/keyed', second.value), 'plan deleted (second key)');
  });

  test('a deleted key is refused, and an imported key in a plan is admitted', async () => {
    const { value, keyId } = await planWithKey(client, 'doomed', [{ apiId, stage: 'test' }]);
    await client.send(new DeleteApiKeyCommand({ apiKey: keyId }));
    assertForbidden(await get(gh.url, apiId, '/keyed', value), 'deleted key');

    const plan = await planWithKey(client, 'imports', [{ apiId, stage: 'test' }]);
    const imported = 'importedKeyValue0123456789abcdef';
    const r = await client.send(new ImportApiKeysCommand({
      format: 'csv',
      body: new TextEncoder().encode(`Name,Key,Enabled,UsagePlanIds\nimported,${imported},true,${plan.planId}\n`),
    }));
    assert.equal(r.ids!.length, 1);
    assertAdmitted(await get(gh.url, apiId, '/keyed', imported), imported, r.ids![0]!, 'imported key');
  });

  test('a key is valid only on the stages its plans name', async () => {
    const { value, keyId } = await planWithKey(client, 'test-only', [{ apiId, stage: 'test' }]);
    await deploy(client, apiId, 'prod');
    assertAdmitted(await get(gh.url, apiId, '/keyed', value), value, keyId, 'test stage');
    assertForbidden(await get(gh.url, apiId, '/keyed', value, 'prod'), 'prod stage is in no plan of the key');
  });

  test('the INVALID_API_KEY gateway response can be customised', async () => {
    const id = await mockApi(client, 'custom', [{ path: '/keyed', apiKeyRequired: true }]);
    await client.send(new PutGatewayResponseCommand({
      restApiId: id, responseType: 'INVALID_API_KEY', statusCode: '401',
      responseTemplates: { 'application/json': '{"error":$context.error.messageString,"type":"$context.error.responseType"}' },
    }));
    await deploy(client, id, 'test');
    const r = await get(gh.url, id, '/keyed');
    assert.equal(r.status, 401);
    assert.deepEqual(JSON.parse(r.body), { error: 'Forbidden', type: 'INVALID_API_KEY' });
  });

  test('apiKeySource AUTHORIZER without an authorizer that gives a usageIdentifierKey refuses every request', async () => {
    const id = await mockApi(client, 'from-authorizer', [{ path: '/keyed', apiKeyRequired: true }]);
    await client.send(new UpdateRestApiCommand({ restApiId: id, patchOperations: [{ op: 'replace', path: '/apiKeySource', value: 'AUTHORIZER' }] }));
    await deploy(client, id, 'test');
    const { value } = await planWithKey(client, 'authorizer-plan', [{ apiId: id, stage: 'test' }]);
    // The header is not where the key comes from on such an API.
    assertForbidden(await get(gh.url, id, '/keyed', value), 'x-api-key ignored with apiKeySource AUTHORIZER');
  });
});
