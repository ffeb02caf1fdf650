// Which kinds live under a REST API. The kind names themselves are in src/kinds.ts (deploy/ reads them too).
import { K } from '../kinds.ts';

export { K };

/** Every kind that lives under a REST API (deleted with it). */
export const API_CHILD_KINDS: string[] = [];
export function registerApiChildKind(kind: string): void {
  if (!API_CHILD_KINDS.includes(kind)) API_CHILD_KINDS.push(kind);
}
for (const k of [K.resource, K.resourcePath, K.method, K.model, K.deployment, K.snapshot, K.stage]) registerApiChildKind(k);
