// A byte-bounded cache in this process's memory: least recently used entries go first when a
// new one does not fit (a Map keeps insertion order; a hit moves its entry to the end).
import type { Clock, SharedCache } from './types.ts';

interface Entry {
  readonly value: Buffer;
  readonly expires: number;
  readonly size: number;
}

export function toBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** What an entry counts against the bound: its key's and its value's bytes (Redis counts the same). */
export function entrySize(key: string, value: Buffer): number {
  return Buffer.byteLength(key, 'utf8') + value.length;
}

export class MemoryCache implements SharedCache {
  readonly #entries = new Map<string, Entry>();
  readonly #clock: Clock;
  #max: number;
  #bytes = 0;

  constructor(maxBytes: number, clock: Clock = Date.now) {
    this.#max = maxBytes;
    this.#clock = clock;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get maxBytes(): number {
    return this.#max;
  }

  /** A stage's cache size can change (UpdateStage cacheClusterSize): shrinking evicts at once. */
  resize(maxBytes: number): void {
    this.#max = maxBytes;
    this.#evict();
  }

  get(key: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.getNow(key));
  }

  getNow(key: string): Buffer | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    if (e.expires <= this.#clock()) {
      this.#remove(key, e);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.value;
  }

  set(key: string, value: Buffer | string, ttlSeconds: number): Promise<void> {
    this.setNow(key, toBuffer(value), ttlSeconds);
    return Promise.resolve();
  }

  setNow(key: string, value: Buffer, ttlSeconds: number): void {
    const old = this.#entries.get(key);
    if (old !== undefined) this.#remove(key, old);
    const size = entrySize(key, value);
    if (ttlSeconds <= 0 || size > this.#max) return;
    this.#entries.set(key, { value, expires: this.#clock() + ttlSeconds * 1000, size });
    this.#bytes += size;
    this.#evict();
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.deleteNow(key));
  }

  deleteNow(key: string): boolean {
    const e = this.#entries.get(key);
    if (e === undefined) return false;
    this.#remove(key, e);
    return e.expires > this.#clock();
  }

  deletePrefix(prefix: string): Promise<number> {
    return Promise.resolve(this.deletePrefixNow(prefix));
  }

  deletePrefixNow(prefix: string): number {
    const now = this.#clock();
    let n = 0;
    for (const [key, e] of this.#entries) {
      if (!key.startsWith(prefix)) continue;
      this.#remove(key, e);
      if (e.expires > now) n++;
    }
    return n;
  }

  #remove(key: string, e: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= e.size;
  }

  #evict(): void {
    if (this.#bytes <= this.#max) return;
    for (const [key, e] of this.#entries) {
      this.#remove(key, e);
      if (this.#bytes <= this.#max) return;
    }
  }
}
