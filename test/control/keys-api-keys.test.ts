// API keys end to end through the AWS SDK v3 and the AWS CLI: create, read, list, update, delete, import.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanCommand, DeleteApiKeyCommand, GetApiKeyCommand, GetApiKeysCommand,
  GetUsagePlanKeysCommand, GetUsagePlansCommand, ImportApiKeysCommand, UpdateApiKeyCommand, CreateUsagePlanKeyCommand,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, awsCli, awsCliError, useGatehouse } from '../helpers/server.ts';
import { apiWithStage, rejects } from './keys-helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;

useGatehouse((g, c) => {
  gh = g;
  client = c;
});

const csv = (text: string) => new TextEncoder().encode(text);

describe('CreateApiKey / GetApiKey', () => {
  it('creates a disabled key with a generated 40-character value and a 10-character id', async () => {
    const k = await client.send(new CreateApiKeyCommand({ name: 'first', description: 'd', customerId: 'cust-1', tags: { team: 'a' } }));
    assert.equal(k.$metadata.httpStatusCode, 201);
    assert.match(k.id!, /^[a-z0-9]{10}$/);
    assert.match(k.value!, /^[A-Za-z0-9]{40}$/);
    assert.equal(k.enabled, false);
    assert.equal(k.name, 'first');
    assert.equal(k.description, 'd');
    assert.equal(k.customerId, 'cust-1');
    assert.deepEqual(k.stageKeys, []);
    assert.deepEqual(k.tags, { team: 'a' });
    assert.ok(k.createdDate instanceof Date && Math.abs(k.createdDate.getTime() - Date.now()) < 60_000);
    assert.ok(k.lastUpdatedDate instanceof Date);

    const got = await client.send(new GetApiKeyCommand({ apiKey: k.id }));
    assert.equal(got.value, undefined, 'the value is omitted unless includeValue');
    assert.equal(got.name, 'first');
    assert.deepEqual(got.tags, { team: 'a' });
    const withValue = await client.send(new GetApiKeyCommand({ apiKey: k.id, includeValue: true }));
    assert.equal(withValue.value, k.value);
  });

  it('takes a given value of 20 to 128 characters, unique in the account', async () => {
    const value = 'v'.repeat(20);
    const k = await client.send(new CreateApiKeyCommand({ name: 'given', value, enabled: true }));
    assert.equal(k.value, value);
    assert.equal(k.enabled, true);
    await rejects(client.send(new CreateApiKeyCommand({ name: 'dup', value })), 'ConflictException', 'API Key already exists', 409);
    await rejects(client.send(new CreateApiKeyCommand({ value: 'short' })), 'BadRequestException', 'API Key value should be at least 20 characters', 400);
    await rejects(client.send(new CreateApiKeyCommand({ value: 'x'.repeat(129) })), 'BadRequestException', 'API Key value exceeds maximum size of 128 characters');
    const max = await client.send(new CreateApiKeyCommand({ value: 'y'.repeat(128), generateDistinctId: true }));
    assert.equal(max.value!.length, 128);
  });

  it('checks stage keys against existing APIs and stages', async () => {
    const { apiId, stage } = await apiWithStage(client);
    const k = await client.send(new CreateApiKeyCommand({ name: 'staged', stageKeys: [{ restApiId: apiId, stageName: stage }] }));
    assert.deepEqual(k.stageKeys, [`${apiId}/${stage}`]);
    await rejects(client.send(new CreateApiKeyCommand({ stageKeys: [{ restApiId: 'nosuchapi0', stageName: 'prod' }] })),
      'NotFoundException', /^Invalid API identifier specified \d+:nosuchapi0$/, 404);
    await rejects(client.send(new CreateApiKeyCommand({ stageKeys: [{ restApiId: apiId, stageName: 'nosuch' }] })),
      'NotFoundException', 'Invalid Stage identifier specified');
  });

  it('fails with AWS NotFoundException for an unknown key', async () => {
    await rejects(client.send(new GetApiKeyCommand({ apiKey: 'nosuchkey0' })), 'NotFoundException', 'Invalid API Key identifier specified', 404);
    await rejects(client.send(new DeleteApiKeyCommand({ apiKey: 'nosuchkey0' })), 'NotFoundException', 'Invalid API Key identifier specified');
    await rejects(client.send(new UpdateApiKeyCommand({ apiKey: 'nosuchkey0', patchOperations: [] })), 'NotFoundException', 'Invalid API Key identifier specified');
  });
});

