// The program a Node.js worker process runs: it loads the function's handler the way Lambda's
// Node.js runtime interface client does (CommonJS or ESM, nested handler paths), then serves
// invocations sent by the parent over file descriptor 3, one at a time. Kept as text so that it
// is written into each function's sandbox and runs under plain `node`, from the TypeScript
// sources and from the compiled dist/ alike.
//
// Protocol (newline-delimited JSON over fd 3, a socket pair, the same for every runtime; the
// parent reads it with a size limit per message, which Node's own IPC channel does not have):
//   parent → worker  {t:'invoke', id, deadline, arn, clientContext, event} (the event as JSON, not as a string of it)
//   worker → parent  {t:'ready'} | {t:'init-error', error} | {t:'log', line} | {t:'fatal', error}
//                    | {t:'result', id, ok, maxRssMb, size} followed by the payload's size bytes
//                      as they are and a line break (the payload is not escaped into a string)
//
// callbackWaitsForEmptyEventLoop: while an invocation runs the channel is unref'd, so Node
// emits 'beforeExit' exactly when the function has nothing left to do; a callback result waits
// for that moment, as it does on Lambda.
export const NODE_BOOTSTRAP = String.raw`
import { createRequire } from 'node:module';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import util from 'node:util';

const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerString = process.env._HANDLER;
let current = null;

const channel = new net.Socket({ fd: 3, readable: true, writable: true });
// One log message carries at most CloudWatch's event size; the parent refuses longer messages.
const MAX_LINE = 262144;
const MAX_RESPONSE = 6291556;

function send(msg) {
  if (!channel.destroyed) channel.write(JSON.stringify(msg) + '\n');
}

function logger(level) {
  return function (...args) {
    const id = current === null ? 'undefined' : current.id;
    let text = util.format(...args);
    if (text.length > MAX_LINE) text = text.slice(0, MAX_LINE) + ' [truncated]';
    send({ t: 'log', line: new Date().toISOString() + '\t' + id + '\t' + level + '\t' + text + '\n' });
  };
}
console.log = logger('INFO');
console.info = logger('INFO');
console.warn = logger('WARN');
console.error = logger('ERROR');
console.debug = logger('DEBUG');
console.trace = function (...args) {
  const stack = String(new Error().stack).split('\n').slice(2).join('\n');
  logger('TRACE')('Trace: ' + util.format(...args) + '\n' + stack);
};

function isErrorLike(e) {
  return e instanceof Error || (e !== null && typeof e === 'object' && typeof e.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string');
}

// The shape Lambda's Node.js runtimes report: errorType, errorMessage, trace.
function toRapid(err) {
  try {
    if (isErrorLike(err)) return { errorType: err.name, errorMessage: err.message, trace: String(err.stack).split('\n') };
    return { errorType: typeof err, errorMessage: String(err), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack' };
  }
}

function typedError(type, message) {
  const e = new Error(message);
  e.name = type;
  return e;
}

function findPackageType(dir) {
  for (let d = dir; d.startsWith(taskRoot); d = path.dirname(d)) {
    const pj = path.join(d, 'package.json');
    if (existsSync(pj)) {
      try { return JSON.parse(readFileSync(pj, 'utf8')).type === 'module' ? 'module' : 'commonjs'; } catch { return 'commonjs'; }
    }
    if (d === taskRoot) break;
  }
  return 'commonjs';
}

async function loadHandler() {
  const moduleRoot = path.dirname(handlerString);
  const base = path.basename(handlerString);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) throw typedError('Runtime.MalformedHandlerName', "Bad handler " + handlerString);
  const moduleName = base.slice(0, dot);
  const handlerPath = base.slice(dot + 1);
  const stem = path.resolve(taskRoot, moduleRoot, moduleName);
  let file = null;
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (existsSync(stem + ext)) { file = stem + ext; break; }
  }
  let mod;
  try {
    if (file === null) {
      mod = createRequire(path.join(taskRoot, 'index.js'))(stem);
    } else if (file.endsWith('.mjs') || (file.endsWith('.js') && findPackageType(path.dirname(file)) === 'module')) {
      mod = await import(pathToFileURL(file).href);
    } else {
      mod = createRequire(file)(file);
    }
  } catch (e) {
    if (e && e.code === 'MODULE_NOT_FOUND' && file === null) {
      throw typedError('Runtime.ImportModuleError', "Error: Cannot find module '" + moduleName + "'\nRequire stack:\n- " + path.join(taskRoot, 'index.js'));
    }
    if (e instanceof SyntaxError) throw typedError('Runtime.UserCodeSyntaxError', 'SyntaxError: ' + e.message);
    throw e;
  }
  let fn = mod;
  for (const part of handlerPath.split('.')) {
    fn = fn === undefined || fn === null ? undefined : fn[part];
  }
  // An ESM import of a CommonJS file may leave the exports under default only.
  if (fn === undefined && mod && mod.default && typeof mod.default === 'object') {
    fn = mod.default;
    for (const part of handlerPath.split('.')) fn = fn === undefined || fn === null ? undefined : fn[part];
  }
  if (fn === undefined || fn === null) throw typedError('Runtime.HandlerNotFound', moduleName + '.' + handlerPath + ' is undefined or not exported');
  if (typeof fn !== 'function') throw typedError('Runtime.HandlerNotFound', moduleName + '.' + handlerPath + ' is not a function');
  return fn;
}

// The process's peak resident memory (REPORT's Max Memory Used), read at most every RSS_SAMPLE_MS:
// getrusage is a system call, which on a VM cost about 7% of a small invocation's CPU when made
// for every one. The peak only grows, so a later reading catches up; the gateway also samples the
// worker's memory every 100 ms while an invocation runs.
const RSS_SAMPLE_MS = 100;
let rssMb = 0;
let rssAt = -Infinity;
function maxRssMb() {
  const now = performance.now();
  if (now - rssAt >= RSS_SAMPLE_MS) {
    rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    rssAt = now;
  }
  return rssMb;
}

function respond(inv, ok, value) {
  let body;
  if (ok) {
    try {
      body = JSON.stringify(value === undefined ? null : value);
      if (body === undefined) body = 'null';
    } catch (e) {
      ok = false;
      value = e;
    }
  }
  let size = ok ? Buffer.byteLength(body) : -1;
  if (ok && size > MAX_RESPONSE) {
    ok = false;
    body = JSON.stringify({ errorType: 'Function.ResponseSizeTooLarge', errorMessage: 'Response payload size exceeded maximum allowed payload size (' + MAX_RESPONSE + ' bytes).' });
  } else if (!ok) {
    const rapid = toRapid(value);
    console.error('Invoke Error', '\t' + JSON.stringify(rapid));
    body = JSON.stringify(rapid);
  }
  if (!ok) size = Buffer.byteLength(body);
  // One write: the header line, then the payload as it is.
  if (!channel.destroyed) channel.write(JSON.stringify({ t: 'result', id: inv.id, ok, maxRssMb: maxRssMb(), size }) + '\n' + body + '\n');
  if (current === inv) current = null;
  channel.ref();
}

// context.callbackWaitsForEmptyEventLoop is an own, enumerable accessor, as on Lambda. Its getter
// and setter are the same two functions for every context, and the flag lives on the context
// under a symbol: getters written in the object literal were new closures per invocation, so V8
// made every context a hidden class of its own in the old generation, which kept each
// invocation's objects alive past scavenges (measured with bench/lambda-runtime.ts: GC 238 → 53 ms
// over 13,000 invocations, 112 → 53 µs of CPU an invocation).
const WAITS = Symbol('callbackWaitsForEmptyEventLoop');
const WAITS_PROPERTY = {
  get() { return this[WAITS]; },
  set(v) { this[WAITS] = Boolean(v); },
  enumerable: true,
  configurable: true,
};
// Fixed for the worker's life: read once, not from the environment per invocation.
const FUNCTION_NAME = process.env.AWS_LAMBDA_FUNCTION_NAME;
const FUNCTION_VERSION = process.env.AWS_LAMBDA_FUNCTION_VERSION;
const MEMORY_SIZE = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
const LOG_GROUP = process.env.AWS_LAMBDA_LOG_GROUP_NAME;
const LOG_STREAM = process.env.AWS_LAMBDA_LOG_STREAM_NAME;

function run(handler, msg) {
  const inv = { id: msg.id, finished: false, pending: null };
  current = inv;
  const finish = (ok, value) => {
    if (inv.finished) return;
    inv.finished = true;
    respond(inv, ok, value);
  };
  const done = (err, result) => (err === undefined || err === null ? finish(true, result) : finish(false, err));
  const callback = (err, result) => {
    if (inv.finished || inv.pending !== null) return;
    if (context[WAITS]) inv.pending = [err, result];
    else done(err, result);
  };
  const context = {
    functionName: FUNCTION_NAME,
    functionVersion: FUNCTION_VERSION,
    invokedFunctionArn: msg.arn,
    memoryLimitInMB: MEMORY_SIZE,
    awsRequestId: msg.id,
    logGroupName: LOG_GROUP,
    logStreamName: LOG_STREAM,
    identity: undefined,
    clientContext: msg.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadline - Date.now()),
  };
  context[WAITS] = true;
  Object.defineProperty(context, 'callbackWaitsForEmptyEventLoop', WAITS_PROPERTY);
  context.succeed = (result) => finish(true, result);
  context.fail = (err) => (err === undefined || err === null ? finish(true, null) : finish(false, err));
  context.done = done;
  inv.onEmptyLoop = () => {
    if (inv.pending !== null) done(inv.pending[0], inv.pending[1]);
    // Lambda answers null when the loop empties and the handler never responded.
    else finish(true, null);
  };
  channel.unref();
  const event = msg.event;
  try {
    const out = handler(event, context, callback);
    if (out !== null && typeof out === 'object' && typeof out.then === 'function') {
      out.then((v) => finish(true, v), (e) => finish(false, e));
    }
  } catch (e) {
    finish(false, e);
  }
}

process.on('beforeExit', () => {
  if (current !== null && !current.finished) current.onEmptyLoop();
});

function fatal(err, code) {
  send({ t: 'fatal', error: JSON.stringify(toRapid(err)) });
  console.error(err && err.name === 'Runtime.UnhandledPromiseRejection' ? 'Unhandled Promise Rejection' : 'Uncaught Exception', '\t' + JSON.stringify(toRapid(err)));
  setImmediate(() => process.exit(code));
}
process.on('uncaughtException', (err) => fatal(err, 129));
process.on('unhandledRejection', (reason) => {
  const e = typedError('Runtime.UnhandledPromiseRejection', (isErrorLike(reason) ? reason.name + ': ' + reason.message : String(reason)));
  fatal(e, 128);
});
channel.on('end', () => process.exit(0));
channel.on('error', () => process.exit(0));

let handler;
try {
  handler = await loadHandler();
} catch (e) {
  const rapid = toRapid(e);
  console.error(rapid.errorType + ': ' + rapid.errorMessage);
  send({ t: 'init-error', error: JSON.stringify(rapid) });
  setImmediate(() => process.exit(1));
}
if (handler !== undefined) {
  // Lines are cut from the bytes and decoded one by one (no StringDecoder and no string growing
  // per chunk); a line split between chunks waits in partial.
  let partial = null;
  channel.on('data', (chunk) => {
    const buf = partial === null ? chunk : Buffer.concat([partial, chunk]);
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      const msg = JSON.parse(buf.toString('utf8', start, nl));
      start = nl + 1;
      if (msg && msg.t === 'invoke') run(handler, msg);
    }
    partial = start === buf.length ? null : buf.subarray(start);
  });
  send({ t: 'ready' });
}
`;
