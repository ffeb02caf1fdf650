// Errors of the execution plane. Every failure a caller can see is a GatewayError naming one of
// API Gateway's gateway response types; stages/gateway-response.ts answers it through the
// deployed API's effective gateway response for that type (src/gateway-responses).
import { errorStatus, GATEWAY_RESPONSE_DEFAULTS, type GatewayResponseType } from '../gateway-responses/index.ts';

export type { GatewayResponseType };

export class GatewayError extends Error {
  readonly responseType: GatewayResponseType;
  /** The failure's own status: its type's default, or what its cause names where AWS answers differently. */
  readonly status: number;
  readonly errorType: string;
  /** The line the execution log shows (AWS logs the cause, the caller sees only `message`). */
  readonly logMessage: string;

  constructor(responseType: GatewayResponseType, message: string, options: { status?: number; errorType?: string; log?: string } = {}) {
    super(message);
    this.name = 'GatewayError';
    this.responseType = responseType;
    this.status = options.status ?? errorStatus(responseType);
    this.errorType = options.errorType ?? GATEWAY_RESPONSE_DEFAULTS[responseType].errorType;
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
