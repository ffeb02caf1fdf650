// One worker process: a runtime bootstrap running one function's code, serving one invocation
// at a time. It owns the process's lifecycle (start, init, timeout, crash, kill) and turns each
// way an invocation can end into the payload and log lines Lambda would produce.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { RuntimeFamily } from './function-config.ts';
import { LogBuffer } from './log-buffer.ts';
import type { Launch } from './sandbox.ts';

export interface WorkerSpec {
  readonly family: RuntimeFamily;
  /** Absolute path of the runtime's bootstrap file. */
  readonly bootstrap: string;
  readonly codeDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly memoryMb: number;
  readonly timeoutMs: number;
  readonly functionArn: string;
  /** Changes whenever code or configuration changes; warm workers of an older one retire. */
  readonly revision: string;
}

export interface InvocationOutcome {
  readonly payload: Buffer;
  readonly functionError: 'Unhandled' | undefined;
  /** START … REPORT, as the function's log stream shows this invocation. */
  readonly log: string;
}

type Message =
  | { t: 'ready' }
  | { t: 'init-error'; error: string }
  | { t: 'log'; line: string }
  | ResultHead
  | { t: 'fatal'; error: string };

/** A result's header line; its payload follows as `size` bytes and a line break. */
interface ResultHead { t: 'result'; id: string; ok: boolean; maxRssMb: number; size: number }

interface Running {
  readonly id: string;
  readonly log: LogBuffer;
  readonly started: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (o: InvocationOutcome) => void;
  readonly initMs: number | undefined;
}

// Lambda gives a runtime 10 s to initialise, apart from the function's own timeout.
const INIT_TIMEOUT_MS = 10_000;
// While an invocation runs, the resident memory of the worker and every process it started is
// sampled this often: V8's heap limit does not count Buffers, native memory or child processes,
// Lambda's limit counts everything. Where a memory cgroup exists the kernel enforces it too.
const MEMORY_SAMPLE_MS = 100;
// The runtime's messages are newline-delimited JSON on fd 3, read here with a ceiling per message:
// Node's own IPC channel buffers a message of any size, so a function writing to it without a
// newline could grow the gateway without bound. A result is at most 6 MB (twice that, escaped).
const MAX_MESSAGE = 16 * 1048576;
const SIGNAL_TEXT: Record<string, string> = {
  SIGKILL: 'killed', SIGABRT: 'aborted (core dumped)', SIGSEGV: 'segmentation fault (core dumped)', SIGTERM: 'terminated', SIGBUS: 'bus error (core dumped)',
};

export class Worker {
  readonly spec: WorkerSpec;
  /** -1 until the sandbox is ready and the process started. */
  pid = -1;
  /** When the worker last finished an invocation; the reaper reads it. */
  lastUsed = Date.now();
  #child: ChildProcess | undefined;
  #channel: Socket | undefined;
  #partial: Buffer[] = [];
  #partialBytes = 0;
  /** A result whose payload is being read: the bytes still due (the line break included). */
  #result: { head: ResultHead; due: number } | undefined;
  #launch: Launch | undefined;
  #launchError: unknown;
  #exited = false;
  #killed = false;
  #ready: Promise<string | undefined>;
  #markReady!: (initError: string | undefined) => void;
  /** What #ready settled with, once it has: a warm invocation reads it without an await. */
  #readyOutcome: { initError: string | undefined } | undefined;
  #initMs: number | undefined;
  #pendingLog = new LogBuffer();
  #running: Running | undefined;
  #maxRssMb = 0;
  #stderrTail = '';
  #fatal: string | undefined;
  #onExit: (w: Worker) => void;
  #outOfMemory = false;

