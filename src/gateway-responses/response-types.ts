// The gateway response types and what AWS answers for each when the API customizes nothing:
// one table for the management API, deployment compilation and execution.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
import { SHAPES } from '../model/generated/shapes.ts';
import type { GatewayResponse } from '../model/generated/types.ts';

/** The service model's GatewayResponseType enum. */
export type GatewayResponseType = NonNullable<GatewayResponse['responseType']>;

/** The two fallbacks every other type inherits from while the API leaves that type untouched. */
export type FallbackResponseType = 'DEFAULT_4XX' | 'DEFAULT_5XX';

export interface ResponseTypeDefaults {
  /** AWS's status for the type; null for DEFAULT_4XX / DEFAULT_5XX, which have none (GetGatewayResponse leaves it out). */
  readonly statusCode: number | null;
  /** The fallback whose customization the type takes while it has none of its own; null for the fallbacks. */
  readonly parent: FallbackResponseType | null;
  /** x-amzn-ErrorType, which AWS SDK clients turn into an exception name. */
  readonly errorType: string;
}

const row = (statusCode: number, errorType: string): ResponseTypeDefaults => ({
  statusCode,
  parent: statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX',
  errorType,
});

/** Every response type's defaults (a new type in the service model fails to compile until it has a row). */
export const GATEWAY_RESPONSE_DEFAULTS: Readonly<Record<GatewayResponseType, ResponseTypeDefaults>> = Object.freeze({
  DEFAULT_4XX: { statusCode: null, parent: null, errorType: 'BadRequestException' },
  DEFAULT_5XX: { statusCode: null, parent: null, errorType: 'InternalServerErrorException' },
  ACCESS_DENIED: row(403, 'AccessDeniedException'),
  API_CONFIGURATION_ERROR: row(500, 'InternalServerErrorException'),
  AUTHORIZER_CONFIGURATION_ERROR: row(500, 'AuthorizerConfigurationException'),
  AUTHORIZER_FAILURE: row(500, 'AuthorizerFailureException'),
  BAD_REQUEST_PARAMETERS: row(400, 'BadRequestException'),
  BAD_REQUEST_BODY: row(400, 'BadRequestException'),
  EXPIRED_TOKEN: row(403, 'ExpiredTokenException'),
  INTEGRATION_FAILURE: row(504, 'InternalServerErrorException'),
  INTEGRATION_TIMEOUT: row(504, 'InternalServerErrorException'),
  INVALID_API_KEY: row(403, 'ForbiddenException'),
  INVALID_SIGNATURE: row(403, 'InvalidSignatureException'),
  MISSING_AUTHENTICATION_TOKEN: row(403, 'MissingAuthenticationTokenException'),
  QUOTA_EXCEEDED: row(429, 'LimitExceededException'),
  REQUEST_TOO_LARGE: row(413, 'RequestTooLargeException'),
  RESOURCE_NOT_FOUND: row(404, 'NotFoundException'),
  THROTTLED: row(429, 'TooManyRequestsException'),
  UNAUTHORIZED: row(401, 'UnauthorizedException'),
  UNSUPPORTED_MEDIA_TYPE: row(415, 'UnsupportedMediaTypeException'),
  WAF_FILTERED: row(403, 'ForbiddenException'),
});

/** Every response type in the service model's order, the order GetGatewayResponses lists them in. */
export const GATEWAY_RESPONSE_TYPES: readonly GatewayResponseType[] = (() => {
  const s = SHAPES.GatewayResponseType;
  if (s.type !== 'string' || s.enum === null) throw new Error('GatewayResponseType is not an enum in the service model');
  return Object.freeze([...s.enum] as GatewayResponseType[]);
})();

export function isGatewayResponseType(s: string): s is GatewayResponseType {
  return Object.prototype.hasOwnProperty.call(GATEWAY_RESPONSE_DEFAULTS, s);
}

/**
 * The status an error of `type` carries when its cause names none: the type's own, else 400 for
 * DEFAULT_4XX and 500 for DEFAULT_5XX (a cause may name another, as a Lambda failure's 502 does).
 */
export function errorStatus(type: GatewayResponseType): number {
  return GATEWAY_RESPONSE_DEFAULTS[type].statusCode ?? (type === 'DEFAULT_5XX' ? 500 : 400);
}

/** AWS's body template for every type, until the API customizes it. */
export const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/** The content type of the default template, and of an answer the API gave no template for. */
export const DEFAULT_CONTENT_TYPE = 'application/json';

export const DEFAULT_RESPONSE_TEMPLATES: Readonly<Record<string, string>> = Object.freeze({ [DEFAULT_CONTENT_TYPE]: DEFAULT_TEMPLATE });
