// Canary releases on the execution plane: a stage's canarySettings send each request to the
// canary deployment with probability percentTraffic/100, compiled with the stage variables
// overridden by stageVariableOverrides; $context.isCanaryRequest says where it went; promotion
// (UpdateStage) and removing the canary settings take effect on the next requests. The API is a
// MOCK whose answer names the deployment it was deployed from, so the route is visible.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, GetResourcesCommand, GetStageCommand, PutIntegrationCommand,
  PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand, UpdateIntegrationResponseCommand, UpdateStageCommand,
  type APIGatewayClient, type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { until } from '../helpers/processes.ts';
import { useGatehouse } from '../helpers/server.ts';
import { callStage } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
useGatehouse((g, c) => {
  gh = g;
  client = c;
});

interface Seen { release: string; v: string; w: string; canary: string }

const template = (release: string) =>
  `{"release": "${release}", "v": "$stageVariables.v", "w": "$stageVariables.w", "canary": "$context.isCanaryRequest"}`;

/**
 * GET /hello (MOCK) deployed twice: deployment `main` answers release "one", deployment `canary`
 * release "two". The stage `live` serves `main` with variables v=stage, and the canary settings given.
 */
async function canaryApi(name: string, canarySettings: { percentTraffic: number; stageVariableOverrides?: Record<string, string>; useStageCache?: boolean }) {
  const api = await client.send(new CreateRestApiCommand({ name }));
  const restApiId = api.id!;
  const root = (await client.send(new GetResourcesCommand({ restApiId }))).items!.find((r) => r.path === '/')!;
  const res = await client.send(new CreateResourceCommand({ restApiId, parentId: root.id!, pathPart: 'hello' }));
  const ids = { restApiId, resourceId: res.id!, httpMethod: 'GET' };
  await client.send(new PutMethodCommand({ ...ids, authorizationType: 'NONE' }));
  await client.send(new PutIntegrationCommand({ ...ids, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  await client.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' }));
  await client.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', responseTemplates: { 'application/json': template('one') } }));
  const main = await client.send(new CreateDeploymentCommand({ restApiId, stageName: 'live', variables: { v: 'stage' } }));
  await client.send(new UpdateIntegrationResponseCommand({
    ...ids, statusCode: '200', patchOperations: [{ op: 'replace', path: '/responseTemplates/application~1json', value: template('two') }],
  }));
  // A canary deployment on the stage (CreateDeployment with stageName and canarySettings), as the guide creates one.
  const canary = await client.send(new CreateDeploymentCommand({ restApiId, stageName: 'live', canarySettings }));
  return { restApiId, mainId: main.id!, canaryId: canary.id! };
}

async function hello(restApiId: string): Promise<Seen> {
  const r = await callStage(gh.url, restApiId, 'live', '/hello');
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as Seen;
}

async function many(restApiId: string, n: number): Promise<Seen[]> {
  const out: Seen[] = [];
  // In batches of 20: concurrent, without opening n sockets at once.
  for (let i = 0; i < n; i += 20) out.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => hello(restApiId)))));
  return out;
}

const patch = (restApiId: string, patchOperations: PatchOperation[]) => client.send(new UpdateStageCommand({ restApiId, stageName: 'live', patchOperations }));

