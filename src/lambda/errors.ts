// Lambda's error family. Lambda (restJson1) answers errors with the status, an
// `x-amzn-ErrorType` header naming the exception and a `{"Type": "User"|"Service", "Message"}`
// body; the AWS SDKs and the CLI read the header for the exception's name.
import type { ServerResponse } from 'node:http';

export type LambdaErrorName =
  | 'ResourceNotFoundException'
  | 'ResourceConflictException'
  | 'InvalidParameterValueException'
  | 'InvalidRequestContentException'
  | 'ValidationException'
  | 'RequestTooLargeException'
  | 'RequestEntityTooLargeException'
  | 'TooManyRequestsException'
  | 'PreconditionFailedException'
  | 'UnsupportedMediaTypeException'
  | 'UnknownOperationException'
  | 'InvalidSignatureException'
  | 'ServiceException';

const STATUS: Record<LambdaErrorName, number> = {
  ResourceNotFoundException: 404,
  ResourceConflictException: 409,
  InvalidParameterValueException: 400,
  InvalidRequestContentException: 400,
  ValidationException: 400,
  RequestTooLargeException: 413,
  RequestEntityTooLargeException: 413,
  TooManyRequestsException: 429,
  PreconditionFailedException: 412,
  UnsupportedMediaTypeException: 415,
  UnknownOperationException: 404,
  InvalidSignatureException: 403,
  ServiceException: 500,
};

export class LambdaError extends Error {
  override readonly name: LambdaErrorName;
  readonly statusCode: number;
  /** Extra body fields Lambda sends with some errors (TooManyRequestsException's Reason). */
  readonly extra: Readonly<Record<string, string>> | undefined;

  constructor(name: LambdaErrorName, message: string, extra?: Record<string, string>) {
    super(message);
    this.name = name;
    this.statusCode = STATUS[name] ?? 500;
    this.extra = extra;
  }

  get type(): 'User' | 'Service' {
    return this.statusCode >= 500 ? 'Service' : 'User';
  }
}

export function functionNotFound(arn: string): LambdaError {
  return new LambdaError('ResourceNotFoundException', `Function not found: ${arn}`);
}

/** Lambda's message for a required member that is missing. */
export function missingMember(member: string): LambdaError {
  return new LambdaError('ValidationException',
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
}

export function sendLambdaError(res: ServerResponse, err: LambdaError, requestId: string): void {
  const body = JSON.stringify({ Type: err.type, Message: err.message, ...err.extra });
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-ErrorType': err.name,
    'x-amzn-RequestId': requestId,
  };
  if (err.name === 'TooManyRequestsException') headers['retry-after'] = '1';
  res.writeHead(err.statusCode, headers);
  res.end(body);
}
