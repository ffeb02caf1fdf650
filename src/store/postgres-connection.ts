// Connections to PostgreSQL, and the one place that tells a connection failure (the store is
// unavailable: StoreUnavailableError) from any other error (passed on unchanged).
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { StoreUnavailableError } from './types.ts';

export async function checkout(pool: pg.Pool): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw unavailable(err);
  }
}

export async function query<R extends QueryResultRow = QueryResultRow>(c: PoolClient, text: string, values?: unknown[]) {
  try {
    return await c.query<R>(text, values);
  } catch (err) {
    throw unavailable(err);
  }
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|connection timeout|not queryable|timeout expired/i;

/** Connection-level failures become StoreUnavailableError; anything else passes unchanged. */
export function unavailable(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof StoreUnavailableError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  // SQLSTATE class 08 is "connection exception"; 57P0x the server shutting down.
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || UNAVAILABLE_MESSAGES.test(err.message)
    || (err instanceof AggregateError && err.errors.some((e) => unavailable(e) instanceof StoreUnavailableError))) {
    return new StoreUnavailableError(`the PostgreSQL store is unavailable: ${err.message || code}`, { cause: err });
  }
  return err;
}
