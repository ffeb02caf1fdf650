// The feed for many processes: follows the store's change log from where this process joined.
// It reads `changesSince(position)` when woken (a Notifier message, the store's own
// notifications, one of this process's commits) and on a poll timer, so it converges within a
// second even when no message arrives. Each change is delivered once and in log order: a read
// delivers only changes past `position`, and reads never overlap.
import { log } from '../observe/log.ts';
import type { Change, Store } from '../store/index.ts';
import { BaseFeed } from './base.ts';
import type { Notifier } from './types.ts';

export interface FollowingFeedOptions {
  /** Wakes this feed on other processes' commits, and carries this process's commits to them. */
  readonly notifier?: Notifier;
  /** Reads the log this often without being woken (default 250 ms). */
  readonly pollMs?: number;
  /** Changes read per round trip (default 1000). */
  readonly pageSize?: number;
}

export class FollowingFeed extends BaseFeed {
  readonly #store: Store;
  readonly #notifier: Notifier | undefined;
  readonly #pollMs: number;
  readonly #pageSize: number;
  readonly #stops: (() => unknown)[] = [];
  #timer: NodeJS.Timeout | null = null;
  /** The read running now; a wake during it asks for one more (`#again`). */
  #reading: Promise<void> | null = null;
  #again = false;
  #failing = false;
  #closed = false;

  constructor(store: Store, options: FollowingFeedOptions = {}) {
    super();
    this.#store = store;
    this.#notifier = options.notifier;
    this.#pollMs = options.pollMs ?? 250;
    this.#pageSize = options.pageSize ?? 1000;
  }

  async start(): Promise<void> {
    this.#stops.push(this.#store.onCommit((changes) => this.#committed(changes)));
    // A process that starts now serves the store as it is now: it follows from the log's end.
    this.skipTo(await this.#store.lastChange());
    if (this.#notifier !== undefined) this.#stops.push(this.#notifier.subscribe(() => this.wake()));
    if (this.#store.notifications !== undefined) this.#stops.push(await this.#store.notifications(() => this.wake()));
    // Not unref'd: a started feed is live work, ended by close().
    this.#timer = setInterval(() => this.wake(), this.#pollMs);
  }

  /** Reads the log now (or once more after the read running now). */
  wake(): void {
    if (this.#closed) return;
    if (this.#reading !== null) {
      this.#again = true;
      return;
    }
    this.#reading = this.#catchUp().finally(() => {
      this.#reading = null;
    });
  }

  /** Resolves when no read is running (after one a wake started, say). */
  async idle(): Promise<void> {
    while (this.#reading !== null) await this.#reading;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    const stops = this.#stops.splice(0);
    await Promise.allSettled(stops.map(async (stop) => stop()));
    await this.idle();
  }

  /** One of this process's commits. When it directly follows what was applied, deliver it now, so
   *  this process serves its own change on its next request; else read the log to keep order. */
  #committed(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    this.#notifier?.publish(changes[changes.length - 1]!.seq);
    if (changes[0]!.seq === this.position + 1) this.deliver(changes);
    else this.wake();
  }

  async #catchUp(): Promise<void> {
    try {
      do {
        this.#again = false;
        const page = await this.#store.changesSince(this.position, this.#pageSize);
        if (this.#closed) return;
        if (page.truncated) {
          // Changes we never saw were pruned: start over from the log's end, and tell listeners
          // to treat everything as changed (they reload from the store, which has them all).
          this.resync(Math.max(page.last, await this.#store.lastChange()));
        } else {
          this.deliver(page.changes);
          if (page.changes.length >= this.#pageSize) this.#again = true;
        }
      } while (this.#again && !this.#closed);
      if (this.#failing) log().info('change feed: reading the change log again');
      this.#failing = false;
    } catch (err) {
      // The store is down or unreachable: try again on the next tick, and say so once.
      if (!this.#failing) log().error({ err }, 'change feed: cannot read the change log; retrying');
      this.#failing = true;
    }
  }
}
