// Integration: hands the endpoint request to the integration registered for the method's type.
import type { CompiledMethod } from '../../deploy/index.ts';
import type { EndpointResponse, IntegrationRegistry, IntegrationRequest } from '../../integrations/index.ts';
import type { InvocationScope, MethodRequest } from '../types.ts';
import { javaMap } from './method-request.ts';
import { loggedUri } from './integration-request.ts';

/** A value when the integration answered at once (MOCK), else a promise. */
export function integration(
  registry: IntegrationRegistry,
  method: CompiledMethod,
  req: IntegrationRequest,
  scope: InvocationScope,
  request: MethodRequest,
): EndpointResponse | Promise<EndpointResponse> {
  const log = scope.log;
  const call = { method, request, scope };
  // MOCK logs no endpoint lines.
  if (log === null || method.integration.type === 'MOCK') return registry[method.integration.type].invoke(req, call);
  log.line(`Sending request to ${loggedUri(method.integration.type, req.uri)}`);
  const started = performance.now();
  return Promise.resolve(registry[method.integration.type].invoke(req, call)).then((res) => {
    log.line(`Received response. Status: ${res.statusCode}, Integration latency: ${Math.round(performance.now() - started)} ms`);
    log.line(`Endpoint response headers: ${javaMap(res.headers)}`);
    log.line(`Endpoint response body before transformations: ${res.body.toString('utf8')}`);
    return res;
  });
}
