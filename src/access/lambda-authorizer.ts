// Lambda authorizers (TOKEN and REQUEST), API Gateway's "custom authorizers": for a method with
// authorizationType CUSTOM, read the identity, answer from the authorizer cache or call the
// function, evaluate the returned policy against the request's method ARN, and hand what it
// returned to the steps and templates after it ($context.authorizer.*, scope.grants).
//
// AWS's answers, each through its gateway response type so a customised one applies:
//   identity source missing or empty, token refused by identityValidationExpression,
//   function failed with the error "Unauthorized"          401 UNAUTHORIZED {"message":"Unauthorized"}
//   policy with a matching Deny                             403 ACCESS_DENIED "...with an explicit deny"
//   policy with no matching Allow                           403 ACCESS_DENIED "User is not authorized to access this resource"
//   function missing or failing, output or policy malformed 500 AUTHORIZER_CONFIGURATION_ERROR {"message":null}
// docs/authorizers.md has the details and the choices made where AWS documents none.
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import { accessDeniedByPolicy, authorizerConfigurationError, GatewayError, unauthorized } from '../execute/errors.ts';
import type { InvocationScope, MethodRequest } from '../execute/types.ts';
import { FUNCTION_ERROR_HEADER, lambdaSelectionSubject } from '../integrations/lambda.ts';
import { LambdaError } from '../lambda/index.ts';
import { AuthorizerCache } from './authorizer-cache.ts';
import { AuthorizerConfigError, compileAuthorizer, readIdentity, type CompiledAuthorizer, type IdentityInput } from './authorizer-config.ts';
import { authorizerEvent, methodArnOf, type EventRequest } from './authorizer-event.ts';
import { AuthorizerOutputError, evaluatePolicy, parseAuthorizerOutput, type AuthorizerResult } from './authorizer-policy.ts';
import type { AccessServices, AccessStep, InvokeResult } from './index.ts';

/** AWS: "For an authorization-enabled method ARN ... the maximum length is 1600 bytes"; longer
 *  (long path parameter values) answers 414. */
const MAX_METHOD_ARN_BYTES = 1600;

export interface AuthorizerRun {
  readonly result: AuthorizerResult;
  /** Milliseconds the function took; 0 for a cached result ($context.authorizer.integrationLatency). */
  readonly latency: number;
}

/** Execution-log lines of one authorizer run (TestInvokeAuthorizer collects them). */
export type RunLog = (line: string) => void;

/** The Lambda authorizers of one Gatehouse process: the access step, and TestInvokeAuthorizer,
 *  which calls functions the same way. */
export class LambdaAuthorizers {
  readonly #services: AccessServices;
  readonly #cache: AuthorizerCache;
  /** Per deployed stage, each authorizer compiled once (or why it cannot run). */
  readonly #compiled = new WeakMap<CompiledApi, Map<string, CompiledAuthorizer | string>>();
  /** Cache misses being answered, so simultaneous requests with one identity call the function once. */
  readonly #inflight = new Map<string, Promise<AuthorizerRun>>();

  constructor(services: AccessServices) {
    this.#services = services;
    this.#cache = new AuthorizerCache(services.shared);
  }

  /** CUSTOM methods, unless their authorizer is a Cognito one (the Cognito step's). */
  applies(method: CompiledMethod, api: CompiledApi): boolean {
    if (method.access.authorizationType !== 'CUSTOM') return false;
    const id = method.access.authorizerId;
    return id === null || api.authorizers.get(id)?.type !== 'COGNITO_USER_POOLS';
  }

  async authorize(method: CompiledMethod, request: MethodRequest, scope: InvocationScope): Promise<void> {
    const api = scope.api;
    const a = this.#authorizerOf(method, api);
    const input: IdentityInput = {
      headersLower: request.headersLower,
      querystring: request.querystring,
      multiValueQuerystring: request.multiValueQuerystring,
      stageVariables: api.stageVariables,
      context: scope.context,
    };
    const identity = readIdentity(a, input);
    if (identity === null) throw unauthorized(`Unauthorized request: ${scope.requestId} (an identity source is missing or empty)`);
    if (a.validation !== null && !a.validation.test(identity[0]!)) {
      throw unauthorized(`Unauthorized request: ${scope.requestId} (the token does not match the identity validation expression)`);
    }
    const methodArn = methodArnOf(api.region, api.accountId, api.restApiId, api.stageName, request.httpMethod, request.path);
    if (methodArn.length > MAX_METHOD_ARN_BYTES && Buffer.byteLength(methodArn) > MAX_METHOD_ARN_BYTES) {
      throw new GatewayError('DEFAULT_4XX', 'Request-URI Too Long', { status: 414, errorType: 'RequestUriTooLongException' });
    }
    const event = (): EventRequest => ({
      resource: method.resourcePath,
      path: request.path,
      httpMethod: request.httpMethod,
      headers: request.headers,
      querystring: request.querystring,
      multiValueQuerystring: request.multiValueQuerystring,
      pathParameters: request.pathParameters,
      stageVariables: api.stageVariables,
      context: scope.context,
    });
    const run = a.ttlSeconds === 0
      ? await this.run(a, identity, methodArn, event(), api)
      : await this.#cached(api, a, identity, () => this.run(a, identity, methodArn, event(), api));
    grant(scope, run);
    const decision = evaluatePolicy(run.result, methodArn, scope.sourceIp);
    if (decision !== 'ALLOW') throw accessDeniedByPolicy(decision === 'EXPLICIT_DENY');
  }

