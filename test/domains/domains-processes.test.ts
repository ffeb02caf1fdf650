// Custom domain names on several `gatehouse serve` processes sharing one PostgreSQL (the second
// with two node:cluster workers): a domain name, its mapping and its ACM certificate created through
// one process are served over HTTPS by every process, and a certificate reimported through the
// first reaches the others' new connections through the store's change log, without a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { CreateBasePathMappingCommand, CreateDomainNameCommand } from '@aws-sdk/client-api-gateway';
import { apiGatewayClient, awsCli } from '../helpers/server.ts';
import { serveProcess, until, type ServeProcess } from '../helpers/processes.ts';
import { createMockApi } from '../helpers/mock-api.ts';
import { deploy } from '../execute/helpers.ts';
import { createTestDatabase, freePort, type TestDatabase } from '../helpers/private-services.ts';
import { issue, newCa, type Issued } from '../control/domain-certificates.ts';

describe('custom domain names on processes sharing one PostgreSQL', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  let one: ServeProcess;
  let two: ServeProcess;
  const ports: number[] = [];
  let ca: Issued;

  /** The serial number of the certificate served for api.example.test, and the answer's body. */
  function fetchOver(port: number): Promise<{ serial: string; status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/hello', servername: 'api.example.test', ca: ca.pem, agent: false, headers: { host: 'api.example.test' } }, (res) => {
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber.toLowerCase();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ serial, status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  before(async () => {
    db = await createTestDatabase();
    ca = await newCa('Processes CA');
    const dir = () => {
      const d = mkdtempSync(join(tmpdir(), 'gh-domains-proc-'));
      dirs.push(d);
      return d;
    };
    ports.push(await freePort(), await freePort());
    one = await serveProcess(['--port', '0', '--https-port', String(ports[0]), '--postgres', db.url, '--data-dir', dir()]);
    two = await serveProcess(['--port', '0', '--https-port', String(ports[1]), '--postgres', db.url, '--data-dir', dir(), '--workers', '2']);
  });

  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db?.drop();
  });

  it('serves a domain name created through one process on all, and rotates its certificate everywhere', async () => {
    const client = apiGatewayClient(one.url);
    try {
      const id = await createMockApi(client, 'domains-everywhere');
      await deploy(client, id, 'prod', { v: 'shared' });
      const dir = dirs[0]!;
      const first = await issue(ca, { cn: 'api.example.test', dns: ['api.example.test'] });
      writeFileSync(join(dir, 'c1.pem'), first.pem);
      writeFileSync(join(dir, 'k1.pem'), first.keyPem);
      const { CertificateArn: arn } = await awsCli(one.url, ['acm', 'import-certificate', '--certificate', `fileb://${join(dir, 'c1.pem')}`, '--private-key', `fileb://${join(dir, 'k1.pem')}`]) as { CertificateArn: string };
      await client.send(new CreateDomainNameCommand({ domainName: 'api.example.test', regionalCertificateArn: arn, endpointConfiguration: { types: ['REGIONAL'] } }));
      await client.send(new CreateBasePathMappingCommand({ domainName: 'api.example.test', restApiId: id, stage: 'prod' }));

      const served = (port: number, serial: string) => until(async () => {
        const r = await fetchOver(port).catch(() => null);
        return r !== null && r.status === 200 && r.serial === serial && JSON.parse(r.body).v === 'shared';
      });
      for (const port of ports) await served(port, first.cert.serialNumber.toLowerCase());

      const second = await issue(ca, { cn: 'api.example.test', dns: ['api.example.test'] });
      writeFileSync(join(dir, 'c2.pem'), second.pem);
      writeFileSync(join(dir, 'k2.pem'), second.keyPem);
      await awsCli(one.url, ['acm', 'import-certificate', '--certificate-arn', arn, '--certificate', `fileb://${join(dir, 'c2.pem')}`, '--private-key', `fileb://${join(dir, 'k2.pem')}`]);
      for (const port of ports) await served(port, second.cert.serialNumber.toLowerCase());
      // Both workers of the second process: each new connection may land on either.
      for (let i = 0; i < 6; i++) assert.equal((await fetchOver(ports[1]!)).serial, second.cert.serialNumber.toLowerCase());
    } finally {
      client.destroy();
    }
  });
});
