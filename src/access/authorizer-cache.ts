// The authorizer cache: a Lambda authorizer's results by stage, authorizer and identity, for
// authorizerResultTtlInSeconds, in the shared state's cache named 'authorizers' (this process's
// memory, the cluster primary's, or Redis: with Redis every process on every host sees one
// entry, so the function runs once per TTL per identity across all of them).
//
// Keys: {account}/{region}/{restApiId}/{stage}/{authorizerId}/{sha256 of the authorizer's
// fingerprint and the identity values}. The identity is hashed so a huge token costs 43 bytes of
// key and no token is readable in Redis's key space; the stage comes first so
// FlushStageAuthorizersCache is one prefix delete.
//
// Values are the result's canonical JSON. Parsing it and compiling its policy on every hit would
// cost more than the rest of a MOCK request, so this process keeps what it last parsed for each
// key beside the bytes it parsed: a hit whose bytes are the same reuses it (in memory the very
// same Buffer comes back, with Redis a byte comparison decides). Hashing the identity is the
// next largest cost of a hit (a microsecond), so the keys of short identities are remembered too.
import { createHash } from 'node:crypto';
import { MemorySharedState, type SharedCache, type SharedState } from '../shared/index.ts';
import type { MemoryCache } from '../shared/memory-cache.ts';
import type { CompiledAuthorizer } from './authorizer-config.ts';
import { parseAuthorizerOutput, serializeResult, type AuthorizerResult } from './authorizer-policy.ts';

export const AUTHORIZER_CACHE_NAME = 'authorizers';
/** The cache's bound in bytes (keys and values): 64 MiB, some 200,000 typical results. */
export const AUTHORIZER_CACHE_BYTES = 64 * 1024 * 1024;
/** Parsed results, and keys of identities, this process keeps beside the shared cache. */
const REMEMBERED = 10_000;
/** Identities longer than this are hashed on every request rather than remembered (memory bound). */
const REMEMBERED_IDENTITY_CHARS = 256;

export interface StageRef {
  readonly accountId: string;
  readonly region: string;
  readonly restApiId: string;
  readonly stageName: string;
}

export function stagePrefix(s: StageRef): string {
  return `${s.accountId}/${s.region}/${s.restApiId}/${s.stageName}/`;
}

/** FlushStageAuthorizersCache: every process's entries for the stage (rejects while the shared
 *  state cannot be reached). What a process parsed from them stays until its next read misses. */
export function flushStageAuthorizers(shared: SharedState, stage: StageRef): Promise<number> {
  return shared.cache(AUTHORIZER_CACHE_NAME, AUTHORIZER_CACHE_BYTES).deletePrefix(stagePrefix(stage));
}

export class AuthorizerCache {
  readonly #cache: SharedCache;
  /** The same cache when it is this process's memory: read without a promise. */
  readonly #memory: MemoryCache | null;
  readonly #parsed = new Map<string, { readonly bytes: Buffer; readonly result: AuthorizerResult }>();
  /** Per compiled authorizer (so per deployed stage), identity → key. */
  readonly #keys = new WeakMap<CompiledAuthorizer, Map<string, string>>();

  constructor(shared: SharedState, maxBytes = AUTHORIZER_CACHE_BYTES) {
    this.#memory = shared instanceof MemorySharedState ? shared.cache(AUTHORIZER_CACHE_NAME, maxBytes) : null;
    this.#cache = this.#memory ?? shared.cache(AUTHORIZER_CACHE_NAME, maxBytes);
  }

  key(stage: StageRef, a: CompiledAuthorizer, identity: readonly string[]): string {
    // Length-prefixed, so no two lists of values read alike.
    let joined = '';
    for (const v of identity) joined += `${v.length}:${v}\n`;
    if (joined.length > REMEMBERED_IDENTITY_CHARS) return this.#hash(stage, a, joined);
    let keys = this.#keys.get(a);
    if (keys === undefined) this.#keys.set(a, (keys = new Map()));
    let key = keys.get(joined);
    if (key === undefined) {
      key = this.#hash(stage, a, joined);
      keys.set(joined, key);
      if (keys.size > REMEMBERED) keys.delete(keys.keys().next().value!);
    }
    return key;
  }

  /**
   * Without a promise: the result, or null on a miss, when the cache is this process's memory;
   * undefined when only `get` can tell (IPC, Redis).
   */
  getNow(key: string): AuthorizerResult | null | undefined {
    if (this.#memory === null) return undefined;
    return this.#read(key, this.#memory.getNow(key)) ?? null;
  }

  /** undefined on a miss, and when the shared state cannot be reached (the failure policy reads
   *  caches as empty) or holds something unreadable. */
  async get(key: string): Promise<AuthorizerResult | undefined> {
    let bytes: Buffer | undefined;
    try {
      bytes = await this.#cache.get(key);
    } catch {
      return undefined;
    }
    return this.#read(key, bytes);
  }

  async set(key: string, result: AuthorizerResult, ttlSeconds: number): Promise<void> {
    const bytes = Buffer.from(serializeResult(result), 'utf8');
    try {
      await this.#cache.set(key, bytes, ttlSeconds);
    } catch {
      return; // not cached: the next request calls the function again
    }
    this.#remember(key, bytes, result);
  }

  #read(key: string, bytes: Buffer | undefined): AuthorizerResult | undefined {
    if (bytes === undefined) {
      this.#parsed.delete(key);
      return undefined;
    }
    const known = this.#parsed.get(key);
    if (known !== undefined && (known.bytes === bytes || known.bytes.equals(bytes))) return known.result;
    let result: AuthorizerResult;
    try {
      result = parseAuthorizerOutput(bytes);
    } catch {
      return undefined;
    }
    this.#remember(key, bytes, result);
    return result;
  }

  #hash(stage: StageRef, a: CompiledAuthorizer, joined: string): string {
    const digest = createHash('sha256').update(a.fingerprint).update('\n').update(joined).digest('base64url');
    return `${stagePrefix(stage)}${a.id}/${digest}`;
  }

  #remember(key: string, bytes: Buffer, result: AuthorizerResult): void {
    this.#parsed.delete(key);
    this.#parsed.set(key, { bytes, result });
    if (this.#parsed.size > REMEMBERED) this.#parsed.delete(this.#parsed.keys().next().value!);
  }
}
