// placeholder replaced in the next commit
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../store/index.ts';
import type { GatehouseConfig } from '../config.ts';
export interface ControlPlane { handle(req: IncomingMessage, res: ServerResponse): void; reset(): Promise<void> }
export function createControlPlane(_o: { store: Store; config: GatehouseConfig }): ControlPlane {
  return { handle(_req, res) { res.writeHead(501); res.end(); }, async reset() {} };
}
