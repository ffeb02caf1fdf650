// A Lambda authorizer's output as API Gateway reads it: the policy evaluated against method ARNs
// (Allow, Deny, wildcards, actions, NotResource, conditions), the context stringified, malformed
// outputs refused; and the identity sources read from a request.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileAuthorizer, readIdentity, type IdentityInput } from '../../src/access/authorizer-config.ts';
import { methodArnOf, requestEvent } from '../../src/access/authorizer-event.ts';
import { AuthorizerOutputError, evaluatePolicy, parseAuthorizerOutput, serializeResult } from '../../src/access/authorizer-policy.ts';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/42';
const IP = '203.0.113.9';

function output(statements: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ principalId: 'user', policyDocument: { Version: '2012-10-17', Statement: statements }, ...extra });
}
const allow = (resource: unknown, action: unknown = 'execute-api:Invoke') => ({ Effect: 'Allow', Action: action, Resource: resource });
const deny = (resource: unknown) => ({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: resource });
const decide = (statements: unknown, arn = ARN, ip = IP) => evaluatePolicy(parseAuthorizerOutput(output(statements)), arn, ip);

describe('policy evaluation against the method ARN', () => {
  test('an Allow on the method admits it; on another method it is an implicit deny', () => {
    assert.equal(decide([allow(ARN)]), 'ALLOW');
    assert.equal(decide([allow(ARN)], ARN.replace('GET', 'POST')), 'IMPLICIT_DENY');
  });

  test('* and ? wildcards, a list of resources, a bare *', () => {
    assert.equal(decide([allow('arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/pets/*')]), 'ALLOW');
    assert.equal(decide([allow('arn:aws:execute-api:*:*:abc123/prod/GET/pets/4?')]), 'ALLOW');
    assert.equal(decide([allow('arn:aws:execute-api:*:*:abc123/prod/GET/pets/?')]), 'IMPLICIT_DENY');
    assert.equal(decide([allow(['arn:aws:execute-api:*:*:other/*', 'arn:aws:execute-api:*:*:abc123/prod/*'])]), 'ALLOW');
    assert.equal(decide([allow('*')]), 'ALLOW');
    assert.equal(decide([allow('arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/*')]), 'IMPLICIT_DENY');
  });

  test('a matching Deny wins over any Allow, in either order', () => {
    assert.equal(decide([allow('*'), deny(ARN)]), 'EXPLICIT_DENY');
    assert.equal(decide([deny('arn:aws:execute-api:*:*:abc123/*/GET/pets/*'), allow(ARN)]), 'EXPLICIT_DENY');
    assert.equal(decide([allow('*'), deny('arn:aws:execute-api:*:*:abc123/*/DELETE/*')]), 'ALLOW');
  });

  test('the action: execute-api:Invoke, execute-api:*, *, any case; another service grants nothing', () => {
    for (const action of ['execute-api:Invoke', 'execute-api:*', '*', 'execute-api:invoke', ['s3:GetObject', 'execute-api:Inv*']]) {
      assert.equal(decide([allow(ARN, action)]), 'ALLOW', JSON.stringify(action));
    }
    assert.equal(decide([allow(ARN, 's3:GetObject')]), 'IMPLICIT_DENY');
    assert.equal(decide([allow(ARN, 'execute-api:InvalidateCache')]), 'IMPLICIT_DENY');
  });

  test('NotResource and NotAction', () => {
    assert.equal(decide([{ Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: 'arn:aws:execute-api:*:*:abc123/*/DELETE/*' }]), 'ALLOW');
    assert.equal(decide([{ Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: 'arn:aws:execute-api:*:*:abc123/*/GET/*' }]), 'IMPLICIT_DENY');
    assert.equal(decide([{ Effect: 'Allow', NotAction: 's3:*', Resource: ARN }]), 'ALLOW');
  });

  test('conditions see the caller\'s address', () => {
    const fromNet = { ...allow(ARN), Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } };
    assert.equal(decide([fromNet], ARN, '203.0.113.9'), 'ALLOW');
    assert.equal(decide([fromNet], ARN, '198.51.100.1'), 'IMPLICIT_DENY');
  });
});

