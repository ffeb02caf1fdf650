// The warm workers of one function. An invocation takes an idle worker, or starts one while
// fewer than `concurrency` exist and the gateway-wide budget has room, or waits in a bounded
// queue; past the queue Lambda's throttling answer (TooManyRequestsException) comes back at once
// instead of an unbounded wait. A worker that exits (crash, timeout, out of memory) is dropped
// and replaced on demand.
import type { BudgetClient } from './budget.ts';
import { LambdaError } from './errors.ts';
import type { Cancellation } from './deadline.ts';
import type { FunctionSandbox, SandboxHost } from './sandbox.ts';
import { Worker, logStreamName, type InvocationOutcome, type WorkerSpec } from './worker.ts';

export interface PoolLimits {
  readonly concurrency: number;
  readonly queueSize: number;
  /** Where workers run and the gateway-wide budget they share. */
  readonly host: SandboxHost;
}

interface Waiter {
  readonly resolve: (w: Worker) => void;
  readonly reject: (e: unknown) => void;
  readonly signal: Cancellation | undefined;
  readonly onAbort: () => void;
}

export class FunctionPool implements BudgetClient {
  #spec: WorkerSpec;
  readonly #sandbox: FunctionSandbox;
  /** Workers holding room in the budget, with the MemorySize they claimed. */
  readonly #held = new Map<Worker, number>();
  readonly #limits: PoolLimits;
  readonly #command: (spec: WorkerSpec) => string[];
  readonly #all = new Set<Worker>();
  /** Most recently used last, so few workers stay warm and the rest age out. */
  readonly #idle: Worker[] = [];
  readonly #queue: Waiter[] = [];
  #closed = false;

  constructor(spec: WorkerSpec, limits: PoolLimits, command: (spec: WorkerSpec) => string[]) {
    this.#spec = spec;
    this.#limits = limits;
    this.#command = command;
    this.#sandbox = limits.host.forFunction(spec.functionArn);
    limits.host.budget.register(this);
  }

  get revision(): string {
    return this.#spec.revision;
  }

  get workers(): number {
    return this.#all.size;
  }

  get busy(): number {
    return this.#all.size - this.#idle.length;
  }

  get queued(): number {
    return this.#queue.length;
  }

