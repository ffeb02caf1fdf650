// A moto_server of a test file's own (python3 -m moto.server, on a free port) as the AWS endpoint
// of AWS integrations, and the AWS CLI against it to look at what the integrations did.
import { spawn, type ChildProcess } from 'node:child_process';
import { exited } from '../helpers/processes.ts';
import { freePort } from '../helpers/private-services.ts';
import { awsCli } from '../helpers/server.ts';

/** The account moto files everything under, whatever access key signs the request. */
export const MOTO_ACCOUNT = '123456789012';

export interface Moto {
  readonly url: string;
  /** The AWS CLI against this moto (JSON output parsed; null when it printed nothing). */
  cli(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-20_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    cli: (args) => awsCli(url, args),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}
