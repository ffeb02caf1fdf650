// LISTEN for the change log's NOTIFY, on a connection that survives PostgreSQL restarts.
import pg from 'pg';
import { unavailable } from './postgres-connection.ts';

export const CHANNEL = 'gatehouse_changes';

/**
 * Follows NOTIFY on a connection of its own (LISTEN holds its connection; a pooled one would be
 * handed to someone else). After losing it (PostgreSQL restarted, network cut) it reconnects
 * with backoff and wakes the caller once, since commits in between were not announced.
 */
export async function listen(url: string, connectTimeoutMs: number, onWake: () => void): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pause = 250;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true });
    c.on('notification', (n) => {
      if (n.channel === CHANNEL) onWake();
    });
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      c.end().catch(() => undefined);
      throw unavailable(err);
    }
    // Stopped while this reconnection was under way: nobody will end it later.
    if (stopped) await c.end().catch(() => undefined);
    else client = c;
  };
  const lost = (c: pg.Client) => {
    if (client !== c || stopped) return;
    client = undefined;
    c.end().catch(() => undefined);
    retry();
  };
  const retry = () => {
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(() => {
        pause = 250;
        if (!stopped) onWake();
      }, () => {
        pause = Math.min(pause * 2, 5000);
        if (!stopped) retry();
      });
    }, pause);
  };

  await connect();
  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    const c = client;
    client = undefined;
    await c?.end().catch(() => undefined);
  };
}
