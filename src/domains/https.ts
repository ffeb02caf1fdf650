// The HTTPS listener (--https-port): each custom domain name answered with its own certificate by
// SNI, its securityPolicy's oldest TLS version enforced, and, for a domain name with mutual TLS,
// the client's certificate verified against its truststore. A ClientHello naming no served domain
// name (or none at all) fails the handshake, as API Gateway's endpoints do.
import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { DomainTable } from './table.ts';

const VERSION_ORDER: Record<string, number> = { TLSv1: 1, 'TLSv1.1': 2, 'TLSv1.2': 3, 'TLSv1.3': 4 };

export function createHttpsServer(table: DomainTable, options: Record<string, unknown>, listener: RequestListener): Server {
  const server = createServer({
    ...options,
    // TLS 1.0 and 1.1 are offered only so that a TLS_1_0 domain name can accept them; every
    // other domain name refuses them after the handshake (below). OpenSSL's default security
    // level refuses them outright, hence the level.
    minVersion: 'TLSv1',
    ciphers: 'DEFAULT:@SECLEVEL=0',
    // Asked of every client; only a mutual-TLS domain name's requests need one (a client without
    // a certificate simply sends none). The verdict, against the SNI context's truststore, is
    // socket.authorized.
    requestCert: true,
    rejectUnauthorized: false,
    SNICallback(servername, done) {
      const domain = table.lookup(servername.toLowerCase());
      if (domain === null || domain.tls === null) {
        done(new Error(domain === null ? `no custom domain name ${servername}` : `custom domain name ${servername}: ${domain.tlsProblem}`), undefined);
        return;
      }
      done(null, domain.tls);
    },
  }, listener);
  server.on('secureConnection', (socket: TLSSocket) => {
    const name = (socket as TLSSocket & { servername?: string | false }).servername;
    const domain = typeof name === 'string' ? table.lookup(name.toLowerCase()) : null;
    const version = socket.getProtocol() ?? '';
    if (domain === null || (VERSION_ORDER[version] ?? 0) < VERSION_ORDER[domain.minVersion]!) socket.destroy();
  });
  // A handshake that fails (no SNI, an unknown name, an old version) ends the connection; it is
  // not the server's error.
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  return server;
}

/**
 * Whether a request came with a client certificate the truststore of the connection's SNI domain
 * name issued (socket.authorized: verified against that SNI context's CA list).
 */
export function verifiedClientName(socket: unknown): string | null {
  const tls = socket as Partial<TLSSocket> & { servername?: string | false };
  if (tls.encrypted !== true || tls.authorized !== true || typeof tls.servername !== 'string') return null;
  return tls.servername.toLowerCase();
}
