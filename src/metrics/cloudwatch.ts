// The CloudWatch API subset that reads metrics (ListMetrics, GetMetricStatistics, GetMetricData)
// on Gatehouse's port, in the three protocols CloudWatch clients speak:
//   - query: POST / with a form body (Action=GetMetricStatistics&Version=2010-08-01...), XML out;
//   - awsJson1.0: X-Amz-Target: GraniteServiceVersion20100801.<Operation>;
//   - Smithy RPC v2 CBOR: POST /service/GraniteServiceVersion20100801/operation/<Operation>,
//     which botocore (the AWS CLI, boto3) prefers since CloudWatch added it. CBOR is cborg's
//     (plain JavaScript, no native part); timestamps are tag 1 epoch seconds, floats 64-bit.
// Errors carry CloudWatch's query error codes (InvalidParameterValue, MissingParameter, ...),
// in x-amzn-query-error too, as CloudWatch's JSON and CBOR answers do.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decode as cborDecode, encode as cborEncode, Token, Type } from 'cborg';
import type { GatehouseConfig } from '../config.ts';
import { partitionOf, requestAccount } from '../http/aws-scope.ts';
import { AuthError, iamFor } from '../iam/index.ts';
import { logRequest, logsRequests, pathOf } from '../observe/log.ts';
import type { Store } from '../store/index.ts';
import { datapoints, isPercentile, listMetrics, unitOf } from './query.ts';

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const CBOR_PREFIX = '/service/GraniteServiceVersion20100801/operation/';
const XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const MAX_BODY = 1024 * 1024;
const MAX_DATAPOINTS = 1440;
const MAX_DATA_POINTS_PER_CALL = 100_800;
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];

type Protocol = 'query' | 'json' | 'cbor';

class CloudWatchError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400, readonly fault: 'Sender' | 'Receiver' = 'Sender') {
    super(message);
  }
}

const invalid = (message: string) => new CloudWatchError('InvalidParameterValue', message);
const missing = (name: string) => new CloudWatchError('MissingParameter', `The parameter ${name} is required.`);
const combination = (message: string) => new CloudWatchError('InvalidParameterCombination', message);

/** Which protocol a request speaks, or null when it is not CloudWatch's. */
export function cloudWatchProtocol(req: IncomingMessage): Protocol | null {
  if (req.method !== 'POST') return null;
  const url = req.url ?? '/';
  if (url.startsWith(CBOR_PREFIX)) return 'cbor';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.startsWith(TARGET_PREFIX) ? 'json' : null;
  if ((url === '/' || url.startsWith('/?')) && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    // The query protocol has no marker but the signature's scope: .../monitoring/aws4_request.
    return /\/monitoring\/aws4_request/.test(String(req.headers.authorization ?? '')) ? 'query' : null;
  }
  return null;
}

type Input = Record<string, unknown>;

const CBOR_TAGS: ((decode: () => unknown) => unknown)[] = [];
CBOR_TAGS[1] = (decode) => new Date(Number(decode()) * 1000);
const CBOR_ENCODERS = { Date: (d: Date) => [new Token(Type.tag, 1), new Token(Type.float, d.getTime() / 1000)] };

function decodeCbor(body: Buffer): unknown {
  return cborDecode(body, { tags: CBOR_TAGS as never, useMaps: false });
}

function encodeCbor(value: unknown): Uint8Array {
  return cborEncode(value, { typeEncoders: CBOR_ENCODERS as never, float64: true });
}

// ---------------------------------------------------------------- the query protocol's form