  /** `launch` settles once the function's sandbox is ready (its code copied on a first start). */
  constructor(spec: WorkerSpec, launch: Promise<Launch>, onExit: (w: Worker) => void) {
    this.spec = spec;
    this.#onExit = onExit;
    const started = performance.now();
    this.#ready = new Promise((resolve) => { this.#markReady = resolve; });
    launch.then((l) => this.#spawn(l, started), (err: unknown) => {
      this.#launchError = err;
      this.#exit(null, null);
    });
    const initTimer = setTimeout(() => {
      this.#markReady(JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `Error: Task timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds` }));
      this.kill();
    }, INIT_TIMEOUT_MS);
    this.#ready.then((initError) => {
      this.#readyOutcome = { initError };
      clearTimeout(initTimer);
    }, () => clearTimeout(initTimer));
  }

  #spawn(launch: Launch, started: number): void {
    this.#launch = launch;
    if (this.#killed) {
      this.#exit(null, 'SIGKILL');
      return;
    }
    // Own process group and session as well: the group is the last resort when no cgroup exists.
    const child = spawn(launch.argv[0]!, launch.argv.slice(1), {
      cwd: launch.cwd,
      env: launch.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
      ...(launch.uid !== undefined ? { uid: launch.uid, gid: launch.gid } : {}),
    });
    this.#child = child;
    this.pid = child.pid ?? -1;
    if (this.pid > 0) launch.tree.attach(this.pid);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.#append(chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-4096);
      this.#append(chunk);
    });
    const channel = child.stdio[3] as Socket;
    this.#channel = channel;
    channel.on('data', (chunk: Buffer) => this.#receive(chunk, started));
    channel.on('error', () => { /* the exit event reports the end */ });
    child.on('error', (err) => {
      this.#append(`Gatehouse could not start the runtime: ${err.message}\n`);
      this.#exit(null, null);
    });
    child.on('exit', (code, signal) => this.#exit(code, signal));
  }

  /** False once the process exited or was told to die (a kill takes effect asynchronously). */
  get alive(): boolean {
    return !this.#exited && !this.#killed;
  }

  get busy(): boolean {
    return this.#running !== undefined;
  }

  /**
   * Runs one invocation. Every failure of the function is a Lambda-shaped function error; it
   * rejects only when the worker is busy or its sandbox could not be made. Warm (the
   * runtime ready, the worker free), a plain function handing back the invocation's own promise:
   * an async function returning it, or awaiting readiness, cost promises and microtasks per request.
   */
  invoke(requestId: string, payload: string, clientContext?: unknown): Promise<InvocationOutcome> {
    const ready = this.#readyOutcome;
    if (ready === undefined || this.#running !== undefined || this.#launchError !== undefined) return this.#invokeWhenReady(requestId, payload, clientContext);
    return this.#start(requestId, payload, clientContext, ready.initError);
  }

  async #invokeWhenReady(requestId: string, payload: string, clientContext: unknown): Promise<InvocationOutcome> {
    if (this.#running !== undefined) throw new Error('worker is busy');
    const initError = await this.#ready;
    // The sandbox could not be made (python3 missing, disk full): the caller's error, not the function's.
    if (this.#launchError !== undefined) throw this.#launchError;
    return this.#start(requestId, payload, clientContext, initError);
  }

  #start(requestId: string, payload: string, clientContext: unknown, initError: string | undefined): Promise<InvocationOutcome> {
    // Output written while no invocation ran (initialisation, a timer between invocations) comes
    // before this START, in the order the log stream received it.
    const cold = this.#initMs !== undefined;
    const log = this.#pendingLog;
    this.#pendingLog = new LogBuffer();
    log.push(`START RequestId: ${requestId} Version: $LATEST\n`);
    if (initError !== undefined) {
      // Init failed: report it on this invocation, as Lambda does, and let the next one retry.
      this.kill();
      return Promise.resolve({ payload: Buffer.from(initError), functionError: 'Unhandled', log: finishLog(log, requestId, 0, this.spec.memoryMb, this.#maxRssMb, this.#initMs, 'error') });
    }
    if (this.#exited) {
      return Promise.resolve({ payload: exitPayload(requestId, null, 'SIGKILL'), functionError: 'Unhandled', log: finishLog(log, requestId, 0, this.spec.memoryMb, 0, undefined, 'error') });
    }
    return new Promise<InvocationOutcome>((resolve) => {
      const started = performance.now();
      const timer = setTimeout(Worker.#onTimeout, this.spec.timeoutMs, this);
      this.#running = { id: requestId, log, started, timer, resolve, initMs: cold ? this.#initMs : undefined };
      this.#initMs = undefined;
      Worker.#watch(this);
      this.#sendInvoke(requestId, payload, clientContext);
    });
  }

  kill(): void {
    if (this.#exited) return;
    this.#killed = true;
    if (this.#child === undefined) return; // not started yet: #spawn sees #killed
    this.#launch?.tree.kill();
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      this.#child.kill('SIGKILL');
    }
  }

  /**
   * {t:'invoke', id, deadline, arn, clientContext, event}: the event goes as JSON text inside the
   * message, not as a string holding it, so it is neither escaped here nor decoded twice by the
   * runtime. `payload` is JSON (checked by the service, or written by Gatehouse); a line break in
   * it can only be whitespace between its tokens (JSON strings hold none raw), so it becomes a
   * space and the message stays on one line.
   */
  #sendInvoke(id: string, payload: string, clientContext: unknown): void {
    if (this.#channel === undefined || this.#channel.destroyed) return;
    const head = JSON.stringify({ t: 'invoke', id, deadline: Date.now() + this.spec.timeoutMs, arn: this.spec.functionArn, clientContext });
    const event = payload.includes('\n') ? payload.replaceAll('\n', ' ') : payload;
    this.#channel.write(head.slice(0, -1) + ',"event":' + event + '}\n');
  }

  #send(msg: Record<string, unknown>): void {
    if (this.#channel !== undefined && !this.#channel.destroyed) this.#channel.write(JSON.stringify(msg) + '\n');
  }

  #receive(chunk: Buffer, started: number): void {
    let start = 0;
    while (!this.#exited) {
      const result = this.#result;
      if (result !== undefined) {
        // A result's payload: taken as bytes, not searched for line breaks nor parsed here.
        const take = Math.min(result.due, chunk.length - start);
        // Parts are views of the chunks (each read's own buffer); the payload is one copy of them,
        // so it does not keep a chunk's other messages alive.
        if (take > 0) this.#partial.push(chunk.subarray(start, start + take));
        start += take;
        result.due -= take;
        if (result.due > 0) return;
        const bytes = this.#partial.length === 1 ? Buffer.from(this.#partial[0]!) : Buffer.concat(this.#partial);
        this.#partial = [];
        this.#result = undefined;
        if (bytes[bytes.length - 1] !== 10) {
          this.#violation('a result longer than it announced');
          return;
        }
        this.#settle(result.head, bytes.subarray(0, bytes.length - 1));
        continue;
      }
      if (start >= chunk.length) return;
      const nl = chunk.indexOf(10, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      if (this.#partialBytes + piece.length > MAX_MESSAGE) {
        this.#violation(`a message over ${MAX_MESSAGE} bytes`);
        return;
      }
      if (nl === -1) {
        if (piece.length > 0) {
          this.#partial.push(Buffer.from(piece));
          this.#partialBytes += piece.length;
        }
        return;
      }
      const line = this.#partial.length === 0 ? piece : Buffer.concat([...this.#partial, piece]);
      this.#partial = [];
      this.#partialBytes = 0;
      start = nl + 1;
      let msg: unknown;
      try {
        msg = JSON.parse(line.toString('utf8'));
      } catch {
        this.#violation('a message that is not JSON');
        return;
      }
      if (!isMessage(msg)) {
        this.#violation('a message of an unknown shape');
        return;
      }
      if (msg.t === 'result') {
        this.#result = { head: msg, due: msg.size + 1 };
        continue;
      }
      this.#message(msg, started);
    }
  }

  /** Only Gatehouse's bootstrap speaks on the channel; anything else is the function tampering. */
  #violation(what: string): void {
    this.#append(`Gatehouse: the runtime sent ${what}; it was stopped.\n`);
    this.kill();
  }

  #append(text: string): void {
    if (this.#running !== undefined) this.#running.log.push(text);
    else this.#pendingLog.push(text);
  }

  /** A result and its payload are in: the running invocation it answers completes. */
  #settle(head: ResultHead, payload: Buffer): void {
    const run = this.#running;
    if (run === undefined || run.id !== head.id) return;
    this.#maxRssMb = Math.max(this.#maxRssMb, head.maxRssMb);
    this.#complete(payload, head.ok ? undefined : 'Unhandled', 'ok');
  }

  #message(msg: Exclude<Message, ResultHead>, started: number): void {
    switch (msg.t) {
      case 'log':
        this.#append(msg.line);
        return;
      case 'ready':
        this.#initMs = performance.now() - started;
        this.#markReady(undefined);
        return;
      case 'init-error':
        this.#initMs = performance.now() - started;
        this.#markReady(msg.error);
        return;
      case 'fatal':
        // An uncaught exception or unhandled rejection: the runtime reports it on the running
        // invocation, then exits; the process is replaced on the next invocation.
        this.#fatal = msg.error;
        // The runtime exits right after; no further invocation may be handed to it.
        this.#killed = true;
        if (this.#running !== undefined) this.#complete(Buffer.from(msg.error), 'Unhandled', 'error');
        return;
    }
  }

  #complete(payload: Buffer, functionError: 'Unhandled' | undefined, status: 'ok' | 'error' | 'timeout', extraLine?: string): void {
    const run = this.#running!;
    this.#running = undefined;
    clearTimeout(run.timer);
    Worker.#watched.delete(this);
    if (extraLine !== undefined) run.log.push(extraLine);
    const duration = performance.now() - run.started;
    this.lastUsed = Date.now();
    run.resolve({ payload, functionError, log: finishLog(run.log, run.id, duration, this.spec.memoryMb, this.#maxRssMb, run.initMs, status) });
  }

  // The memory of every running invocation is sampled by one interval for the whole process
  // (none while nothing runs), not by a timer of each invocation's own: this runs per request.
  // An invocation is sampled once it has run half the interval, so its first sample comes 50 to
  // 150 ms after its start, then one every 100 ms.
  static readonly #watched = new Set<Worker>();
  static #sampler: NodeJS.Timeout | null = null;

  static #watch(w: Worker): void {
    Worker.#watched.add(w);
    Worker.#sampler ??= setInterval(Worker.#sample, MEMORY_SAMPLE_MS).unref();
  }

  static #sample(): void {
    if (Worker.#watched.size === 0) {
      clearInterval(Worker.#sampler!);
      Worker.#sampler = null;
      return;
    }
    const now = performance.now();
    for (const w of Worker.#watched) {
      const run = w.#running;
      if (run !== undefined && now - run.started >= MEMORY_SAMPLE_MS / 2) w.#checkMemory();
    }
  }

  static #onTimeout(w: Worker): void {
    w.#timeout();
  }

  #checkMemory(): void {
    const tree = this.#launch?.tree;
    if (tree === undefined) return;
    const rss = tree.memoryBytes(); // 0 without procfs (not Linux)
    const mb = Math.ceil(rss / 1048576);
    if (mb > this.#maxRssMb) this.#maxRssMb = Math.min(mb, this.spec.memoryMb);
    if (rss > this.spec.memoryMb * 1048576 || tree.oomKilled()) {
      this.#outOfMemory = true;
      this.kill();
    }
  }

  #timeout(): void {
    const run = this.#running;
    if (run === undefined) return;
    const seconds = (this.spec.timeoutMs / 1000).toFixed(2);
    const body = { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${run.id} Error: Task timed out after ${seconds} seconds` };
    this.kill();
    this.#complete(Buffer.from(JSON.stringify(body)), 'Unhandled', 'timeout', `${new Date().toISOString()} ${run.id} Task timed out after ${seconds} seconds\n`);
  }

  #exit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exited) return;
    this.#exited = true;
    // Whatever the worker started dies with it: a detached child must not outlive its runtime.
    if (this.#launch?.tree.oomKilled()) this.#outOfMemory = true;
    this.#launch?.release();
    this.#markReady(JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: `Error: Runtime exited with error: ${exitText(code, signal)}` }));
    const run = this.#running;
    if (run !== undefined) {
      const oom = this.#outOfMemory || /heap out of memory|Allocation failed|MemoryError/.test(this.#stderrTail);
      const payload = this.#fatal ?? exitPayload(run.id, code, signal, oom).toString();
      if (oom) this.#maxRssMb = this.spec.memoryMb;
      this.#complete(Buffer.from(payload), 'Unhandled', 'error',
        `RequestId: ${run.id} Error: Runtime exited with error: ${exitText(code, signal)}\n${oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError'}\n`);
    }
    this.#onExit(this);
  }
}

function isMessage(m: unknown): m is Message {
  if (m === null || typeof m !== 'object') return false;
  const o = m as Record<string, unknown>;
  switch (o['t']) {
    case 'ready': return true;
    case 'init-error': case 'fatal': return typeof o['error'] === 'string';
    case 'log': return typeof o['line'] === 'string';
    case 'result': {
      const size = o['size'];
      return typeof o['id'] === 'string' && typeof o['ok'] === 'boolean' && typeof o['maxRssMb'] === 'number'
        && typeof size === 'number' && Number.isInteger(size) && size >= 0 && size <= MAX_MESSAGE;
    }
    default: return false;
  }
}

function exitText(code: number | null, signal: string | null): string {
  if (signal !== null) return 'signal: ' + (SIGNAL_TEXT[signal] ?? signal.toLowerCase());
  return `exit status ${code ?? 0}`;
}

function exitPayload(id: string, code: number | null, signal: string | null, oom = false): Buffer {
  return Buffer.from(JSON.stringify({
    errorType: oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
    errorMessage: `RequestId: ${id} Error: Runtime exited with error: ${exitText(code, signal)}`,
  }));
}

function finishLog(log: LogBuffer, id: string, durationMs: number, memoryMb: number, maxRssMb: number, initMs: number | undefined, status: 'ok' | 'error' | 'timeout'): string {
  log.push(`END RequestId: ${id}\n`);
  let report = `REPORT RequestId: ${id}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\tMemory Size: ${memoryMb} MB\tMax Memory Used: ${Math.min(memoryMb, maxRssMb)} MB\t`;
  if (initMs !== undefined) report += `Init Duration: ${initMs.toFixed(2)} ms\t`;
  if (status !== 'ok') report += `Status: ${status}\t`;
  log.push(report + '\n');
  return log.text();
}

/** A log stream name as Lambda forms them: date/[version]random. */
export function logStreamName(): string {
  const d = new Date();
  const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}
