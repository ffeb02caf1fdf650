// One management call as CloudTrail records it: who (userIdentity, from the verified identity
// under --auth enforce, from the signature's access key in open mode), what (eventSource,
// eventName, requestParameters, responseElements, or errorCode and errorMessage), from where
// (sourceIPAddress, userAgent), with CloudTrail's ids. Secrets are left out of the parameters
// and responses as CloudTrail leaves them out.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Caller } from '../iam/index.ts';
import { callerScope } from '../http/aws-scope.ts';
import type { AuditRow } from '../store/index.ts';

export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** Members whose values never go into a record: API key values, private keys, function code and
 *  environments, imported definitions (large, and may embed credentials). */
const SECRET_MEMBERS = new Set(['value', 'certificatePrivateKey', 'privateKey', 'PrivateKey', 'ZipFile', 'zipFile', 'body', 'Variables', 'clientSecret', 'secretAccessKey', 'SecretAccessKey']);

export function redact(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > 20) return v;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return HIDDEN;
  if (Array.isArray(v)) return v.map((x) => redact(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = SECRET_MEMBERS.has(k) && x !== undefined && x !== null ? HIDDEN : redact(x, depth + 1);
  return out;
}

export interface AuditCall {
  readonly eventId: string;
  readonly eventTime: number;
  readonly eventSource: string;
  eventName: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly requestId: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly readOnly: boolean;
  readonly identity: Record<string, unknown>;
  readonly username: string;
  readonly accessKeyId: string;
  requestParameters: unknown;
  resources: { ResourceType: string; ResourceName: string }[];
}

/** CloudTrail's userIdentity of a caller. */
export function userIdentity(caller: Caller | null, req: IncomingMessage, accountId: string): { identity: Record<string, unknown>; username: string; accessKeyId: string } {
  if (caller === null || caller.identity === null) {
    // Open mode: the signature is read, not verified, so only its access key is known.
    const auth = req.headers.authorization;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const key = caller?.accessKeyId ?? callerScope(Array.isArray(auth) ? auth[0] : auth, q === -1 ? undefined : url.slice(q + 1)).accessKeyId ?? '';
    return {
      identity: key === '' ? { type: 'AWSAccount', principalId: '', accountId } : { type: 'Unknown', principalId: key, accountId, accessKeyId: key },
      username: key,
      accessKeyId: key,
    };
  }
  const p = caller.principal;
  const kind = caller.identity.kind;
  if (kind === 'root') {
    return { identity: { type: 'Root', principalId: p.accountId, arn: p.arn, accountId: p.accountId, accessKeyId: caller.accessKeyId }, username: 'root', accessKeyId: caller.accessKeyId };
  }
  if (p.roleArn !== undefined) {
    const session = p.arn.slice(p.arn.lastIndexOf('/') + 1);
    const roleName = p.roleArn.slice(p.roleArn.lastIndexOf('/') + 1);
    return {
      identity: {
        type: 'AssumedRole', principalId: p.userId ?? caller.callerId, arn: p.arn, accountId: p.accountId, accessKeyId: caller.accessKeyId,
        sessionContext: { sessionIssuer: { type: 'Role', principalId: (p.userId ?? '').split(':')[0], arn: p.roleArn, accountId: p.accountId, userName: roleName } },
      },
      username: session,
      accessKeyId: caller.accessKeyId,
    };
  }
  return {
    identity: { type: 'IAMUser', principalId: p.userId ?? caller.callerId, arn: p.arn, accountId: p.accountId, accessKeyId: caller.accessKeyId, ...(p.userName !== undefined ? { userName: p.userName } : {}) },
    username: p.userName ?? caller.callerId,
    accessKeyId: caller.accessKeyId,
  };
}

export function newAuditCall(options: {
  eventSource: string; eventName: string; accountId: string; region: string; partition: string; requestId: string; req: IncomingMessage;
  readOnly: boolean; caller: Caller | null;
}): AuditCall {
  const who = userIdentity(options.caller, options.req, options.accountId);
  const ua = options.req.headers['user-agent'];
  return {
    eventId: randomUUID(),
    eventTime: Date.now(),
    eventSource: options.eventSource,
    eventName: options.eventName,
    accountId: options.accountId,
    region: options.region,
    partition: options.partition,
    requestId: options.requestId,
    sourceIp: options.req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '',
    userAgent: typeof ua === 'string' ? ua.slice(0, 1024) : '',
    readOnly: options.readOnly,
    identity: who.identity,
    username: who.username,
    accessKeyId: who.accessKeyId,
    requestParameters: null,
    resources: [],
  };
}

/** The store's row of a call: its CloudTrail record and the fields LookupEvents filters on. */
export function auditRow(call: AuditCall, outcome: { response: unknown } | { errorCode: string; errorMessage: string }): AuditRow {
  const record: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: call.identity,
    eventTime: new Date(call.eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: call.region,
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent,
  };
  if ('errorCode' in outcome) {
    record.errorCode = outcome.errorCode;
    record.errorMessage = outcome.errorMessage;
  }
  record.requestParameters = call.requestParameters === undefined ? null : redact(call.requestParameters);
  record.responseElements = 'response' in outcome && outcome.response !== undefined && outcome.response !== null && !call.readOnly ? redact(outcome.response) : null;
  record.requestID = call.requestId;
  record.eventID = call.eventId;
  record.readOnly = call.readOnly;
  record.eventType = 'AwsApiCall';
  record.managementEvent = true;
  record.recipientAccountId = call.accountId;
  record.eventCategory = 'Management';
  return {
    partition: call.partition,
    eventId: call.eventId,
    eventTime: call.eventTime,
    eventName: call.eventName,
    eventSource: call.eventSource,
    username: call.username,
    accessKeyId: call.accessKeyId,
    readOnly: call.readOnly,
    resources: call.resources.map((r) => `${r.ResourceType}=${r.ResourceName}`),
    body: JSON.stringify(record),
  };
}
