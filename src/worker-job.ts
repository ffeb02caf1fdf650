// One job in a worker thread with a deadline and a heap limit, and a bounded number of such jobs
// at once: the way Gatehouse runs work that would stall the event loop (parsing a large API
// definition, decoding a full-size Lambda code upload). A job that costs too much ends its
// worker, not the gateway.
import type { Worker } from 'node:worker_threads';

/** At most `max` holders at once; the rest wait their turn in order. */
export class Turns {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  /** Waits for a turn; call the returned function when done. */
  async take(): Promise<() => void> {
    if (this.#running >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    return () => {
      this.#running--;
      this.#waiting.shift()?.();
    };
  }
}

export interface WorkerJobLimits {
  deadlineMs: number;
  /** The error for a job still running at the deadline (its worker is terminated). */
  timedOut(): Error;
  /** The error for a job that ran out of its heap (ERR_WORKER_OUT_OF_MEMORY). */
  outOfMemory(): Error;
  /** Names the job in the error for a worker that exits without answering. */
  name: string;
}

/** Resolves with the worker's first message; rejects at the deadline, on an error or an early exit. */
export function workerJob<R>(worker: Worker, limits: WorkerJobLimits): Promise<R> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => {
      settle(() => reject(limits.timedOut()));
      void worker.terminate();
    }, limits.deadlineMs);
    worker.once('message', (reply: R) => settle(() => resolve(reply)));
    worker.once('error', (err: Error & { code?: string }) => settle(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? limits.outOfMemory() : err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`${limits.name} exited with code ${code} before answering`))));
  });
}
