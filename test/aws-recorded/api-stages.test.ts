// Replays of test_apigateway_api's stage recordings (see harness.ts and docs/aws-recorded.md).
import {
  CreateDeploymentCommand, CreateRestApiCommand, CreateStageCommand, GetStagesCommand, PutIntegrationCommand, PutMethodCommand, UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { uid, useRecorded, type Replay } from './harness.ts';

const rec = useRecorded('test_apigateway_api');
const LOG_GROUP = 'arn:aws:logs:us-east-1:000000000000:log-group:gatehouse-access-logs';

/** A deployable API: GET / answered by a MOCK integration. */
async function deployable(r: Replay): Promise<string> {
  const a = await r.setup(new CreateRestApiCommand({ name: uid() }));
  const m = { restApiId: a.id, resourceId: a.rootResourceId, httpMethod: 'GET' };
  await r.setup(new PutMethodCommand({ ...m, authorizationType: 'NONE' }));
  await r.setup(new PutIntegrationCommand({ ...m, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  return a.id;
}

rec.test('TestApiGatewayStage::test_get_stages_filters_by_deployment_id', async (r) => {
  const id = await deployable(r);
  const d1 = await r.setup(new CreateDeploymentCommand({ restApiId: id }));
  const d2 = await r.setup(new CreateDeploymentCommand({ restApiId: id }));
  r.alias(d1.id, '<deployment-id:1>');
  r.alias(d2.id, '<deployment-id:2>');
  await r.setup(new CreateStageCommand({ restApiId: id, stageName: 'stage1', deploymentId: d1.id }));
  await r.setup(new CreateStageCommand({ restApiId: id, stageName: 'stage2', deploymentId: d2.id }));
  r.sort('item', (x) => x.stageName);
  await r.send('all-stages', new GetStagesCommand({ restApiId: id }));
  await r.send('stages-deploy1', new GetStagesCommand({ restApiId: id, deploymentId: d1.id }));
  await r.send('stages-deploy2', new GetStagesCommand({ restApiId: id, deploymentId: d2.id }));
});

async function devStage(r: Replay): Promise<(label: string, op: string, path: string, value?: string) => Promise<unknown>> {
  const id = await deployable(r);
  r.alias(LOG_GROUP, '<log-group-arn>');
  const d = await r.ok('create-deployment', new CreateDeploymentCommand({ restApiId: id }));
  await r.send('create-stage', new CreateStageCommand({ restApiId: id, stageName: 'dev', deploymentId: d.id, description: 'dev stage' }));
  return (label, op, path, value) => r.send(label, new UpdateStageCommand({ restApiId: id, stageName: 'dev', patchOperations: [{ op: op as 'replace', path, value }] }));
}

rec.test('TestApiGatewayStage::test_stage_access_log_settings', async (r) => {
  const update = await devStage(r);
  await update('update-stage-access-log-dest-add', 'add', '/accessLogSettings/destinationArn', LOG_GROUP);
  await update('update-stage-access-log-dest-replace', 'replace', '/accessLogSettings/destinationArn', `${LOG_GROUP}a`);
  await update('update-stage-access-log-format-add', 'add', '/accessLogSettings/format', '$context.requestId $context.identity.sourceIp');
  await update('update-stage-access-log-remove-all', 'remove', '/accessLogSettings');
});

rec.test('TestApiGatewayStage::test_stage_access_log_settings_validation', async (r) => {
  const update = await devStage(r);
  await update('invalid-path-add', 'add', '/accessLogSettings/randomValue', 'x');
  await update('invalid-path-remove', 'remove', '/accessLogSettings/randomValue');
  await update('invalid-path-replace', 'replace', '/accessLogSettings/randomValue', 'x');
  await update('star-and-add', 'add', '/accessLogSettings/*', 'x');
  await update('star-and-remove', 'remove', '/accessLogSettings/*');
  await update('star-and-replace', 'replace', '/accessLogSettings/*', 'x');
  await update('root-and-add', 'add', '/accessLogSettings', 'x');
  await update('root-and-replace', 'replace', '/accessLogSettings', 'x');
  await update('update-stage-access-log-dest-add', 'add', '/accessLogSettings/destinationArn', LOG_GROUP);
  await update('update-stage-access-log-destinationArn-empty', 'replace', '/accessLogSettings/destinationArn', '');
  await update('update-stage-access-log-format-empty', 'replace', '/accessLogSettings/format', '');
  await update('update-stage-access-log-dest-remove', 'remove', '/accessLogSettings/destinationArn');
});
