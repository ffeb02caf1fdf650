// The JSON body of CreateFunction and UpdateFunctionCode, with its base64 ZipFile decoded to
// bytes. A full-size request (70 MB of JSON) takes seconds of JSON.parse and base64 decoding;
// on the event loop that would stall every other client, so large bodies are decoded in a
// worker thread (a heap limit, a deadline, two at a time) and the archive comes back as a
// transferred buffer, not a copy.
import { Worker } from 'node:worker_threads';
import { Turns, workerJob } from '../worker-job.ts';
import { LambdaError } from './errors.ts';

/** Bodies up to this size are decoded inline: a worker costs more than the parse. */
const INLINE_LIMIT = 1 << 20;
const WORKERS = 2;
const HEAP_MB = 768;
const DEADLINE_MS = 60_000;

/** Where the ZipFile member is: CreateFunction nests it in Code; UpdateFunctionCode has it at the top. */
export type ZipMember = 'Code.ZipFile' | 'ZipFile';

type Reply = { body: Record<string, unknown>; zip: Uint8Array | undefined } | { invalid: string };

// Plain JavaScript, evaluated: it runs the same from source (tsx) and built, with no loader.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
${decode.toString()}
const { bytes, member } = workerData;
const reply = decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), member);
parentPort.postMessage(reply, reply.zip ? [reply.zip.buffer] : []);
`;

/** Parses the body and decodes its ZipFile; the ZipFile member then holds the archive's bytes. */
export async function readCodeBody(bytes: Buffer, member: ZipMember): Promise<Record<string, unknown>> {
  const reply = bytes.byteLength <= INLINE_LIMIT ? decode(bytes, member) : await inWorker(bytes, member);
  if ('invalid' in reply) throw new LambdaError('InvalidRequestContentException', `Could not parse request body into json: ${reply.invalid}`);
  if (reply.zip !== undefined) {
    const holder = (member === 'ZipFile' ? reply.body : reply.body['Code']) as Record<string, unknown>;
    holder['ZipFile'] = Buffer.from(reply.zip.buffer, reply.zip.byteOffset, reply.zip.byteLength);
  }
  return reply.body;
}

// Runs on the event loop for small bodies and, as text, in the worker for large ones: it must
// not use anything from this module's scope.
function decode(bytes: Buffer, member: ZipMember): Reply {
  if (bytes.byteLength === 0) return { body: {}, zip: undefined };
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { invalid: (err as Error).message };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { invalid: 'expected an object' };
  const record = body as Record<string, unknown>;
  const holder = member === 'ZipFile' ? record : record['Code'];
  if (holder === null || typeof holder !== 'object') return { body: record, zip: undefined };
  const text = (holder as Record<string, unknown>)['ZipFile'];
  if (typeof text !== 'string' || text.length === 0) return { body: record, zip: undefined };
  const zip = Buffer.from(text, 'base64');
  (holder as Record<string, unknown>)['ZipFile'] = '';
  // Its own ArrayBuffer, so it can be transferred (a small Buffer sits in a shared pool).
  if (zip.byteOffset === 0 && zip.byteLength === zip.buffer.byteLength) return { body: record, zip: new Uint8Array(zip.buffer) };
  const own = new Uint8Array(zip.byteLength);
  own.set(zip);
  return { body: record, zip: own };
}

const turns = new Turns(WORKERS);

async function inWorker(bytes: Buffer, member: ZipMember): Promise<Reply> {
  const done = await turns.take();
  try {
    // Transferred, not copied: the body is not needed here any more.
    let data: Uint8Array;
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) data = new Uint8Array(bytes.buffer);
    else {
      data = new Uint8Array(bytes.byteLength);
      data.set(bytes);
    }
    const worker = new Worker(SOURCE, {
      eval: true,
      workerData: { bytes: data, member },
      transferList: [data.buffer as ArrayBuffer],
      resourceLimits: { maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: 64 },
      env: {},
      stdout: true,
      stderr: true,
    });
    return await workerJob<Reply>(worker, {
      deadlineMs: DEADLINE_MS,
      timedOut: () => new LambdaError('ServiceException', `Reading the request took longer than ${DEADLINE_MS} ms.`),
      outOfMemory: () => new LambdaError('RequestEntityTooLargeException', 'The request needed more memory than Gatehouse gives one request.'),
      name: 'request decoder',
    });
  } finally {
    done();
  }
}
