// Resource policies: the REST API's `policy` (as deployed: a changed policy takes effect with the
// next deployment, as on AWS) evaluated at invoke for execute-api:Invoke on the request's ARN,
// arn:aws:execute-api:{region}:{account}:{api}/{stage}/{VERB}/{path as requested}, with IAM's
// logic (src/iam/policy.ts: explicit Deny wins, else an Allow grants, else implicit deny).
//
// How the outcome combines with the method's authorization follows AWS's flowcharts
// ("How API Gateway resource policies affect authorization workflow"):
//   NONE                the policy alone: it must allow the (anonymous) caller.
//   CUSTOM              before the authorizer runs, an explicit deny refuses at once; otherwise
//                       the decision is left in scope.grants.resourcePolicy for the authorizer
//                       step, which admits on its own Allow, or on its silence plus this Allow
//                       (AWS's table A).
//   AWS_IAM             after the signature step, with the verified caller as principal and its
//                       IAM policies' decision (scope.grants.identityPolicy): a deny in either
//                       refuses; a caller of the API's own account needs an Allow in either
//                       (table A), another account's caller in both (table B).
//   COGNITO_USER_POOLS  after the token is verified (a bad token is 401 first): the policy must
//                       allow.
// Hence three steps (src/access/steps.ts places each).
//
// Conditions see aws:SourceIp (the TCP peer, an IPv4-mapped IPv6 address as IPv4; a client's
// X-Forwarded-For is ignored, as AWS ignores it), aws:UserAgent, aws:Referer, aws:RequestedRegion,
// aws:SecureTransport ('false': Gatehouse serves HTTP), the clock and principal keys. There are no VPCs here: aws:SourceVpc and aws:SourceVpce are never
// present, so a condition that requires them never holds and one that excludes them always does.
//
// Hot path: the policy text is parsed and compiled once per compiled API (a WeakMap entry that
// lives as long as the deployment it belongs to); a request costs one ARN string and the compiled
// statements' matchers, plus its condition keys when a statement has a condition.
import { isIP } from 'node:net';
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import { configurationError, notAuthorizedToInvoke } from '../execute/errors.ts';
import type { AccessGrants, InvocationScope, MethodRequest } from '../execute/types.ts';
import { parsePolicy, PolicyError, type CallerPrincipal, type Decision, type Policy } from '../iam/policy.ts';
import { log } from '../observe/log.ts';
import type { AccessStep, AccessStepFactory } from './index.ts';

const INVOKE = 'execute-api:Invoke';

/** What AWS answers when CreateRestApi, UpdateRestApi or an import gets a policy it cannot use. */
export const INVALID_POLICY_MESSAGE = 'Invalid policy document. Please check the policy syntax and ensure that Principals are valid.';

// ------------------------------------------------------------------ the document

const SHORTHAND = 'execute-api:/';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Rewrites the `execute-api:/{stage}/{VERB}/{path}` shorthand of Resource and NotResource into
 * the API's ARN prefix, as AWS does when it stores or imports a policy ("execute-api:/*" becomes
 * arn:aws:execute-api:{region}:{account}:{api}/*). Returns whether anything changed.
 */
export function expandShorthand(doc: unknown, region: string, accountId: string, restApiId: string): boolean {
  if (!isObject(doc)) return false;
  const prefix = `arn:aws:execute-api:${region}:${accountId}:${restApiId}/`;
  let changed = false;
  const expand = (v: unknown): unknown => {
    if (typeof v !== 'string' || !v.startsWith(SHORTHAND)) return v;
    changed = true;
    return prefix + v.slice(SHORTHAND.length);
  };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const s of statements) {
    if (!isObject(s)) continue;
    for (const key of ['Resource', 'NotResource']) {
      const r = s[key];
      if (Array.isArray(r)) s[key] = r.map(expand);
      else if (r !== undefined) s[key] = expand(r);
    }
  }
  return changed;
}

/** What is wrong with a policy text as a resource policy; null when API Gateway would take it. */
export function resourcePolicyProblem(text: string): string | null {
  try {
    parsePolicy(text, 'resource');
    return null;
  } catch (err) {
    if (err instanceof PolicyError) return err.message;
    throw err;
  }
}

/**
 * The policy text to store: `text` with its shorthand expanded for the API (minified, as AWS
 * stores it, when anything was expanded; unchanged otherwise). Call after checking it.
 */
export function storedPolicyText(text: string, region: string, accountId: string, restApiId: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return text;
  }
  return expandShorthand(doc, region, accountId, restApiId) ? JSON.stringify(doc) : text;
}

// ------------------------------------------------------------------ compiled once per deployment

interface CompiledResourcePolicy {
  /** null when the stored text is not a usable policy (an older store took it unchecked). */
  readonly policy: Policy | null;
  readonly problem: string;
  /** arn:aws:execute-api:{region}:{account}:{api}/{stage}/: a request's ARN is this, its verb and its path. */
  readonly arnPrefix: string;
  /** Whether a statement has a Condition: only then are a request's condition keys gathered. */
  readonly conditional: boolean;
}

const compiled = new WeakMap<CompiledApi, CompiledResourcePolicy>();

function compiledPolicy(api: CompiledApi): CompiledResourcePolicy {
  let c = compiled.get(api);
  if (c === undefined) {
    c = compile(api);
    compiled.set(api, c);
  }
  return c;
}

