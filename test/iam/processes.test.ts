// --auth with real `gatehouse serve` processes: two workers on one port both enforce the same
// identities file (every request is verified whichever worker takes it); a gateway bound to a
// non-loopback address enforces by default, and says so in its start-up line.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { CreateRestApiCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { rejects, tempDataDir } from '../helpers/server.ts';
import { serveProcess, type ServeProcess } from '../helpers/processes.ts';
import { apiGateway, KEYS, writeIdentities } from './helpers.ts';

const started: ServeProcess[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(started.map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function serve(args: string[]): Promise<ServeProcess> {
  const dir = tempDataDir();
  dirs.push(dir);
  const p = await serveProcess(['--port', '0', '--data-dir', dir, ...args]);
  started.push(p);
  return p;
}

describe('--auth in served processes', () => {
  it('--workers 2 --auth enforce: every worker verifies; accounts stay apart', async () => {
    const gw = await serve(['--workers', '2', '--auth', 'enforce', '--identities', writeIdentities()]);
    assert.match(gw.stdout(), /auth enforce, 10 access keys in 2 accounts, 2 workers/);
    const a = apiGateway(gw.url, KEYS.admin);
    const b = apiGateway(gw.url, KEYS.adminB);
    const wrong = apiGateway(gw.url, { ...KEYS.admin, secretAccessKey: 'wrong' });
    try {
      await a.send(new CreateRestApiCommand({ name: 'in-a' }));
      // Twenty calls each: the workers take connections in turn, so both answer some.
      for (let i = 0; i < 20; i++) {
        assert.deepEqual((await a.send(new GetRestApisCommand({}))).items!.map((x) => x.name), ['in-a']);
        assert.deepEqual((await b.send(new GetRestApisCommand({}))).items, []);
        await rejects(wrong.send(new GetRestApisCommand({})), 'InvalidSignatureException', undefined, 403);
      }
    } finally {
      a.destroy();
      b.destroy();
      wrong.destroy();
    }
  });

  it('bound to 0.0.0.0 without --auth: enforce, and with no identities every key is unknown', async () => {
    const gw = await serve(['--host', '0.0.0.0']);
    assert.match(gw.stdout(), /auth enforce, 0 access keys in 0 accounts/);
    const url = gw.url.replace('0.0.0.0', '127.0.0.1');
    const unsigned = await fetch(`${url}/restapis`);
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    const c = apiGateway(url, KEYS.admin);
    try {
      await rejects(c.send(new GetRestApisCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
    } finally {
      c.destroy();
    }
  });
});
