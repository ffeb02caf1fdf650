// The change feed's wake-ups over Redis PUBLISH/SUBSCRIBE on the channel `{prefix}feed`.
// Pub/sub delivers only to connections subscribed at that moment, so messages are lost while a
// subscriber is disconnected, and before it has subscribed. Hence subscribers are woken each
// time the subscription is (re)established: at the start (closing the gap between a follower's
// first read of the store and its subscription) and after every reconnect, so it catches up.
// A publish that fails (Redis down) is sent again when the connection is back.
import type { Redis } from 'ioredis';
import { wakeAll } from './memory.ts';
import { closeRedis, type RedisConnection } from './redis.ts';
import type { Notifier } from './types.ts';

export class RedisNotifier implements Notifier {
  readonly #conn: RedisConnection;
  readonly #channel: string;
  readonly #listeners = new Set<() => void>();
  #subscriber: Redis | undefined;
  /** The highest seq whose publish failed; sent again on reconnect. */
  #unsent = -1;
  #closed = false;

  constructor(conn: RedisConnection) {
    this.#conn = conn;
    this.#channel = conn.prefix + 'feed';
    conn.client.on('ready', () => {
      if (this.#unsent < 0 || this.#closed) return;
      const seq = this.#unsent;
      this.#unsent = -1;
      this.publish(seq);
    });
  }

  publish(seq: number): void {
    if (this.#closed) return;
    if (!this.#conn.available) {
      this.#unsent = Math.max(this.#unsent, seq);
      return;
    }
    this.#conn.client.publish(this.#channel, String(seq)).catch(() => {
      this.#unsent = Math.max(this.#unsent, seq);
    });
  }

  subscribe(onWake: () => void): () => void {
    this.#listeners.add(onWake);
    // Connected on first use: a process that only publishes needs no second connection.
    if (this.#subscriber === undefined && !this.#closed) this.#subscriber = this.#startSubscriber();
    return () => this.#listeners.delete(onWake);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    if (this.#subscriber !== undefined) await closeRedis(this.#subscriber);
  }

  #startSubscriber(): Redis {
    const sub = this.#conn.duplicate();
    sub.on('message', (channel: string) => {
      if (channel === this.#channel && !this.#closed) wakeAll(this.#listeners);
    });
    // Subscribing here on each 'ready' (ioredis's own resubscription is off) lets the wake-up
    // come after SUBSCRIBE is confirmed, so nothing published after the wake-up is missed.
    sub.on('ready', () => {
      sub.subscribe(this.#channel).then(
        () => {
          if (!this.#closed) wakeAll(this.#listeners);
        },
        () => {
          // The connection dropped again; its next 'ready' subscribes again.
        },
      );
    });
    return sub;
  }
}
