// List cursors, shared by every Store implementation so a page token from one process (or one
// backend) reads the same in another. Cursors are opaque to clients, as AWS's `position`
// tokens are; inside, one is the last listed document's insertion seq.

export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  const n = text.startsWith('s') ? Number(text.slice(1)) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidCursorError();
  return n;
}

export class InvalidCursorError extends Error {
  readonly code = 'GH_ERR_CURSOR';
  constructor() {
    super('invalid position');
  }
}
