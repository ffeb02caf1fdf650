// IAM policy evaluation (src/iam/policy.ts): actions, resources and their Not forms with '*' and
// '?', the condition operators (and IfExists, ForAnyValue/ForAllValues, Null, negation with a
// missing key), principals in resource policies, explicit Deny over Allow, default deny, and the
// malformed documents IAM refuses. The policies are the developer guide's own examples where it has one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicies, parsePolicy, PolicyError, type AuthorizationRequest, type CallerPrincipal } from '../../src/iam/policy.ts';

const ALICE: CallerPrincipal = { accountId: '111111111111', arn: 'arn:aws:iam::111111111111:user/alice', userName: 'alice', userId: 'AIDAALICE' };
const JOHN: CallerPrincipal = { accountId: '111111111111', arn: 'arn:aws:iam::111111111111:user/johndoe', userName: 'johndoe', userId: 'AIDAJOHN' };
const ROLE_SESSION: CallerPrincipal = {
  accountId: '222222222222',
  arn: 'arn:aws:sts::222222222222:assumed-role/deployer/ci',
  roleArn: 'arn:aws:iam::222222222222:role/deployer',
  userId: 'AROADEPLOYER:ci',
};

const req = (action: string, resource: string, extra: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({ action, resource, ...extra });

describe('IAM policies: actions and resources', () => {
  // The guide's "Block Specified Users from Deleting any API Resources" example.
  const blockJohn = parsePolicy({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Stmt1467331998000',
        Effect: 'Allow',
        Action: ['apigateway:GET', 'apigateway:HEAD', 'apigateway:OPTIONS', 'apigateway:PATCH', 'apigateway:POST', 'apigateway:PUT'],
        Resource: ['arn:aws:apigateway:us-east-1::/restapis/*'],
      },
      {
        Sid: 'Stmt1467332141000',
        Effect: 'Allow',
        Action: ['apigateway:DELETE'],
        Condition: { StringNotLike: { 'aws:username': 'johndoe' } },
        Resource: ['arn:aws:apigateway:us-east-1::/restapis/*'],
      },
    ],
  }, 'identity');

  it('the guide\'s example lets alice delete, not johndoe, and lets both read', () => {
    const api = 'arn:aws:apigateway:us-east-1::/restapis/a123456789';
    assert.equal(blockJohn.evaluate(req('apigateway:DELETE', api, { principal: ALICE })), 'Allow');
    assert.equal(blockJohn.evaluate(req('apigateway:DELETE', api, { principal: JOHN })), 'NotApplicable');
    assert.equal(blockJohn.evaluate(req('apigateway:GET', api, { principal: JOHN })), 'Allow');
    // Another region, or the account's root resources, are not granted.
    assert.equal(blockJohn.evaluate(req('apigateway:GET', 'arn:aws:apigateway:eu-west-1::/restapis/a123456789', { principal: ALICE })), 'NotApplicable');
    assert.equal(blockJohn.evaluate(req('apigateway:GET', 'arn:aws:apigateway:us-east-1::/apikeys', { principal: ALICE })), 'NotApplicable');
  });

  it('matches actions case-insensitively and resources case-sensitively, with * and ?', () => {
    const p = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'execute-api:Inv?ke', Resource: 'arn:aws:execute-api:us-east-1:*:a1b2c3/prod/GET/pets/?' } }, 'identity');
    assert.equal(p.evaluate(req('execute-api:invoke', 'arn:aws:execute-api:us-east-1:111111111111:a1b2c3/prod/GET/pets/1')), 'Allow');
    assert.equal(p.evaluate(req('EXECUTE-API:INVOKE', 'arn:aws:execute-api:us-east-1:111111111111:a1b2c3/prod/GET/pets/7')), 'Allow');
    assert.equal(p.evaluate(req('execute-api:Invoke', 'arn:aws:execute-api:us-east-1:111111111111:a1b2c3/prod/GET/pets/12')), 'NotApplicable');
    assert.equal(p.evaluate(req('execute-api:Invoke', 'arn:aws:execute-api:us-east-1:111111111111:A1B2C3/prod/GET/pets/1')), 'NotApplicable');
    assert.equal(p.evaluate(req('execute-api:InvalidateCache', 'arn:aws:execute-api:us-east-1:111111111111:a1b2c3/prod/GET/pets/1')), 'NotApplicable');
  });

  it('a * in an execute-api ARN crosses slashes, as the guide\'s path examples need', () => {
    const p = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:us-east-1:*:api-id/test/*/mydemoresource/*' }] }, 'identity');
    assert.equal(p.evaluate(req('execute-api:Invoke', 'arn:aws:execute-api:us-east-1:123456789012:api-id/test/POST/mydemoresource/a/b')), 'Allow');
    assert.equal(p.evaluate(req('execute-api:Invoke', 'arn:aws:execute-api:us-east-1:123456789012:api-id/prod/POST/mydemoresource/a')), 'NotApplicable');
  });

  it('NotAction and NotResource match what they do not list', () => {
    const p = parsePolicy({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', NotAction: 'apigateway:DELETE', Resource: '*' },
      { Effect: 'Allow', Action: 'apigateway:DELETE', NotResource: 'arn:aws:apigateway:*::/restapis/keep*' },
    ] }, 'identity');
    assert.equal(p.evaluate(req('apigateway:PATCH', 'arn:aws:apigateway:us-east-1::/restapis/keep1')), 'Allow');
    assert.equal(p.evaluate(req('apigateway:DELETE', 'arn:aws:apigateway:us-east-1::/restapis/keep1')), 'NotApplicable');
    assert.equal(p.evaluate(req('apigateway:DELETE', 'arn:aws:apigateway:us-east-1::/restapis/other')), 'Allow');
  });

  it('an explicit Deny wins over any Allow, in one policy or across several; nothing matching is a deny', () => {
    const allowAll = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, 'identity');
    const denyDelete = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'apigateway:DELETE', Resource: 'arn:aws:apigateway:*::/restapis/*' }] }, 'identity');
    const r = req('apigateway:DELETE', 'arn:aws:apigateway:us-east-1::/restapis/abc');
    assert.equal(evaluatePolicies([allowAll, denyDelete], r), 'Deny');
    assert.equal(evaluatePolicies([denyDelete, allowAll], r), 'Deny');
    assert.equal(evaluatePolicies([allowAll, denyDelete], req('apigateway:GET', 'arn:aws:apigateway:us-east-1::/restapis/abc')), 'Allow');
    assert.equal(evaluatePolicies([], r), 'NotApplicable');
    assert.equal(evaluatePolicies([denyDelete], req('apigateway:GET', 'arn:aws:apigateway:us-east-1::/restapis')), 'NotApplicable');
  });
});

describe('IAM policies: conditions', () => {
  const withCondition = (condition: unknown, effect: 'Allow' | 'Deny' = 'Allow') =>
    parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource: '*', Condition: condition }] }, 'identity');
  const invoke = (keys: Record<string, string | string[]> = {}, now?: number) => req('execute-api:Invoke', 'arn:aws:execute-api:us-east-1:1:a/b/GET/', { keys, ...(now === undefined ? {} : { now }) });

  it('IpAddress and NotIpAddress on aws:SourceIp, IPv4 and IPv6 and IPv4-mapped addresses', () => {
    const p = withCondition({ IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } });
    assert.equal(p.evaluate(invoke({ 'aws:sourceip': '192.0.2.77' })), 'Allow');
    assert.equal(p.evaluate(invoke({ 'aws:sourceip': '::ffff:192.0.2.77' })), 'Allow');
    assert.equal(p.evaluate(invoke({ 'aws:sourceip': '2001:db8::1' })), 'Allow');
    assert.equal(p.evaluate(invoke({ 'aws:sourceip': '198.51.100.1' })), 'NotApplicable');
    assert.equal(p.evaluate(invoke({ 'aws:sourceip': 'not-an-ip' })), 'NotApplicable');
    assert.equal(p.evaluate(invoke()), 'NotApplicable');
    const deny = withCondition({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, 'Deny');
    assert.equal(deny.evaluate(invoke({ 'aws:sourceip': '10.1.2.3' })), 'NotApplicable');
    assert.equal(deny.evaluate(invoke({ 'aws:sourceip': '11.1.2.3' })), 'Deny');
  });

  it('DateLessThan and DateGreaterThan on aws:CurrentTime, with ISO dates and epoch seconds', () => {
    const window = withCondition({ DateGreaterThan: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '1735689600' } });
    assert.equal(window.evaluate(invoke({}, Date.parse('2024-06-01T00:00:00Z'))), 'Allow');
    assert.equal(window.evaluate(invoke({}, Date.parse('2023-06-01T00:00:00Z'))), 'NotApplicable');
    assert.equal(window.evaluate(invoke({}, Date.parse('2025-01-01T00:00:01Z'))), 'NotApplicable');
    const epoch = withCondition({ NumericLessThan: { 'aws:EpochTime': 1000 } });
    assert.equal(epoch.evaluate(invoke({}, 999_000)), 'Allow');
    assert.equal(epoch.evaluate(invoke({}, 1_000_000)), 'NotApplicable');
  });

  it('string operators, their IgnoreCase and Like forms, and condition key names in any case', () => {
    assert.equal(withCondition({ StringEquals: { 'AWS:USERNAME': 'alice' } }).evaluate(req('execute-api:Invoke', 'r', { principal: ALICE })), 'Allow');
    assert.equal(withCondition({ StringEquals: { 'aws:username': 'Alice' } }).evaluate(req('execute-api:Invoke', 'r', { principal: ALICE })), 'NotApplicable');
    assert.equal(withCondition({ StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } }).evaluate(req('execute-api:Invoke', 'r', { principal: ALICE })), 'Allow');
    assert.equal(withCondition({ StringLike: { 'aws:UserAgent': 'aws-cli/*' } }).evaluate(invoke({ 'aws:useragent': 'aws-cli/2.15.0 Python/3.11' })), 'Allow');
    assert.equal(withCondition({ StringLike: { 'aws:UserAgent': 'aws-cli/*' } }).evaluate(invoke({ 'aws:useragent': 'curl/8' })), 'NotApplicable');
  });

  it('a missing key fails a positive operator, passes a negated one and an IfExists one; Null tests presence', () => {
    assert.equal(withCondition({ StringEquals: { 'aws:Referer': 'x' } }).evaluate(invoke()), 'NotApplicable');
    assert.equal(withCondition({ StringNotEquals: { 'aws:Referer': 'x' } }).evaluate(invoke()), 'Allow');
    assert.equal(withCondition({ StringEqualsIfExists: { 'aws:Referer': 'x' } }).evaluate(invoke()), 'Allow');
    assert.equal(withCondition({ StringEqualsIfExists: { 'aws:Referer': 'x' } }).evaluate(invoke({ 'aws:referer': 'y' })), 'NotApplicable');
    assert.equal(withCondition({ Null: { 'aws:Referer': 'true' } }).evaluate(invoke()), 'Allow');
    assert.equal(withCondition({ Null: { 'aws:Referer': 'false' } }).evaluate(invoke()), 'NotApplicable');
    assert.equal(withCondition({ Null: { 'aws:Referer': false } }).evaluate(invoke({ 'aws:referer': 'y' })), 'Allow');
  });

  it('ForAnyValue and ForAllValues over a multi-valued key', () => {
    const any = withCondition({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'team'] } });
    const all = withCondition({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } });
    assert.equal(any.evaluate(invoke({ 'aws:tagkeys': ['env', 'cost'] })), 'Allow');
    assert.equal(all.evaluate(invoke({ 'aws:tagkeys': ['env', 'cost'] })), 'NotApplicable');
    assert.equal(all.evaluate(invoke({ 'aws:tagkeys': ['env', 'team'] })), 'Allow');
    assert.equal(any.evaluate(invoke({ 'aws:tagkeys': [] })), 'NotApplicable');
  });

  it('every operator and every key of a block must hold', () => {
    const p = withCondition({ IpAddress: { 'aws:SourceIp': '192.0.2.0/24' }, Bool: { 'aws:SecureTransport': 'true' } });
    assert.equal(p.evaluate(invoke({ 'aws:sourceip': '192.0.2.1', 'aws:securetransport': 'true' })), 'Allow');
    assert.equal(p.evaluate(invoke({ 'aws:sourceip': '192.0.2.1', 'aws:securetransport': 'false' })), 'NotApplicable');
  });

  it('ArnLike matches each part of an ARN on its own', () => {
    const p = withCondition({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/deploy*' } });
    assert.equal(p.evaluate(req('execute-api:Invoke', 'r', { principal: ROLE_SESSION })), 'Allow');
    assert.equal(p.evaluate(req('execute-api:Invoke', 'r', { principal: ALICE })), 'NotApplicable');
    // '*' in the account part does not reach into the resource part; a pattern that is no ARN matches nothing.
    const strict = withCondition({ ArnLike: { 'aws:SourceArn': 'arn:aws:iam::*:user/alice' } });
    assert.equal(strict.evaluate(invoke({ 'aws:sourcearn': 'arn:aws:iam::111111111111:user/alice' })), 'Allow');
    assert.equal(strict.evaluate(invoke({ 'aws:sourcearn': 'arn:aws:iam::111111111111:x:user/alice' })), 'NotApplicable');
    assert.equal(withCondition({ ArnLike: { 'aws:SourceArn': 'arn:aws:*' } }).evaluate(invoke({ 'aws:sourcearn': 'arn:aws:iam::1:user/a' })), 'NotApplicable');
  });
});

describe('IAM policies: principals in resource policies', () => {
  const resourcePolicy = (principal: unknown, effect: 'Allow' | 'Deny' = 'Allow') =>
    parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: effect, Principal: principal, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }] }, 'resource');
  const invokeAs = (principal: CallerPrincipal | null) => req('execute-api:Invoke', 'execute-api:/prod/GET/', { principal });

  it('"*" is everyone, anonymous callers included', () => {
    assert.equal(resourcePolicy('*').evaluate(invokeAs(null)), 'Allow');
    assert.equal(resourcePolicy({ AWS: '*' }).evaluate(invokeAs(ALICE)), 'Allow');
  });

  it('an account (its id or its root ARN) is every principal of that account', () => {
    assert.equal(resourcePolicy({ AWS: '111111111111' }).evaluate(invokeAs(ALICE)), 'Allow');
    assert.equal(resourcePolicy({ AWS: 'arn:aws:iam::111111111111:root' }).evaluate(invokeAs(JOHN)), 'Allow');
    assert.equal(resourcePolicy({ AWS: ['arn:aws:iam::111111111111:root'] }).evaluate(invokeAs(ROLE_SESSION)), 'NotApplicable');
    assert.equal(resourcePolicy({ AWS: '111111111111' }).evaluate(invokeAs(null)), 'NotApplicable');
  });

  it('a user ARN is that user; a role ARN is the role\'s sessions too', () => {
    assert.equal(resourcePolicy({ AWS: 'arn:aws:iam::111111111111:user/alice' }).evaluate(invokeAs(ALICE)), 'Allow');
    assert.equal(resourcePolicy({ AWS: 'arn:aws:iam::111111111111:user/alice' }).evaluate(invokeAs(JOHN)), 'NotApplicable');
    assert.equal(resourcePolicy({ AWS: 'arn:aws:iam::222222222222:role/deployer' }).evaluate(invokeAs(ROLE_SESSION)), 'Allow');
  });

  it('NotPrincipal applies to everyone it does not name', () => {
    const p = parsePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::111111111111:user/alice' }, Action: '*', Resource: '*' }] }, 'resource');
    assert.equal(p.evaluate(invokeAs(ALICE)), 'NotApplicable');
    assert.equal(p.evaluate(invokeAs(JOHN)), 'Deny');
  });
});

describe('IAM policies: malformed documents', () => {
  const bad: Array<[string, unknown, 'identity' | 'resource']> = [
    ['not JSON', '{"Statement": [', 'identity'],
    ['no statement', { Version: '2012-10-17' }, 'identity'],
    ['a bad Effect', { Statement: [{ Effect: 'allow', Action: '*', Resource: '*' }] }, 'identity'],
    ['both Action and NotAction', { Statement: [{ Effect: 'Allow', Action: '*', NotAction: 'a:b', Resource: '*' }] }, 'identity'],
    ['no Resource', { Statement: [{ Effect: 'Allow', Action: '*' }] }, 'identity'],
    ['an action without a service', { Statement: [{ Effect: 'Allow', Action: 'Invoke', Resource: '*' }] }, 'identity'],
    ['an unknown operator', { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringSortOf: { 'aws:username': 'a' } } }] }, 'identity'],
    ['a bad CIDR', { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }] }, 'identity'],
    ['a bad date', { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }] }, 'identity'],
    ['a principal in an identity policy', { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }, 'identity'],
    ['no principal in a resource policy', { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, 'resource'],
    ['an invalid principal', { Statement: [{ Effect: 'Allow', Principal: { AWS: 'alice' }, Action: '*', Resource: '*' }] }, 'resource'],
    ['an unknown version', { Version: '2020-01-01', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, 'identity'],
    ['an unknown element', { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Principals: '*' }] }, 'resource'],
  ];
  for (const [what, doc, kind] of bad) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parsePolicy(doc, kind), (err: unknown) => err instanceof PolicyError && err.message.length > 0);
    });
  }

  it('accepts JSON text as well as the parsed document', () => {
    const p = parsePolicy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"apigateway:GET","Resource":"*"}}', 'identity');
    assert.equal(p.evaluate(req('apigateway:GET', 'arn:aws:apigateway:us-east-1::/restapis')), 'Allow');
  });
});

describe('IAM policies: policy variables in Resource', () => {
  const perUser = parsePolicy({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:us-east-1:111111111111:a1/*/GET/users/${aws:username}/*' },
      { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:us-east-1:111111111111:a1/*/GET/teams/${aws:PrincipalTag/team, \'none\'}' },
      { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:us-east-1:111111111111:a1/*/GET/literal/${*}' },
      { Effect: 'Deny', Action: 'execute-api:Invoke', NotResource: 'arn:aws:execute-api:us-east-1:${aws:PrincipalAccount}:*' },
    ],
  }, 'identity');
  const arn = (path: string, account = '111111111111') => `arn:aws:execute-api:us-east-1:${account}:a1/prod/GET${path}`;

  it("${aws:username} is the caller's user name: each user reaches only their own path", () => {
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/users/alice/orders'), { principal: ALICE })), 'Allow');
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/users/johndoe/orders'), { principal: ALICE })), 'NotApplicable');
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/users/johndoe/orders'), { principal: JOHN })), 'Allow');
  });

  it('a key the request does not have matches nothing, unless the variable has a default', () => {
    // A role session has no aws:username: the per-user statement grants it nothing (and, being of
    // another account, the NotResource statement denies it).
    const sameAccountSession: CallerPrincipal = { ...ROLE_SESSION, accountId: '111111111111' };
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/users//orders'), { principal: sameAccountSession })), 'NotApplicable');
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/users//orders'), { principal: ROLE_SESSION })), 'Deny');
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/teams/none'), { principal: ALICE })), 'Allow');
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/teams/blue'), { principal: ALICE })), 'NotApplicable');
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/teams/blue'), { principal: ALICE, keys: { 'aws:principaltag/team': 'blue' } })), 'Allow');
  });

  it('${*} is a literal asterisk, and a value with wildcard characters stays literal', () => {
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/literal/*'), { principal: ALICE })), 'Allow');
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/literal/x'), { principal: ALICE })), 'NotApplicable');
    const star: CallerPrincipal = { ...ALICE, userName: 'a*' };
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/users/a*/x'), { principal: star })), 'Allow');
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/users/alice/x'), { principal: star })), 'NotApplicable');
  });

  it('NotResource with a variable: another account than the caller\'s is denied', () => {
    assert.equal(perUser.evaluate(req('execute-api:Invoke', arn('/users/alice/x', '999999999999'), { principal: ALICE })), 'Deny');
  });

  it('a 2008-10-17 policy keeps ${...} as text', () => {
    const old = parsePolicy({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:execute-api:*:*:a1/${aws:username}' }] }, 'identity');
    assert.equal(old.evaluate(req('execute-api:Invoke', 'arn:aws:execute-api:us-east-1:1:a1/${aws:username}', { principal: ALICE })), 'Allow');
    assert.equal(old.evaluate(req('execute-api:Invoke', 'arn:aws:execute-api:us-east-1:1:a1/alice', { principal: ALICE })), 'NotApplicable');
  });
});
