// The CloudWatch Logs API subset that `aws logs describe-log-groups`, `describe-log-streams`,
// `get-log-events`, `filter-log-events` and `aws logs tail [--follow]` call, over the access and
// execution logs this gateway wrote (log-reader.ts): awsJson1.1 on Gatehouse's port, the operation
// in X-Amz-Target (Logs_20140328.{Operation}), AWS's shapes, errors and limits. Read-only: the log
// groups are the ones stages write to.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatehouseConfig } from '../config.ts';
import { requestAccount } from '../http/aws-scope.ts';
import { AwsJsonError, errorAnswer, sendAwsJsonAnswer } from '../http/aws-json.ts';
import { iamFor } from '../iam/index.ts';
import { compileFilterPattern, FilterPatternError } from './filter-pattern.ts';
import { LOG_GROUP_NAME, logFileLimits, openLogFiles } from './log-files.ts';
import { LOG_STREAM_NAME, LogReader, type LogEvent, type LogGroupInfo } from './log-reader.ts';

export const LOGS_TARGET_PREFIX = 'Logs_20140328.';

/** Whether a request is for this API (the front door sends it here). */
export function isLogsRequest(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(LOGS_TARGET_PREFIX);
}

/** The Logs API's errors are the JSON protocols' (type, message, status). */
const LogsError = AwsJsonError;
type LogsError = AwsJsonError;

const invalid = (message: string): LogsError => new LogsError('InvalidParameterException', message);
const noGroup = (): LogsError => new LogsError('ResourceNotFoundException', 'The specified log group does not exist.');
const noStream = (): LogsError => new LogsError('ResourceNotFoundException', 'The specified log stream does not exist.');

type Input = Record<string, unknown>;

interface Call {
  readonly input: Input;
  readonly region: string;
  readonly accountId: string;
}

export interface LogsPlane {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

/** FilterLogEvents and GetLogEvents answer at most 10,000 events and 1 MB. */
const MAX_EVENTS = 10_000;
const MAX_BYTES = 1024 * 1024;

export function createLogsPlane(config: GatehouseConfig): LogsPlane {
  const logs = openLogFiles(config.dataDir, logFileLimits(config));
  const reader = new LogReader(logs.files);
  const iam = iamFor(config);

  const groupArn = (c: Call, name: string): string => `arn:aws:logs:${c.region}:${c.accountId}:log-group:${name}`;

  async function groupOf(c: Call): Promise<LogGroupInfo> {
    const name = groupName(c.input);
    return (await reader.group(name)) ?? Promise.reject(noGroup());
  }

  const operations: Record<string, (c: Call) => Promise<unknown>> = {
    async DescribeLogGroups(c) {
      const { input } = c;
      const prefix = optionalString(input, 'logGroupNamePrefix');
      const pattern = optionalString(input, 'logGroupNamePattern');
      if (prefix !== undefined && pattern !== undefined) throw invalid('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      const limit = optionalLimit(input, 50);
      const identifiers = input.logGroupIdentifiers === undefined ? undefined : stringList(input, 'logGroupIdentifiers').map(fromIdentifier);
      let groups = await reader.groups();
      if (prefix !== undefined) groups = groups.filter((g) => g.name.startsWith(prefix));
      if (pattern !== undefined) groups = groups.filter((g) => g.name.toLowerCase().includes(pattern.toLowerCase()));
      if (identifiers !== undefined) groups = groups.filter((g) => identifiers.includes(g.name));
      const after = tokenOf(input);
      if (after !== undefined) groups = groups.filter((g) => g.name > after);
      const page = groups.slice(0, limit);
      return {
        logGroups: page.map((g) => ({
          logGroupName: g.name,
          creationTime: Math.floor(g.creationTime),
          metricFilterCount: 0,
          arn: `${groupArn(c, g.name)}:*`,
          storedBytes: g.storedBytes,
          logGroupClass: 'STANDARD',
          logGroupArn: groupArn(c, g.name),
        })),
        ...(groups.length > limit ? { nextToken: token(page.at(-1)!.name) } : {}),
      };
    },

    async DescribeLogStreams(c) {
      const { input } = c;
      const group = await groupOf(c);
      const prefix = optionalString(input, 'logStreamNamePrefix');
      const orderBy = optionalString(input, 'orderBy');
      if (orderBy !== undefined && orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
        throw validation(`Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`);
      }
      if (orderBy === 'LastEventTime' && prefix !== undefined) throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
      optionalLimit(input, 50);
      if (tokenOf(input) !== undefined || (prefix !== undefined && !LOG_STREAM_NAME.startsWith(prefix))) return { logStreams: [] };
      const events = (await reader.events(group.name)) ?? [];
      return {
        logStreams: [{
          logStreamName: LOG_STREAM_NAME,
          creationTime: Math.floor(group.creationTime),
          ...(events.length > 0 ? { firstEventTimestamp: events[0]!.timestamp, lastEventTimestamp: events.at(-1)!.timestamp, lastIngestionTime: events.at(-1)!.timestamp } : {}),
          arn: `${groupArn(c, group.name)}:log-stream:${LOG_STREAM_NAME}`,
          storedBytes: 0,
        }],
      };
    },

    async GetLogEvents(c) {
      const { input } = c;
      const group = await groupOf(c);
      const stream = requiredString(input, 'logStreamName');
      if (stream !== LOG_STREAM_NAME) throw noStream();
      const startTime = optionalTime(input, 'startTime');
      const endTime = optionalTime(input, 'endTime');
      const limit = optionalLimit(input, MAX_EVENTS);
      const startFromHead = input.startFromHead === true;
      const all = ((await reader.events(group.name, startTime ?? 0)) ?? []).filter((e) => (startTime === undefined || e.timestamp >= startTime) && (endTime === undefined || e.timestamp < endTime));
      const given = optionalString(input, 'nextToken');
      let from: number;
      let to: number;
      if (given === undefined) {
        [from, to] = startFromHead ? [0, Math.min(all.length, limit)] : [Math.max(0, all.length - limit), all.length];
      } else {
        const m = /^([fb])\/(\d+\+?)$/.exec(given);
        if (m === null) throw invalid('The specified nextToken is invalid.');
        const at = position(all, m[2]!);
        [from, to] = m[1] === 'f' ? [at, Math.min(all.length, at + limit)] : [Math.max(0, at - limit), at];
      }
      const page = fitBytes(all.slice(from, to));
      to = from + page.length;
      return {
        events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp })),
        // The forward token of the end points at the same place again: a client polls with it.
        nextForwardToken: `f/${to < all.length ? all[to]!.id : after(all)}`,
        nextBackwardToken: `b/${from < all.length ? all[from]!.id : after(all)}`,
      };
    },

