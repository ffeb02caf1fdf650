// A management plane and an execution plane on their own Store instances and HTTP servers: two
// instances on one SQLite file stand for two processes sharing a database.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../src/config.ts';
import { createControlPlane } from '../../src/control/index.ts';
import { createExecutionPlane, type ExecutionPlane } from '../../src/execute/index.ts';
import type { ChangeFeed } from '../../src/feed/index.ts';
import type { Store } from '../../src/store/index.ts';
import { apiGatewayClient } from '../helpers/server.ts';

export const config = parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent' });

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The management API on `store`, with an SDK client for it. */
export async function managementOn(store: Store) {
  const control = createControlPlane({ store, config });
  const http = await serve((req, res) => control.handle(req, res));
  const client = apiGatewayClient(http.url);
  return {
    client,
    async close() {
      client.destroy();
      await http.close();
    },
  };
}

/** Deployed APIs served from `store`, following `feed`. */
export async function executionOn(store: Store, feed: ChangeFeed): Promise<{ url: string; plane: ExecutionPlane; close(): Promise<void> }> {
  const plane = createExecutionPlane({ store, config, feed });
  const http = await serve((req, res) => {
    if (!plane.handle(req, res)) res.writeHead(404).end();
  });
  return {
    url: http.url,
    plane,
    async close() {
      await http.close();
      await plane.close();
    },
  };
}
