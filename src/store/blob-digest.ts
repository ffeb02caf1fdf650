import { createHash } from 'node:crypto';

/** Content addressing holds only if the bytes are what the name says; both stores check it. */
export function checkDigest(sha256: string, bytes: Buffer): void {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a lowercase sha256 hex digest: ${sha256}`);
  if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw new Error(`bytes do not hash to ${sha256}`);
}