    async FilterLogEvents(c) {
      const { input } = c;
      const group = await groupOf(c);
      const names = input.logStreamNames === undefined ? undefined : stringList(input, 'logStreamNames');
      const prefix = optionalString(input, 'logStreamNamePrefix');
      if (names !== undefined && prefix !== undefined) throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive');
      let matches: (m: string) => boolean;
      try {
        matches = compileFilterPattern(optionalString(input, 'filterPattern'));
      } catch (err) {
        if (err instanceof FilterPatternError) throw invalid('Invalid filter pattern');
        throw err;
      }
      const startTime = optionalTime(input, 'startTime');
      const endTime = optionalTime(input, 'endTime');
      const limit = optionalLimit(input, MAX_EVENTS);
      const searched = (names === undefined || names.includes(LOG_STREAM_NAME)) && (prefix === undefined || LOG_STREAM_NAME.startsWith(prefix));
      if (!searched) return { events: [], searchedLogStreams: [] };
      let events = ((await reader.events(group.name, startTime ?? 0)) ?? []).filter((e) => (startTime === undefined || e.timestamp >= startTime) && (endTime === undefined || e.timestamp <= endTime));
      const after = tokenOf(input);
      if (after !== undefined) events = events.slice(position(events, after));
      const out: LogEvent[] = [];
      let bytes = 0;
      let next: string | undefined;
      for (const e of events) {
        if (!matches(e.message)) continue;
        const size = Buffer.byteLength(e.message) + 26;
        if (out.length === limit || (out.length > 0 && bytes + size > MAX_BYTES)) {
          next = e.id;
          break;
        }
        out.push(e);
        bytes += size;
      }
      return {
        events: out.map((e) => ({ logStreamName: LOG_STREAM_NAME, timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp, eventId: e.id })),
        searchedLogStreams: [{ logStreamName: LOG_STREAM_NAME, searchedCompletely: true }],
        ...(next === undefined ? {} : { nextToken: token(next) }),
      };
    },
  };

  async function run(req: IncomingMessage, body: Buffer, call: { operation?: string }): Promise<{ status: number; body: unknown; type?: string }> {
    const target = String(req.headers['x-amz-target']);
    const operation = target.slice(LOGS_TARGET_PREFIX.length);
    call.operation = operation;
    if (req.method !== 'POST') return { status: 404, type: 'UnknownOperationException', body: { message: `${req.method} is not supported by the CloudWatch Logs API` } };
    const op = Object.hasOwn(operations, operation) ? operations[operation]! : undefined;
    const who = await requestAccount(iam, config, req, body, 'logs');
    if (op === undefined) return { status: 400, type: 'UnknownOperationException', body: { message: `Gatehouse does not implement the CloudWatch Logs operation ${operation}` } };
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, type: 'SerializationException', body: {} };
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return { status: 400, type: 'SerializationException', body: {} };
    const c: Call = { input: input as Input, region: who.region, accountId: who.accountId };
    if (who.caller !== null) {
      const group = (input as Input).logGroupName ?? (input as Input).logGroupIdentifier;
      iam.authorize(who.caller, `logs:${operation}`, typeof group === 'string' ? groupArn(c, fromIdentifier(group)) : `arn:aws:logs:${c.region}:${c.accountId}:log-group:*`);
    }
    return { status: 200, body: await op(c) };
  }

  return {
    handle(req, res) {
      const requestId = randomUUID();
      const started = Date.now();
      const call: { operation?: string } = {};
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BYTES) chunks.push(c);
      });
      req.on('error', () => res.destroy());
      req.on('end', () => {
        const answer = size > MAX_BYTES
          ? Promise.resolve({ status: 413, type: 'SerializationException', body: { message: 'Request too large' } })
          : run(req, Buffer.concat(chunks), call).catch(errorAnswer);
        void answer.then((a) => sendAwsJsonAnswer(req, res, a, {
          contentType: 'application/x-amz-json-1.1', requestId, started, target: `logs ${call.operation ?? ''}`, operation: call.operation ?? '',
        }));
      });
    },
    close: () => logs.release(),
  };
}

