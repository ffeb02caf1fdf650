// Differential tests against responses recorded from real Amazon API Gateway.
//
// The recordings live outside the repository, in ../shared/aws-recorded beside the checkout (or
// where GATEHOUSE_AWS_RECORDED points); see docs/aws-recorded.md. Each recorded test is a list of
// labelled responses in boto3's shape: the output fields plus ResponseMetadata, or for an error
// {Error: {Code, Message}, message?, ResponseMetadata}, with ids, names and dates replaced by
// placeholders. A replay sends the same requests to Gatehouse with the AWS SDK v3, turns each
// answer into that shape, normalises it the same way, and compares strictly: a missing label,
// a missing field and an extra field all fail.
//
// API (all of it):
//   const rec = useRecorded('test_apigateway_api', { keys?: [...] });   // once per file
//   rec.test('TestClass::test_name', async (r) => {
//     const api = await r.ok('create-rest-api', new CreateRestApiCommand({ name: 'a' }));
//     await r.send('get-missing', new GetRestApiCommand({ restApiId: 'nope' }));  // error recorded
//     r.alias('NOPE', '<upper-id>');            // a test-specific replacement, as the recording's own
//     r.record('label', value);                 // a value built by hand (rarely needed)
//     r.sort('items', (x) => x.path);           // sorts every `items` list, as the recording's sorter did
//     await r.send('label', cmd, (out) => ({ ...out, log: '<log>' }));  // a recording's own transformer
//     await r.raw('label', 'PUT', '/restapis/..', '{"requestParameters":{"true":true}}');  // bytes no SDK sends
//   });
//   r.client and r.gh are the SDK client and the Gatehouse; r.setup(cmd) sends without recording.
//   rec.test(name, body, { differs: { '$.label.field': 'why' } })   // a known, explained difference;
//     each listed path must still differ (a stale entry fails), and every other path must match.
// `keys` are the fields whose values become numbered placeholders (<id:1>, <name:1>, ...), in the
// order the recording's transformers list them; every other occurrence of such a value (in a
// message, a path, a map key) is replaced too. Dates become "datetime". The default keys are the
// ones the API Gateway recordings use: id, name, parentId, rootResourceId.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { REGION, useGatehouse } from '../helpers/server.ts';
import type { Answer } from '../execute/helpers.ts';

