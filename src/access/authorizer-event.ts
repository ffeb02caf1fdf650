// The event API Gateway sends a Lambda authorizer function.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
//   TOKEN:   {type, authorizationToken, methodArn}
//   REQUEST: {type, methodArn, resource, path, httpMethod, headers, multiValueHeaders,
//             queryStringParameters, multiValueQueryStringParameters, pathParameters,
//             stageVariables, requestContext}
// AWS's REQUEST example shows an empty map as {} ("pathParameters": {}), not null as the proxy
// integration's event does, so every map here is an object.
import type { CompiledAuthorizer } from './authorizer-config.ts';

/** The request as the REQUEST event shows it. */
export interface EventRequest {
  /** The resource path as defined (/pets/{id}). */
  readonly resource: string;
  /** The path below the stage as requested (/pets/1). */
  readonly path: string;
  readonly httpMethod: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly multiValueQuerystring: Readonly<Record<string, readonly string[]>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  /** $context as it stands before authorization. */
  readonly context: Readonly<Record<string, unknown>>;
}

/** The method ARN API Gateway evaluates policies against: the request's own verb and path (path
 *  parameters filled in), not the resource's template. */
export function methodArnOf(region: string, accountId: string, restApiId: string, stageName: string, httpMethod: string, path: string): string {
  return `arn:aws:execute-api:${region}:${accountId}:${restApiId}/${stageName}/${httpMethod}${path === '' ? '/' : path}`;
}

export function tokenEvent(token: string, methodArn: string): Record<string, unknown> {
  return { type: 'TOKEN', methodArn, authorizationToken: token };
}

export function requestEvent(methodArn: string, r: EventRequest): Record<string, unknown> {
  const multiValueHeaders: Record<string, string[]> = {};
  for (const k in r.headers) multiValueHeaders[k] = [r.headers[k]!];
  const { authorizer: _authorizer, error: _error, ...requestContext } = r.context;
  return {
    type: 'REQUEST',
    methodArn,
    resource: r.resource,
    path: r.path === '' ? '/' : r.path,
    httpMethod: r.httpMethod,
    headers: r.headers,
    multiValueHeaders,
    queryStringParameters: r.querystring,
    multiValueQueryStringParameters: r.multiValueQuerystring,
    pathParameters: r.pathParameters,
    stageVariables: r.stageVariables,
    requestContext,
  };
}

/** The event for `a`: `identity` is what readIdentity read (a TOKEN authorizer's one value is the token). */
export function authorizerEvent(a: CompiledAuthorizer, identity: readonly string[], methodArn: string, r: EventRequest): Record<string, unknown> {
  return a.type === 'TOKEN' ? tokenEvent(identity[0]!, methodArn) : requestEvent(methodArn, r);
}
