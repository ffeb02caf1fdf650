// IAM policy documents: parsed and compiled once (patterns to matchers, conditions to functions),
// then evaluated per request without allocation beyond the request's own condition keys.
// Evaluation follows IAM's logic: an explicit Deny in any statement wins, otherwise an Allow
// grants, otherwise the request is implicitly denied ('NotApplicable': no statement applies).
//
// Used for identity policies (users and roles in --identities, src/iam/identities.ts), for
// execute-api resource policies (the REST API's `policy`), and for anything else that speaks
// IAM's policy language. Resource policies name principals; identity policies must not.
import { compileCondition, PolicyError, type Condition, type ConditionSource } from './conditions.ts';
import { hasVariables, variableWildcard } from './variables.ts';
import { anyOf, wildcard } from './wildcard.ts';

export { PolicyError } from './conditions.ts';

export type Decision = 'Allow' | 'Deny' | 'NotApplicable';

/** Who is asking, as a resource policy's Principal element sees it. */
export interface CallerPrincipal {
  readonly accountId: string;
  /** arn:aws:iam::123456789012:user/alice, or arn:aws:sts::123456789012:assumed-role/Role/session. */
  readonly arn: string;
  /** For an assumed-role session: the role's own ARN (arn:aws:iam::123456789012:role/Role). */
  readonly roleArn?: string;
  /** An AWS service principal (apigateway.amazonaws.com), when a service is the caller. */
  readonly service?: string;
  /** aws:userid: the user's unique id, or ROLEID:session for a role session. */
  readonly userId?: string;
  /** aws:username, for users only. */
  readonly userName?: string;
}

export interface AuthorizationRequest {
  /** service:Action, e.g. execute-api:Invoke, apigateway:DELETE. */
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  /** The caller; null for an anonymous (unsigned) request. Needed by policies with principals. */
  readonly principal?: CallerPrincipal | null;
  /** Request condition keys with lower-cased names ('aws:sourceip'); arrays for multi-valued keys. */
  readonly keys?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Milliseconds since the epoch; Date.now() when omitted. */
  readonly now?: number;
}

export interface Policy {
  readonly statements: readonly CompiledStatement[];
  evaluate(request: AuthorizationRequest): Decision;
}

export interface CompiledStatement {
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** Action, resource and principal match the request (the condition aside). */
  targets(request: AuthorizationRequest): boolean;
  readonly condition: Condition | null;
}

export type PolicyKind = 'identity' | 'resource';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const NONE = { test: () => false };

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);

/**
 * Parses and compiles a policy document (JSON text or the parsed object). Throws PolicyError with
 * what is wrong for a document IAM would reject as malformed.
 */
export function parsePolicy(document: unknown, kind: PolicyKind): Policy {
  let doc = document;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      throw new PolicyError('The policy is not valid JSON');
    }
  }
  if (!isObject(doc)) throw new PolicyError('The policy must be a JSON object');
  for (const key of Object.keys(doc)) {
    if (key !== 'Version' && key !== 'Id' && key !== 'Statement') throw new PolicyError(`Unknown policy element ${key}`);
  }
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    throw new PolicyError(`The policy version ${String(doc.Version)} is not valid; use 2012-10-17`);
  }
  const raw = doc.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length === 0) throw new PolicyError('The policy must have at least one statement');
  const variables = doc.Version === '2012-10-17';
  const statements = list.map((s, i) => compileStatement(s, i, kind, variables));
  return {
    statements,
    evaluate: (request) => evaluateStatements(statements, request),
  };
}

/** Several policies together (a user's inline policies): an explicit Deny in any wins, then any Allow. */
export function evaluatePolicies(policies: readonly Policy[], request: AuthorizationRequest): Decision {
  let allowed = false;
  for (const p of policies) {
    const d = p.evaluate(request);
    if (d === 'Deny') return 'Deny';
    if (d === 'Allow') allowed = true;
  }
  return allowed ? 'Allow' : 'NotApplicable';
}

function evaluateStatements(statements: readonly CompiledStatement[], request: AuthorizationRequest): Decision {
  // The condition keys are gathered only when a statement with a condition is reached.
  let source: ConditionSource | null = null;
  let allowed = false;
  for (const s of statements) {
    if (!s.targets(request)) continue;
    if (s.condition !== null && !s.condition((source ??= conditionSource(request)))) continue;
    if (s.effect === 'Deny') return 'Deny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'NotApplicable';
}

/** The condition keys of a request: those it carries, and the global keys derived from its caller and clock. */
function conditionSource(request: AuthorizationRequest): ConditionSource {
  const now = request.now ?? Date.now();
  const keys = request.keys;
  const p = request.principal;
  return {
    now,
    value(key) {
      const given = keys?.[key];
      if (given !== undefined) return given;
      switch (key) {
        case 'aws:currenttime':
          return new Date(now).toISOString();
        case 'aws:epochtime':
          return String(Math.floor(now / 1000));
        case 'aws:principalaccount':
          return p?.accountId;
        case 'aws:principalarn':
          return p === null || p === undefined ? undefined : (p.roleArn ?? p.arn);
        case 'aws:userid':
          return p?.userId;
        case 'aws:username':
          return p?.userName;
        case 'aws:principaltype':
          return p === null || p === undefined ? 'Anonymous' : p.roleArn !== undefined ? 'AssumedRole' : p.arn.endsWith(':root') ? 'Account' : 'User';
        default:
          return undefined;
      }
    },
  };
}

function stringList(raw: unknown, element: string, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || !list.every((v) => typeof v === 'string')) {
    throw new PolicyError(`${where}: ${element} must be a string or a non-empty list of strings`);
  }
  return list as string[];
}

