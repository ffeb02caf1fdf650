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
import { AuthorizerConfigError, compileAuthorizer, readIdentity, type CompiledAuthorizer } from './authorizer-config.ts';
import { authorizerEvent, methodArnOf, type EventRequest } from './authorizer-event.ts';
import { AuthorizerOutputError, evaluatePolicy, parseAuthorizerOutput, type AuthorizerResult, type PolicyDecision } from './authorizer-policy.ts';
import type { AccessServices, AccessStep, InvokeResult } from './index.ts';

/** AWS: "For an authorization-enabled method ARN ... the maximum length is 1600 bytes"; longer
 *  (long path parameter values) answers 414. */
const MAX_METHOD_ARN_BYTES = 1600;
/** Method ARNs whose decision is remembered per result (at most 10,000 results are remembered). */
const DECISIONS_PER_RESULT = 16;

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
  /** $context.authorizer of each cached result, shared by the requests it answers. */
  readonly #contexts = new WeakMap<AuthorizerResult, Readonly<Record<string, unknown>>>();
  /** Each result's recent decisions by method ARN (#decide). */
  readonly #decisions = new WeakMap<AuthorizerResult, Map<string, PolicyDecision>>();

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

  /** Synchronous (no promise) when the result is in this process's memory; a refusal is thrown. */
  authorize(method: CompiledMethod, request: MethodRequest, scope: InvocationScope): Promise<void> | undefined {
    const api = scope.api;
    const a = this.#authorizerOf(method, api);
    const identity = readIdentity(a, {
      headersLower: request.headersLower,
      querystring: request.querystring,
      multiValueQuerystring: request.multiValueQuerystring,
      stageVariables: api.stageVariables,
      context: scope.context,
    });
    if (identity === null) throw unauthorized(`Unauthorized request: ${scope.requestId} (an identity source is missing or empty)`);
    if (a.validation !== null && !a.validation.test(identity[0]!)) {
      throw unauthorized(`Unauthorized request: ${scope.requestId} (the token does not match the identity validation expression)`);
    }
    const methodArn = methodArnOf(api.region, api.accountId, api.restApiId, api.stageName, request.httpMethod, request.path);
    if (methodArn.length > MAX_METHOD_ARN_BYTES && Buffer.byteLength(methodArn) > MAX_METHOD_ARN_BYTES) {
      throw new GatewayError('DEFAULT_4XX', 'Request-URI Too Long', { status: 414, errorType: 'RequestUriTooLongException' });
    }
    let key: string | null = null;
    let missed = false;
    if (a.ttlSeconds > 0) {
      key = this.#cache.key(api, a, identity);
      const hit = this.#cache.getNow(key);
      if (hit !== undefined && hit !== null) return this.#admit(scope, hit, 0, methodArn);
      missed = hit === null;
    }
    return this.#authorizeAsync(a, identity, methodArn, key, missed, method, request, scope);
  }

  async #authorizeAsync(
    a: CompiledAuthorizer, identity: readonly string[], methodArn: string, key: string | null, missed: boolean,
    method: CompiledMethod, request: MethodRequest, scope: InvocationScope,
  ): Promise<void> {
    const call = (): Promise<AuthorizerRun> => this.#call(a, identity, methodArn, method, request, scope);
    const run = key === null ? await call() : await this.#cached(key, a, missed, call);
    this.#admit(scope, run.result, run.latency, methodArn);
  }

  #call(a: CompiledAuthorizer, identity: readonly string[], methodArn: string, method: CompiledMethod, request: MethodRequest, scope: InvocationScope): Promise<AuthorizerRun> {
    return this.run(a, identity, methodArn, {
      resource: method.resourcePath,
      path: request.path,
      httpMethod: request.httpMethod,
      headers: request.headers,
      querystring: request.querystring,
      multiValueQuerystring: request.multiValueQuerystring,
      pathParameters: request.pathParameters,
      stageVariables: scope.api.stageVariables,
      context: scope.context,
    }, scope.api);
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

  /** `missed`: the cache was read already (in memory) and had nothing. */
  async #cached(key: string, a: CompiledAuthorizer, missed: boolean, call: () => Promise<AuthorizerRun>): Promise<AuthorizerRun> {
    if (!missed) {
      const hit = await this.#cache.get(key);
      if (hit !== undefined) return { result: hit, latency: 0 };
    }
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

  /**
   * Hands what the authorizer returned to the templates ($context.authorizer.*), the AWS_PROXY
   * event (requestContext.authorizer) and the API-key step (usageIdentifierKey), then applies its
   * policy to this request's method ARN. A cached result's $context.authorizer is the same for
   * every request (its integrationLatency is 0), so it is built once and shared, frozen.
   */
  #admit(scope: InvocationScope, result: AuthorizerResult, latency: number, methodArn: string): undefined {
    let authorizer = latency === 0 ? this.#contexts.get(result) : undefined;
    if (authorizer === undefined) {
      const built: Record<string, unknown> = { ...result.context };
      if (result.principalId !== undefined) built.principalId = result.principalId;
      built.integrationLatency = latency;
      authorizer = Object.freeze(built);
      if (latency === 0) this.#contexts.set(result, authorizer);
    }
    scope.context.authorizer = authorizer;
    if (result.principalId !== undefined) scope.grants.principalId = result.principalId;
    if (result.usageIdentifierKey !== undefined) scope.grants.usageIdentifierKey = result.usageIdentifierKey;
    const decision = result.conditional ? evaluatePolicy(result, methodArn, scope.sourceIp) : this.#decide(result, methodArn);
    // AWS's table A: the authorizer's silence admits a caller the API's resource policy allows (src/access/resource-policy.ts).
    if (decision === 'EXPLICIT_DENY' || (decision === 'IMPLICIT_DENY' && scope.grants.resourcePolicy !== 'Allow')) throw accessDeniedByPolicy(decision === 'EXPLICIT_DENY');
    return undefined;
  }

  /** A policy without conditions decides by the method ARN alone: the last few decisions of each
   *  cached result are remembered (a wildcard test costs more than the lookup). */
  #decide(result: AuthorizerResult, methodArn: string): PolicyDecision {
    let known = this.#decisions.get(result);
    if (known === undefined) this.#decisions.set(result, (known = new Map()));
    let d = known.get(methodArn);
    if (d === undefined) {
      d = evaluatePolicy(result, methodArn, '');
      if (known.size >= DECISIONS_PER_RESULT) known.clear();
      known.set(methodArn, d);
    }
    return d;
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