/** A unique name, as the recorded tests use (a fixed word would be replaced wherever it occurs). */
export function uid(prefix = 'test-api'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

const DEFAULT_KEYS = ['id', 'name', 'parentId', 'rootResourceId'];

/** Where the recordings are: GATEHOUSE_AWS_RECORDED, else ../shared/aws-recorded beside the checkout. */
export function recordingsDir(): string {
  const fromEnv = process.env.GATEHOUSE_AWS_RECORDED;
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : resolve(repo, '..', 'shared', 'aws-recorded');
  // Missing recordings fail the suite: they are its input, and CI always has them.
  if (!existsSync(join(dir, 'snapshots'))) throw new Error(`AWS recordings not found at ${dir} (set GATEHOUSE_AWS_RECORDED)`);
  return dir;
}

const loaded = new Map<string, Record<string, { 'recorded-content': Record<string, unknown> }>>();

/** The recorded-content of one test of a snapshot file ('test_apigateway_api', 'TestX::test_y'). */
export function recordedContent(file: string, testName: string): Record<string, unknown> {
  let snap = loaded.get(file);
  if (snap === undefined) {
    snap = JSON.parse(readFileSync(join(recordingsDir(), 'snapshots', `${file}.snapshot.json`), 'utf8')) as Record<string, { 'recorded-content': Record<string, unknown> }>;
    loaded.set(file, snap);
  }
  const key = Object.keys(snap).find((k) => k.endsWith(`::${testName}`));
  if (key === undefined) throw new Error(`no recording ${testName} in ${file}`);
  return snap[key]!['recorded-content'];
}

/** A file of the recordings' files/ folder (definitions the import tests use). */
export function recordedFile(name: string): Buffer {
  return readFileSync(join(recordingsDir(), 'files', name));
}

type Sendable = { send(command: never): Promise<unknown> };

export class Replay {
  readonly results: Record<string, unknown> = {};
  private readonly aliases: [string, string][] = [];
  private readonly sorters: [string, (item: any) => string][] = [];
  constructor(
    readonly client: APIGatewayClient,
    readonly gh: Gatehouse,
    private readonly lastBody: () => unknown,
  ) {}

  /**
   * Sends a command and records its answer (output or error) under `label`; undefined on error.
   * `transform` rewrites a successful output first, as a recording's own transformer did.
   */
  async send<O>(label: string, command: object, transform?: (out: Record<string, unknown>) => Record<string, unknown>): Promise<O | undefined> {
    try {
      const out = await (this.client as unknown as Sendable).send(command as never);
      const shown = transform === undefined ? out : { ...transform(out as Record<string, unknown>), $metadata: (out as { $metadata: unknown }).$metadata };
      this.record(label, successShape(shown as Record<string, unknown>));
      return out as O;
    } catch (err) {
      this.record(label, errorShape(err as SdkError, this.lastBody()));
      return undefined;
    }
  }

  /** Like send, but the call must succeed (its answer is recorded either way). */
  async ok<O = any>(label: string, command: object): Promise<O> {
    const out = await this.send<O>(label, command);
    if (out === undefined) throw new Error(`${label} failed: ${JSON.stringify(this.results[label])}`);
    return out;
  }

  /** Sends without recording (setup the recording did not snapshot). */
  async setup<O = any>(command: object): Promise<O> {
    return (await (this.client as unknown as Sendable).send(command as never)) as O;
  }

  record(label: string, value: unknown): void {
    if (label in this.results) throw new Error(`label ${label} recorded twice`);
    this.results[label] = value;
  }

  /** Sorts every list under `key` by `by` before numbering (the recordings' SortingTransformer). */
  sort(key: string, by: (item: any) => string): void {
    this.sorters.push([key, by]);
  }

  /** Sends a raw JSON request (for bodies the SDK cannot produce) and records the answer. */
  async raw(label: string, method: string, path: string, body: string): Promise<void> {
    const res = await fetch(new URL(path, this.gh.url), {
      method,
      body,
      headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDGATEHOUSETEST/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0' },
    });
    const text = await res.text();
    const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    const meta = { HTTPHeaders: {}, HTTPStatusCode: res.status };
    if (res.status < 300) this.record(label, { ...parsed, ResponseMetadata: meta });
    else {
      const type = (res.headers.get('x-amzn-errortype') ?? '').split(':')[0]!;
      const shape: Record<string, unknown> = { Error: { Code: type, Message: parsed.message ?? parsed.Message } };
      if ('message' in parsed) shape.message = parsed.message;
      shape.ResponseMetadata = meta;
      this.record(label, shape);
    }
  }

  /** Replaces every occurrence of `value` with `placeholder` (a test's own transformer). */
  alias(value: string, placeholder: string): void {
    this.aliases.push([value, placeholder]);
  }

  normalised(keys: readonly string[]): Record<string, unknown> {
    const sortLists = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(sortLists);
      else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          const sorter = this.sorters.find(([key]) => key === k);
          if (sorter !== undefined && Array.isArray(x)) x.sort((a, b) => (sorter[1](a) < sorter[1](b) ? -1 : sorter[1](a) > sorter[1](b) ? 1 : 0));
          sortLists(x);
        }
      }
    };
    sortLists(this.results);
    return normalise(this.results, keys, [...this.aliases, ['000000000000', '111111111111'], [REGION, '<region>']]);
  }
}

interface SdkError extends Error {
  $metadata?: { httpStatusCode?: number };
}

function successShape(out: Record<string, unknown>): Record<string, unknown> {
  const { $metadata, ...fields } = out as { $metadata: { httpStatusCode?: number } };
  return { ...plain(fields) as object, ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode: $metadata.httpStatusCode } };
}

