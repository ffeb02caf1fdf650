// Integration: hands the endpoint request to the integration registered for the method's type,
// and times the call: $context.integrationLatency (ms) and $context.integrationStatus, as AWS's
// access log variables name them (CloudWatch's IntegrationLatency is counted from the same figure).
// The pipeline calls integrationAnswered/integrationFailed from its own continuation, so timing a
// call adds no promise of its own (this runs per request).
import type { CompiledMethod } from '../../deploy/index.ts';
import type { EndpointResponse, IntegrationRegistry, IntegrationRequest } from '../../integrations/index.ts';
import type { InvocationScope, MethodRequest } from '../types.ts';
import { javaMap } from './method-request.ts';
import { loggedUri } from './integration-request.ts';

/** A value when the integration answered at once (MOCK), else a promise; `started` is performance.now() before the call. */
export function integration(
  registry: IntegrationRegistry,
  method: CompiledMethod,
  req: IntegrationRequest,
  scope: InvocationScope,
  request: MethodRequest,
  started: number,
): EndpointResponse | Promise<EndpointResponse> {
  // MOCK logs no endpoint lines.
  if (scope.log !== null && method.integration.type !== 'MOCK') scope.log.line(`Sending request to ${loggedUri(method.integration.type, req.uri)}`);
  try {
    return registry[method.integration.type].invoke(req, { method, request, scope });
  } catch (err) {
    integrationFailed(scope, started);
    throw err;
  }
}

/** The integration answered: its latency and status go to $context, its answer to the execution log. */
export function integrationAnswered(method: CompiledMethod, res: EndpointResponse, scope: InvocationScope, started: number): void {
  const latency = Math.round(performance.now() - started);
  scope.context.integrationLatency = latency;
  scope.context.integrationStatus = res.statusCode;
  const log = scope.log;
  if (log === null || method.integration.type === 'MOCK') return;
  log.line(`Received response. Status: ${res.statusCode}, Integration latency: ${latency} ms`);
  log.line(`Endpoint response headers: ${javaMap(res.headers)}`);
  log.line(`Endpoint response body before transformations: ${res.body.toString('utf8')}`);
}

/** The integration failed (unreachable, timed out): its latency still goes to $context. */
export function integrationFailed(scope: InvocationScope, started: number): void {
  scope.context.integrationLatency = Math.round(performance.now() - started);
}
