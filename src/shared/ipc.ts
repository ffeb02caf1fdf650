// Shared state for `--workers N` on one host without Redis: the state lives in the cluster
// primary (a MemorySharedState) and workers reach it over the IPC channel node:cluster already
// opens (process.send / 'message'), one request id per call. The change feed's wake-ups travel
// the same way: a worker's publish goes to the primary, which wakes everyone, the sender too.
// The same code serves any process with an IPC channel (child_process.fork), which the tests use.
import type { Cluster } from 'node:cluster';
import { MemorySharedState, wakeAll, type MemorySharedStateOptions } from './memory.ts';
import { toBuffer } from './memory-cache.ts';
import {
  SharedStateUnavailableError, type Notifier, type QuotaCounters, type QuotaPeriod, type QuotaResult, type SharedCache,
  type SharedState, type TakeResult, type TokenBuckets,
} from './types.ts';

/** The side of an IPC channel this module needs: a cluster Worker, a ChildProcess, or (in the
 *  child) `process` through `parentChannel()`. */
export interface IpcChannel {
  send(message: unknown, callback: (err: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

/** This process's channel to its parent (the cluster primary, or whoever forked it). */
export function parentChannel(): IpcChannel {
  if (process.send === undefined) throw new Error('this process has no IPC channel to a parent (it was not forked)');
  return {
    send: (message, callback) => process.send!(message, undefined, undefined, callback),
    on: (event: 'message' | 'disconnect', listener: (message: unknown) => void) => process.on(event, listener),
  };
}

// Messages carry `gh` so they pass through channels other modules also use.
interface Request { gh: 'shared'; id: number; op: Op; a: unknown[] }
interface Reply { gh: 'shared'; id: number; r?: unknown; e?: string }
interface Publish { gh: 'shared-pub'; seq: number }
interface Wake { gh: 'shared-wake' }
type Op = 'take' | 'consume' | 'peek' | 'usage' | 'adjust' | 'cget' | 'cset' | 'cdel' | 'cdelp';

const ignore = () => {};

function isMessage(m: unknown): m is { gh: string } {
  return typeof m === 'object' && m !== null && typeof (m as { gh?: unknown }).gh === 'string';
}

// ---------------------------------------------------------------- primary

/** Holds the host's state and answers the workers attached to it. */
export class SharedStatePrimary {
  readonly state: MemorySharedState;
  readonly #peers = new Set<IpcChannel>();

  constructor(options: MemorySharedStateOptions = {}) {
    this.state = new MemorySharedState(options, new PrimaryNotifier(this.#peers));
  }

  attach(peer: IpcChannel): void {
    this.#peers.add(peer);
    peer.on('message', (m) => {
      if (!isMessage(m)) return;
      if (m.gh === 'shared') this.#answer(peer, m as Request);
      else if (m.gh === 'shared-pub') this.state.notifier.publish((m as Publish).seq);
    });
    peer.on('disconnect', () => this.#peers.delete(peer));
  }

  #answer(peer: IpcChannel, m: Request): void {
    let reply: Reply;
    try {
      reply = { gh: 'shared', id: m.id, r: this.#run(m.op, m.a) };
    } catch (err) {
      reply = { gh: 'shared', id: m.id, e: err instanceof Error ? err.message : String(err) };
    }
    peer.send(reply, ignore);
  }

  #run(op: Op, a: unknown[]): unknown {
    const s = this.state;
    switch (op) {
      case 'take':
        return s.buckets.takeNow(a[0] as string, a[1] as number, a[2] as number, a[3] as number);
      case 'consume':
        return s.quotas.consumeNow(a[0] as string, a[1] as QuotaPeriod, a[2] as number, a[3] as number);
      case 'peek':
        return s.quotas.peekNow(a[0] as string, a[1] as QuotaPeriod, a[2] as number);
      case 'usage':
        return s.quotas.usageNow(a[0] as string, a[1] as number, a[2] as number);
      case 'adjust':
        return s.quotas.adjustNow(a[0] as string, a[1] as QuotaPeriod, a[2] as number);
      case 'cget':
        return s.cache(a[0] as string, a[1] as number).getNow(a[2] as string)?.toString('base64');
      case 'cset':
        return s.cache(a[0] as string, a[1] as number).setNow(a[2] as string, Buffer.from(a[3] as string, 'base64'), a[4] as number);
      case 'cdel':
        return s.cache(a[0] as string, a[1] as number).deleteNow(a[2] as string);
      case 'cdelp':
        return s.cache(a[0] as string, a[1] as number).deletePrefixNow(a[2] as string);
      default:
        throw new Error(`unknown shared-state operation '${String(op)}'`);
    }
  }
}

/** The primary's notifier: wakes the primary's own subscribers and every attached worker. */
class PrimaryNotifier implements Notifier {
  readonly #listeners = new Set<() => void>();
  readonly #peers: ReadonlySet<IpcChannel>;
  #closed = false;

  constructor(peers: ReadonlySet<IpcChannel>) {
    this.#peers = peers;
  }

  publish(_seq: number): void {
    if (this.#closed) return;
    const wake: Wake = { gh: 'shared-wake' };
    for (const peer of this.#peers) peer.send(wake, ignore);
    if (this.#listeners.size > 0) queueMicrotask(() => wakeAll(this.#listeners));
  }

  subscribe(onWake: () => void): () => void {
    this.#listeners.add(onWake);
    return () => this.#listeners.delete(onWake);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }
}

/** In the cluster primary: serves every worker forked now or later. */
export function servePrimary(cluster: Cluster, options: MemorySharedStateOptions = {}): SharedStatePrimary {
  const primary = new SharedStatePrimary(options);
  for (const worker of Object.values(cluster.workers ?? {})) if (worker !== undefined) primary.attach(worker);
  cluster.on('fork', (worker) => primary.attach(worker));
  return primary;
}

// ---------------------------------------------------------------- worker

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  readonly at: number;
}

export interface IpcClientOptions {
  /** A call without an answer after this long fails (default 1000 ms): the primary is stuck. */
  timeoutMs?: number;
}

/** A worker's view of the primary's state; every call is one message there and back. */
export class IpcSharedStateClient implements SharedState {
  readonly kind = 'ipc' as const;
  readonly buckets: TokenBuckets;
  readonly quotas: QuotaCounters;
  readonly notifier: Notifier;
  readonly #channel: IpcChannel;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<() => void>();
  readonly #timeoutMs: number;
  readonly #sweeper: NodeJS.Timeout;
  #nextId = 1;
  #connected = true;
  #closed = false;

  constructor(channel: IpcChannel = parentChannel(), options: IpcClientOptions = {}) {
    this.#channel = channel;
    this.#timeoutMs = options.timeoutMs ?? 1000;
    channel.on('message', (m) => this.#receive(m));
    channel.on('disconnect', () => {
      this.#connected = false;
      this.#failAll('the cluster primary is gone (IPC channel closed)');
    });
    // One timer for every call instead of one per call: the hot path allocates no timers.
    this.#sweeper = setInterval(() => this.#expire(), Math.max(10, this.#timeoutMs / 4));
    this.#sweeper.unref();
    const call = this.#call.bind(this);
    this.buckets = {
      take: (key, rate, burst, cost = 1) => call('take', [key, rate, burst, cost]) as Promise<TakeResult>,
    };
    this.quotas = {
      consume: (key, quota, limit, cost = 1) => call('consume', [key, periodOf(quota), limit, cost]) as Promise<QuotaResult>,
      peek: (key, quota, limit) => call('peek', [key, periodOf(quota), limit]) as Promise<QuotaResult>,
      usage: (key, fromDay, toDay) => call('usage', [key, fromDay, toDay]) as Promise<number[]>,
      adjust: async (key, quota, remaining) => void (await call('adjust', [key, periodOf(quota), remaining])),
    };
    this.notifier = {
      publish: (seq) => {
        if (this.#connected && !this.#closed) channel.send({ gh: 'shared-pub', seq } satisfies Publish, ignore);
      },
      subscribe: (onWake) => {
        this.#listeners.add(onWake);
        return () => this.#listeners.delete(onWake);
      },
      close: async () => this.#listeners.clear(),
    };
  }

  cache(name: string, maxBytes: number): SharedCache {
    const call = this.#call.bind(this);
    return {
      get: async (key) => {
        const b64 = (await call('cget', [name, maxBytes, key])) as string | undefined;
        return b64 === undefined || b64 === null ? undefined : Buffer.from(b64, 'base64');
      },
      set: async (key, value, ttlSeconds) => void (await call('cset', [name, maxBytes, key, toBuffer(value).toString('base64'), ttlSeconds])),
      delete: (key) => call('cdel', [name, maxBytes, key]) as Promise<boolean>,
      deletePrefix: (prefix) => call('cdelp', [name, maxBytes, prefix]) as Promise<number>,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#listeners.clear();
    this.#failAll('shared state closed');
  }

  #call(op: Op, a: unknown[]): Promise<unknown> {
    if (!this.#connected || this.#closed) {
      return Promise.reject(new SharedStateUnavailableError('the cluster primary is unreachable (IPC channel closed)'));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, at: Date.now() });
      this.#channel.send({ gh: 'shared', id, op, a } satisfies Request, (err) => {
        if (err === null) return;
        this.#pending.delete(id);
        reject(new SharedStateUnavailableError(`the cluster primary is unreachable: ${err.message}`, { cause: err }));
      });
    });
  }

  #receive(m: unknown): void {
    if (!isMessage(m)) return;
    if (m.gh === 'shared-wake') {
      if (!this.#closed) wakeAll(this.#listeners);
      return;
    }
    if (m.gh !== 'shared') return;
    const reply = m as Reply;
    const p = this.#pending.get(reply.id);
    if (p === undefined) return;
    this.#pending.delete(reply.id);
    if (reply.e !== undefined) p.reject(new Error(reply.e));
    else p.resolve(reply.r);
  }

  #expire(): void {
    if (this.#pending.size === 0) return;
    const oldest = Date.now() - this.#timeoutMs;
    for (const [id, p] of this.#pending) {
      if (p.at > oldest) break; // ids and times grow together: the rest are younger
      this.#pending.delete(id);
      p.reject(new SharedStateUnavailableError(`the cluster primary did not answer within ${this.#timeoutMs} ms`));
    }
  }

  #failAll(why: string): void {
    for (const p of this.#pending.values()) p.reject(new SharedStateUnavailableError(why));
    this.#pending.clear();
  }
}

/** Only the period and offset cross the channel (a plan's quota object may carry more). */
function periodOf(q: QuotaPeriod): QuotaPeriod {
  return q.offset === undefined ? { period: q.period } : { period: q.period, offset: q.offset };
}