// boto3 adds a top-level `message` only when the body had one in lower case (API Gateway's own
// errors do; Coral's ValidationException and SerializationException say "Message").
function errorShape(err: SdkError, body: unknown): Record<string, unknown> {
  if (err.$metadata?.httpStatusCode === undefined) throw err; // not an answer from the server
  const shape: Record<string, unknown> = { Error: { Code: err.name, Message: err.message } };
  if (body !== null && typeof body === 'object' && 'message' in body) shape.message = (body as { message: unknown }).message;
  shape.ResponseMetadata = { HTTPHeaders: {}, HTTPStatusCode: err.$metadata.httpStatusCode };
  return shape;
}

/** SDK output as JSON-like data: dates become "datetime" (as the recordings have them), bytes text. */
function plain(v: unknown): unknown {
  if (v instanceof Date) return 'datetime';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = plain(x);
    return o;
  }
  return v;
}

/**
 * Normalises as the recordings' transformers did: each key in turn, the first value not yet
 * normalised gets the next number and is replaced at once wherever it occurs (strings and map
 * keys), so a later value containing it ("MySchemaTwo" after "MySchema") keeps the replaced part.
 * Strings holding JSON objects or lists are parsed first, as the recorder parsed them.
 */
export function normalise(results: Record<string, unknown>, keys: readonly string[], aliases: readonly [string, string][] = []): Record<string, unknown> {
  const swapAll = (v: unknown, value: string, placeholder: string, top = false): unknown => {
    if (typeof v === 'string') return v.split(value).join(placeholder);
    if (Array.isArray(v)) return v.map((x) => swapAll(x, value, placeholder));
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      // Labels are the test's own words, never values.
      for (const [k, x] of Object.entries(v)) o[top ? k : k.split(value).join(placeholder)] = swapAll(x, value, placeholder);
      return o;
    }
    return v;
  };
  let data = parseJsonStrings(results) as Record<string, unknown>;
  for (const [value, placeholder] of aliases) data = swapAll(data, value, placeholder, true) as Record<string, unknown>;
  for (const key of keys) {
    const kebab = key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
    for (let n = 1; ; n++) {
      const found = firstRaw(data, key);
      if (found === undefined) break;
      data = swapAll(data, found, `<${kebab}:${n}>`, true) as Record<string, unknown>;
    }
  }
  return data;
}

// A value already numbered is not numbered again ("<name:1>Two" stays); one holding only a fixed
// word (an ARN with "<region>" in it) still is.
const PLACEHOLDER = /<[a-z_-]+:\d+>/;

// The recorder sorted each answer's keys (case-insensitively: "Error", "message",
// "ResponseMetadata") before numbering, so a stage's canarySettings.deploymentId is numbered
// before its deploymentId; labels keep the test's order.
const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);

function firstRaw(v: unknown, key: string, top = true): string | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const f = firstRaw(x, key, false);
      if (f !== undefined) return f;
    }
  } else if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (!top) entries.sort(byKey);
    for (const [k, x] of entries) {
      if (k === key && typeof x === 'string' && x !== '' && !PLACEHOLDER.test(x)) return x;
      const f = firstRaw(x, key, false);
      if (f !== undefined) return f;
    }
  }
  return undefined;
}

function parseJsonStrings(v: unknown): unknown {
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        return JSON.parse(t);
      } catch {
        return v;
      }
    }
    return v;
  }
  if (Array.isArray(v)) return v.map(parseJsonStrings);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, parseJsonStrings(x)]));
  return v;
}

