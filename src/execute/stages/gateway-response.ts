// Gateway response: the one place a failed request becomes an HTTP answer, through the deployed
// API's effective gateway response for the error's type (compiled with the deployment; AWS's
// defaults when no stage is known). Anything that is not a GatewayError is a bug and answers as
// DEFAULT_5XX.
import { dict } from '../../shared/dict.ts';
import { DEFAULT_GATEWAY_RESPONSES, renderGatewayResponse, type RequestValues } from '../../gateway-responses/index.ts';
import { GatewayError, internalError } from '../errors.ts';
import type { IncomingRequest, InvocationScope, MethodRequest, MethodResponse } from '../types.ts';
import { parseQuery } from './method-request.ts';

const NO_STAGE_VARIABLES: Readonly<Record<string, string>> = Object.freeze({});

/**
 * `req` is what the pipeline had when it failed: the method request, else the request as it came
 * in (no resource matched), else null (no stage).
 */
export function gatewayResponse(
  err: unknown,
  req: MethodRequest | IncomingRequest | null,
  scope: InvocationScope | null,
  onBug?: (err: unknown) => void,
): MethodResponse {
  let e: GatewayError;
  if (err instanceof GatewayError) e = err;
  else {
    onBug?.(err);
    e = internalError((err as Error)?.message ?? String(err));
  }
  const error = { message: e.message, messageString: e.messageString, responseType: e.responseType, validationErrorString: e.validationErrorString };
  const response = (scope === null ? DEFAULT_GATEWAY_RESPONSES : scope.api.gatewayResponses)[e.responseType];
  if (scope !== null) {
    scope.context.error = error;
    // AWS's error answers carry no X-Amzn-Trace-Id (recorded), whatever the integration.
    scope.traceId = undefined;
  }
  const out = renderGatewayResponse(response, e, {
    request: response.readsRequest ? requestValues(req) : null,
    stageVariables: scope === null ? NO_STAGE_VARIABLES : scope.api.stageVariables,
    context: scope === null ? { error } : scope.context,
  });
  scope?.log?.line(e.logMessage);
  scope?.log?.line(`Method completed with status: ${out.statusCode}`);
  // The server log names server-side failures only (by the error's own status: an API may
  // answer them with a 4xx of its choosing); a client's mistake is not the operator's problem.
  return { ...out, failure: e.status >= 500 ? e.logMessage : undefined };
}

function requestValues(req: MethodRequest | IncomingRequest | null): RequestValues | null {
  if (req === null) return null;
  if ('headersLower' in req) {
    return { headers: req.headersLower, querystring: req.querystring, multiValueQuerystring: req.multiValueQuerystring, path: req.pathParameters };
  }
  // No resource matched: the request's headers and query string, and no path parameters.
  const headers: Record<string, string> = dict<string>();
  for (const k in req.headers) headers[k.toLowerCase()] = req.headers[k]!;
  return { headers, ...parseQuery(req.query), path: {} };
}
