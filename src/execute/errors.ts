// Errors of the execution plane. Every failure a caller can see is a GatewayError naming one of
// API Gateway's gateway response types; stages/gateway-response.ts answers it through the
// deployed API's effective gateway response for that type (src/gateway-responses).
import { errorStatus, GATEWAY_RESPONSE_DEFAULTS, GatewayResponseTemplate, type GatewayResponseType } from '../gateway-responses/index.ts';

export type { GatewayResponseType };

// AWS's default body for the failures behind the method (configuration errors, failed and timed-out
// integrations) has a space after the colon: {"message": "Internal server error"} is 36 bytes in
// AWS's recordings (TestApiGatewayHeaderRemapping), where its front door's own answers have none
// ({"message":"Forbidden"}). A template the API sets for the type wins, as for any default.
const SPACED_MESSAGES = new Set(['Internal server error', 'Endpoint request timed out']);
const SPACED_TEMPLATE = new GatewayResponseTemplate('{"message": $context.error.messageString}');

export class GatewayError extends Error {
  readonly responseType: GatewayResponseType;
  /** The failure's own status: its type's default, or what its cause names where AWS answers differently. */
  readonly status: number;
  readonly errorType: string;
  /** The line the execution log shows (AWS logs the cause, the caller sees only `message`). */
  readonly logMessage: string;
  /** $context.error.messageString: the message as a JSON string, or `null` where AWS sends none
   *  (an authorizer's configuration error answers {"message":null}). */
  readonly messageString: string;
  /** The body while the API customizes no template for the type, where AWS's differs from the usual one. */
  readonly defaultTemplate: GatewayResponseTemplate | null;
  /** $context.error.validationErrorString: a request validator's detail ('' for other errors). */
  readonly validationErrorString: string;

  constructor(
    responseType: GatewayResponseType,
    message: string | null,
    options: { status?: number; errorType?: string; log?: string; defaultTemplate?: GatewayResponseTemplate; validationErrorString?: string } = {},
  ) {
    // No stack trace: a GatewayError is an answer (throttled, unauthorized, timed out), never read
    // as a bug, and capturing the stack was most of a refused request's cost under a throttle
    // (16% of CPU in an in-process run where most requests got 429).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message ?? '');
    Error.stackTraceLimit = limit;
    this.name = 'GatewayError';
    this.responseType = responseType;
    this.status = options.status ?? errorStatus(responseType);
    this.errorType = options.errorType ?? GATEWAY_RESPONSE_DEFAULTS[responseType].errorType;
    this.logMessage = options.log ?? message ?? responseType;
    this.messageString = message === null ? 'null' : JSON.stringify(message);
    this.defaultTemplate = options.defaultTemplate ?? (message !== null && SPACED_MESSAGES.has(message) ? SPACED_TEMPLATE : null);
    this.validationErrorString = options.validationErrorString ?? '';
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

/**
 * A Lambda function that failed behind a proxy integration: AWS answers 502 with the
 * INTEGRATION_FAILURE type (its access logs show both), not that type's default 504.
 */
export const integrationFailure = (log: string): GatewayError =>
  new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 502, log });

/** "Execution failed due to configuration error: ..." → 500 Internal server error. */
export const configurationError = (cause: string): GatewayError =>
  new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { log: `Execution failed due to configuration error: ${cause}` });

export const internalError = (cause: string): GatewayError =>
  new GatewayError('DEFAULT_5XX', 'Internal server error', { log: `Execution failed: ${cause}` });

// Lambda authorizers (src/access/lambda-authorizer.ts), answered as AWS answers them.

/** No identity (a missing or empty identity source, a token the validation expression refuses),
 *  or the authorizer function failed with the error "Unauthorized". */
export const unauthorized = (log?: string): GatewayError => new GatewayError('UNAUTHORIZED', 'Unauthorized', { log: log ?? 'Unauthorized request' });

/** The authorizer's policy denies the method: explicitly (a matching Deny) or for want of a matching Allow. */
export const accessDeniedByPolicy = (explicit: boolean): GatewayError =>
  new GatewayError('ACCESS_DENIED', explicit ? 'User is not authorized to access this resource with an explicit deny' : 'User is not authorized to access this resource');

/** The authorizer could not be run or gave no usable answer: AWS answers 500 {"message":null}. */
export const authorizerConfigurationError = (cause: string): GatewayError =>
  new GatewayError('AUTHORIZER_CONFIGURATION_ERROR', null, { log: `Execution failed due to configuration error: ${cause}` });

// API keys, throttling and usage-plan quotas (src/access/api-keys.ts, src/access/throttle.ts).
/** A method that requires an API key, called without a valid one: AWS answers 403 {"message":"Forbidden"}. */
export const invalidApiKey = (log: string): GatewayError => new GatewayError('INVALID_API_KEY', 'Forbidden', { log });

/** Over a token bucket (account, stage or method, usage plan): 429 {"message":"Too Many Requests"}. */
export const throttled = (log: string): GatewayError => new GatewayError('THROTTLED', 'Too Many Requests', { log });

/** Over a usage plan's quota: 429 {"message":"Limit Exceeded"}. */
export const quotaExceeded = (log: string): GatewayError => new GatewayError('QUOTA_EXCEEDED', 'Limit Exceeded', { log });

// Resource policies (src/access/resource-policy.ts): IAM's words, and IAM's body, {"Message": ...}.
const IAM_DENIAL_TEMPLATE = new GatewayResponseTemplate('{"Message":$context.error.messageString}');

/** The account in a resource ARN as AWS shows it in these messages: its last four digits. */
function maskAccount(arn: string): string {
  return arn.replace(/^(arn:[^:]*:[^:]*:[^:]*:)\d{8}(\d{4}:)/, '$1********$2');
}

/**
 * A resource policy (with the caller's IAM policies for AWS_IAM methods) refuses the call:
 * 403 AccessDeniedException "User: anonymous is not authorized to perform: execute-api:Invoke on
 * resource: arn:aws:execute-api:...:********1234:api/stage/GET/path[ with an explicit deny]".
 */
export const notAuthorizedToInvoke = (user: string, resourceArn: string, explicit: boolean): GatewayError => {
  const message = `User: ${user} is not authorized to perform: execute-api:Invoke on resource: ${maskAccount(resourceArn)}${explicit ? ' with an explicit deny' : ''}`;
  return new GatewayError('ACCESS_DENIED', message, { defaultTemplate: IAM_DENIAL_TEMPLATE, log: `${message} (resource policy)` });
};