function compileStatement(raw: unknown, index: number, kind: PolicyKind, variables: boolean): CompiledStatement {
  const where = `Statement ${index + 1}`;
  if (!isObject(raw)) throw new PolicyError(`${where} must be an object`);
  for (const key of Object.keys(raw)) if (!STATEMENT_KEYS.has(key)) throw new PolicyError(`${where}: unknown element ${key}`);
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') throw new PolicyError(`${where}: Sid must be a string`);
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') throw new PolicyError(`${where}: Effect must be Allow or Deny`);

  const action = pick(raw, 'Action', 'NotAction', where);
  const actionMatcher = anyOf(stringList(action.value, action.name, where).map((a) => {
    if (a !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]*$/.test(a)) throw new PolicyError(`${where}: '${a}' is not an action (service:Action)`);
    return wildcard(a, true);
  }));
  const resource = pick(raw, 'Resource', 'NotResource', where);
  const resources = stringList(resource.value, resource.name, where);
  // Patterns with policy variables (variables.ts) are resolved per request; the rest compile once.
  const withVariables = variables ? resources.filter(hasVariables).map(variableWildcard) : [];
  const staticResources = variables ? resources.filter((r) => !hasVariables(r)) : resources;
  const resourceMatcher = staticResources.length === 0 ? NONE : anyOf(staticResources.map((r) => wildcard(r)));
  const resourceMatches = withVariables.length === 0
    ? (request: AuthorizationRequest) => resourceMatcher.test(request.resource)
    : (request: AuthorizationRequest) => {
      if (resourceMatcher.test(request.resource)) return true;
      const source = conditionSource(request);
      return withVariables.some((m) => m.test(request.resource, source));
    };

  let principalTest: ((p: CallerPrincipal | null | undefined) => boolean) | null = null;
  const hasPrincipal = raw.Principal !== undefined || raw.NotPrincipal !== undefined;
  if (kind === 'identity' && hasPrincipal) throw new PolicyError(`${where}: an identity policy must not name a Principal`);
  if (kind === 'resource') {
    const principal = pick(raw, 'Principal', 'NotPrincipal', where);
    const matches = compilePrincipal(principal.value, where);
    principalTest = principal.name === 'Principal' ? matches : (p) => !matches(p);
  }
  const condition: Condition | null = compileCondition(raw.Condition);
  const actionWanted = action.name === 'Action';
  const resourceWanted = resource.name === 'Resource';

  return {
    sid: raw.Sid as string | undefined,
    effect,
    condition,
    targets(request) {
      if (actionMatcher.test(request.action) !== actionWanted) return false;
      if (resourceMatches(request) !== resourceWanted) return false;
      return principalTest === null || principalTest(request.principal);
    },
  };
}

/** Exactly one of the element and its Not form. */
function pick(raw: Record<string, unknown>, name: string, notName: string, where: string): { name: string; value: unknown } {
  const has = raw[name] !== undefined;
  const hasNot = raw[notName] !== undefined;
  if (has && hasNot) throw new PolicyError(`${where}: use ${name} or ${notName}, not both`);
  if (!has && !hasNot) throw new PolicyError(`${where}: ${name} (or ${notName}) is required`);
  return has ? { name, value: raw[name] } : { name: notName, value: raw[notName] };
}

const ACCOUNT = /^\d{12}$/;
const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const IAM_ENTITY = /^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/[\w+=,.@/-]+$/;
const ROLE_SESSION = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+$/;

/** A Principal (or NotPrincipal) element: "*", or {"AWS": ..., "Service": ..., "Federated": ...}. */
function compilePrincipal(raw: unknown, where: string): (p: CallerPrincipal | null | undefined) => boolean {
  if (raw === '*') return () => true;
  if (!isObject(raw)) throw new PolicyError(`${where}: Principal must be "*" or an object such as {"AWS": ...}`);
  let everyone = false;
  const accounts = new Set<string>();
  const arns = new Set<string>();
  const services = new Set<string>();
  for (const [type, value] of Object.entries(raw)) {
    const values = stringList(value, `Principal ${type}`, where);
    switch (type) {
      case 'AWS':
        for (const v of values) {
          if (v === '*') everyone = true;
          else if (ACCOUNT.test(v)) accounts.add(v);
          else if (ROOT.test(v)) accounts.add(ROOT.exec(v)![1]!);
          else if (IAM_ENTITY.test(v) || ROLE_SESSION.test(v)) arns.add(v);
          else throw new PolicyError(`${where}: invalid principal "AWS": "${v}"`);
        }
        break;
      case 'Service':
        for (const v of values) services.add(v);
        break;
      case 'Federated':
      case 'CanonicalUser':
        // Accepted as AWS accepts them; no caller of this gateway is ever one of these.
        break;
      default:
        throw new PolicyError(`${where}: unknown principal type ${type}`);
    }
  }
  if (everyone) return () => true;
  return (p) => {
    if (p === null || p === undefined) return false;
    if (p.service !== undefined) return services.has(p.service);
    return accounts.has(p.accountId) || arns.has(p.arn) || (p.roleArn !== undefined && arns.has(p.roleArn));
  };
}
