// The one Redis connection of a process (ioredis), tuned so that no request waits on Redis:
// while the connection is not ready every call is refused at once (no offline queue), commands
// in flight when it drops fail at once (no retries, no resend), and a Redis that stops answering
// fails a command after `commandTimeoutMs`. The client reconnects by itself with capped
// exponential backoff, so the state recovers without anyone recreating it.
import { Redis } from 'ioredis';
import { SharedStateUnavailableError } from './types.ts';

export interface RedisConnectionOptions {
  /** Prepended to every key and channel, so several gateways (or test files) can share a Redis. */
  prefix?: string;
  /** A command without a reply after this long fails (default 500 ms). */
  commandTimeoutMs?: number;
  /** The longest wait between reconnection attempts (default 1000 ms). */
  maxBackoffMs?: number;
  /** Told when Redis becomes unreachable and when it is back (once per change), for the log. */
  onAvailability?: (available: boolean, err?: Error) => void;
}

/** Redis refusals that mean "not now" rather than "wrong call": treated as unavailability. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|MISCONF|TRYAGAIN|CLUSTERDOWN|NOREPLICAS)\b/;

/** Maps a failed call to SharedStateUnavailableError, unless Redis answered that the call itself
 *  is wrong (a script error is our bug and must not pass for an outage). */
export function toSharedError(err: unknown): Error {
  if (err instanceof SharedStateUnavailableError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  if (e.name === 'ReplyError' && !TRANSIENT_REPLY.test(e.message)) return e;
  return new SharedStateUnavailableError(`Redis is unavailable: ${e.message}`, { cause: e });
}

/** A short label for messages; the URL without credentials. */
function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'Redis';
  }
}

export class RedisConnection {
  readonly client: Redis;
  readonly prefix: string;
  readonly #label: string;
  readonly #onAvailability: ((available: boolean, err?: Error) => void) | undefined;
  #up = false;
  #lastError: Error | undefined;
  #downError: SharedStateUnavailableError | undefined;
  #closed = false;

  constructor(url: string, options: RedisConnectionOptions = {}) {
    this.prefix = options.prefix ?? 'gatehouse:';
    this.#label = describe(url);
    this.#onAvailability = options.onAvailability;
    const maxBackoff = options.maxBackoffMs ?? 1000;
    this.client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: 2000,
      enableAutoPipelining: true,
      // 50, 100, 200, ... ms up to the cap, with jitter so many processes do not reconnect in step.
      retryStrategy: (times) => Math.min(25 * 2 ** Math.min(times, 10), maxBackoff) + Math.floor(Math.random() * 50),
    });
    this.client.on('ready', () => this.#set(true));
    this.client.on('close', () => this.#set(false));
    // ioredis emits every failed connection attempt; without a listener each would crash the process.
    this.client.on('error', (err: Error) => {
      this.#lastError = err;
      this.#downError = undefined; // the next refusal names this error
    });
  }

  get available(): boolean {
    return this.client.status === 'ready';
  }

  /** The error every call rejects with while the connection is not ready: one per outage,
   *  since capturing a stack per refused request would make an outage cost more than a call. */
  unavailable(): SharedStateUnavailableError {
    const why = this.#lastError?.message ?? this.client.status;
    return (this.#downError ??= new SharedStateUnavailableError(`Redis at ${this.#label} is unavailable (${why})`));
  }

  /** Rejection handler for calls: maps the error (see toSharedError). */
  readonly fail = (err: unknown): never => {
    throw toSharedError(err);
  };

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** Resolves true once connected, false if that takes longer than `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<boolean> {
    if (this.available) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.on('ready', onReady);
    });
  }

  /** A second connection to the same server, for SUBSCRIBE (a subscribed connection can do
   *  nothing else); it reconnects like this one, and the caller resubscribes on each 'ready'. */
  duplicate(): Redis {
    const sub = this.client.duplicate({ autoResubscribe: false });
    sub.on('error', () => {});
    return sub;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeRedis(this.client);
  }

  #set(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    if (this.#closed) return;
    if (up) this.#lastError = this.#downError = undefined;
    this.#onAvailability?.(up, up ? undefined : this.unavailable());
  }
}

/** QUIT when connected (replies in flight are delivered), else drop the socket and stop reconnecting. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: the connection went away while quitting
    }
  }
  client.disconnect();
}

/** Escapes glob characters for SCAN/ZSCAN MATCH, so a prefix matches only itself. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
