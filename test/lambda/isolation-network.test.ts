// --lambda-network: 'host' (the default) lets functions reach HTTP services as they do on AWS,
// including the gateway on loopback; 'none' gives each worker a network namespace of its own
// with nothing in it, so not even the gateway's management API on 127.0.0.1 answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLambda, type TestLambda } from './helpers.ts';

const FETCH = 'exports.handler = async (e) => { try { return await (await fetch(e.url)).text(); } catch (err) { return "failed: " + (err.cause?.code ?? err.message); } };';

describe('--lambda-network', () => {
  let service: Server;
  let url: string;
  let host: TestLambda;
  let none: TestLambda;
  before(async () => {
    service = createServer((_req, res) => res.end('reached'));
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/`;
    host = await startLambda();
    none = await startLambda({ lambdaNetwork: 'none' });
  });
  after(async () => {
    await host.close();
    await none.close();
    await new Promise<void>((r) => service.close(() => r()));
  });

  it('host: a function reaches an HTTP service on the host', async () => {
    await host.create('net', { 'index.js': FETCH });
    assert.equal((await host.invoke('net', { url })).json, 'reached');
  });

  it('none: the same function reaches nothing, not even the gateway on loopback', async () => {
    await none.create('net', { 'index.js': FETCH });
    const r = await none.invoke('net', { url });
    assert.equal(r.headers.get('x-amz-function-error'), null, r.body);
    assert.match(r.json, /^failed: (ECONNREFUSED|ENETUNREACH|EADDRNOTAVAIL)$/);
    const gateway = await none.invoke('net', { url: none.url + '/2015-03-31/functions' });
    assert.match(gateway.json, /^failed: /);
  });

  it('an unknown mode is refused at start', async () => {
    await assert.rejects(startLambda({ lambdaNetwork: 'private' }), /--lambda-network: 'host' or 'none'/);
  });
});
