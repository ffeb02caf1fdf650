// A byte-bounded cache in Redis, shared by every process. Keys (after the connection's prefix;
// the cache name is URI-encoded so it holds no ':' and cannot run into another cache's keys):
//   c:{name}:v:{key}   the value (SET PX: Redis expires it)
//   c:{name}:idx       zset key → expiry time (µs), to find expired and soonest-expiring entries
//   c:{name}:sizes     hash key → bytes;   c:{name}:bytes   the total the bound is checked against
// Redis's own maxmemory is global; this bound is per cache, as each stage's cache has a size.
import { entrySize, toBuffer } from './memory-cache.ts';
import { globEscape, type RedisConnection } from './redis.ts';
import type { Scripts } from './redis-scripts.ts';
import type { SharedCache } from './types.ts';

/** Entries a deletePrefix step reads and deletes at once: bounded so Redis is never held long. */
const DELETE_BATCH = 500;

export class RedisCache implements SharedCache {
  maxBytes: number;
  readonly #conn: RedisConnection;
  readonly #scripts: Scripts;
  readonly #values: string;
  readonly #index: string;
  readonly #sizes: string;
  readonly #bytes: string;

  constructor(conn: RedisConnection, scripts: Scripts, name: string, maxBytes: number) {
    this.#conn = conn;
    this.#scripts = scripts;
    this.maxBytes = maxBytes;
    const base = `${conn.prefix}c:${encodeURIComponent(name)}:`;
    this.#values = base + 'v:';
    this.#index = base + 'idx';
    this.#sizes = base + 'sizes';
    this.#bytes = base + 'bytes';
  }

  get(key: string): Promise<Buffer | undefined> {
    if (!this.#conn.available) return Promise.reject(this.#conn.unavailable());
    return this.#conn.client.getBuffer(this.#values + key).then((v) => v ?? undefined, this.#conn.fail);
  }

  async set(key: string, value: Buffer | string, ttlSeconds: number): Promise<void> {
    const data = toBuffer(value);
    // The script would refuse it too; this saves sending it.
    if (entrySize(key, data) > this.maxBytes) return void (await this.delete(key));
    if (!this.#conn.available) throw this.#conn.unavailable();
    const ttlMs = Math.round(ttlSeconds * 1000);
    await this.#scripts
      .ghCacheSet(this.#values + key, this.#index, this.#sizes, this.#bytes, key, data, ttlMs, this.maxBytes, this.#values)
      .catch(this.#conn.fail);
  }

  async delete(key: string): Promise<boolean> {
    if (!this.#conn.available) throw this.#conn.unavailable();
    const n = await this.#scripts.ghCacheDelete(this.#index, this.#sizes, this.#bytes, this.#values, key).catch(this.#conn.fail);
    return n > 0;
  }

  /** Walks the index with ZSCAN (entries set meanwhile may stay, as with any flush that is not
   *  a stop-the-world), deleting each batch in one script call. */
  async deletePrefix(prefix: string): Promise<number> {
    if (!this.#conn.available) throw this.#conn.unavailable();
    const match = globEscape(prefix) + '*';
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, flat] = await this.#conn.client.zscan(this.#index, cursor, 'MATCH', match, 'COUNT', DELETE_BATCH).catch(this.#conn.fail);
      cursor = next;
      const members: string[] = [];
      for (let i = 0; i < flat.length; i += 2) members.push(flat[i]!);
      if (members.length > 0) {
        deleted += await this.#scripts.ghCacheDelete(this.#index, this.#sizes, this.#bytes, this.#values, ...members).catch(this.#conn.fail);
      }
    } while (cursor !== '0');
    return deleted;
  }

  /** The bytes the cache counts against its bound (for tests and metrics). */
  async bytes(): Promise<number> {
    if (!this.#conn.available) throw this.#conn.unavailable();
    return Number((await this.#conn.client.get(this.#bytes).catch(this.#conn.fail)) ?? 0);
  }
}
