// Integration: hands the endpoint request to the integration registered for the method's type.
import type { CompiledMethod } from '../../deploy/index.ts';
import type { EndpointResponse, IntegrationRegistry, IntegrationRequest } from '../../integrations/index.ts';
import type { InvocationScope, MethodRequest } from '../types.ts';
import { javaMap } from './method-request.ts';
import { loggedUri } from './integration-request.ts';

export async function integration(
  registry: IntegrationRegistry,
  method: CompiledMethod,
  req: IntegrationRequest,
  scope: InvocationScope,
  request: MethodRequest,
): Promise<EndpointResponse> {
  const log = scope.log;
  const call = { method, request, scope };
  if (log === null) return registry[method.integration.type].invoke(req, call);
  if (method.integration.type !== 'MOCK') log.line(`Sending request to ${loggedUri(method.integration.type, req.uri)}`);
  const started = performance.now();
  const res = await registry[method.integration.type].invoke(req, call);
  if (method.integration.type !== 'MOCK') {
    log.line(`Received response. Status: ${res.statusCode}, Integration latency: ${Math.round(performance.now() - started)} ms`);
    log.line(`Endpoint response headers: ${javaMap(res.headers)}`);
    log.line(`Endpoint response body before transformations: ${res.body.toString('utf8')}`);
  }
  return res;
}
