// What `gatehouse serve` checks before it serves: that the data directory can be used, that the
// port is free, and that no other Gatehouse already serves from the same data directory. Each
// failure is a StartupError whose message says what is wrong and what to do; the CLI prints it
// as one line and exits 1. The checks run before anything is created on disk.
import { accessSync, constants, mkdirSync, rmdirSync, statSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';

export class StartupError extends Error {
  readonly code = 'GH_ERR_STARTUP';
}

// Pseudo file systems accept no folders and Node's recursive mkdir loops forever on them.
const PSEUDO_FS = new Set([0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x1cd1 /* devpts */, 0x27e0eb /* cgroup */, 0x63677270 /* cgroup2 */]);

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? String(err);
}

/** Checks, without creating anything, that `dir` is or can become a writable directory.
 *  Returns the folders that are missing, outermost first. */
export function checkDataDir(dir: string): string[] {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    let st;
    try {
      st = statSync(at);
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOENT') {
        const parent = dirname(at);
        if (parent === at) break;
        missing.unshift(at);
        at = parent;
        continue;
      }
      if (code === 'ENOTDIR') throw new StartupError(`data directory ${dir}: a part of the path is a file, not a folder; choose another --data-dir`);
      throw new StartupError(`data directory ${dir}: cannot be read (${code}); choose another --data-dir`);
    }
    if (!st.isDirectory()) {
      throw new StartupError(at === dir
        ? `data directory ${dir} is a file, not a folder; remove it or choose another --data-dir`
        : `data directory ${dir}: ${at} is a file, not a folder; choose another --data-dir`);
    }
    break;
  }
  try {
    if (PSEUDO_FS.has(Number(statfsSync(at).type))) {
      throw new StartupError(`data directory ${dir} is on a system file system (${at}); choose a folder on a disk, e.g. --data-dir ./.gatehouse`);
    }
  } catch (err) {
    if (err instanceof StartupError) throw err;
  }
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
  } catch (err) {
    const what = missing.length === 0 ? `data directory ${dir} is not writable` : `data directory ${dir} cannot be created: ${at} is not writable`;
    throw new StartupError(`${what} (${errno(err)}); fix its permissions or choose another --data-dir`);
  }
  return missing;
}

/** Creates the missing folders one level at a time (never a recursive mkdir, see PSEUDO_FS),
 *  undoing what it made when a level fails. */
export function createDataDir(dir: string, missing: readonly string[]): void {
  const made: string[] = [];
  for (const folder of missing) {
    try {
      mkdirSync(folder);
      made.push(folder);
    } catch (err) {
      for (const f of made.reverse()) {
        try { rmdirSync(f); } catch { /* best effort */ }
      }
      throw new StartupError(`data directory ${dir} cannot be created (${errno(err)} at ${folder}); choose another --data-dir`);
    }
  }
  // Root passes access() checks on read-only mounts and the like: only a write proves it.
  const probe = join(dir, `.gatehouse-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (err) {
    throw new StartupError(`data directory ${dir} is not writable (${errno(err)}); fix its permissions or choose another --data-dir`);
  }
}

/** Resolves when host:port can be bound (then released); port 0 always can. */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(listenError(err, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A listen() failure as one line that says what to do. */
export function listenError(err: unknown, host: string, port: number): StartupError {
  switch (errno(err)) {
    case 'EADDRINUSE':
      return new StartupError(`port ${port} on ${host} is already in use (another gatehouse?); stop that process or choose another --port`);
    case 'EACCES':
      return new StartupError(`port ${port} on ${host} needs privileges this user lacks; choose a port above 1023 with --port`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`cannot listen on ${host}: no such address on this machine; choose another --host (127.0.0.1 or 0.0.0.0)`);
    default:
      return new StartupError(`cannot listen on ${host}:${port} (${(err as Error)?.message ?? err}); choose another --host or --port`);
  }
}

export interface DataDirLock {
  release(): void;
}

/**
 * Holds the data directory for this process. The lock is an exclusive SQLite transaction on a
 * file of its own: SQLite's fcntl lock is released by the kernel when the process dies, even
 * by kill -9, so there is never a stale lock to clean up (a PID file alone would go stale).
 * Until processes share state by design (the scale-out issue), a second Gatehouse on the same
 * folder is refused.
 */
export function lockDataDir(dir: string): DataDirLock {
  if (dir === ':memory:') return { release() {} };
  createDataDir(dir, checkDataDir(dir));
  const path = join(dir, 'gatehouse.lock');
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new StartupError(`data directory ${dir} is in use by another gatehouse process; stop it, or give this one another --data-dir`);
    }
    throw new StartupError(`data directory ${dir}: cannot take its lock (${(err as Error).message}); check the folder's permissions`);
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      try {
        db.exec('COMMIT');
        db.close();
      } catch { /* the process is going away */ }
    },
  };
}