/** `A.member.1.B=x&A.member.2.B=y` → { A: [{ B: 'x' }, { B: 'y' }] }. */
export function formToObject(form: URLSearchParams): Input {
  const root: Input = {};
  for (const [key, value] of form) {
    const parts = key.split('.');
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      const last = i === parts.length - 1;
      if (p === 'member' && Array.isArray(node)) continue;
      const next = parts[i + 1];
      if (Array.isArray(node)) {
        const idx = Number(p) - 1;
        if (last) node[idx] = value;
        else node = (node[idx] ??= {}) as Record<string, unknown>;
        continue;
      }
      if (last) {
        node[p] = value;
      } else if (next === 'member') {
        node = (node[p] ??= []) as unknown[];
      } else {
        node = (node[p] ??= {}) as Record<string, unknown>;
      }
    }
  }
  return root;
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** The query protocol's XML: arrays as <member>, maps (ExtendedStatistics) as <entry><key/><value/></entry>. */
function toXml(name: string, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Date) return `<${name}>${v.toISOString().replace('.000Z', 'Z')}</${name}>`;
  if (Array.isArray(v)) return `<${name}>${v.map((x) => toXml('member', x)).join('')}</${name}>`;
  if (typeof v === 'object') {
    if (name === 'ExtendedStatistics') return `<${name}>${Object.entries(v).map(([k, x]) => `<entry><key>${xmlEscape(k)}</key><value>${x}</value></entry>`).join('')}</${name}>`;
    return `<${name}>${Object.entries(v).map(([k, x]) => toXml(k, x)).join('')}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(v))}</${name}>`;
}

// ---------------------------------------------------------------- input checks

function str(input: Input, name: string, required = true): string | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') {
    if (required) throw missing(name);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid(`The parameter ${name} must be a string.`);
  return v;
}

function time(input: Input, name: string): number {
  const v = input[name];
  if (v === undefined || v === null || v === '') throw missing(name);
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v * 1000 : typeof v === 'string' ? (/^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v)) : NaN;
  if (!Number.isFinite(ms)) throw invalid(`The parameter ${name} must be a valid timestamp.`);
  return ms;
}

function period(v: unknown): number {
  const p = Number(v);
  if (v === undefined || v === null || v === '') throw missing('Period');
  if (!Number.isInteger(p) || p < 1) throw invalid('The parameter Period must be a positive integer.');
  if (p % 60 !== 0) throw invalid('The parameter Period must be a multiple of 60.');
  return p;
}

function dimensions(v: unknown, exact: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) throw invalid('The parameter Dimensions must be a list.');
  if (v.length > 30) throw invalid('The collection Dimensions must not have a size greater than 30.');
  for (const d of v as { Name?: unknown; Value?: unknown }[]) {
    if (typeof d?.Name !== 'string' || d.Name === '') throw missing('Dimensions.member.N.Name');
    if (exact && (typeof d.Value !== 'string' || d.Value === '')) throw missing('Dimensions.member.N.Value');
    out[d.Name] = typeof d.Value === 'string' ? d.Value : '';
  }
  return out;
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

// ---------------------------------------------------------------- the operations

interface Call {
  readonly input: Input;
  readonly partition: string;
}

