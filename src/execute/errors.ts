// Errors of the execution plane. Every failure a caller can see is a GatewayError naming one of
// API Gateway's gateway response types; gateway-response.ts turns it into the HTTP answer, using
// the API's configured gateway responses when it has them.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
import type { GatewayResponse } from '../model/generated/types.ts';

export type GatewayResponseType = NonNullable<GatewayResponse['responseType']>;

interface ResponseTypeInfo {
  /** Default status; DEFAULT_4XX / DEFAULT_5XX have none of their own. */
  readonly status: number;
  /** x-amzn-ErrorType, which AWS SDK clients turn into an exception name. */
  readonly errorType: string;
}

/** Default status and error type of every gateway response type, in one table. */
export const GATEWAY_RESPONSE_TYPES: Readonly<Record<GatewayResponseType, ResponseTypeInfo>> = {
  ACCESS_DENIED: { status: 403, errorType: 'AccessDeniedException' },
  API_CONFIGURATION_ERROR: { status: 500, errorType: 'InternalServerErrorException' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, errorType: 'AuthorizerConfigurationException' },
  AUTHORIZER_FAILURE: { status: 500, errorType: 'AuthorizerFailureException' },
  BAD_REQUEST_PARAMETERS: { status: 400, errorType: 'BadRequestException' },
  BAD_REQUEST_BODY: { status: 400, errorType: 'BadRequestException' },
  DEFAULT_4XX: { status: 400, errorType: 'BadRequestException' },
  DEFAULT_5XX: { status: 500, errorType: 'InternalServerErrorException' },
  EXPIRED_TOKEN: { status: 403, errorType: 'ExpiredTokenException' },
  INTEGRATION_FAILURE: { status: 504, errorType: 'InternalServerErrorException' },
  INTEGRATION_TIMEOUT: { status: 504, errorType: 'InternalServerErrorException' },
  INVALID_API_KEY: { status: 403, errorType: 'ForbiddenException' },
  INVALID_SIGNATURE: { status: 403, errorType: 'InvalidSignatureException' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, errorType: 'MissingAuthenticationTokenException' },
  QUOTA_EXCEEDED: { status: 429, errorType: 'LimitExceededException' },
  REQUEST_TOO_LARGE: { status: 413, errorType: 'RequestTooLargeException' },
  RESOURCE_NOT_FOUND: { status: 404, errorType: 'NotFoundException' },
  THROTTLED: { status: 429, errorType: 'TooManyRequestsException' },
  UNAUTHORIZED: { status: 401, errorType: 'UnauthorizedException' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, errorType: 'UnsupportedMediaTypeException' },
  WAF_FILTERED: { status: 403, errorType: 'ForbiddenException' },
};

export class GatewayError extends Error {
  readonly responseType: GatewayResponseType;
  /** Overrides the type's default status where AWS answers differently for this cause. */
  readonly status: number;
  readonly errorType: string;
  /** The line the execution log shows (AWS logs the cause, the caller sees only `message`). */
  readonly logMessage: string;

  constructor(responseType: GatewayResponseType, message: string, options: { status?: number; errorType?: string; log?: string } = {}) {
    super(message);
    this.name = 'GatewayError';
    const info = GATEWAY_RESPONSE_TYPES[responseType];
    this.responseType = responseType;
    this.status = options.status ?? info.status;
    this.errorType = options.errorType ?? info.errorType;
    this.logMessage = options.log ?? message;
  }
}

// The errors the pipeline raises, by cause, with the message text AWS sends.
export const missingAuthenticationToken = (): GatewayError =>
  new GatewayError('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');

/** Unknown stage (or API) on the execute-api endpoint: AWS answers 403 {"message":"Forbidden"}. */
export const forbidden = (): GatewayError => new GatewayError('ACCESS_DENIED', 'Forbidden', { errorType: 'ForbiddenException' });

export const unsupportedMediaType = (): GatewayError => new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type');

export const requestTooLarge = (): GatewayError => new GatewayError('REQUEST_TOO_LARGE', 'Request Too Long');

export const endpointTimeout = (): GatewayError =>
  new GatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out', { log: 'Execution failed due to a timeout error' });

/** "Execution failed due to configuration error: ..." → 500 Internal server error. */
export const configurationError = (cause: string): GatewayError =>
  new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { log: `Execution failed due to configuration error: ${cause}` });

export const internalError = (cause: string): GatewayError =>
  new GatewayError('DEFAULT_5XX', 'Internal server error', { log: `Execution failed: ${cause}` });
