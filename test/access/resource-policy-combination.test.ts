// The resource-policy steps on their own: how a policy's decision combines with the method's
// authorization, as AWS's tables A (caller in the API's account) and B (another account) say.
// The AWS_IAM step that verifies signatures fills scope.grants.caller and identityPolicy; here
// the grants are given as that step leaves them, so every row of the tables is exercised,
// including those that need identities and a second account.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompiledApi, CompiledMethod } from '../../src/deploy/index.ts';
import { GatewayError } from '../../src/execute/errors.ts';
import type { AccessGrants, InvocationScope, MethodRequest } from '../../src/execute/types.ts';
import { resourcePolicy, resourcePolicyForCognito, resourcePolicyForIam } from '../../src/access/resource-policy.ts';
import type { AccessServices, AccessStep } from '../../src/access/index.ts';

const OWNER = '111111111111';
const OTHER = '222222222222';
const ARN = `arn:aws:execute-api:us-east-1:${OWNER}:a1b2c3d4e5/prod/GET/pets`;
const SHOWN = `arn:aws:execute-api:us-east-1:********1111:a1b2c3d4e5/prod/GET/pets`;

/** What the steps read of a compiled API: its policy and the parts of its ARN. */
function api(statements: object[]): CompiledApi {
  return {
    restApiId: 'a1b2c3d4e5', accountId: OWNER, region: 'us-east-1', stageName: 'prod',
    policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
  } as unknown as CompiledApi;
}

function method(authorizationType: CompiledMethod['access']['authorizationType']): CompiledMethod {
  return { access: { authorizationType } } as unknown as CompiledMethod;
}

const REQUEST = { httpMethod: 'GET', path: '/pets', headersLower: {} } as unknown as MethodRequest;

function scopeOf(a: CompiledApi, grants: AccessGrants): InvocationScope {
  return { api: a, sourceIp: '127.0.0.1', grants, context: {}, requestId: 'r', log: null } as unknown as InvocationScope;
}

const make = (factory: (s: AccessServices) => AccessStep): AccessStep => factory({} as AccessServices);
const iam = make(resourcePolicyForIam);
const first = make(resourcePolicy);
const cognito = make(resourcePolicyForCognito);

