// Connection limits: how many sockets the server holds and how long a client may take to send
// a request. Without them 20,000 clients trickling bodies used up the process's file handles
// (so other clients were reset) and each held its socket for Node's default of 300 s.
import { readFileSync } from 'node:fs';
import type { Server, ServerOptions } from 'node:http';
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
 * Caps open connections: past the cap Node closes new sockets as soon as they are accepted, so
 * the process never runs out of file handles and the connections it has keep working. A refused
 * connection also closes idle keep-alive sockets, which free their slots for clients that retry.
 */
export function limitConnections(server: Server, config: Pick<GatehouseConfig, 'maxConnections'>): number {
  const max = config.maxConnections > 0 ? config.maxConnections : defaultMaxConnections();
  server.maxConnections = max;
  let reclaiming = false;
  server.on('drop', () => {
    // Once per burst of refusals: closeIdleConnections walks every connection.
    if (reclaiming) return;
    reclaiming = true;
    setImmediate(() => {
      reclaiming = false;
      server.closeIdleConnections();
    });
  });
  return max;
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