describe('the output AWS accepts, and what it refuses (AuthorizerConfigurationException)', () => {
  test('context values are stringified; principalId and usageIdentifierKey kept; a round trip through the cache form is exact', () => {
    const r = parseAuthorizerOutput(output([allow(ARN)], { context: { s: 'value', n: 1, f: 1.5, b: true }, usageIdentifierKey: 'key-123' }));
    assert.deepEqual(r.context, { s: 'value', n: '1', f: '1.5', b: 'true' });
    assert.equal(r.principalId, 'user');
    assert.equal(r.usageIdentifierKey, 'key-123');
    const again = parseAuthorizerOutput(serializeResult(r));
    assert.deepEqual({ ...again, policy: null }, { ...r, policy: null });
    assert.equal(evaluatePolicy(again, ARN, IP), 'ALLOW');
  });

  test('an output with a policy and no principalId is accepted', () => {
    const r = parseAuthorizerOutput(JSON.stringify({ policyDocument: { Version: '2012-10-17', Statement: [allow(ARN)] } }));
    assert.equal(r.principalId, undefined);
  });

  const malformed: [string, string][] = [
    ['not JSON', 'Allow'],
    ['a JSON string', '"Allow"'],
    ['null', 'null'],
    ['no policyDocument', '{"principalId":"user"}'],
    ['policyDocument as a string', JSON.stringify({ principalId: 'u', policyDocument: JSON.stringify({ Statement: [allow(ARN)] }) })],
    ['a statement that is not an object', output(['Allow'])],
    ['Effect in lower case', output([{ Effect: 'allow', Action: 'execute-api:Invoke', Resource: ARN }])],
    ['no statement at all (IAM refuses an empty policy)', output([])],
    ['no Action', output([{ Effect: 'Allow', Resource: ARN }])],
    ['no Resource', output([{ Effect: 'Allow', Action: 'execute-api:Invoke' }])],
    ['Resource a number', output([{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 42 }])],
    ['a nested object in context', output([allow(ARN)], { context: { user: { id: 1 } } })],
    ['an array in context', output([allow(ARN)], { context: { roles: ['a'] } })],
    ['null in context', output([allow(ARN)], { context: { x: null } })],
    ['context an array', output([allow(ARN)], { context: ['a'] })],
    ['principalId an object', output([allow(ARN)], { principalId: { id: 1 } })],
    ['usageIdentifierKey a number', output([allow(ARN)], { usageIdentifierKey: 7 })],
  ];
  for (const [what, payload] of malformed) {
    test(`refused: ${what}`, () => {
      assert.throws(() => parseAuthorizerOutput(payload), AuthorizerOutputError);
    });
  }
});

describe('identity sources', () => {
  const input = (over: Partial<IdentityInput> = {}): IdentityInput => ({
    headersLower: { authorization: 'allow', headerauth1: 'h1' },
    querystring: { QueryString1: 'q1' },
    multiValueQuerystring: { QueryString1: ['q0', 'q1'] },
    stageVariables: { StageVar1: 's1' },
    context: { identity: { sourceIp: IP }, httpMethod: 'GET' },
    ...over,
  });
  const token = compileAuthorizer({ id: 't', name: 't', type: 'TOKEN', authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations', identitySource: 'method.request.header.Authorization', identityValidationExpression: 'allow|deny' }, {});

  test('TOKEN: the header, any case; missing or empty is no identity; the expression must match the whole token', () => {
    assert.deepEqual(readIdentity(token, input()), ['allow']);
    assert.equal(readIdentity(token, input({ headersLower: {} })), null);
    assert.equal(readIdentity(token, input({ headersLower: { authorization: '' } })), null);
    assert.equal(token.validation!.test('allow'), true);
    assert.equal(token.validation!.test('allowed'), false);
    assert.equal(token.functionRef, 'arn:aws:lambda:us-east-1:123456789012:function:auth');
    assert.equal(token.ttlSeconds, 300);
  });

  test('REQUEST: headers, query strings (single and multi-valued), stage variables and $context, in order', () => {
    const a = compileAuthorizer({
      id: 'r', name: 'r', type: 'REQUEST', authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${stageVariables.fn}/invocations',
      identitySource: 'method.request.header.HeaderAuth1, method.request.querystring.QueryString1,method.request.multivaluequerystring.QueryString1, stageVariables.StageVar1, context.identity.sourceIp',
      authorizerResultTtlInSeconds: 0,
    }, { fn: 'auth' });
    assert.equal(a.functionRef, 'auth');
    assert.equal(a.ttlSeconds, 0);
    assert.deepEqual(readIdentity(a, input()), ['h1', 'q1', 'q0,q1', 's1', IP]);
    assert.equal(readIdentity(a, input({ querystring: {} })), null);
    assert.equal(readIdentity(a, input({ stageVariables: {} })), null);
    assert.equal(readIdentity(a, input({ context: {} })), null);
  });

  test('the REQUEST event has AWS\'s members, every map an object, and no authorizer or error in requestContext', () => {
    const e = requestEvent(methodArnOf('us-east-1', '123456789012', 'abc123', 'prod', 'GET', '/pets/42'), {
      resource: '/pets/{id}', path: '/pets/42', httpMethod: 'GET', headers: { A: '1' }, querystring: {}, multiValueQuerystring: {},
      pathParameters: { id: '42' }, stageVariables: {}, context: { requestId: 'r1', authorizer: {}, error: {} },
    });
    assert.deepEqual(Object.keys(e), ['type', 'methodArn', 'resource', 'path', 'httpMethod', 'headers', 'multiValueHeaders', 'queryStringParameters',
      'multiValueQueryStringParameters', 'pathParameters', 'stageVariables', 'requestContext']);
    assert.equal(e.methodArn, ARN.replace('123456789012:abc123/prod', '123456789012:abc123/prod'));
    assert.deepEqual(e.multiValueHeaders, { A: ['1'] });
    assert.deepEqual(e.queryStringParameters, {});
    assert.deepEqual(e.requestContext, { requestId: 'r1' });
  });
});