describe('GetApiKeys', () => {
  it('filters by name prefix and customer, includes values only on request, and pages', async () => {
    const own = apiGatewayClient(gh.url, 'eu-west-1'); // a partition of its own
    try {
      const made = [];
      for (let i = 0; i < 7; i++) {
        made.push(await own.send(new CreateApiKeyCommand({ name: i < 4 ? `alpha-${i}` : `beta-${i}`, customerId: i % 2 === 0 ? 'even' : 'odd' })));
      }
      const all = await own.send(new GetApiKeysCommand({}));
      assert.deepEqual(all.items!.map((k) => k.id), made.map((k) => k.id));
      assert.ok(all.items!.every((k) => k.value === undefined));
      assert.equal(all.position, undefined);
      const values = await own.send(new GetApiKeysCommand({ includeValues: true }));
      assert.deepEqual(values.items!.map((k) => k.value), made.map((k) => k.value));

      const alpha = await own.send(new GetApiKeysCommand({ nameQuery: 'alpha' }));
      assert.deepEqual(alpha.items!.map((k) => k.name), ['alpha-0', 'alpha-1', 'alpha-2', 'alpha-3']);
      const even = await own.send(new GetApiKeysCommand({ customerId: 'even' }));
      assert.deepEqual(even.items!.map((k) => k.name), ['alpha-0', 'alpha-2', 'beta-4', 'beta-6']);
      const both = await own.send(new GetApiKeysCommand({ nameQuery: 'beta', customerId: 'odd', includeValues: true }));
      assert.deepEqual(both.items!.map((k) => k.name), ['beta-5']);
      assert.equal(both.items![0]!.value, made[5]!.value);

      // Paging, unfiltered and filtered.
      const seen: string[] = [];
      let position: string | undefined;
      do {
        const page = await own.send(new GetApiKeysCommand({ limit: 3, position }));
        assert.ok(page.items!.length <= 3);
        seen.push(...page.items!.map((k) => k.id!));
        position = page.position;
      } while (position !== undefined);
      assert.deepEqual(seen, made.map((k) => k.id));
      const p1 = await own.send(new GetApiKeysCommand({ nameQuery: 'alpha', limit: 3 }));
      assert.equal(p1.items!.length, 3);
      assert.ok(p1.position);
      const p2 = await own.send(new GetApiKeysCommand({ nameQuery: 'alpha', limit: 3, position: p1.position }));
      assert.deepEqual(p2.items!.map((k) => k.name), ['alpha-3']);
      assert.equal(p2.position, undefined);

      await rejects(own.send(new GetApiKeysCommand({ limit: 501 })), 'BadRequestException', /limit/);
      await rejects(own.send(new GetApiKeysCommand({ position: 'garbage' })), 'BadRequestException', 'Invalid position parameter');
      await rejects(own.send(new GetApiKeysCommand({ nameQuery: 'a', position: 'garbage' })), 'BadRequestException', 'Invalid position parameter');
    } finally {
      own.destroy();
    }
  });
});

