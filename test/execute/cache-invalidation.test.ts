// Who may invalidate a stage-cache entry (execute-api:InvalidateCache), under --auth open and
// --auth enforce, decided by the gateway's real IAM (src/iam) from a real identities file. The
// requests are compiled from a real deployment; in enforce mode the verified caller is what the
// AWS_IAM step hands on in scope.grants.caller.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { invalidationCheck } from '../../src/cache/index.ts';
import { parseConfig } from '../../src/config.ts';
import { compileDeployment, mappingSources } from '../../src/deploy/index.ts';
import type { InvocationScope, MethodRequest } from '../../src/execute/types.ts';
import { createIam } from '../../src/iam/index.ts';

const ACCOUNT = '111111111111';
const dir = mkdtempSync(join(tmpdir(), 'gh-cache-iam-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const identities = join(dir, 'identities.json');
const policy = (effect: string, resource: string) => ({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'execute-api:InvalidateCache', Resource: resource }] });
writeFileSync(identities, JSON.stringify({
  accounts: {
    [ACCOUNT]: {
      users: {
        // May invalidate GET /pets on the prod stage of any API.
        ops: { accessKeys: [{ accessKeyId: 'AKIAOPS', secretAccessKey: 's1' }], policies: { inv: policy('Allow', `arn:aws:execute-api:us-east-1:${ACCOUNT}:*/prod/GET/pets`) } },
        // Allowed everywhere, but denied on this method: the explicit deny wins.
        denied: {
          accessKeys: [{ accessKeyId: 'AKIADENIED', secretAccessKey: 's2' }],
          policies: { all: policy('Allow', '*'), not: policy('Deny', `arn:aws:execute-api:us-east-1:${ACCOUNT}:*/prod/GET/pets`) },
        },
        reader: { accessKeys: [{ accessKeyId: 'AKIAREADER', secretAccessKey: 's3' }], policies: { invoke: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] } } },
      },
    },
  },
}));

// GET /pets of api 'abc' deployed to prod.
const api = compileDeployment({
  api: { id: 'abc', name: 'pets' },
  resources: [{ id: 'r1', path: '/pets', resourceMethods: { GET: { httpMethod: 'GET', authorizationType: 'AWS_IAM', methodIntegration: { type: 'MOCK' } } } }],
  extras: {},
} as never, { restApiId: 'abc', accountId: ACCOUNT, stageName: 'prod', deploymentId: 'd1', variables: {}, version: 1, region: 'us-east-1' });
const method = api.resourcesById.get('r1')!.methods.get('GET')!;

function request(headers: Record<string, string>, query: Record<string, string> = {}): MethodRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    httpMethod: 'GET', path: '/pets', pathParameters: {}, querystring: query,
    multiValueQuerystring: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
    headers, headersLower: lower, body: Buffer.alloc(0), contentType: undefined,
    sources: mappingSources({ path: {}, querystring: query, header: lower, body: '', stageVariables: {}, context: {} }),
  };
}

function scope(caller?: string): InvocationScope {
  return {
    api, requestId: 'r', sourceIp: '127.0.0.1', context: {}, log: null,
    grants: caller === undefined ? {} : { caller: { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/x`, accessKeyId: caller, principalId: caller } },
  };
}

const SIGNED = { Authorization: 'AWS4-HMAC-SHA256 Credential=AKIAOPS/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc' };

describe('execute-api:InvalidateCache with --auth open', () => {
  const check = invalidationCheck(createIam(parseConfig([], {}, { auth: 'open', dataDir: ':memory:' })));

  it('a SigV4-signed request may (signatures are read, not verified), by header or presigned query', () => {
    assert.equal(check(method, request(SIGNED), scope()), true);
    assert.equal(check(method, request({}, { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Signature': 'abc' }), scope()), true);
  });

  it('an unsigned request, or one with another kind of Authorization, may not', () => {
    assert.equal(check(method, request({}), scope()), false);
    assert.equal(check(method, request({ Authorization: 'Bearer abc' }), scope()), false);
    assert.equal(check(method, request({}, { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' }), scope()), false);
  });
});

describe('execute-api:InvalidateCache with --auth enforce', () => {
  const check = invalidationCheck(createIam(parseConfig([], {}, { auth: 'enforce', identities, dataDir: ':memory:' })));

  it('a verified caller whose policy allows it on the method ARN may', () => {
    assert.equal(check(method, request(SIGNED), scope('AKIAOPS')), true);
  });

  it('a caller without the permission, or explicitly denied it, may not', () => {
    assert.equal(check(method, request(SIGNED), scope('AKIAREADER')), false);
    assert.equal(check(method, request(SIGNED), scope('AKIADENIED')), false);
  });

  it('a signature nobody verified (no AWS_IAM step ran), or an unknown key, is not enough', () => {
    assert.equal(check(method, request(SIGNED), scope()), false);
    assert.equal(check(method, request(SIGNED), scope('AKIAUNKNOWN')), false);
  });
});