  pids(): number[] {
    return [...this.#all].map((w) => w.pid).filter((pid) => pid > 0);
  }

  /** New code or configuration: idle workers stop now, busy ones when their invocation ends. */
  update(spec: WorkerSpec): void {
    this.#spec = spec;
    for (const w of this.#idle.splice(0)) this.#retire(w);
  }

  /** Throws TooManyRequestsException when the function is at its limit and the queue is full. */
  checkCapacity(): void {
    if (this.#idle.length > 0 || this.#queue.length < this.#limits.queueSize) return;
    if (this.#all.size >= this.#limits.concurrency) {
      throw new LambdaError('TooManyRequestsException', 'Rate Exceeded.', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    }
    if (!this.#limits.host.budget.canMakeRoom(this.#spec.memoryMb)) {
      throw new LambdaError('TooManyRequestsException', 'Rate Exceeded.', { Reason: 'ConcurrentInvocationLimitExceeded' });
    }
  }

  run(requestId: string, payload: string, signal?: Cancellation, clientContext?: unknown): Promise<InvocationOutcome> {
    // Failures are rejections, never throws (a full queue throws in #acquire): callers count them.
    let waiting: Promise<Worker>;
    try {
      const idle = this.#idleWorker(signal);
      // Warm: an idle worker at once, and one reaction on its invocation (no async function, no await).
      if (idle !== undefined) return this.#runOn(idle, requestId, payload, clientContext);
      waiting = this.#acquire(signal);
    } catch (err) {
      return Promise.reject(err);
    }
    return waiting.then((worker) => this.#runOn(worker, requestId, payload, clientContext));
  }

  /** The worker comes back to the pool before the caller hears the outcome, as a finally would. */
  #runOn(worker: Worker, requestId: string, payload: string, clientContext: unknown): Promise<InvocationOutcome> {
    let running: Promise<InvocationOutcome>;
    try {
      running = worker.invoke(requestId, payload, clientContext);
    } catch (err) {
      this.#release(worker);
      return Promise.reject(err);
    }
    return running.then(
      (outcome) => {
        this.#release(worker);
        return outcome;
      },
      (err: unknown) => {
        this.#release(worker);
        throw err;
      },
    );
  }

  /** Stops idle workers unused for `idleMs`; returns how many are left. */
  reap(idleMs: number): number {
    const cutoff = Date.now() - idleMs;
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      const w = this.#idle[i]!;
      if (w.lastUsed < cutoff) {
        this.#idle.splice(i, 1);
        this.#retire(w);
      }
    }
    const left = this.#all.size + this.#queue.length;
    // An empty pool is dropped by its owner; the budget must not keep it.
    if (left === 0) this.#limits.host.budget.unregister(this);
    return left;
  }

  /** Function deleted or gateway closing: every worker and every process of the function dies. */
  close(): void {
    this.#closed = true;
    this.#limits.host.budget.unregister(this);
    for (const w of this.#queue.splice(0)) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(new LambdaError('ServiceException', 'Gatehouse is shutting down.'));
    }
    this.#idle.length = 0;
    for (const w of this.#all) {
      w.kill();
      this.#free(w);
    }
    this.#all.clear();
    this.#sandbox.killAll();
  }

  // ---- the gateway-wide budget (BudgetClient) ----------------------------------------------

  oldestIdle(): number | undefined {
    return this.#idle[0]?.lastUsed;
  }

  evictIdle(): boolean {
    const w = this.#idle.shift();
    if (w === undefined) return false;
    this.#retire(w);
    return true;
  }

  onRoom(): 'used' | 'idle' | 'blocked' {
    if (this.#closed || this.#queue.length === 0 || this.#all.size >= this.#limits.concurrency) return 'idle';
    const worker = this.#startIfRoom();
    if (worker === undefined) return 'blocked';
    this.#handTo(worker);
    return 'used';
  }

  /** An idle worker taken at once (the warm path: no promise, no await), or undefined. */
  #idleWorker(signal: Cancellation | undefined): Worker | undefined {
    if (this.#closed || this.#idle.length === 0) return undefined;
    signal?.throwIfAborted();
    return this.#idle.pop();
  }

  /** A worker when none is idle (run took an idle one already): a new one, or a place in the queue. */
  #acquire(signal: Cancellation | undefined): Promise<Worker> {
    if (this.#closed) return Promise.reject(new LambdaError('ServiceException', 'Gatehouse is shutting down.'));
    signal?.throwIfAborted();
    if (this.#all.size < this.#limits.concurrency) {
      const worker = this.#startIfRoom();
      if (worker !== undefined) return Promise.resolve(worker);
    }
    this.checkCapacity();
    // Below its own limit but without room in the budget: the budget calls back when room frees.
    if (this.#all.size < this.#limits.concurrency) this.#limits.host.budget.wait(this);
    return new Promise<Worker>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.#queue.indexOf(waiter);
          if (i !== -1) this.#queue.splice(i, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #release(worker: Worker): void {
    if (!worker.alive || worker.spec.revision !== this.#spec.revision || this.#closed) {
      this.#retire(worker);
      // The freed slot goes to a waiter, with a fresh worker.
      if (this.#queue.length > 0 && this.#all.size < this.#limits.concurrency) {
        const fresh = this.#startIfRoom();
        if (fresh !== undefined) this.#handTo(fresh);
        else this.#limits.host.budget.wait(this);
      }
      return;
    }
    if (this.#queue.length > 0) this.#handTo(worker);
    else {
      this.#idle.push(worker);
      this.#limits.host.budget.idleWorker();
    }
  }

  #handTo(worker: Worker): void {
    const waiter = this.#queue.shift()!;
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(worker);
  }

  #startIfRoom(): Worker | undefined {
    const spec = this.#spec;
    if (!this.#limits.host.budget.take(spec.memoryMb)) return undefined;
    const env = { ...spec.env, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName() };
    const placed = { ...spec, env };
    const worker = new Worker(placed, this.#sandbox.prepare(placed, this.#command), (w) => this.#exited(w));
    this.#held.set(worker, spec.memoryMb);
    this.#all.add(worker);
    return worker;
  }

  /** A killed worker's memory is the kernel's again at once: its room is given back now. */
  #free(worker: Worker): void {
    const mb = this.#held.get(worker);
    if (mb === undefined) return;
    this.#held.delete(worker);
    this.#limits.host.budget.release(mb);
  }

  #retire(worker: Worker): void {
    this.#all.delete(worker);
    worker.kill();
    this.#free(worker);
  }

  #exited(worker: Worker): void {
    // A worker that dies while idle (an uncaught exception in a timer) leaves the pool now.
    const i = this.#idle.indexOf(worker);
    if (i !== -1) this.#idle.splice(i, 1);
    if (!worker.busy) this.#all.delete(worker);
    this.#free(worker);
  }
}