function compile(api: CompiledApi): CompiledResourcePolicy {
  const arnPrefix = `arn:aws:execute-api:${api.region}:${api.accountId}:${api.restApiId}/${api.stageName}/`;
  try {
    let doc: unknown;
    try {
      doc = JSON.parse(api.policy ?? '');
    } catch {
      throw new PolicyError('The policy is not valid JSON');
    }
    // Policies stored before the shorthand was expanded at write time still mean the same.
    expandShorthand(doc, api.region, api.accountId, api.restApiId);
    const policy = parsePolicy(doc, 'resource');
    return { policy, problem: '', arnPrefix, conditional: policy.statements.some((s) => s.condition !== null) };
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    // Once per deployment and stage: what to fix, not a line per request.
    log().error({ restApiId: api.restApiId, stage: api.stageName }, `REST API ${api.restApiId}: its resource policy is invalid (${err.message}); stage ${api.stageName} answers 500 until a valid policy is deployed`);
    return { policy: null, problem: err.message, arnPrefix, conditional: false };
  }
}

// ------------------------------------------------------------------ per request

interface Outcome {
  readonly decision: Decision;
  /** The ARN evaluated, for the refusal's message. */
  readonly resource: string;
}

function evaluate(api: CompiledApi, request: MethodRequest, scope: InvocationScope, principal: CallerPrincipal | null): Outcome {
  const c = compiledPolicy(api);
  if (c.policy === null) throw configurationError(`Invalid resource policy: ${c.problem}`);
  const resource = c.arnPrefix + request.httpMethod + (request.path === '' ? '/' : request.path);
  const decision = c.policy.evaluate({
    action: INVOKE,
    resource,
    principal,
    keys: c.conditional ? conditionKeys(api, request, scope) : undefined,
  });
  return { decision, resource };
}

function conditionKeys(api: CompiledApi, request: MethodRequest, scope: InvocationScope): Record<string, string | undefined> {
  return {
    'aws:sourceip': sourceIp(scope.sourceIp),
    'aws:useragent': request.headersLower['user-agent'],
    'aws:referer': request.headersLower['referer'],
    'aws:requestedregion': api.region,
    // Gatehouse itself serves plain HTTP (as the AWS_IAM step says to identity policies too).
    'aws:securetransport': 'false',
  };
}

/** The peer address as AWS would show it: an IPv4 client of a dual-stack socket is IPv4. */
function sourceIp(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

const ROLE_SESSION = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

/** The verified caller as a Principal element sees it (an assumed role's session also as its role). */
function principalOf(caller: NonNullable<AccessGrants['caller']>): CallerPrincipal {
  const session = ROLE_SESSION.exec(caller.arn);
  if (session === null) return { accountId: caller.accountId, arn: caller.arn };
  return { accountId: caller.accountId, arn: caller.arn, roleArn: `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` };
}

// ------------------------------------------------------------------ the steps

type AuthorizationType = CompiledMethod['access']['authorizationType'];

function step(name: string, types: readonly AuthorizationType[], check: AccessStep['check']): AccessStep {
  return {
    name,
    applies: (method, api) => api.policy !== null && types.includes(method.access.authorizationType),
    check,
  };
}

/** First of all steps: NONE methods (the policy decides) and CUSTOM ones (an explicit deny refuses before the authorizer runs). */
export const resourcePolicy: AccessStepFactory = () =>
  step('resource-policy', ['NONE', 'CUSTOM'], (method, request, scope) => {
    const { decision, resource } = evaluate(scope.api, request, scope, null);
    if (decision === 'Deny') throw notAuthorizedToInvoke('anonymous', resource, true);
    if (method.access.authorizationType === 'CUSTOM') scope.grants.resourcePolicy = decision;
    else if (decision !== 'Allow') throw notAuthorizedToInvoke('anonymous', resource, false);
  });

/** After the AWS_IAM (signature) step: the policy with the verified caller, combined with its IAM policies. */
export const resourcePolicyForIam: AccessStepFactory = () =>
  step('resource-policy-iam', ['AWS_IAM'], (_method, request, scope) => {
    const caller = scope.grants.caller;
    if (caller === undefined) {
      // No signature was verified (no AWS_IAM step in this build): the policy alone decides.
      const { decision, resource } = evaluate(scope.api, request, scope, null);
      if (decision !== 'Allow') throw notAuthorizedToInvoke('anonymous', resource, decision === 'Deny');
      return;
    }
    const { decision, resource } = evaluate(scope.api, request, scope, principalOf(caller));
    const identity = scope.grants.identityPolicy ?? 'Allow';
    if (decision === 'Deny' || identity === 'Deny') throw notAuthorizedToInvoke(caller.arn, resource, true);
    const allowed = caller.accountId === scope.api.accountId
      ? decision === 'Allow' || identity === 'Allow'
      : decision === 'Allow' && identity === 'Allow';
    if (!allowed) throw notAuthorizedToInvoke(caller.arn, resource, false);
  });

/** After the Cognito step: a verified token's caller still needs the policy's Allow. */
export const resourcePolicyForCognito: AccessStepFactory = () =>
  step('resource-policy-cognito', ['COGNITO_USER_POOLS'], (_method, request, scope) => {
    const { decision, resource } = evaluate(scope.api, request, scope, null);
    if (decision !== 'Allow') throw notAuthorizedToInvoke('anonymous', resource, decision === 'Deny');
  });
