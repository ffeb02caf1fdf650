// Input validation as API Gateway's front end (Amazon's "Coral" framework) does it, before any
// handler runs and before any resource is looked up: JSON values of the wrong type are a
// SerializationException, and enum or pattern failures are one ValidationException listing every
// failure ("2 validation errors detected: ..."). Wording and order are AWS's, from the recordings
// (docs/aws-recorded.md): body members first in the service model's order, then URI labels.
import { SHAPES, type ShapeName } from '../model/generated/shapes.ts';
import type { OperationDef } from '../model/generated/operations.ts';
import { ApiError } from './errors.ts';

// AWS lists an enum's values in the order of a Java HashSet, not the model's order. These are the
// orders AWS answered with; enums not recorded yet fall back to the model's order.
const AWS_ENUM_ORDER: Partial<Record<ShapeName, readonly string[]>> = {
  Op: ['add', 'remove', 'move', 'test', 'replace', 'copy'],
  IntegrationType: ['HTTP', 'MOCK', 'AWS_PROXY', 'HTTP_PROXY', 'AWS'],
  EndpointType: ['PRIVATE', 'EDGE', 'REGIONAL'],
  IpAddressType: ['ipv4', 'dualstack'],
  DocumentationPartType: ['RESPONSE_BODY', 'RESPONSE', 'METHOD', 'MODEL', 'AUTHORIZER', 'RESPONSE_HEADER', 'RESOURCE', 'PATH_PARAMETER', 'REQUEST_BODY', 'QUERY_PARAMETER', 'API', 'REQUEST_HEADER'],
  GatewayResponseType: [
    'REQUEST_TOO_LARGE', 'RESOURCE_NOT_FOUND', 'AUTHORIZER_CONFIGURATION_ERROR', 'MISSING_AUTHENTICATION_TOKEN', 'BAD_REQUEST_BODY', 'INVALID_SIGNATURE',
    'INVALID_API_KEY', 'BAD_REQUEST_PARAMETERS', 'AUTHORIZER_FAILURE', 'UNAUTHORIZED', 'INTEGRATION_TIMEOUT', 'ACCESS_DENIED', 'DEFAULT_4XX', 'DEFAULT_5XX',
    'WAF_FILTERED', 'QUOTA_EXCEEDED', 'THROTTLED', 'API_CONFIGURATION_ERROR', 'UNSUPPORTED_MEDIA_TYPE', 'INTEGRATION_FAILURE', 'EXPIRED_TOKEN',
  ],
};

// Names that reach ids, paths and logs. AWS refuses a NUL in them (issue #20); its exact words are
// not recorded, so these are Gatehouse's (docs/aws-recorded.md).
const NAME_MEMBERS = new Set(['name', 'stageName', 'pathPart', 'modelName']);

/** Java's name for the JSON value Coral could not turn into the member's type. */
function javaClass(value: unknown): string {
  if (typeof value === 'boolean') return 'java.lang.Boolean';
  if (typeof value === 'number') return 'com.amazon.coral.value.json.numbers.TruncatingBigNumber';
  if (Array.isArray(value)) return 'java.util.ArrayList';
  return 'java.util.LinkedHashMap';
}

const serialization = (value: unknown, target: string) => new ApiError('SerializationException', `class ${javaClass(value)} can not be converted to an ${target}`);

function enumText(shape: ShapeName, values: readonly string[]): string {
  return `Member must satisfy enum value set: [${(AWS_ENUM_ORDER[shape] ?? values).join(', ')}]`;
}

/** Checks one JSON value against its shape; type errors throw, constraint failures are collected. */
function check(value: unknown, shapeName: ShapeName, path: string, failures: string[]): void {
  if (value === null || value === undefined) return;
  const s = SHAPES[shapeName];
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') throw serialization(value, 'String');
      if (value.includes('\u0000') && NAME_MEMBERS.has(path.slice(path.lastIndexOf('.') + 1))) {
        throw new ApiError('BadRequestException', `Invalid ${path.slice(path.lastIndexOf('.') + 1)} specified: it contains a NUL character`);
      }
      if (s.enum !== null && !s.enum.includes(value)) failures.push(`Value '${value}' at '${path}' failed to satisfy constraint: ${enumText(shapeName, s.enum)}`);
      else if (s.pattern !== undefined && !new RegExp(`^(?:${s.pattern})$`).test(value)) {
        failures.push(`Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${s.pattern}`);
      }
      return;
    case 'list': {
      if (!Array.isArray(value)) throw serialization(value, 'List');
      const member = SHAPES[s.member];
      // A list of enum values fails as a whole, with the list shown as Java prints it.
      if (member.type === 'string' && member.enum !== null) {
        if (value.some((v) => typeof v !== 'string')) throw serialization(value.find((v) => typeof v !== 'string'), 'String');
        if (value.some((v) => !member.enum!.includes(v as string))) {
          failures.push(`Value '[${value.join(', ')}]' at '${path}' failed to satisfy constraint: Member must satisfy constraint: [${enumText(s.member, member.enum)}]`);
        }
        return;
      }
      value.forEach((v, i) => check(v, s.member, `${path}.${i + 1}.member`, failures));
      return;
    }
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) throw serialization(value, 'Map');
      for (const v of Object.values(value as Record<string, unknown>)) check(v, s.value, path, failures);
      return;
    case 'structure':
      if (typeof value !== 'object' || Array.isArray(value)) throw serialization(value, 'Object');
      for (const [name, m] of Object.entries(s.members)) {
        if (m.location === null) check((value as Record<string, unknown>)[m.wireName ?? name], m.shape, `${path}.${name}`, failures);
      }
      return;
    default:
      // Numbers, booleans, timestamps and blobs keep the lenient reading protocol.ts gives them.
      return;
  }
}

/**
 * Validates an operation's input as Coral does; throws SerializationException or
 * ValidationException. A body that is not JSON is left to the protocol's own error.
 */
export function validateInput(op: OperationDef, labels: Readonly<Record<string, string>>, body: Buffer): void {
  if (op.input === null) return;
  const shape = SHAPES[op.input];
  if (shape.type !== 'structure') return;
  const failures: string[] = [];
  const prefix = op.name.charAt(0).toLowerCase() + op.name.slice(1) + 'Input';
  if (shape.payload === null && body.length > 0) {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      for (const [name, m] of Object.entries(shape.members)) {
        if (m.location === null) check((json as Record<string, unknown>)[m.wireName ?? name], m.shape, `${prefix}.${name}`, failures);
      }
    }
  }
  for (const [name, m] of Object.entries(shape.members)) {
    if (m.location !== 'uri') continue;
    const v = labels[m.wireName ?? name];
    if (v !== undefined) check(v, m.shape, name, failures);
  }
  if (failures.length > 0) {
    const n = failures.length;
    throw new ApiError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${failures.join('; ')}`);
  }
}
