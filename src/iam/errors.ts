// What AWS answers when a request's credentials or permissions fail. Each plane renders these in
// its own wire format (the management API's x-amzn-ErrorType, Lambda's, the execute-api gateway
// responses); the codes and messages are AWS's.

export type AuthErrorCode =
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException'
  | 'ExpiredTokenException'
  | 'AccessDeniedException';

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  /** 403 for every one of them, as API Gateway and Lambda answer. */
  readonly status = 403;
  /** For the execute-api plane: more than the caller sees in `message` (AWS appends the canonical request). */
  readonly detail: string | undefined;

  constructor(code: AuthErrorCode, message: string, detail?: string) {
    super(message);
    this.name = 'AuthError';
    this.code = code;
    this.detail = detail;
  }
}

export const missingAuthenticationToken = (): AuthError =>
  new AuthError('MissingAuthenticationTokenException', 'Missing Authentication Token');

export const unrecognizedClient = (): AuthError =>
  new AuthError('UnrecognizedClientException', 'The security token included in the request is invalid.');

export const expiredToken = (): AuthError =>
  new AuthError('ExpiredTokenException', 'The security token included in the request is expired');

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export const signatureMismatch = (detail?: string): AuthError => new AuthError('InvalidSignatureException', SIGNATURE_MISMATCH, detail);

export const invalidSignature = (message: string): AuthError => new AuthError('InvalidSignatureException', message);

export const incompleteSignature = (message: string): AuthError => new AuthError('IncompleteSignatureException', message);

/** "User: arn:... is not authorized to perform: apigateway:DELETE on resource: arn:..." */
export const accessDenied = (callerArn: string, action: string, resource: string): AuthError =>
  new AuthError('AccessDeniedException', `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`);