describe('UpdateApiKey / DeleteApiKey', () => {
  it('patches name, description, enabled, customerId and stages', async () => {
    const { apiId, stage } = await apiWithStage(client);
    const k = await client.send(new CreateApiKeyCommand({ name: 'before', description: 'x' }));
    const u = await client.send(new UpdateApiKeyCommand({ apiKey: k.id, patchOperations: [
      { op: 'replace', path: '/name', value: 'after' },
      { op: 'replace', path: '/description', value: 'new' },
      { op: 'replace', path: '/enabled', value: 'true' },
      { op: 'replace', path: '/customerId', value: 'c-9' },
      { op: 'add', path: '/stages', value: `${apiId}/${stage}` },
    ] }));
    assert.equal(u.name, 'after');
    assert.equal(u.description, 'new');
    assert.equal(u.enabled, true);
    assert.equal(u.customerId, 'c-9');
    assert.deepEqual(u.stageKeys, [`${apiId}/${stage}`]);
    assert.equal(u.value, undefined);
    // The name index follows a rename.
    const byNew = await client.send(new GetApiKeysCommand({ nameQuery: 'after' }));
    assert.ok(byNew.items!.some((x) => x.id === k.id));
    const byOld = await client.send(new GetApiKeysCommand({ nameQuery: 'before' }));
    assert.ok(!byOld.items!.some((x) => x.id === k.id));

    const r = await client.send(new UpdateApiKeyCommand({ apiKey: k.id, patchOperations: [{ op: 'remove', path: '/stages', value: `${apiId}/${stage}` }, { op: 'remove', path: '/description' }] }));
    assert.deepEqual(r.stageKeys, []);
    assert.equal(r.description, undefined);

    await rejects(client.send(new UpdateApiKeyCommand({ apiKey: k.id, patchOperations: [{ op: 'add', path: '/stages', value: `${apiId}/nosuch` }] })),
      'NotFoundException', 'Invalid Stage identifier specified');
    await rejects(client.send(new UpdateApiKeyCommand({ apiKey: k.id, patchOperations: [{ op: 'replace', path: '/value', value: 'z'.repeat(30) }] })),
      'BadRequestException', /^Invalid patch path {2}'\/value' specified for op 'replace'/);
    // AWS reads the flag as Java's Boolean.parseBoolean does (recorded: test_apigateway_extended).
    const lenient = await client.send(new UpdateApiKeyCommand({ apiKey: k.id, patchOperations: [{ op: 'replace', path: '/enabled', value: 'maybe' }] }));
    assert.equal(lenient.enabled, false);
  });

  it('deletes a key, its value (free again) and its usage plan memberships', async () => {
    const plan = await client.send(new CreateUsagePlanCommand({ name: 'del-plan' }));
    const value = 'delete-me-value-0123456789';
    const k = await client.send(new CreateApiKeyCommand({ name: 'gone', value }));
    await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: k.id, keyType: 'API_KEY' }));
    const d = await client.send(new DeleteApiKeyCommand({ apiKey: k.id }));
    assert.equal(d.$metadata.httpStatusCode, 202);
    await rejects(client.send(new GetApiKeyCommand({ apiKey: k.id })), 'NotFoundException');
    const keys = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }));
    assert.deepEqual(keys.items, []);
    const again = await client.send(new CreateApiKeyCommand({ name: 'reborn', value }));
    assert.equal(again.value, value);
    const plans = await client.send(new GetUsagePlansCommand({ keyId: k.id }));
    assert.deepEqual(plans.items, []);
  });
});

describe('ImportApiKeys', () => {
  it("reads the guide's CSV format: any header order and case, quoted plan lists, booleans in any case", async () => {
    const a = await client.send(new CreateUsagePlanCommand({ name: 'import-a' }));
    const b = await client.send(new CreateUsagePlanCommand({ name: 'import-b' }));
    const body = [
      'key,name,description,enabled,usageplanIds',
      `abcdef1234ghijklmnop8901234567,importedKey_1,firstone,tRuE,${a.id}`,
      `abcdef1234ghijklmnop0123456789,importedKey_2,secondone,FALSE,"${a.id},${b.id}"`,
      `abcdef1234ghijklmnop9012345678,importedKey_3, ,true,'${b.id}'`,
    ].join('\r\n');
    const r = await client.send(new ImportApiKeysCommand({ body: csv(body), format: 'csv' }));
    assert.equal(r.$metadata.httpStatusCode, 201);
    assert.equal(r.ids!.length, 3);
    assert.equal(r.warnings, undefined);
    const keys = await Promise.all(r.ids!.map((id) => client.send(new GetApiKeyCommand({ apiKey: id, includeValue: true }))));
    assert.deepEqual(keys.map((k) => [k.name, k.value, k.enabled, k.description]), [
      ['importedKey_1', 'abcdef1234ghijklmnop8901234567', true, 'firstone'],
      ['importedKey_2', 'abcdef1234ghijklmnop0123456789', false, 'secondone'],
      ['importedKey_3', 'abcdef1234ghijklmnop9012345678', true, undefined],
    ]);
    const inA = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: a.id }));
    assert.deepEqual(inA.items!.map((k) => k.name), ['importedKey_1', 'importedKey_2']);
    const inB = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: b.id }));
    assert.deepEqual(inB.items!.map((k) => k.name), ['importedKey_2', 'importedKey_3']);

    // Columns in another order, Enabled missing (true), and re-import of a value overwrites its key.
    const again = await client.send(new ImportApiKeysCommand({ body: csv('Name,KEY,Description\nrenamed,abcdef1234ghijklmnop8901234567,second import\n'), format: 'csv' }));
    assert.deepEqual(again.ids, [r.ids![0]]);
    const k1 = await client.send(new GetApiKeyCommand({ apiKey: r.ids![0] }));
    assert.equal(k1.name, 'renamed');
    assert.equal(k1.description, 'second import');
    assert.equal(k1.enabled, true);
  });

  it('skips bad rows with warnings, or fails the whole import with failonwarnings=true', async () => {
    const body = [
      'Name,Key,Enabled,UsagePlanIds',
      'good,goodgoodgoodgoodgoodgoodgood01,true,',
      'short,tooshort,true,',
      'badbool,goodgoodgoodgoodgoodgoodgood02,yes,',
      'noplan,goodgoodgoodgoodgoodgoodgood03,true,nosuch',
    ].join('\n');
    const r = await client.send(new ImportApiKeysCommand({ body: csv(body), format: 'csv' }));
    assert.equal(r.ids!.length, 1);
    assert.equal(r.warnings!.length, 3);
    assert.match(r.warnings![0]!, /line 3: a key must be between 30 and 128 characters/);
    assert.match(r.warnings![1]!, /Invalid Enabled value 'yes' at line 4/);
    assert.match(r.warnings![2]!, /Invalid usage plan identifier 'nosuch' at line 5/);

    const before = (await client.send(new GetApiKeysCommand({ nameQuery: 'strict', limit: 500 }))).items!.length;
    await rejects(client.send(new ImportApiKeysCommand({ body: csv('name,key\nstrict,strictstrictstrictstrictstrict01\nbad,short\n'), format: 'csv', failOnWarnings: true })),
      'BadRequestException', /line 3/, 400);
    const after = (await client.send(new GetApiKeysCommand({ nameQuery: 'strict', limit: 500 }))).items!.length;
    assert.equal(after, before, 'a failed import writes nothing');
  });

  it('rejects files without Name and Key columns', async () => {
    await rejects(client.send(new ImportApiKeysCommand({ body: csv('name,description\na,b\n'), format: 'csv' })),
      'BadRequestException', /must contain the Name and Key columns/);
    await rejects(client.send(new ImportApiKeysCommand({ body: csv(''), format: 'csv' })), 'BadRequestException', /empty/);
  });
});