// ---------------------------------------------------------------- input

function validation(message: string): LogsError {
  return new LogsError('ValidationException', `1 validation error detected: ${message}`);
}

/** logGroupName, or logGroupIdentifier (a name or an ARN); exactly one of them. */
function groupName(input: Input): string {
  const name = input.logGroupName;
  const identifier = input.logGroupIdentifier;
  if (name !== undefined && identifier !== undefined) throw invalid('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  if (name === undefined && identifier === undefined) throw invalid('Should provide either logGroupName or logGroupIdentifier.');
  if (name !== undefined) {
    if (typeof name !== 'string' || !LOG_GROUP_NAME.test(name)) throw validation(`Value '${String(name)}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`);
    return name;
  }
  if (typeof identifier !== 'string' || identifier === '') throw invalid('Invalid logGroupIdentifier');
  return fromIdentifier(identifier);
}

/** A log group identifier is its name or its ARN (with or without :*). */
function fromIdentifier(id: string): string {
  const m = /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/.exec(id);
  return m === null ? id : m[1]!;
}

function optionalString(input: Input, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new LogsError('SerializationException', `${key} must be a string`);
  return v;
}

function requiredString(input: Input, key: string): string {
  const v = optionalString(input, key);
  if (v === undefined) throw validation(`Value null at '${key}' failed to satisfy constraint: Member must not be null`);
  return v;
}

function stringList(input: Input, key: string): string[] {
  const v = input[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new LogsError('SerializationException', `${key} must be a list of strings`);
  if (v.length === 0) throw validation(`Value '[]' at '${key}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  return v as string[];
}

function optionalTime(input: Input, key: string): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new LogsError('SerializationException', `${key} must be a whole number`);
  if (v < 0) throw validation(`Value '${v}' at '${key}' failed to satisfy constraint: Member must have value greater than or equal to 0`);
  return v;
}

function optionalLimit(input: Input, max: number): number {
  const v = input.limit;
  if (v === undefined || v === null) return max;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new LogsError('SerializationException', 'limit must be a whole number');
  if (v < 1) throw validation(`Value '${v}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  if (v > max) throw validation(`Value '${v}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  return v;
}

// ---------------------------------------------------------------- paging

function token(value: string): string {
  return Buffer.from(JSON.stringify({ after: value })).toString('base64url');
}

/** The position a nextToken names; undefined without one. */
function tokenOf(input: Input): string | undefined {
  const t = optionalString(input, 'nextToken');
  if (t === undefined) return undefined;
  try {
    const v = (JSON.parse(Buffer.from(t, 'base64url').toString('utf8')) as { after?: unknown }).after;
    if (typeof v === 'string') return v;
  } catch {
    /* answered below */
  }
  throw invalid('The specified nextToken is invalid.');
}

/** The index of the event `id` names, or just past it for `{id}+`. */
function position(events: readonly LogEvent[], id: string): number {
  const past = id.endsWith('+');
  const at = events.findIndex((e) => e.id === (past ? id.slice(0, -1) : id));
  if (at !== -1) return past ? at + 1 : at;
  // The event is gone (its file rotated away, or a token of nothing yet): from the oldest kept.
  return 0;
}

/** The id just past the last event (the forward token of a caught-up reader). */
function after(events: readonly LogEvent[]): string {
  const last = events.at(-1);
  return last === undefined ? '0' : `${last.id}+`;
}

/** The first events that fit in the response's 1 MB (at least one). */
function fitBytes(events: LogEvent[]): LogEvent[] {
  let n = 0;
  let i = 0;
  for (; i < events.length; i++) {
    n += Buffer.byteLength(events[i]!.message) + 26;
    if (n > MAX_BYTES && i > 0) break;
  }
  return events.slice(0, i);
}