describe('canary releases', () => {
  it('percentTraffic 0 sends every request to the stage deployment, isCanaryRequest false', async () => {
    const { restApiId } = await canaryApi('canary-0', { percentTraffic: 0, stageVariableOverrides: { v: 'canary' } });
    for (const s of await many(restApiId, 100)) assert.deepEqual(s, { release: 'one', v: 'stage', w: '', canary: 'false' });
  });

  it('percentTraffic 100 sends every request to the canary deployment with its variable overrides, isCanaryRequest true', async () => {
    const { restApiId } = await canaryApi('canary-100', { percentTraffic: 100, stageVariableOverrides: { v: 'canary', w: 'new-in-canary' } });
    for (const s of await many(restApiId, 100)) assert.deepEqual(s, { release: 'two', v: 'canary', w: 'new-in-canary', canary: 'true' });
  });

  it('percentTraffic 50 splits traffic within a binomial tolerance, each request wholly on one side', async () => {
    const { restApiId } = await canaryApi('canary-50', { percentTraffic: 50, stageVariableOverrides: { v: 'canary' } });
    const n = 400;
    const seen = await many(restApiId, n);
    // Each request is the canary's or the stage's, never a mix of the two.
    for (const s of seen) {
      if (s.canary === 'true') assert.deepEqual(s, { release: 'two', v: 'canary', w: '', canary: 'true' });
      else assert.deepEqual(s, { release: 'one', v: 'stage', w: '', canary: 'false' });
    }
    // Canary requests ~ Binomial(400, 0.5): mean 200, standard deviation 10. The bounds are 5
    // standard deviations either side (150..250); a correct split falls outside with probability < 1e-6.
    const canaries = seen.filter((s) => s.canary === 'true').length;
    assert.ok(canaries >= 150 && canaries <= 250, `${canaries} of ${n} requests went to the canary`);
  });

  it('editing the overrides and percentTraffic with UpdateStage takes effect on the next requests', async () => {
    const { restApiId } = await canaryApi('canary-edit', { percentTraffic: 0, stageVariableOverrides: { v: 'canary' } });
    assert.equal((await hello(restApiId)).release, 'one');
    await patch(restApiId, [
      { op: 'replace', path: '/canarySettings/percentTraffic', value: '100' },
      { op: 'replace', path: '/canarySettings/stageVariableOverrides/v', value: 'edited' },
    ]);
    await until(async () => (await hello(restApiId)).v === 'edited');
    for (const s of await many(restApiId, 40)) assert.deepEqual(s, { release: 'two', v: 'edited', w: '', canary: 'true' });
  });

  it('promoting the canary (deploymentId and variables from the canary, canary settings removed) serves it to every request', async () => {
    const { restApiId, canaryId } = await canaryApi('canary-promote', { percentTraffic: 10, stageVariableOverrides: { v: 'canary' } });
    // The console's "Promote canary": the stage takes the canary's deployment and variables, and the canary goes.
    await patch(restApiId, [
      { op: 'replace', path: '/deploymentId', value: canaryId },
      { op: 'replace', path: '/variables/v', value: 'canary' },
      { op: 'remove', path: '/canarySettings' },
    ]);
    const stage = await client.send(new GetStageCommand({ restApiId, stageName: 'live' }));
    assert.equal(stage.deploymentId, canaryId);
    assert.equal(stage.canarySettings, undefined);
    await until(async () => (await hello(restApiId)).release === 'two');
    // No canary: $context.isCanaryRequest is not set, and renders empty.
    for (const s of await many(restApiId, 60)) assert.deepEqual(s, { release: 'two', v: 'canary', w: '', canary: '' });
  });

  it('removing the canary settings sends every request back to the stage deployment', async () => {
    const { restApiId } = await canaryApi('canary-remove', { percentTraffic: 100, stageVariableOverrides: { v: 'canary' } });
    assert.equal((await hello(restApiId)).release, 'two');
    await patch(restApiId, [{ op: 'remove', path: '/canarySettings' }]);
    await until(async () => (await hello(restApiId)).release === 'one');
    for (const s of await many(restApiId, 60)) assert.deepEqual(s, { release: 'one', v: 'stage', w: '', canary: '' });
  });
  it('useStageCache: false (the default) keeps canary requests out of the stage cache, true shares it', async () => {
    const { restApiId } = await canaryApi('canary-cache', { percentTraffic: 100, stageVariableOverrides: { v: 'canary' } });
    // The cache is enabled in the same write as a new override, so seeing the override means the stage caches.
    await patch(restApiId, [
      { op: 'replace', path: '/cacheClusterEnabled', value: 'true' },
      { op: 'replace', path: '/*/*/caching/enabled', value: 'true' },
      { op: 'replace', path: '/canarySettings/stageVariableOverrides/v', value: 'c2' },
    ]);
    await until(async () => (await hello(restApiId)).v === 'c2');
    for (const s of await many(restApiId, 20)) assert.deepEqual(s, { release: 'two', v: 'c2', w: '', canary: 'true' });
    // The canary filled nothing: the stage's first answer is its own (a shared cache would answer 'two' for good).
    await patch(restApiId, [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '0' }]);
    await until(async () => (await hello(restApiId)).release === 'one');
    // With useStageCache, canary requests read the stage's cached answer (the stage's, as stored) and fill nothing new.
    await patch(restApiId, [
      { op: 'replace', path: '/canarySettings/percentTraffic', value: '100' },
      { op: 'replace', path: '/canarySettings/useStageCache', value: 'true' },
    ]);
    const stage = await client.send(new GetStageCommand({ restApiId, stageName: 'live' }));
    assert.equal(stage.canarySettings?.useStageCache, true);
    for (const s of await many(restApiId, 20)) assert.deepEqual(s, { release: 'one', v: 'stage', w: '', canary: 'false' });
  });
});
