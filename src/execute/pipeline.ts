// The execution pipeline, in the order API Gateway runs it. Each stage takes what it needs and
// returns its product; every failure is a GatewayError, rendered once, by gateway-response.
import type { Access } from '../access/index.ts';
import type { ResponseCache } from '../cache/index.ts';
import type { CompiledMethod } from '../deploy/index.ts';
import type { EndpointResponse, IntegrationRegistry } from '../integrations/index.ts';
import { FUNCTION_ERROR_HEADER, lambdaSelectionSubject } from '../integrations/lambda.ts';
import { gatewayResponse } from './stages/gateway-response.ts';
import { integration } from './stages/integration.ts';
import { integrationRequest } from './stages/integration-request.ts';
import { selectIntegrationResponse } from './stages/integration-response.ts';
import { methodRequest } from './stages/method-request.ts';
import { methodResponse, proxyResponse } from './stages/method-response.ts';
import { routeRequest } from './stages/route-request.ts';
import type { IncomingRequest, InvocationScope, MethodRequest, MethodResponse } from './types.ts';

export async function runPipeline(
  integrations: IntegrationRegistry,
  req: IncomingRequest,
  scope: InvocationScope,
  onBug?: (err: unknown) => void,
  access?: Access,
  cache?: ResponseCache,
): Promise<MethodResponse> {
  let request: MethodRequest | null = null;
  try {
    const routed = routeRequest(scope.api, req.httpMethod, req.path);
    request = methodRequest(routed, req, scope);
    // Resource policy, authorization, API key, throttling and quotas, in AWS's order.
    const gate = access?.check(routed.method, request, scope);
    if (gate !== undefined) await gate;
    // Request validation: after access control, before the cache and the integration request.
    routed.method.requestCheck?.check(request);
    // The stage cache: a hit answers without the integration; a 2xx miss is stored.
    const cached = cache?.forMethod(routed.method, scope.api) ?? null;
    if (cached === null) return await invokeMethod(integrations, routed.method, request, scope);
    const mr = request;
    return await cached.respond(mr, scope, () => invokeMethod(integrations, routed.method, mr, scope));
  } catch (err) {
    return gatewayResponse(err, request ?? req, scope, onBug);
  }
}

/** Integration request → integration → integration response → method response; TestInvokeMethod runs this slice. */
export async function invokeMethod(
  integrations: IntegrationRegistry,
  method: CompiledMethod,
  request: MethodRequest,
  scope: InvocationScope,
): Promise<MethodResponse> {
  const endpointRequest = integrationRequest(method, request, scope);
  const endpointResponse = await integration(integrations, method, endpointRequest, scope, request);
  let out: MethodResponse;
  switch (method.integration.type) {
    case 'HTTP_PROXY':
    case 'AWS_PROXY':
      out = proxyResponse(endpointResponse, scope, request);
      break;
    case 'HTTP':
    case 'AWS':
    case 'MOCK':
      out = methodResponse(selectIntegrationResponse(method.integration, endpointResponse, scope), endpointResponse, request, scope);
      break;
  }
  const failure = endpointFailure(endpointResponse);
  return failure === undefined ? out : { ...out, failure };
}

/**
 * A back end that answered 5xx, or a Lambda function that failed, is a failure for the server
 * log even when an integration response maps it to a success for the client.
 */
function endpointFailure(res: EndpointResponse): string | undefined {
  if (res.statusCode >= 500) return `Endpoint responded with status ${res.statusCode}`;
  const functionError = res.headers[FUNCTION_ERROR_HEADER];
  if (functionError === undefined) return undefined;
  return `Lambda execution failed with status ${res.statusCode} due to customer function error: ${lambdaSelectionSubject(res)}`;
}
