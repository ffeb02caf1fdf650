// Request-time access control and traffic checks, run between the method request and the
// integration request in the order API Gateway runs them (its "order of checks"): the
// resource policy and the method's authorization (AWS_IAM, a Lambda authorizer, Cognito), then
// the API key, then throttling and quotas. Each check is a step in a file of its own; a step
// that has nothing to do for a method costs one branch, and a method no step applies to runs
// no step at all (no promise, no allocation).
import type { GatehouseConfig } from '../config.ts';
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import type { ChangeFeed } from '../feed/index.ts';
import type { SharedState } from '../shared/index.ts';
import type { Store } from '../store/index.ts';
import type { InvocationScope, MethodRequest } from '../execute/types.ts';

/** What steps may use. Everything a step needs per request must be in memory (built from the
 *  store at start and kept current by the change feed), never read from the store per request. */
export interface AccessServices {
  readonly config: GatehouseConfig;
  readonly store: Store;
  readonly shared: SharedState;
  readonly feed: ChangeFeed;
  /** Tests only: the shared state's clock, for what steps time themselves (Date.now by default). */
  readonly clock?: () => number;
  /** Runs a Gatehouse Lambda function synchronously (authorizers), by function name or ARN. */
  readonly invokeFunction?: (functionArn: string, payload: Buffer, scope: { accountId: string; region: string }) => Promise<InvokeResult>;
}

export interface InvokeResult {
  readonly statusCode: number;
  readonly payload: Buffer;
  /** Set when the function failed ('Unhandled' or 'Handled'). */
  readonly functionError?: string;
}

/** One check. `applies` is decided once per compiled method (cached by the chain), so the hot path
 *  asks it once per method, not once per request. */
export interface AccessStep {
  readonly name: string;
  applies(method: CompiledMethod, api: CompiledApi): boolean;
  /** Throws a GatewayError (src/execute/errors.ts) to refuse; may fill scope.context and scope.grants. */
  check(method: CompiledMethod, request: MethodRequest, scope: InvocationScope): Promise<void> | void;
  close?(): Promise<void>;
}

export type AccessStepFactory = (services: AccessServices) => AccessStep;

export interface Access {
  /** Runs the steps that apply to the method; undefined when all of them answered synchronously
   *  (or none applies). A refusal is thrown, synchronously or through the promise. */
  check(method: CompiledMethod, request: MethodRequest, scope: InvocationScope): Promise<void> | undefined;
  close(): Promise<void>;
}

export function createAccess(services: AccessServices, factories: readonly AccessStepFactory[]): Access {
  const steps = factories.map((f) => f(services));
  // Which steps apply to a compiled method; compiled methods are immutable and replaced on every
  // redeploy, so a WeakMap entry lives exactly as long as its method.
  const plans = new WeakMap<CompiledMethod, readonly AccessStep[]>();

  // Steps that answer synchronously (an in-memory key lookup, a token from an in-process
  // bucket) cost no promise: only a step that must wait makes the rest wait with it.
  function run(plan: readonly AccessStep[], from: number, method: CompiledMethod, request: MethodRequest, scope: InvocationScope): Promise<void> | undefined {
    for (let i = from; i < plan.length; i++) {
      const r = plan[i]!.check(method, request, scope);
      if (r !== undefined) {
        const next = i + 1;
        return next === plan.length ? r : r.then(() => run(plan, next, method, request, scope));
      }
    }
    return undefined;
  }

  return {
    check(method, request, scope) {
      let plan = plans.get(method);
      if (plan === undefined) {
        plan = steps.filter((s) => s.applies(method, scope.api));
        plans.set(method, plan);
      }
      if (plan.length === 0) return undefined;
      return run(plan, 0, method, request, scope);
    },
    async close() {
      await Promise.allSettled(steps.map((s) => s.close?.()));
    },
  };
}