describe('API keys through the AWS CLI', () => {
  it('create-api-key, get-api-key --include-value, get-api-keys --name-query, update-api-key, delete-api-key', async () => {
    const k = await awsCli(gh.url, ['apigateway', 'create-api-key', '--name', 'cli-key', '--enabled', '--value', 'cli-key-value-0123456789', '--tags', 'env=dev']) as Record<string, unknown>;
    assert.equal(k.name, 'cli-key');
    assert.equal(k.enabled, true);
    assert.equal(k.value, 'cli-key-value-0123456789');
    const got = await awsCli(gh.url, ['apigateway', 'get-api-key', '--api-key', k.id as string, '--include-value']) as Record<string, unknown>;
    assert.equal(got.value, 'cli-key-value-0123456789');
    assert.deepEqual(got.tags, { env: 'dev' });
    const list = await awsCli(gh.url, ['apigateway', 'get-api-keys', '--name-query', 'cli-']) as { items: { id: string }[] };
    assert.deepEqual(list.items.map((x) => x.id), [k.id]);
    const u = await awsCli(gh.url, ['apigateway', 'update-api-key', '--api-key', k.id as string, '--patch-operations', 'op=replace,path=/enabled,value=false']) as Record<string, unknown>;
    assert.equal(u.enabled, false);
    assert.equal(await awsCli(gh.url, ['apigateway', 'delete-api-key', '--api-key', k.id as string]), null);
    const err = await awsCliError(gh.url, ['apigateway', 'get-api-key', '--api-key', k.id as string]);
    assert.deepEqual(err, { code: 'NotFoundException', message: 'Invalid API Key identifier specified' });
    const short = await awsCliError(gh.url, ['apigateway', 'create-api-key', '--value', 'tooshort']);
    assert.deepEqual(short, { code: 'BadRequestException', message: 'API Key value should be at least 20 characters' });
  });

  it('import-api-keys --body with a CSV file', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'gh-keys-')), 'keys.csv');
    writeFileSync(file, 'Name,Key\ncli-import,cliimportcliimportcliimport0123\n');
    const r = await awsCli(gh.url, ['apigateway', 'import-api-keys', '--format', 'csv', '--body', `fileb://${file}`]) as { ids: string[] };
    assert.equal(r.ids.length, 1);
    const k = await client.send(new GetApiKeyCommand({ apiKey: r.ids[0], includeValue: true }));
    assert.equal(k.value, 'cliimportcliimportcliimport0123');
  });
});
