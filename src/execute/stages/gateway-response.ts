// Gateway response: the one place a failed request becomes an HTTP answer. The API's own gateway
// response for the error's type (else its DEFAULT_4XX / DEFAULT_5XX) supplies status, headers and
// template; without one the body is {"message": "..."}. Anything that is not a GatewayError is a
// bug and answers as DEFAULT_5XX.
import type { CompiledApi, CompiledGatewayResponse, MappingSources } from '../../deploy/index.ts';
import { mapResponseParameters } from '../../deploy/index.ts';
import { renderMappingTemplate } from '../../mapping/index.ts';
import { GatewayError, internalError } from '../errors.ts';
import type { InvocationScope, MethodRequest, MethodResponse } from '../types.ts';
import { mappingInput } from './integration-request.ts';
import { selectResponseTemplate } from './method-response.ts';

export function gatewayResponse(err: unknown, req: MethodRequest | null, scope: InvocationScope | null, onBug?: (err: unknown) => void): MethodResponse {
  let e: GatewayError;
  if (err instanceof GatewayError) e = err;
  else {
    onBug?.(err);
    e = internalError((err as Error)?.message ?? String(err));
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'x-amzn-ErrorType': e.errorType };
  const defaultBody = JSON.stringify({ message: e.message });
  // The server log names server-side failures only (by the error's own status: an API may
  // answer them with a 4xx of its choosing); a client's mistake is not the operator's problem.
  const failure = e.status >= 500 ? e.logMessage : undefined;
  if (scope === null) return { statusCode: e.status, headers, body: defaultBody, failure };

  scope.log?.line(e.logMessage);
  scope.log?.line(`Method completed with status: ${e.status}`);
  scope.context.error = {
    message: e.message,
    messageString: JSON.stringify(e.message),
    responseType: e.responseType,
    validationErrorString: '',
  };
  const custom = configured(scope.api, e);
  if (custom === null) return { statusCode: e.status, headers, body: defaultBody, failure };

  const statusCode = custom.statusCode ?? e.status;
  try {
    if (custom.responseParameters.length > 0) Object.assign(headers, mapResponseParameters(custom.responseParameters, sources(req, scope)));
    const chosen = selectResponseTemplate(custom.responseTemplates, req?.headersLower['accept']);
    if (chosen === null || chosen.template === null) return { statusCode, headers, body: defaultBody, failure };
    const body = renderMappingTemplate(chosen.template, req === null ? bareInput(scope) : mappingInput(req, scope, req.sources.body));
    return { statusCode, headers, body, failure };
  } catch {
    // A broken gateway response template must not hide the error being reported.
    return { statusCode, headers, body: defaultBody, failure };
  }
}

function configured(api: CompiledApi, e: GatewayError): CompiledGatewayResponse | null {
  const responses = api.gatewayResponses;
  if (responses.size === 0) return null;
  return responses.get(e.responseType) ?? responses.get(e.status < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX') ?? null;
}

function sources(req: MethodRequest | null, scope: InvocationScope): MappingSources {
  if (req !== null) return req.sources;
  return { path: {}, querystring: {}, header: {}, body: '', json: () => undefined, stageVariables: scope.api.stageVariables, context: scope.context };
}

function bareInput(scope: InvocationScope): ReturnType<typeof mappingInput> {
  return { body: '', params: { path: {}, querystring: {}, header: {} }, context: scope.context, stageVariables: scope.api.stageVariables } as ReturnType<typeof mappingInput>;
}
