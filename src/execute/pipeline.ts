// The execution pipeline, in the order API Gateway runs it. Each stage takes what it needs and
// returns its product; every failure is a GatewayError, rendered once, by gateway-response.
import type { Access } from '../access/index.ts';
import type { ResponseCache } from '../cache/index.ts';
import type { CompiledMethod } from '../deploy/index.ts';
import type { EndpointResponse, IntegrationRegistry } from '../integrations/index.ts';
import { FUNCTION_ERROR_HEADER, lambdaSelectionSubject } from '../integrations/lambda.ts';
import { gatewayResponse } from './stages/gateway-response.ts';
import { integration, integrationAnswered, integrationFailed } from './stages/integration.ts';
import { integrationRequest } from './stages/integration-request.ts';
import { selectIntegrationResponse } from './stages/integration-response.ts';
import { methodRequest } from './stages/method-request.ts';
import { methodResponse, proxyResponse } from './stages/method-response.ts';
import { routeRequest } from './stages/route-request.ts';
import type { IncomingRequest, InvocationScope, MethodRequest, MethodResponse } from './types.ts';

/**
 * The method response: a value when every stage answered at once (MOCK without an authorizer to
 * call), else a promise. Values are not wrapped in promises on purpose: a MOCK request then
 * costs no microtask turns between reading the request and answering it.
 */
export function runPipeline(
  integrations: IntegrationRegistry,
  req: IncomingRequest,
  scope: InvocationScope,
  onBug?: (err: unknown) => void,
  access?: Access,
  cache?: ResponseCache,
): MethodResponse | Promise<MethodResponse> {
  let request: MethodRequest | null = null;
  try {
    const routed = routeRequest(scope.api, req.httpMethod, req.path);
    const mr = (request = methodRequest(routed, req, scope));
    // Resource policy, authorization, API key, throttling and quotas, in AWS's order.
    const gate = access?.check(routed.method, mr, scope);
    const out = gate === undefined ? afterAccess(integrations, routed.method, mr, scope, cache) : gate.then(() => afterAccess(integrations, routed.method, mr, scope, cache));
    // No closure is made for a request answered at once: this path runs per request.
    if (out instanceof Promise) return out.catch((err: unknown) => gatewayResponse(err, mr, scope, onBug));
    return out;
  } catch (err) {
    return gatewayResponse(err, request ?? req, scope, onBug);
  }
}

function afterAccess(integrations: IntegrationRegistry, method: CompiledMethod, request: MethodRequest, scope: InvocationScope, cache: ResponseCache | undefined): MethodResponse | Promise<MethodResponse> {
  // Request validation: after access control, before the cache and the integration request.
  method.requestCheck?.check(request);
  // The stage cache: a hit answers without the integration; a 2xx miss is stored.
  const cached = cache?.forMethod(method, scope.api) ?? null;
  if (cached === null) return invokeMethod(integrations, method, request, scope);
  return cached.respond(request, scope, async () => invokeMethod(integrations, method, request, scope));
}

/** Integration request → integration → integration response → method response; TestInvokeMethod runs
 *  this slice. A value when the integration answered at once (MOCK), else a promise. */
export function invokeMethod(
  integrations: IntegrationRegistry,
  method: CompiledMethod,
  request: MethodRequest,
  scope: InvocationScope,
): MethodResponse | Promise<MethodResponse> {
  const endpointRequest = integrationRequest(method, request, scope);
  const started = performance.now();
  const endpointResponse = integration(integrations, method, endpointRequest, scope, request, started);
  if (!(endpointResponse instanceof Promise)) {
    integrationAnswered(method, endpointResponse, scope, started);
    return respond(method, endpointResponse, request, scope);
  }
  return endpointResponse.then(
    (res) => {
      integrationAnswered(method, res, scope, started);
      return respond(method, res, request, scope);
    },
    (err: unknown) => {
      integrationFailed(scope, started);
      throw err;
    },
  );
}

function respond(method: CompiledMethod, endpointResponse: EndpointResponse, request: MethodRequest, scope: InvocationScope): MethodResponse {
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
