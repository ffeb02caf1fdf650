// Management-API errors as API Gateway sends them: a status, the error type in
// x-amzn-ErrorType (which the AWS CLI and SDKs turn into the exception's name) and
// {"message": "..."} as the body.

export type ErrorType =
  | 'BadRequestException'
  | 'ConflictException'
  | 'LimitExceededException'
  | 'NotFoundException'
  | 'UnauthorizedException'
  | 'TooManyRequestsException'
  | 'ServiceUnavailableException'
  | 'AccessDeniedException'
  | 'UnsupportedMediaTypeException'
  | 'UnknownOperationException'
  | 'NotImplementedException'
  | 'ValidationException'
  | 'SerializationException';

const STATUS: Record<ErrorType, number> = {
  BadRequestException: 400,
  ConflictException: 409,
  LimitExceededException: 429,
  NotFoundException: 404,
  UnauthorizedException: 401,
  TooManyRequestsException: 429,
  ServiceUnavailableException: 503,
  AccessDeniedException: 403,
  UnsupportedMediaTypeException: 415,
  UnknownOperationException: 404,
  NotImplementedException: 501,
  ValidationException: 400,
  SerializationException: 400,
};

// Coral's own errors (input validation before API Gateway's code runs) carry "Message", not "message".
const CORAL: ReadonlySet<ErrorType> = new Set(['ValidationException', 'SerializationException']);

export class ApiError extends Error {
  readonly type: ErrorType;
  readonly status: number;
  constructor(type: ErrorType, message: string, status = STATUS[type]) {
    super(message);
    this.type = type;
    this.status = status;
  }

  /** The JSON body AWS sends for this error. */
  body(): string {
    return JSON.stringify(CORAL.has(this.type) ? { Message: this.message } : { message: this.message });
  }
}

export const badRequest = (message: string) => new ApiError('BadRequestException', message);
export const notFound = (message: string) => new ApiError('NotFoundException', message);
export const conflict = (message: string) => new ApiError('ConflictException', message);
export const limitExceeded = (message: string) => new ApiError('LimitExceededException', message);

/** Coral-style validation message, as API Gateway words it for a missing required member. */
export function missingMember(operation: string, member: string): ApiError {
  const input = operation.charAt(0).toLowerCase() + operation.slice(1) + 'Input';
  return badRequest(`1 validation error detected: Value null at '${input}.${member}' failed to satisfy constraint: Member must not be null`);
}