  /** Calls the authorizer's function and checks its output (no cache). */
  async run(a: CompiledAuthorizer, identity: readonly string[], methodArn: string, r: EventRequest, where: { accountId: string; region: string }, log?: RunLog): Promise<AuthorizerRun> {
    if (a.functionRef === null) throw authorizerConfigurationError(`Invalid authorizer URI: ${a.uri}. Gatehouse runs Lambda function URIs only`);
    const invoke = this.#services.invokeFunction;
    if (invoke === undefined) throw authorizerConfigurationError('no Lambda service runs authorizer functions in this process');
    const body = JSON.stringify(authorizerEvent(a, identity, methodArn, r));
    log?.(`Endpoint request URI: https://lambda.${where.region}.amazonaws.com/2015-03-31/functions/${a.functionRef}/invocations`);
    log?.(`Endpoint request body after transformations: ${body}`);
    const started = performance.now();
    let out: InvokeResult;
    try {
      out = await invoke(a.functionRef, Buffer.from(body, 'utf8'), { accountId: where.accountId, region: where.region });
    } catch (err) {
      if (err instanceof LambdaError) throw authorizerConfigurationError(`Lambda invocation failed with status: ${err.statusCode}. ${err.name}: ${err.message}`);
      throw err;
    }
    const latency = Math.round(performance.now() - started);
    log?.(`Authorizer result body before parsing: ${out.payload.toString('utf8')}`);
    if (out.functionError !== undefined) {
      const message = lambdaSelectionSubject({ statusCode: out.statusCode, headers: { [FUNCTION_ERROR_HEADER]: out.functionError }, body: out.payload });
      // Only this exact message means "no identity"; any other error is the authorizer's fault.
      if (message === 'Unauthorized') throw unauthorized('Unauthorized request: the authorizer function failed with "Unauthorized"');
      throw authorizerConfigurationError(`Authorizer error: the function failed: ${message}`);
    }
    try {
      return { result: parseAuthorizerOutput(out.payload), latency };
    } catch (err) {
      if (err instanceof AuthorizerOutputError) throw authorizerConfigurationError(err.message);
      throw err;
    }
  }

  async #cached(api: CompiledApi, a: CompiledAuthorizer, identity: readonly string[], call: () => Promise<AuthorizerRun>): Promise<AuthorizerRun> {
    const key = this.#cache.key(api, a, identity);
    const hit = await this.#cache.get(key);
    if (hit !== undefined) return { result: hit, latency: 0 };
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      pending = (async () => {
        try {
          const run = await call();
          // Only a usable result is cached; errors and 401s call the function again next time.
          await this.#cache.set(key, run.result, a.ttlSeconds);
          return run;
        } finally {
          this.#inflight.delete(key);
        }
      })();
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  #authorizerOf(method: CompiledMethod, api: CompiledApi): CompiledAuthorizer {
    const id = method.access.authorizerId ?? '';
    let byId = this.#compiled.get(api);
    if (byId === undefined) this.#compiled.set(api, (byId = new Map()));
    let a = byId.get(id);
    if (a === undefined) {
      const stored = api.authorizers.get(id);
      if (stored === undefined) a = `the method's authorizer ${id === '' ? '(none)' : id} is not in the deployment`;
      else {
        try {
          a = compileAuthorizer(stored, api.stageVariables);
        } catch (err) {
          if (!(err instanceof AuthorizerConfigError)) throw err;
          a = err.message;
        }
      }
      byId.set(id, a);
    }
    if (typeof a === 'string') throw authorizerConfigurationError(a);
    return a;
  }
}

/** What the authorizer returned, for the templates ($context.authorizer.*), the AWS_PROXY event
 *  (requestContext.authorizer) and the API-key step (usageIdentifierKey). */
function grant(scope: InvocationScope, run: AuthorizerRun): void {
  const { result } = run;
  const authorizer: Record<string, unknown> = { ...result.context };
  if (result.principalId !== undefined) {
    authorizer.principalId = result.principalId;
    scope.grants.principalId = result.principalId;
  }
  authorizer.integrationLatency = run.latency;
  scope.context.authorizer = authorizer;
  if (result.usageIdentifierKey !== undefined) scope.grants.usageIdentifierKey = result.usageIdentifierKey;
}

// The control plane reaches the process's authorizers through the store it shares with the
// execution plane, as TestInvokeMethod reaches the integrations (src/execute/test-invoke.ts).
const byStore = new WeakMap<object, LambdaAuthorizers>();

/** The Lambda authorizers serving APIs in `store` (TestInvokeAuthorizer). */
export function lambdaAuthorizersFor(store: object): LambdaAuthorizers | undefined {
  return byStore.get(store);
}

export function lambdaAuthorizerStep(services: AccessServices): AccessStep {
  const authorizers = new LambdaAuthorizers(services);
  byStore.set(services.store, authorizers);
  return {
    name: 'lambda-authorizer',
    applies: (method, api) => authorizers.applies(method, api),
    check: (method, request, scope) => authorizers.authorize(method, request, scope),
  };
}
