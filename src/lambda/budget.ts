// The gateway-wide ceiling on worker processes and on the memory they may claim (the sum of
// their functions' MemorySize), across all functions: per-function concurrency alone let
// 8 functions × 10 calls start 80 processes. Idle warm workers give their room up first; then an
// invocation waits in its function's bounded queue; past that it is throttled, as Lambda
// throttles at the account's concurrency limit.

export interface BudgetClient {
  /** Stops its least recently used idle worker; false when it has none. */
  evictIdle(): boolean;
  /** The time its least recently used idle worker was last used, if any. */
  oldestIdle(): number | undefined;
  /** Room was freed: 'used' when the client started a worker for a waiting invocation, 'idle'
   *  when nothing of it waits any more, 'blocked' when what waits does not fit yet. */
  onRoom(): 'used' | 'idle' | 'blocked';
}

export class WorkerBudget {
  readonly maxWorkers: number;
  readonly maxMemoryMb: number;
  #workers = 0;
  #memoryMb = 0;
  readonly #clients = new Set<BudgetClient>();
  readonly #waiting: BudgetClient[] = [];
  #waking = false;

  constructor(maxWorkers: number, maxMemoryMb: number) {
    this.maxWorkers = Math.max(1, maxWorkers);
    this.maxMemoryMb = Math.max(128, maxMemoryMb);
  }

  get workers(): number {
    return this.#workers;
  }

  register(client: BudgetClient): void {
    this.#clients.add(client);
  }

  unregister(client: BudgetClient): void {
    this.#clients.delete(client);
    const i = this.#waiting.indexOf(client);
    if (i !== -1) this.#waiting.splice(i, 1);
  }

  /** One worker alone may exceed the memory ceiling: MemorySize is a limit, not a use. */
  fits(memoryMb: number): boolean {
    return this.#workers < this.maxWorkers && (this.#workers === 0 || this.#memoryMb + memoryMb <= this.maxMemoryMb);
  }

  /** Could room be made now, by stopping idle workers? */
  canMakeRoom(memoryMb: number): boolean {
    if (this.fits(memoryMb)) return true;
    for (const c of this.#clients) if (c.oldestIdle() !== undefined) return true;
    return false;
  }

  /** Claims room for one worker, stopping idle workers of any function (oldest first) if needed. */
  take(memoryMb: number): boolean {
    while (!this.fits(memoryMb)) {
      let oldest: BudgetClient | undefined;
      let when = Infinity;
      for (const c of this.#clients) {
        const t = c.oldestIdle();
        if (t !== undefined && t < when) {
          when = t;
          oldest = c;
        }
      }
      if (oldest === undefined || !oldest.evictIdle()) return false;
    }
    this.#workers++;
    this.#memoryMb += memoryMb;
    return true;
  }

  release(memoryMb: number): void {
    this.#workers--;
    this.#memoryMb -= memoryMb;
    this.#wake();
  }

  /** A worker went idle: an invocation waiting for room may take it by stopping that worker. */
  idleWorker(): void {
    this.#wake();
  }

  /** A client has an invocation waiting for room; it is told in arrival order. */
  wait(client: BudgetClient): void {
    if (!this.#waiting.includes(client)) this.#waiting.push(client);
  }

  #wake(): void {
    if (this.#waking || this.#waiting.length === 0) return;
    this.#waking = true;
    // Later, not inside the release: the releasing pool is in the middle of its own bookkeeping.
    queueMicrotask(() => {
      this.#waking = false;
      while (this.#waiting.length > 0) {
        const answer = this.#waiting[0]!.onRoom();
        if (answer === 'idle') this.#waiting.shift();
        else if (answer === 'blocked') return; // first come, first served
      }
    });
  }
}
