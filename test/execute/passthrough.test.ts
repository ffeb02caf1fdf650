// The guide's "Integration Passthrough Behaviors" tables, row by row, plus redeploying a stage
// while requests are in flight.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateDeploymentCommand, PutIntegrationResponseCommand, PutMethodResponseCommand, UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, json, putMethod, resourcePath, startBackend, type Backend } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let echo: Backend;
let apiId: string;

const BEHAVIOURS = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'] as const;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  echo = await startBackend((_req, body, res) => json(res, 200, { received: body }));
  const api = await createApi(client, 'passthrough');
  apiId = api.id;
  for (const behaviour of BEHAVIOURS) {
    for (const [name, templates] of [
      ['json', { 'application/json': '{"transformed": "json"}' }],
      ['xml', { 'application/xml': '{"transformed": "xml"}' }],
      ['none', undefined],
    ] as const) {
      const r = await resourcePath(client, apiId, `/${behaviour}/${name}`);
      await putMethod(client, apiId, r, {
        httpMethod: 'POST',
        integration: { type: 'HTTP', integrationHttpMethod: 'POST', uri: `${echo.url}/`, passthroughBehavior: behaviour, requestTemplates: templates },
        responses: [{ statusCode: '200' }],
      });
    }
  }
  await deploy(client, apiId, 'test');
});

after(async () => {
  client.destroy();
  await gh.close();
  await echo.close();
});

async function send(path: string, contentType: string | undefined): Promise<{ status: number; received?: string; body: string }> {
  const r = await callStage(gh.url, apiId, 'test', path, { method: 'POST', headers: contentType === undefined ? {} : { 'content-type': contentType }, body: 'original' });
  return { status: r.status, body: r.body, received: r.status === 200 ? JSON.parse(r.body).received : undefined };
}

const UNSUPPORTED = { message: 'Unsupported Media Type' };

describe('passthrough behaviours (guide tables)', () => {
  // Example 1: one template, application/json.
  const example1: Record<string, [string | undefined, string][]> = {
    WHEN_NO_MATCH: [[undefined, 'transformed'], ['application/json', 'transformed'], ['application/xml', 'as-is']],
    WHEN_NO_TEMPLATES: [[undefined, 'transformed'], ['application/json', 'transformed'], ['application/xml', '415']],
    NEVER: [[undefined, 'transformed'], ['application/json', 'transformed'], ['application/xml', '415']],
  };
  // Example 2: one template, application/xml.
  const example2: Record<string, [string | undefined, string][]> = {
    WHEN_NO_MATCH: [[undefined, 'as-is'], ['application/json', 'as-is'], ['application/xml', 'transformed']],
    WHEN_NO_TEMPLATES: [[undefined, '415'], ['application/json', '415'], ['application/xml', 'transformed']],
    NEVER: [[undefined, '415'], ['application/json', '415'], ['application/xml', 'transformed']],
  };
  // No templates at all.
  const none: Record<string, [string | undefined, string][]> = {
    WHEN_NO_MATCH: [[undefined, 'as-is'], ['text/plain', 'as-is']],
    WHEN_NO_TEMPLATES: [[undefined, 'as-is'], ['text/plain', 'as-is']],
    NEVER: [[undefined, '415'], ['text/plain', '415']],
  };
  for (const [example, table, resource] of [['json template', example1, 'json'], ['xml template', example2, 'xml'], ['no template', none, 'none']] as const) {
    for (const behaviour of BEHAVIOURS) {
      test(`${example}, ${behaviour}`, async () => {
        for (const [contentType, outcome] of table[behaviour]!) {
          const r = await send(`/${behaviour}/${resource}`, contentType);
          const what = `${contentType ?? '(none)'} → ${outcome}`;
          if (outcome === '415') {
            assert.equal(r.status, 415, what);
            assert.deepEqual(JSON.parse(r.body), UNSUPPORTED, what);
          } else if (outcome === 'as-is') {
            assert.equal(r.received, 'original', what);
          } else {
            assert.equal(JSON.parse(r.received!).transformed, resource, what);
          }
        }
      });
    }
  }

  test('only the MIME type of Content-Type selects the template', async () => {
    const r = await send('/NEVER/json', 'application/json; charset=UTF-8');
    assert.equal(JSON.parse(r.received!).transformed, 'json');
  });
});

describe('redeploying under load', () => {
  test('500 requests in flight while UpdateStage switches deployments: every one answered 200 by one of the two versions', async () => {
    const api = await createApi(client, 'versions');
    const r = await resourcePath(client, api.id, '/v');
    await putMethod(client, api.id, r, { httpMethod: 'GET', integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } } });
    await client.send(new PutMethodResponseCommand({ restApiId: api.id, resourceId: r, httpMethod: 'GET', statusCode: '200' }));
    const version = async (v: string): Promise<string> => {
      await client.send(new PutIntegrationResponseCommand({ restApiId: api.id, resourceId: r, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': `{"version": "${v}"}` } }));
      const d = await client.send(new CreateDeploymentCommand({ restApiId: api.id }));
      return d.id!;
    };
    const v1 = await version('one');
    const v2 = await version('two');
    await deploy(client, api.id, 'prod');
    await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/deploymentId', value: v1 }] }));
    const first = await callStage(gh.url, api.id, 'prod', '/v');
    assert.deepEqual(JSON.parse(first.body), { version: 'one' });

    const inFlight = Array.from({ length: 500 }, (_, i) =>
      new Promise((res) => setTimeout(res, i % 50)).then(() => callStage(gh.url, api.id, 'prod', '/v')),
    );
    await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/deploymentId', value: v2 }] }));
    const answers = await Promise.all(inFlight);
    const versions = new Map<string, number>();
    for (const a of answers) {
      assert.equal(a.status, 200);
      const v = JSON.parse(a.body).version as string;
      versions.set(v, (versions.get(v) ?? 0) + 1);
    }
    assert.deepEqual([...versions.keys()].filter((v) => v !== 'one' && v !== 'two'), []);
    assert.equal(answers.length, 500);
    // Once the swap is done, the stage answers with the new version.
    let last = '';
    for (let i = 0; i < 50 && last !== 'two'; i++) {
      last = JSON.parse((await callStage(gh.url, api.id, 'prod', '/v')).body).version;
      if (last !== 'two') await new Promise((res) => setTimeout(res, 10));
    }
    assert.equal(last, 'two');
  });
});
