// An account with 10,000 API keys: imported in one ImportApiKeys CSV, then paged through with
// GetApiKeys at limit 500, unfiltered (store cursor) and filtered by name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIGatewayClient, CreateUsagePlanCommand, GetApiKeysCommand, GetUsagePlanKeysCommand, ImportApiKeysCommand,
  type GetApiKeysCommandOutput, type GetUsagePlanKeysCommandOutput,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { useGatehouse } from '../helpers/server.ts';

let gh: Gatehouse;
let client: APIGatewayClient;

useGatehouse((g, c) => {
  gh = g;
  client = c;
});

const N = 10_000;
const value = (i: number) => `import-value-${String(i).padStart(6, '0')}-abcdefghijklmnop`;

describe('10,000 API keys', () => {
  it('imports them from one CSV and pages through all of them at limit 500', async () => {
    const plan = await client.send(new CreateUsagePlanCommand({ name: 'bulk' }));
    const lines = ['Name,Key,Description,Enabled,UsagePlanIds'];
    for (let i = 0; i < N; i++) lines.push(`${i % 10 === 0 ? 'tenth' : 'key'}-${i},${value(i)},bulk key ${i},${i % 2 === 0 ? 'TRUE' : 'false'},${plan.id}`);
    const imported = await client.send(new ImportApiKeysCommand({ body: new TextEncoder().encode(lines.join('\n')), format: 'csv', failOnWarnings: true }));
    assert.equal(imported.ids!.length, N);
    assert.equal(new Set(imported.ids).size, N);

    const seen: string[] = [];
    let position: string | undefined;
    let pages = 0;
    do {
      const page: GetApiKeysCommandOutput = await client.send(new GetApiKeysCommand({ limit: 500, position, includeValues: pages === 0 }));
      assert.ok(page.items!.length <= 500);
      if (pages === 0) {
        assert.equal(page.items![0]!.value, value(0));
        assert.equal(page.items![0]!.enabled, true);
        assert.equal(page.items![1]!.enabled, false);
      } else {
        assert.equal(page.items![0]!.value, undefined);
      }
      seen.push(...page.items!.map((k) => k.id!));
      position = page.position;
      pages++;
    } while (position !== undefined);
    assert.equal(pages, N / 500);
    assert.deepEqual(seen, imported.ids, 'every key once, in import order');

    // Filtered by name prefix: one key in ten.
    const tenth: string[] = [];
    position = undefined;
    do {
      const page: GetApiKeysCommandOutput = await client.send(new GetApiKeysCommand({ nameQuery: 'tenth-', limit: 500, position }));
      tenth.push(...page.items!.map((k) => k.name!));
      position = page.position;
    } while (position !== undefined);
    assert.equal(tenth.length, N / 10);
    assert.ok(tenth.every((n) => n.startsWith('tenth-')));

    // All of them joined the plan.
    let inPlan = 0;
    position = undefined;
    do {
      const page: GetUsagePlanKeysCommandOutput = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id, limit: 500, position }));
      inPlan += page.items!.length;
      position = page.position;
    } while (position !== undefined);
    assert.equal(inPlan, N);

    // Importing the same file again overwrites the same keys instead of adding any.
    const again = await client.send(new ImportApiKeysCommand({ body: new TextEncoder().encode(lines.join('\n')), format: 'csv' }));
    assert.deepEqual(again.ids, imported.ids);
    const last = await client.send(new GetApiKeysCommand({ limit: 500, position: undefined }));
    assert.equal(last.items!.length, 500);
  });
});
