// How long a caller waits for an invocation (InvokeOptions.timeoutMs: API Gateway's integration
// timeout). It does what AbortSignal.timeout did here, for the part of AbortSignal the pool and
// the service use, without an EventTarget per invocation and with its timer cleared when the
// invocation ends: per AWS_PROXY request, AbortController, AbortSignal and their listeners were
// 2.7% of the gateway's CPU profile, and AbortSignal.timeout's timer outlived every invocation by
// the whole timeout.

/** The part of AbortSignal that waiting for a worker and for an invocation needs. */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export class Deadline implements Cancellation {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Array<() => void> = [];
  readonly #timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.#timer = setTimeout(() => this.#fire(), ms);
    this.#timer.unref();
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Listeners run once, when the deadline passes (as with AbortSignal's { once: true }). */
  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (!this.aborted) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.#listeners.indexOf(listener);
    if (i !== -1) this.#listeners.splice(i, 1);
  }

  /** The invocation is over: the timer goes. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#listeners = [];
  }

  #fire(): void {
    this.aborted = true;
    // The reason AbortSignal.timeout gives: callers tell a timeout by its name.
    this.reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const l of listeners) l();
  }
}
