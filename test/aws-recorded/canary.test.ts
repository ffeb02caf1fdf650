// Replays of test_apigateway_canary's management recordings: canary settings on stages and
// deployments, and their validation errors (see harness.ts and docs/aws-recorded.md).
// TestCanaryDeployments::test_invoking_canary_deployment calls the stage as well: all traffic to
// the main deployment, then (percentTraffic 100) all to the canary.
import {
  CreateDeploymentCommand, CreateRestApiCommand, CreateStageCommand, GetStageCommand, PutIntegrationCommand, PutIntegrationResponseCommand,
  PutMethodCommand, PutMethodResponseCommand, UpdateIntegrationResponseCommand, UpdateStageCommand, type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import assert from 'node:assert/strict';
import { uid, useRecorded, type Replay } from './harness.ts';

const rec = useRecorded('test_apigateway_canary', { keys: ['deploymentId', 'id'] });

/** The recording's fixture: GET / with a MOCK integration answering a fixed template. */
async function apiForDeployment(r: Replay, template: object = { statusCode: 200, message: 'default deployment' }): Promise<{ id: string; root: string }> {
  const a = await r.setup(new CreateRestApiCommand({ name: uid() }));
  const m = { restApiId: a.id, resourceId: a.rootResourceId, httpMethod: 'GET' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.setup(new PutMethodResponseCommand({ ...m, statusCode: '200' }));
  await r.setup(new PutIntegrationCommand({ ...m, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  await r.setup(new PutIntegrationResponseCommand({
    ...m, statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': JSON.stringify(template) },
  }));
  return { id: a.id, root: a.rootResourceId };
}

const patch = (restApiId: string, stageName: string, patchOperations: PatchOperation[]) => new UpdateStageCommand({ restApiId, stageName, patchOperations });

rec.test('TestStageCrudCanary::test_create_update_stages', async (r) => {
  const { id, root } = await apiForDeployment(r);
  const d1 = await r.ok('create-deployment-1', new CreateDeploymentCommand({ restApiId: id }));
  await r.setup(new UpdateIntegrationResponseCommand({
    restApiId: id, resourceId: root, httpMethod: 'GET', statusCode: '200',
    patchOperations: [{ op: 'replace', path: '/responseTemplates/application~1json', value: JSON.stringify({ statusCode: 200, message: 'second deployment' }) }],
  }));
  const d2 = await r.ok('create-deployment-2', new CreateDeploymentCommand({ restApiId: id }));
  await r.send('create-stage', new CreateStageCommand({
    restApiId: id, stageName: 'dev', deploymentId: d1.id, description: 'dev stage', variables: { testVar: 'default' },
    canarySettings: { deploymentId: d2.id, percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } },
  }));
  await r.send('get-stage', new GetStageCommand({ restApiId: id, stageName: 'dev' }));
  await r.send('update-stage-canary-settings-overrides', patch(id, 'dev', [{ op: 'replace', path: '/canarySettings/stageVariableOverrides/testVar', value: 'updated' }]));
  await r.send('update-stage-remove-canary-settings', patch(id, 'dev', [{ op: 'remove', path: '/canarySettings' }]));
  await r.send('get-stage-after-remove', new GetStageCommand({ restApiId: id, stageName: 'dev' }));
});

rec.test('TestStageCrudCanary::test_create_canary_deployment_with_stage', async (r) => {
  const { id } = await apiForDeployment(r);
  const d = await r.ok('create-deployment', new CreateDeploymentCommand({ restApiId: id }));
  await r.send('create-stage', new CreateStageCommand({ restApiId: id, stageName: 'dev', deploymentId: d.id, description: 'dev stage', variables: { testVar: 'default' } }));
  await r.send('create-canary-deployment', new CreateDeploymentCommand({ restApiId: id, stageName: 'dev', canarySettings: { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } } }));
  await r.send('get-stage', new GetStageCommand({ restApiId: id, stageName: 'dev' }));
});

rec.test('TestStageCrudCanary::test_create_canary_deployment', async (r) => {
  const { id } = await apiForDeployment(r);
  const d = await r.ok('create-deployment', new CreateDeploymentCommand({ restApiId: id }));
  await r.send('create-stage', new CreateStageCommand({
    restApiId: id, stageName: 'dev1', deploymentId: d.id, description: 'dev stage', variables: { testVar: 'default' },
    canarySettings: { deploymentId: d.id, percentTraffic: 40, stageVariableOverrides: { testVar: 'canary1' } },
  }));
  const canary = await r.ok('create-canary-deployment', new CreateDeploymentCommand({ restApiId: id, stageName: 'dev1', canarySettings: { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary2' } } }));
  await r.send('get-stage-1', new GetStageCommand({ restApiId: id, stageName: 'dev1' }));
  await r.send('create-stage-2', new CreateStageCommand({
    restApiId: id, stageName: 'dev2', deploymentId: d.id, description: 'dev stage', variables: { testVar: 'default' },
    canarySettings: { deploymentId: canary.id, percentTraffic: 60, stageVariableOverrides: { testVar: 'canary-overridden' } },
  }));
  await r.send('bad-canary-deployment-id', new CreateStageCommand({ restApiId: id, stageName: 'dev3', deploymentId: d.id, description: 'dev stage', canarySettings: { deploymentId: 'deploy' } }));
});

rec.test('TestStageCrudCanary::test_create_canary_deployment_by_stage_update', async (r) => {
  const { id } = await apiForDeployment(r);
  const d1 = await r.ok('create-deployment', new CreateDeploymentCommand({ restApiId: id }));
  const d2 = await r.ok('create-deployment-2', new CreateDeploymentCommand({ restApiId: id }));
  await r.send('create-stage', new CreateStageCommand({ restApiId: id, stageName: 'dev', deploymentId: d1.id, description: 'dev stage', variables: { testVar: 'default' } }));
  await r.send('update-stage-with-deployment', patch(id, 'dev', [{ op: 'replace', path: '/canarySettings/deploymentId', value: d2.id }]));
  await r.send('remove-stage-canary', patch(id, 'dev', [{ op: 'remove', path: '/canarySettings' }]));
  await r.send('update-stage-with-percent', patch(id, 'dev', [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '50' }]));
  await r.send('get-stage', new GetStageCommand({ restApiId: id, stageName: 'dev' }));
});

rec.test('TestStageCrudCanary::test_create_canary_deployment_validation', async (r) => {
  const { id } = await apiForDeployment(r);
  const canarySettings = { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } };
  await r.send('create-canary-deployment-no-stage', new CreateDeploymentCommand({ restApiId: id, canarySettings }));
  await r.send('create-canary-deployment-empty-stage', new CreateDeploymentCommand({ restApiId: id, stageName: '', canarySettings }));
  await r.send('create-canary-deployment-non-existing-stage', new CreateDeploymentCommand({ restApiId: id, stageName: 'non-existing', canarySettings }));
});

rec.test('TestStageCrudCanary::test_update_stage_canary_deployment_validation', async (r) => {
  const { id } = await apiForDeployment(r);
  await r.setup(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev' }));
  await r.send('get-stage', new GetStageCommand({ restApiId: id, stageName: 'dev' }));
  await r.setup(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev', canarySettings: { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } } }));
  await r.send('update-stage-canary-settings-remove-overrides', patch(id, 'dev', [{ op: 'remove', path: '/canarySettings/stageVariableOverrides' }]));
  await r.send('update-stage-canary-settings-bad-path', patch(id, 'dev', [{ op: 'remove', path: '/canarySettings/badPath' }]));
  await r.send('update-stage-canary-settings-bad-path-2', patch(id, 'dev', [{ op: 'replace', path: '/canarySettings', value: 'test' }]));
  await r.send('update-stage-canary-settings-replace-bad-path', patch(id, 'dev', [{ op: 'replace', path: '/canarySettings/badPath', value: 'badPath' }]));
  const d2 = await r.setup(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev2' }));
  await r.send('update-stage-add-deployment', patch(id, 'dev2', [{ op: 'add', path: '/canarySettings/deploymentId', value: d2.id }]));
  await r.send('update-stage-no-deployment', patch(id, 'dev2', [{ op: 'replace', path: '/canarySettings/deploymentId', value: 'deploy' }]));
});

rec.test('TestStageCrudCanary::test_update_stage_with_copy_ops', async (r) => {
  const { id } = await apiForDeployment(r);
  await r.send('deployment-1', new CreateDeploymentCommand({ restApiId: id, stageName: 'dev', variables: { testVar: 'test', testVar2: 'test2' } }));
  await r.send('copy-with-bad-statement', patch(id, 'dev', [
    { op: 'copy', path: '/canarySettings/stageVariableOverrides', from: '/variables' },
    { op: 'copy', path: '/canarySettings/deploymentId', from: '/deploymentId' },
  ]));
  await r.send('copy-with-no-replace', patch(id, 'dev', [
    { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' },
    { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
  ]));
  const promote: PatchOperation[] = [
    { op: 'replace', value: '0.0', path: '/canarySettings/percentTraffic' },
    { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
    { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' },
  ];
  await r.send('update-stage-with-copy', patch(id, 'dev', promote));
  await r.send('deployment-canary', new CreateDeploymentCommand({ restApiId: id, stageName: 'dev', canarySettings: { percentTraffic: 50, stageVariableOverrides: { testVar: 'override' } } }));
  await r.send('get-stage', new GetStageCommand({ restApiId: id, stageName: 'dev' }));
  await r.send('update-stage-with-copy-2', patch(id, 'dev', promote));
});

/** The template the recorded test deploys twice, with its message. */
const invokingTemplate = (message: string) => ({
  statusCode: 200, message, variable: '$stageVariables.testVar', nonExistingDefault: '$stageVariables.noStageVar',
  nonOverridden: '$stageVariables.defaultVar', isCanary: '$context.isCanaryRequest',
});

rec.test('TestCanaryDeployments::test_invoking_canary_deployment', async (r) => {
  const { id, root } = await apiForDeployment(r, invokingTemplate('default deployment'));
  await r.send('create-deployment-1', new CreateDeploymentCommand({ restApiId: id, stageName: 'dev', variables: { testVar: 'default', defaultVar: 'default' } }));
  await r.setup(new UpdateIntegrationResponseCommand({
    restApiId: id, resourceId: root, httpMethod: 'GET', statusCode: '200',
    patchOperations: [{ op: 'replace', path: '/responseTemplates/application~1json', value: JSON.stringify(invokingTemplate('canary deployment')) }],
  }));
  await r.send('create-deployment-2', new CreateDeploymentCommand({
    restApiId: id, stageName: 'dev', canarySettings: { percentTraffic: 0, stageVariableOverrides: { testVar: 'canary', noStageVar: 'canary' } },
  }));
  // As the recorder did: call until the expected deployment answers (a stage change may take a moment).
  const invoke = async (expected: string): Promise<unknown> => {
    let last: unknown;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${r.gh.url}/restapis/${id}/dev/_user_request_/`);
      assert.ok(res.ok, `status ${res.status}`);
      last = await res.json();
      if (String((last as { message?: unknown }).message).includes(expected)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`never answered the ${expected} deployment: ${JSON.stringify(last)}`);
  };
  r.record('response-deployment-1', await invoke('default'));
  await r.send('update-stage', patch(id, 'dev', [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '100.0' }]));
  r.record('response-canary-deployment', await invoke('canary'));
});
