// Connection limits: how many sockets the server holds and how long a client may take to send
// a request. Without them 20,000 clients trickling bodies used up the process's file handles
// (so other clients were reset) and each held its socket for Node's default of 300 s.
import { readFileSync } from 'node:fs';
import type { Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { GatehouseConfig } from '../config.ts';

/** Idle keep-alive sockets live longer than a load balancer's usual 60 s idle timeout, so the
 *  balancer, not Gatehouse, closes them (else it may send a request on a closing socket). */
const KEEP_ALIVE_MS = 65_000;
const MAX_DEFAULT_CONNECTIONS = 10_000;

export function serverOptions(config: Pick<GatehouseConfig, 'requestTimeoutSeconds'>): ServerOptions {
  const requestTimeout = config.requestTimeoutSeconds * 1000;
  return {
    keepAliveTimeout: KEEP_ALIVE_MS,
    // The whole request, headers and body, must arrive within this (AWS's integrations get 29 s;
    // a client gets about as long to send). Node requires headersTimeout <= requestTimeout.
    requestTimeout,
    headersTimeout: requestTimeout === 0 ? 60_000 : requestTimeout,
    // Node checks both timeouts on this interval; its 30 s default would let a 30 s limit run to 60 s.
    connectionsCheckingInterval: requestTimeout === 0 ? 30_000 : Math.min(1000, Math.max(50, requestTimeout / 10)),
  };
}

/**
 * Caps open connections so the process never runs out of file handles. Past the cap a new
 * connection takes the slot of the oldest one that is doing no work for anyone: idle between
 * requests, or still sending its request (a client trickling headers or a body holds a slot
 * for nothing). Requests received whole and being answered are never cut; when every slot is
 * busy with those, the new connection is closed. Node refuses outright at a slightly higher
 * count, before any JavaScript runs, so a burst cannot outrun the check.
 */
export function limitConnections(server: Server, config: Pick<GatehouseConfig, 'maxConnections'>): number {
  const max = config.maxConnections > 0 ? config.maxConnections : defaultMaxConnections();
  server.maxConnections = max + Math.ceil(max / 8) + 8;
  // Insertion order is age order: the oldest connections come first.
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    if (open.size > max) makeRoom(open, socket);
  });
  return max;
}

/** Connections looked at per newcomer: bounds the work when every slot is busy. */
const SCAN = 64;

function makeRoom(open: Set<Socket>, newcomer: Socket): void {
  const busy: Socket[] = [];
  for (const s of open) {
    if (s === newcomer || busy.length === SCAN) break;
    if (!s.destroyed && idleOrReceiving(s)) {
      s.destroy();
      requeue(open, busy);
      return;
    }
    busy.push(s);
  }
  requeue(open, busy);
  newcomer.destroy();
}

/** Moves connections found busy to the back, so the next scan looks at others. */
function requeue(open: Set<Socket>, busy: readonly Socket[]): void {
  for (const s of busy) {
    open.delete(s);
    open.add(s);
  }
}

function idleOrReceiving(socket: Socket): boolean {
  // Node keeps the response in progress on the socket (no public accessor); its request is
  // `complete` once the whole request has arrived.
  const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return res == null || !res.req.complete;
}

/** Half the open-file limit (the other half is for back ends, function workers, the store, logs), at most 10,000. */
export function defaultMaxConnections(): number {
  const files = openFileLimit();
  if (files === null) return 1000;
  return Math.max(16, Math.min(MAX_DEFAULT_CONNECTIONS, Math.floor(files / 2)));
}

/** The soft RLIMIT_NOFILE (Node raises it to the hard limit at start-up); null where /proc is absent. */
function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m === null) return null;
    return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    return null;
  }
}