export function createCloudWatchPlane(config: GatehouseConfig, store: Store, beforeRead: () => Promise<void>): { matches(req: IncomingMessage): boolean; handle(req: IncomingMessage, res: ServerResponse): void } {
  const iam = iamFor(config);

  const operations: Record<string, (c: Call) => Promise<Input>> = {
    async ListMetrics({ input, partition }) {
      const namespace = str(input, 'Namespace', false);
      const metricName = str(input, 'MetricName', false);
      const filter = dimensions(input.Dimensions, false);
      await beforeRead();
      const all = (await listMetrics(store, partition, Date.now())).filter((m) => (namespace === undefined || m.namespace === namespace)
        && (metricName === undefined || m.metricName === metricName)
        && Object.entries(filter).every(([k, v]) => k in m.dimensions && (v === '' || m.dimensions[k] === v)));
      const start = typeof input.NextToken === 'string' ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(start) || start < 0) throw invalid('The parameter NextToken is not valid.');
      const page = all.slice(start, start + 500);
      return {
        Metrics: page.map((m) => ({ Namespace: m.namespace, MetricName: m.metricName, Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })) })),
        ...(start + 500 < all.length ? { NextToken: Buffer.from(String(start + 500)).toString('base64url') } : {}),
      };
    },

    async GetMetricStatistics({ input, partition }) {
      const namespace = str(input, 'Namespace')!;
      const metricName = str(input, 'MetricName')!;
      const start = time(input, 'StartTime');
      const end = time(input, 'EndTime');
      const p = period(input.Period);
      const stats = list(input.Statistics);
      const extended = list(input.ExtendedStatistics);
      if (stats.length === 0 && extended.length === 0) throw missing('Statistics or ExtendedStatistics');
      for (const s of stats) if (!STATISTICS.includes(s)) throw invalid(`The parameter Statistics.member.1 must be a value in the set [ Average, Sum, SampleCount, Maximum, Minimum ].`);
      for (const s of extended) if (!isPercentile(s)) throw invalid(`The parameter ExtendedStatistics must be a valid percentile such as p99, not ${s}.`);
      if (stats.length + extended.length > 10) throw combination('The collection of Statistics and ExtendedStatistics must not have more than 10 members.');
      if (start >= end) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
      const count = Math.ceil((end - start) / (p * 1000));
      if (count > MAX_DATAPOINTS) {
        throw combination(`You have requested up to ${count.toLocaleString('en-US')} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
      }
      await beforeRead();
      const unit = unitOf(namespace, metricName);
      const points = await datapoints(store, { partition, namespace, metricName, dimensions: dimensions(input.Dimensions, true), start, end, period: p }, stats, extended);
      return {
        Label: metricName,
        Datapoints: points.map((d) => ({
          Timestamp: new Date(d.timestamp),
          ...(d.SampleCount !== undefined ? { SampleCount: d.SampleCount } : {}),
          ...(d.Average !== undefined ? { Average: d.Average } : {}),
          ...(d.Sum !== undefined ? { Sum: d.Sum } : {}),
          ...(d.Minimum !== undefined ? { Minimum: d.Minimum } : {}),
          ...(d.Maximum !== undefined ? { Maximum: d.Maximum } : {}),
          Unit: unit ?? 'None',
          ...(d.extended !== undefined ? { ExtendedStatistics: d.extended } : {}),
        })),
      };
    },

    async GetMetricData({ input, partition }) {
      const queries = input.MetricDataQueries;
      if (!Array.isArray(queries) || queries.length === 0) throw missing('MetricDataQueries');
      if (queries.length > 500) throw invalid('The collection MetricDataQueries must not have a size greater than 500.');
      const start = time(input, 'StartTime');
      const end = time(input, 'EndTime');
      if (start >= end) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
      const ascending = input.ScanBy === 'TimestampAscending';
      await beforeRead();
      const results = [];
      let total = 0;
      for (const q of queries as Input[]) {
        const id = str(q, 'Id')!;
        if (!/^[a-z][a-zA-Z0-9_]*$/.test(id)) throw invalid(`The value ${id} for parameter MetricDataQueries.member.1.Id is not valid. It must start with a lowercase letter and contain only letters, numbers and underscores.`);
        if (q.Expression !== undefined) throw invalid('Metric math expressions are not supported by Gatehouse; use MetricStat.');
        const ms = q.MetricStat as Input | undefined;
        if (ms === undefined) throw missing('MetricDataQueries.member.1.MetricStat');
        const metric = (ms.Metric ?? {}) as Input;
        const namespace = str(metric, 'Namespace')!;
        const metricName = str(metric, 'MetricName')!;
        const p = period(ms.Period);
        const stat = str(ms, 'Stat')!;
        if (!STATISTICS.includes(stat) && !isPercentile(stat)) throw invalid(`The value ${stat} for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.`);
        total += Math.ceil((end - start) / (p * 1000));
        if (total > MAX_DATA_POINTS_PER_CALL) throw combination('The maximum number of data points returned from a single call is 100,800.');
        const points = await datapoints(store, { partition, namespace, metricName, dimensions: dimensions(metric.Dimensions, true), start, end, period: p },
          isPercentile(stat) ? [] : [stat], isPercentile(stat) ? [stat] : []);
        const values = points.map((d) => (isPercentile(stat) ? d.extended![stat]! : (d as unknown as Record<string, number>)[stat]!));
        const order = points.map((_, i) => i);
        if (!ascending) order.reverse();
        if (q.ReturnData === false || q.ReturnData === 'false') continue;
        results.push({
          Id: id,
          Label: typeof q.Label === 'string' ? q.Label : metricName,
          Timestamps: order.map((i) => new Date(points[i]!.timestamp)),
          Values: order.map((i) => values[i]!),
          StatusCode: 'Complete',
        });
      }
      return { MetricDataResults: results, Messages: [] };
    },
  };

  async function run(req: IncomingMessage, protocol: Protocol, body: Buffer): Promise<{ operation: string; output: Input }> {
    const who = await requestAccount(iam, config, req, body, 'monitoring');
    let operation: string;
    let input: Input;
    if (protocol === 'query') {
      const form = new URLSearchParams(body.toString('utf8'));
      operation = form.get('Action') ?? '';
      input = formToObject(form);
    } else if (protocol === 'json') {
      operation = String(req.headers['x-amz-target']).slice(TARGET_PREFIX.length);
      try {
        input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Input);
      } catch {
        throw new CloudWatchError('SerializationException', 'The request body is not valid JSON.');
      }
    } else {
      operation = (req.url ?? '').slice(CBOR_PREFIX.length).split('?')[0]!;
      try {
        input = body.length === 0 ? {} : (decodeCbor(body) as Input);
      } catch {
        throw new CloudWatchError('SerializationException', 'The request body is not valid CBOR.');
      }
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new CloudWatchError('SerializationException', 'The request body is not an object.');
    const op = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
    if (op === undefined) throw new CloudWatchError('InvalidAction', `Gatehouse's CloudWatch does not implement the operation ${operation}: it serves ListMetrics, GetMetricStatistics and GetMetricData.`);
    if (who.caller !== null) iam.authorize(who.caller, `cloudwatch:${operation}`, '*');
    return { operation, output: await op({ input, partition: partitionOf(who.accountId, who.region) }) };
  }

  function send(res: ServerResponse, protocol: Protocol, requestId: string, operation: string, output: Input | null, err: CloudWatchError | null): void {
    let body: Buffer;
    const headers: Record<string, string | number> = { 'x-amzn-RequestId': requestId };
    if (protocol === 'query') {
      headers['content-type'] = 'text/xml';
      body = Buffer.from(err === null
        ? `<${operation}Response xmlns="${XMLNS}">${toXml(`${operation}Result`, output)}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`
        : `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${err.fault}</Type><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
    } else {
      const out = err === null ? output : { __type: `com.amazonaws.cloudwatch#${err.code}`, message: err.message };
      if (err !== null) headers['x-amzn-query-error'] = `${err.code};${err.fault}`;
      if (protocol === 'json') {
        headers['content-type'] = 'application/x-amz-json-1.0';
        // Timestamps are epoch seconds in awsJson (the replacer sees a Date's value before toJSON through `this`).
        body = Buffer.from(JSON.stringify(out, function (this: Record<string, unknown>, k, v) {
          const raw = this[k];
          return raw instanceof Date ? raw.getTime() / 1000 : v;
        }));
      } else {
        headers['content-type'] = 'application/cbor';
        headers['smithy-protocol'] = 'rpc-v2-cbor';
        body = Buffer.from(encodeCbor(out));
      }
    }
    headers['content-length'] = body.length;
    res.writeHead(err === null ? 200 : err.status, headers);
    res.end(body);
  }

  return {
    matches: (req) => cloudWatchProtocol(req) !== null,
    handle(req, res) {
      const protocol = cloudWatchProtocol(req)!;
      const requestId = randomUUID();
      const started = Date.now();
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      req.on('error', () => res.destroy());
      req.on('end', () => {
        const done = (operation: string, output: Input | null, err: CloudWatchError | null): void => {
          send(res, protocol, requestId, operation, output, err);
          if (logsRequests()) {
            logRequest({ requestId, method: 'POST', path: pathOf(req.url ?? '/'), status: res.statusCode, latencyMs: Date.now() - started, target: `cloudwatch ${operation}`, operation });
          }
        };
        if (size > MAX_BODY) return done('', null, new CloudWatchError('RequestEntityTooLarge', 'Request size exceeded 1 MB', 413));
        run(req, protocol, Buffer.concat(chunks)).then(
          ({ operation, output }) => done(operation, output, null),
          (err: unknown) => {
            if (err instanceof CloudWatchError) return done('', null, err);
            if (err instanceof AuthError) return done('', null, new CloudWatchError(err.code, err.message, err.status));
            done('', null, new CloudWatchError('InternalServiceError', String((err as Error)?.message ?? err), 500, 'Receiver'));
          },
        );
      });
    },
  };
}