const allowFor = (principal: unknown) => ({ Effect: 'Allow', Principal: principal, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' });
const denyFor = (principal: unknown) => ({ Effect: 'Deny', Principal: principal, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' });
const nothingFor = { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/other/*' };

function caller(accountId: string, arn = `arn:aws:iam::${accountId}:user/alice`): AccessGrants['caller'] {
  return { accountId, arn, accessKeyId: 'AKIDEXAMPLE', principalId: 'AIDAEXAMPLE' };
}

/** Runs the AWS_IAM step; the refusal's message, or null when admitted. */
function iamOutcome(statements: object[], grants: AccessGrants): string | null {
  try {
    iam.check(method('AWS_IAM'), REQUEST, scopeOf(api(statements), grants));
    return null;
  } catch (err) {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.responseType, 'ACCESS_DENIED');
    assert.equal(err.status, 403);
    return err.message;
  }
}

const refused = (user: string, explicit: boolean) =>
  `User: ${user} is not authorized to perform: execute-api:Invoke on resource: ${SHOWN}${explicit ? ' with an explicit deny' : ''}`;

describe('AWS_IAM methods: table A, a caller of the API\'s own account', () => {
  const alice = caller(OWNER);
  const user = alice!.arn;
  const rows: [string, object[], AccessGrants['identityPolicy'], string | null][] = [
    ['IAM Allow, policy Allow', [allowFor({ AWS: user })], 'Allow', null],
    ['IAM Allow, policy silent', [nothingFor], 'Allow', null],
    ['IAM Allow, policy Deny', [denyFor('*')], 'Allow', refused(user, true)],
    ['IAM silent, policy Allow', [allowFor({ AWS: OWNER })], 'NotApplicable', null],
    ['IAM silent, policy silent', [nothingFor], 'NotApplicable', refused(user, false)],
    ['IAM silent, policy Deny', [denyFor({ AWS: user })], 'NotApplicable', refused(user, true)],
    ['IAM Deny, policy Allow', [allowFor('*')], 'Deny', refused(user, true)],
    ['IAM Deny, policy silent', [nothingFor], 'Deny', refused(user, true)],
  ];
  for (const [name, statements, identityPolicy, expected] of rows) {
    it(name, () => assert.equal(iamOutcome(statements, { caller: alice, identityPolicy }), expected));
  }
});

describe('AWS_IAM methods: table B, a caller of another account', () => {
  const bob = caller(OTHER);
  const user = bob!.arn;
  const rows: [string, object[], AccessGrants['identityPolicy'], string | null][] = [
    ['IAM Allow, policy Allow for the account', [allowFor({ AWS: `arn:aws:iam::${OTHER}:root` })], 'Allow', null],
    ['IAM Allow, policy Allow for the user', [allowFor({ AWS: user })], 'Allow', null],
    ['IAM Allow, policy Allow for another account only', [allowFor({ AWS: '333333333333' })], 'Allow', refused(user, false)],
    ['IAM Allow, policy silent', [nothingFor], 'Allow', refused(user, false)],
    ['IAM silent, policy Allow', [allowFor('*')], 'NotApplicable', refused(user, false)],
    ['IAM Allow, policy Deny', [allowFor('*'), denyFor({ AWS: OTHER })], 'Allow', refused(user, true)],
    ['IAM Deny, policy Allow', [allowFor('*')], 'Deny', refused(user, true)],
  ];
  for (const [name, statements, identityPolicy, expected] of rows) {
    it(name, () => assert.equal(iamOutcome(statements, { caller: bob, identityPolicy }), expected));
  }

  it('an assumed-role session is matched by its role\'s ARN', () => {
    const session = caller(OTHER, `arn:aws:sts::${OTHER}:assumed-role/Caller/session-1`);
    assert.equal(iamOutcome([allowFor({ AWS: `arn:aws:iam::${OTHER}:role/Caller` })], { caller: session, identityPolicy: 'Allow' }), null);
    assert.equal(iamOutcome([allowFor({ AWS: `arn:aws:iam::${OTHER}:role/Other` })], { caller: session, identityPolicy: 'Allow' }), refused(session!.arn, false));
  });

  it('IAM policies not evaluated (open mode: no identityPolicy) count as Allow', () => {
    assert.equal(iamOutcome([allowFor({ AWS: OTHER })], { caller: bob }), null);
    assert.equal(iamOutcome([nothingFor], { caller: bob }), refused(user, false));
  });

  it('with no verified caller (no signature step), the policy alone decides, for the anonymous caller', () => {
    assert.equal(iamOutcome([allowFor('*')], {}), null);
    assert.equal(iamOutcome([allowFor({ AWS: OTHER })], {}), refused('anonymous', false));
  });
});

describe('which step runs for which method, and what it leaves for the next', () => {
  const policy = api([allowFor('*')]);
  it('each step applies to its authorization types, and only when the API has a policy', () => {
    const none = { ...policy, policy: null } as CompiledApi;
    assert.deepEqual(['NONE', 'CUSTOM', 'AWS_IAM', 'COGNITO_USER_POOLS'].map((t) => [first, iam, cognito].map((s) => s.applies(method(t as never), policy))), [
      [true, false, false], [true, false, false], [false, true, false], [false, false, true],
    ]);
    assert.ok([first, iam, cognito].every((s) => !s.applies(method('NONE'), none) && !s.applies(method('AWS_IAM'), none)));
  });

  it('CUSTOM: an explicit deny refuses before the authorizer; otherwise the decision is left for it', () => {
    const grants: AccessGrants = {};
    first.check(method('CUSTOM'), REQUEST, scopeOf(api([nothingFor]), grants));
    assert.equal(grants.resourcePolicy, 'NotApplicable');
    first.check(method('CUSTOM'), REQUEST, scopeOf(api([allowFor('*')]), grants));
    assert.equal(grants.resourcePolicy, 'Allow');
    assert.throws(() => first.check(method('CUSTOM'), REQUEST, scopeOf(api([allowFor('*'), denyFor('*')]), {})), { message: refused('anonymous', true) });
  });

  it('NONE and Cognito: the policy must allow', () => {
    for (const [step, type] of [[first, 'NONE'], [cognito, 'COGNITO_USER_POOLS']] as const) {
      assert.throws(() => step.check(method(type), REQUEST, scopeOf(api([nothingFor]), {})), { message: refused('anonymous', false) });
      assert.equal(step.check(method(type), REQUEST, scopeOf(api([allowFor('*')]), {})), undefined);
    }
  });
});
