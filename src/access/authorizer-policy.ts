// What a Lambda authorizer returns, checked and compiled once per result: the principal, the IAM
// policy compiled to matchers, the context map, the usage identifier key. A compiled result is
// evaluated against each request's method ARN, so one cached result answers every method it
// covers (and denies the ones it does not), as API Gateway's authorizer cache does.
//
// Evaluation is IAM's (src/iam/policy.ts) for the one action API Gateway asks about,
// execute-api:Invoke: an explicit Deny that matches wins, else an Allow that matches admits, else
// the request is denied. Conditions see the request's aws:SourceIp and the clock.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
import { parsePolicy, PolicyError, type Policy } from '../iam/policy.ts';

/** The output is not what API Gateway accepts; AWS answers 500 AuthorizerConfigurationException. */
export class AuthorizerOutputError extends Error {}

export type PolicyDecision = 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

export interface AuthorizerResult {
  /** undefined when the function returned none (AWS accepts an output with a policy only). */
  readonly principalId: string | undefined;
  readonly policy: Policy;
  /** Whether a statement has a Condition (only then are the request's condition keys gathered). */
  readonly conditional: boolean;
  /** The policy document as the function returned it (TestInvokeAuthorizer shows it). */
  readonly policyJson: string;
  /** Every value stringified, as $context.authorizer.* and the proxy event show them. */
  readonly context: Readonly<Record<string, string>>;
  readonly usageIdentifierKey: string | undefined;
}

const INVOKE = 'execute-api:Invoke';

/** Parses a Lambda authorizer's output (the function's JSON result, or a cached copy of one). */
export function parseAuthorizerOutput(payload: Buffer | string): AuthorizerResult {
  let out: unknown;
  try {
    out = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    throw new AuthorizerOutputError('Could not parse policy: the authorizer result is not JSON');
  }
  if (!isObject(out)) throw new AuthorizerOutputError('Could not parse policy: the authorizer result is not a JSON object');
  const doc = out.policyDocument;
  if (!isObject(doc)) throw new AuthorizerOutputError('Could not parse policy: policyDocument is missing or not an object');
  let policy: Policy;
  try {
    policy = parsePolicy(doc, 'identity');
  } catch (err) {
    if (err instanceof PolicyError) throw new AuthorizerOutputError(`Could not parse policy: ${err.message}`);
    throw err;
  }
  return {
    principalId: principalOf(out.principalId),
    policy,
    conditional: policy.statements.some((st) => st.condition !== null),
    policyJson: JSON.stringify(doc),
    context: contextOf(out.context),
    usageIdentifierKey: usageKeyOf(out.usageIdentifierKey),
  };
}

/** The canonical form of a result, as the authorizer cache stores it (parseAuthorizerOutput reads it back). */
export function serializeResult(r: AuthorizerResult): string {
  return `{"principalId":${JSON.stringify(r.principalId ?? null)},"policyDocument":${r.policyJson},"context":${JSON.stringify(r.context)},"usageIdentifierKey":${JSON.stringify(r.usageIdentifierKey ?? null)}}`;
}

/** The decision for one request: `sourceIp` feeds aws:SourceIp in the policy's conditions. */
export function evaluatePolicy(result: AuthorizerResult, methodArn: string, sourceIp: string): PolicyDecision {
  const decision = result.policy.evaluate(
    result.conditional ? { action: INVOKE, resource: methodArn, keys: { 'aws:sourceip': sourceIp } } : { action: INVOKE, resource: methodArn },
  );
  return decision === 'Allow' ? 'ALLOW' : decision === 'Deny' ? 'EXPLICIT_DENY' : 'IMPLICIT_DENY';
}

function principalOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new AuthorizerOutputError('Invalid principalId: it must be a string');
}

function contextOf(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new AuthorizerOutputError('Invalid context: it must be a map of keys to strings, numbers or booleans');
  const out: Record<string, string> = {};
  for (const k in v) {
    const value = v[k];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new AuthorizerOutputError(`Invalid context: the value of '${k}' is not a string, number or boolean (objects and arrays are not allowed)`);
    }
    out[k] = String(value);
  }
  return out;
}

function usageKeyOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AuthorizerOutputError('Invalid usageIdentifierKey: it must be a string');
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