/** Every difference between actual and expected, one line each ('' when equal). */
export function diff(actual: unknown, expected: unknown, path = '$'): string[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
      if (i >= actual.length) out.push(`${path}[${i}]: missing, expected ${JSON.stringify(expected[i])}`);
      else if (i >= expected.length) out.push(`${path}[${i}]: extra ${JSON.stringify(actual[i])}`);
      else out.push(...diff(actual[i], expected[i], `${path}[${i}]`));
    }
    return out;
  }
  if (isObject(expected) && isObject(actual)) {
    const out: string[] = [];
    for (const k of Object.keys(expected)) {
      if (!(k in actual)) out.push(`${path}.${k}: missing, expected ${JSON.stringify(expected[k])}`);
      else out.push(...diff(actual[k], expected[k], `${path}.${k}`));
    }
    for (const k of Object.keys(actual)) if (!(k in expected)) out.push(`${path}.${k}: extra ${JSON.stringify(actual[k])}`);
    return out;
  }
  return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [`${path}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export interface TestOptions {
  /** Known, explained differences: diff path (as a failure prints it, up to ': ') to the reason. */
  differs?: Record<string, string>;
  /** This test's placeholder keys, where its recording used other transformers than the file's. */
  keys?: readonly string[];
  /**
   * Rewrites the recording before comparing, for parts that belong to AWS's infrastructure rather
   * than to API Gateway (CloudFront's headers on an edge-optimized endpoint); documented per use.
   */
  transformRecording?: (recorded: Record<string, unknown>) => unknown;
}

export interface Recorded {
  /**
   * Registers a node:test test replaying the recorded test `name` ('TestClass::test_fn').
   * `differs` maps a diff path (as the failure prints it, up to the first ': ') to the reason.
   */
  test(name: string, body: (r: Replay) => Promise<void>, options?: TestOptions): void;
}

/** Starts one Gatehouse for the file's tests and returns the way to declare replays. */
export function useRecorded(file: string, options: { keys?: readonly string[] } = {}): Recorded {
  const keys = options.keys ?? DEFAULT_KEYS;
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let lastBody: unknown = null;
  useGatehouse((g, c) => {
    gh = g;
    client = c;
    // Keeps the raw body of each answer: boto3's error shape depends on the body's own keys.
    client.middlewareStack.addRelativeTo(
      ((next: (args: unknown) => Promise<{ response: { body: unknown } }>) => async (args: unknown) => {
        const result = await next(args);
        const chunks: Buffer[] = [];
        for await (const chunk of result.response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
        const raw = Buffer.concat(chunks);
        try {
          lastBody = JSON.parse(raw.toString('utf8'));
        } catch {
          lastBody = null;
        }
        const { Readable } = await import('node:stream');
        result.response.body = Readable.from([raw]);
        return result;
      }) as never,
      { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'recordRawBody' } as never,
    );
  });
  return {
    test(name, body, options = {}) {
      test(name, async () => {
        const recorded = recordedContent(file, name);
        const expected = options.transformRecording === undefined ? recorded : options.transformRecording(recorded);
        const r = new Replay(client, gh, () => lastBody);
        await body(r);
        const known = options.differs ?? {};
        const found = diff(r.normalised(options.keys ?? keys), expected);
        const pathOf = (line: string) => line.slice(0, line.indexOf(': '));
        const problems = found.filter((line) => !(pathOf(line) in known));
        for (const path of Object.keys(known)) if (!found.some((line) => pathOf(line) === path)) problems.push(`${path}: listed as differing but now matches; remove it`);
        assert.ok(problems.length === 0, `differs from AWS's recording:\n  ${problems.join('\n  ')}`);
      });
    },
  };
}

/** Sends a request line exactly as given (double slashes kept), with the stage's Host. */
export function rawCall(baseUrl: string, host: string, method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Answer & { rawHeaders: Record<string, string> }> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method, headers: { Host: host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const raw: Record<string, string> = {};
      for (let i = 0; i < res.rawHeaders.length; i += 2) raw[res.rawHeaders[i]!] = raw[res.rawHeaders[i]!] === undefined ? res.rawHeaders[i + 1]! : `${raw[res.rawHeaders[i]!]}, ${res.rawHeaders[i + 1]}`;
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: raw, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}


/** Numbers values by kind as the recorder's transformers did: `<kind:N>`, N by first appearance. */
export class Numbering {
  readonly #seen = new Map<string, Map<string, number>>();
  of(kind: string, value: string): string {
    let seen = this.#seen.get(kind);
    if (seen === undefined) this.#seen.set(kind, (seen = new Map()));
    if (!seen.has(value)) seen.set(value, seen.size + 1);
    return `<${kind}:${seen.get(value)}>`;
  }
}
