// Fixtures for the API-key, throttling and usage tests: MOCK APIs built through the AWS SDK whose
// methods may require an API key and answer with what $context says about the key, usage plans
// with keys, and bursts of requests counted by status.
import assert from 'node:assert/strict';
import {
  CreateApiKeyCommand, CreateUsagePlanCommand, CreateUsagePlanKeyCommand, PutIntegrationCommand, PutIntegrationResponseCommand,
  PutMethodCommand, PutMethodResponseCommand, type APIGatewayClient, type ApiStage, type QuotaSettings, type ThrottleSettings,
} from '@aws-sdk/client-api-gateway';
import { callStage, createApi, deploy, resourcePath, type Answer } from '../execute/helpers.ts';

export const KEY_TEMPLATE = '{"apiKey":"$context.identity.apiKey","apiKeyId":"$context.identity.apiKeyId"}';

export interface MethodOptions {
  readonly path: string;
  readonly httpMethod?: string;
  readonly apiKeyRequired?: boolean;
}

/** A MOCK method answering 200 with $context.identity.apiKey and apiKeyId. */
export async function mockMethod(client: APIGatewayClient, restApiId: string, m: MethodOptions): Promise<string> {
  const resourceId = await resourcePath(client, restApiId, m.path);
  const ids = { restApiId, resourceId, httpMethod: m.httpMethod ?? 'GET' };
  await client.send(new PutMethodCommand({ ...ids, authorizationType: 'NONE', apiKeyRequired: m.apiKeyRequired ?? false }));
  await client.send(new PutIntegrationCommand({ ...ids, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  await client.send(new PutMethodResponseCommand({ ...ids, statusCode: '200' }));
  await client.send(new PutIntegrationResponseCommand({ ...ids, statusCode: '200', responseTemplates: { 'application/json': KEY_TEMPLATE } }));
  return resourceId;
}

/** An API with the given MOCK methods, deployed to `stage`. */
export async function mockApi(client: APIGatewayClient, name: string, methods: readonly MethodOptions[], stage = 'test'): Promise<string> {
  const { id } = await createApi(client, name);
  for (const m of methods) await mockMethod(client, id, m);
  await deploy(client, id, stage);
  return id;
}

export interface PlanWithKey {
  readonly planId: string;
  readonly keyId: string;
  readonly value: string;
}

/** A usage plan on `apiStages` and a new enabled key in it. */
export async function planWithKey(
  client: APIGatewayClient,
  name: string,
  apiStages: ApiStage[],
  limits: { throttle?: ThrottleSettings; quota?: QuotaSettings } = {},
): Promise<PlanWithKey> {
  const plan = await client.send(new CreateUsagePlanCommand({ name, apiStages, ...limits }));
  const key = await addKey(client, plan.id!, `${name}-key`);
  return { planId: plan.id!, ...key };
}

/** A new enabled key in plan `planId`. */
export async function addKey(client: APIGatewayClient, planId: string, name: string): Promise<{ keyId: string; value: string }> {
  const key = await client.send(new CreateApiKeyCommand({ name, enabled: true }));
  await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId: key.id!, keyType: 'API_KEY' }));
  return { keyId: key.id!, value: key.value! };
}

export function withKey(value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { 'x-api-key': value };
}

export function get(url: string, apiId: string, path: string, key?: string, stage = 'test'): Promise<Answer> {
  return callStage(url, apiId, stage, path, { headers: withKey(key) });
}

/** Sends `n` requests at once; answers how many got each status. */
export async function burst(n: number, send: () => Promise<Answer>): Promise<Record<number, number>> {
  const answers = await Promise.all(Array.from({ length: n }, send));
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

export function assertForbidden(r: Answer, what: string): void {
  assert.equal(r.status, 403, `${what}: ${r.status} ${r.body}`);
  assert.deepEqual(JSON.parse(r.body), { message: 'Forbidden' }, what);
  assert.equal(r.headers['x-amzn-errortype'], 'ForbiddenException', what);
}

export function assertAdmitted(r: Answer, value: string, keyId: string, what: string): void {
  assert.equal(r.status, 200, `${what}: ${r.status} ${r.body}`);
  assert.deepEqual(JSON.parse(r.body), { apiKey: value, apiKeyId: keyId }, what);
}

export function assertThrottled(r: Answer, what: string): void {
  assert.equal(r.status, 429, `${what}: ${r.status} ${r.body}`);
  assert.deepEqual(JSON.parse(r.body), { message: 'Too Many Requests' }, what);
  assert.equal(r.headers['x-amzn-errortype'], 'TooManyRequestsException', what);
}

export function assertQuotaExceeded(r: Answer, what: string): void {
  assert.equal(r.status, 429, `${what}: ${r.status} ${r.body}`);
  assert.deepEqual(JSON.parse(r.body), { message: 'Limit Exceeded' }, what);
  assert.equal(r.headers['x-amzn-errortype'], 'LimitExceededException', what);
}

/** A controllable clock for the shared state: starts at `iso`, moves only when told. */
export function testClock(iso: string): { now: () => number; set(iso: string): void; advance(ms: number): void } {
  let t = Date.parse(iso);
  return {
    now: () => t,
    set(next: string) {
      t = Date.parse(next);
    },
    advance(ms: number) {
      t += ms;
    },
  };
}
