// A function as stored (one 'lambda-function' document per function) and as Lambda shows it
// (FunctionConfiguration). Input validation follows Lambda's limits and messages.
import { randomUUID } from 'node:crypto';
import { LambdaError, missingMember } from './errors.ts';
import { functionArn } from './function-ref.ts';

export const FUNCTION_KIND = 'lambda-function';

export interface CodeLocation {
  /** 'zip': an uploaded archive, run from an unpacked copy; 'local': a directory the user owns. */
  readonly kind: 'zip' | 'local';
  /** For 'zip': the archive's sha256 (hex), its key among the store's blobs, so every process
   *  that shares the store can fetch and unpack it (code-store.ts). */
  readonly blob?: string;
  /** With `blob`: the upload this location came from, naming its reference to the blob. */
  readonly revision?: string;
  /**
   * Relative, so the data directory and the local code root can move: for 'local' the folder
   * under --lambda-local-code-root; for a 'zip' record written before blobs, the revision's
   * folder under this host's code store (`{account}/{region}/{function}/{revision}`, the archive
   * beside it as `{revision}.zip`).
   */
  readonly key?: string;
  /** Records written before keys held a path (absolute, or relative to the folder Gatehouse
   *  started in); CodeStore.resolve() still reads them, nothing writes them. */
  readonly dir?: string;
  readonly zipPath?: string;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: string | Record<string, string>;
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface FunctionRecord {
  FunctionName: string;
  Runtime: string;
  Role: string;
  Handler: string;
  Description: string;
  Timeout: number;
  MemorySize: number;
  Environment: Record<string, string> | undefined;
  Architectures: string[];
  Tags: Record<string, string> | undefined;
  CodeSha256: string;
  CodeSize: number;
  LastModified: string;
  RevisionId: string;
  code: CodeLocation;
  policy: PolicyStatement[];
}

/** What CreateFunction and UpdateFunctionConfiguration set. */
export type Settings = Pick<FunctionRecord, 'Runtime' | 'Role' | 'Handler' | 'Description' | 'Timeout' | 'MemorySize' | 'Environment'>;

export type RuntimeFamily = 'nodejs' | 'python';

export function runtimeFamily(runtime: string): RuntimeFamily {
  return runtime.startsWith('python') ? 'python' : 'nodejs';
}

const RUNTIME = /^(nodejs(\d+\.x)?|python3\.\d+)$/;
// Runtimes Lambda knows that Gatehouse cannot run: refused with a clear message, never accepted
// and left to fail later.
const FOREIGN_RUNTIME = /^(java|dotnet|ruby|go|provided|python2)/;
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
const RESERVED_ENV = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

function invalid(message: string): LambdaError {
  return new LambdaError('InvalidParameterValueException', message);
}

function constraint(value: unknown, member: string, rule: string): LambdaError {
  return new LambdaError('ValidationException',
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${rule}`);
}

function str(body: Record<string, unknown>, key: string, member: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new LambdaError('InvalidRequestContentException', `Could not parse request body into json: Could not parse '${member}': expected a string`);
  return v;
}

function int(body: Record<string, unknown>, key: string, member: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new LambdaError('InvalidRequestContentException', `Could not parse request body into json: Could not parse '${member}': expected an integer`);
  return v;
}

/** Validates the settings of a CreateFunction (base undefined) or UpdateFunctionConfiguration. */
export function readSettings(body: Record<string, unknown>, base: Settings | undefined): Settings {
  const runtime = str(body, 'Runtime', 'runtime') ?? base?.Runtime;
  const role = str(body, 'Role', 'role') ?? base?.Role;
  const handler = str(body, 'Handler', 'handler') ?? base?.Handler;
  if (role === undefined) throw missingMember('role');
  if (runtime === undefined) throw invalid('The Runtime parameter is required for functions with a Zip package type.');
  if (handler === undefined) throw invalid('The Handler parameter is required for functions with a Zip package type.');
  if (!RUNTIME.test(runtime)) {
    if (FOREIGN_RUNTIME.test(runtime)) throw invalid(`The runtime parameter of ${runtime} is not supported by Gatehouse, which runs nodejs* and python3.* functions.`);
    throw constraint(runtime, 'runtime', 'Member must satisfy enum value set: [nodejs, nodejs18.x, nodejs20.x, nodejs22.x, python3.9, python3.10, python3.11, python3.12, python3.13]');
  }
  if (!ROLE.test(role)) throw constraint(role, 'role', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
  if (handler.length > 128 || !/^[^\s]+$/.test(handler)) throw constraint(handler, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+');
  const description = str(body, 'Description', 'description') ?? base?.Description ?? '';
  if (description.length > 256) throw constraint(description, 'description', 'Member must have length less than or equal to 256');
  const timeout = int(body, 'Timeout', 'timeout') ?? base?.Timeout ?? 3;
  if (timeout < 1) throw constraint(timeout, 'timeout', 'Member must have value greater than or equal to 1');
  if (timeout > 900) throw constraint(timeout, 'timeout', 'Member must have value less than or equal to 900');
  const memory = int(body, 'MemorySize', 'memorySize') ?? base?.MemorySize ?? 128;
  if (memory < 128) throw constraint(memory, 'memorySize', 'Member must have value greater than or equal to 128');
  if (memory > 10240) throw constraint(memory, 'memorySize', 'Member must have value less than or equal to 10240');
  let environment = base?.Environment;
  if (body['Environment'] !== undefined && body['Environment'] !== null) {
    const vars = (body['Environment'] as { Variables?: unknown }).Variables;
    environment = readVariables(vars);
  }
  if (Array.isArray(body['Layers']) && body['Layers'].length > 0) throw invalid('Layers are not supported by Gatehouse.');
  return { Runtime: runtime, Role: role, Handler: handler, Description: description, Timeout: timeout, MemorySize: memory, Environment: environment };
}

function readVariables(vars: unknown): Record<string, string> | undefined {
  if (vars === undefined || vars === null) return undefined;
  if (typeof vars !== 'object' || Array.isArray(vars)) throw new LambdaError('InvalidRequestContentException', 'Could not parse request body into json: Could not parse \'Variables\': expected a map');
  const out: Record<string, string> = {};
  const reserved: string[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(vars as Record<string, unknown>)) {
    if (!ENV_KEY.test(k)) throw constraint('[' + k + ']', 'environment.variables', 'Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+');
    if (RESERVED_ENV.has(k)) reserved.push(k);
    out[k] = typeof v === 'string' ? v : String(v);
    size += k.length + out[k]!.length;
  }
  if (reserved.length > 0) {
    throw invalid(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`);
  }
  if (size > 4096) throw invalid('Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.');
  return out;
}

/** `2024-01-01T00:00:00.000+0000`, the format Lambda uses for LastModified. */
export function lastModified(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

export function newRevisionId(): string {
  return randomUUID();
}

/** FunctionConfiguration as Lambda returns it. */
export function toConfiguration(fn: FunctionRecord, accountId: string, region: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    FunctionName: fn.FunctionName,
    FunctionArn: functionArn(region, accountId, fn.FunctionName),
    Runtime: fn.Runtime,
    Role: fn.Role,
    Handler: fn.Handler,
    CodeSize: fn.CodeSize,
    Description: fn.Description,
    Timeout: fn.Timeout,
    MemorySize: fn.MemorySize,
    LastModified: fn.LastModified,
    CodeSha256: fn.CodeSha256,
    Version: '$LATEST',
  };
  if (fn.Environment !== undefined) out['Environment'] = { Variables: fn.Environment };
  Object.assign(out, {
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: fn.RevisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: fn.Architectures,
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    RuntimeVersionConfig: { RuntimeVersionArn: `arn:aws:lambda:${region}::runtime:gatehouse-${fn.Runtime}` },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.FunctionName}` },
  });
  return out;
}
