// Custom domain names served over TLS (--https-port): two domain names on one port, each answered
// with its own certificate by SNI (one uploaded with CreateDomainName as the 2016 guide does, one
// imported into ACM with the real AWS CLI and named by regionalCertificateArn); base path mappings
// resolved as AWS resolves them; 403 for unmapped paths; rotation by reimporting the ACM
// certificate without a restart; mutual TLS against a truststore in S3 (moto); the default
// endpoint disabled; the same domain names by Host on the plain port; $context as AWS sets it.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { CreateBasePathMappingCommand, CreateDomainNameCommand, CreateRestApiCommand, UpdateDomainNameCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, awsCli, awsCliError, startTestGatehouse } from '../helpers/server.ts';
import { deploy, putMethod, resourcePath } from '../execute/helpers.ts';
import { issue, newCa, type Issued } from '../control/domain-certificates.ts';
import { startMoto, type Moto } from '../integrations/aws-helpers.ts';

interface Reply {
  status: number;
  body: string;
  /** The CN of the certificate the server answered with. */
  servedCn: string;
}

interface TlsOptions {
  cert?: Issued;
  maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  host?: string;
}

const ECHO = JSON.stringify({
  domainName: '$context.domainName', domainPrefix: '$context.domainPrefix', path: '$context.path', stage: '$context.stage', resourcePath: '$context.resourcePath',
});

describe('custom domain names over TLS', { timeout: 180_000 }, () => {
  let gh: Gatehouse;
  let moto: Moto;
  let client: APIGatewayClient;
  let serverCa: Issued;
  let clientCa: Issued;
  let strangerCa: Issued;
  let httpsPort: number;
  let apiId: string;
  let closedApiId: string;
  let acmArn: string;
  const dir = mkdtempSync(join(tmpdir(), 'gh-domains-'));

  function get(servername: string, path: string, options: TlsOptions = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest({
        host: '127.0.0.1', port: httpsPort, path, servername, ca: serverCa.pem, headers: { host: options.host ?? servername },
        agent: false, ...(options.cert ? { cert: options.cert.pem, key: options.cert.keyPem } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
      }, (res) => {
        const cn = (res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '';
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, servedCn: String(cn) }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  function plain(host: string, path: string): Promise<{ status: number; body: string }> {
    const u = new URL(gh.url);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: u.hostname, port: u.port, path, headers: { host }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) assert.fail(`not within 10 s: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function echoApi(name: string, disableExecuteApiEndpoint = false): Promise<string> {
    const api = await client.send(new CreateRestApiCommand({ name, disableExecuteApiEndpoint }));
    const id = api.id!;
    for (const path of ['/', '/echo', '/echo/{id}']) {
      await putMethod(client, id, await resourcePath(client, id, path), {
        httpMethod: 'GET',
        integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
        responses: [{ statusCode: '200', responseTemplates: { 'application/json': ECHO } }],
      });
    }
    await deploy(client, id, 'prod');
    await deploy(client, id, 'test');
    return id;
  }

  function writePem(name: string, text: string): string {
    const file = join(dir, name);
    writeFileSync(file, text);
    return `fileb://${file}`;
  }

  before(async () => {
    moto = await startMoto();
    serverCa = await newCa('Gatehouse Domains CA');
    clientCa = await newCa('Client CA');
    strangerCa = await newCa('Stranger CA');
    gh = await startTestGatehouse({ httpsPort: 0, awsEndpoint: moto.url });
    httpsPort = Number(new URL(gh.httpsUrl!).port);
    client = apiGatewayClient(gh.url);
    apiId = await echoApi('domains');
    closedApiId = await echoApi('domains-only', true);

    // a.example.test: EDGE, its certificate uploaded as the 2016 guide does.
    const a = await issue(serverCa, { cn: 'a.example.test', dns: ['a.example.test'] });
    await client.send(new CreateDomainNameCommand({
      domainName: 'a.example.test', certificateName: 'a', certificateBody: a.pem, certificatePrivateKey: a.keyPem, certificateChain: serverCa.pem,
    }));
    await client.send(new CreateBasePathMappingCommand({ domainName: 'a.example.test', basePath: '(none)', restApiId: apiId, stage: 'prod' }));

    // b.example.test: REGIONAL, its certificate imported into ACM with the AWS CLI.
    const b = await issue(serverCa, { cn: 'b.example.test', dns: ['b.example.test'] });
    const imported = await awsCli(gh.url, ['acm', 'import-certificate', '--certificate', writePem('b.pem', b.pem), '--private-key', writePem('b.key', b.keyPem)]) as { CertificateArn: string };
    acmArn = imported.CertificateArn;
    await client.send(new CreateDomainNameCommand({ domainName: 'b.example.test', regionalCertificateArn: acmArn, endpointConfiguration: { types: ['REGIONAL'] } }));
    await client.send(new CreateBasePathMappingCommand({ domainName: 'b.example.test', basePath: 'v1', restApiId: apiId, stage: 'prod' }));
    await client.send(new CreateBasePathMappingCommand({ domainName: 'b.example.test', basePath: 'v1/beta', restApiId: apiId, stage: 'test' }));
    await client.send(new CreateBasePathMappingCommand({ domainName: 'b.example.test', basePath: 'any', restApiId: apiId }));
    await client.send(new CreateBasePathMappingCommand({ domainName: 'b.example.test', basePath: 'closed', restApiId: closedApiId, stage: 'prod' }));
  });

  after(async () => {
    await gh?.close();
    await moto?.close();
  });

  it('answers each domain name with its own certificate by SNI, on one port', async () => {
    const a = await get('a.example.test', '/echo');
    assert.equal(a.status, 200);
    assert.equal(a.servedCn, 'a.example.test');
    const b = await get('b.example.test', '/v1/echo');
    assert.equal(b.status, 200);
    assert.equal(b.servedCn, 'b.example.test');
  });

  it('fails the handshake for a name it does not serve', async () => {
    await assert.rejects(get('c.example.test', '/'), (err: Error & { code?: string }) => /alert|ECONNRESET|socket hang up/i.test(`${err.code} ${err.message}`));
  });

  it('resolves base paths as AWS does: (none), one segment, multi-level, a stage from the path', async () => {
    const root = JSON.parse((await get('a.example.test', '/echo/42')).body);
    assert.deepEqual(root, { domainName: 'a.example.test', domainPrefix: 'a', path: '/echo/42', stage: 'prod', resourcePath: '/echo/{id}' });
    const v1 = JSON.parse((await get('b.example.test', '/v1/echo')).body);
    assert.deepEqual(v1, { domainName: 'b.example.test', domainPrefix: 'b', path: '/v1/echo', stage: 'prod', resourcePath: '/echo' });
    const beta = JSON.parse((await get('b.example.test', '/v1/beta/echo/7')).body);
    assert.equal(beta.stage, 'test');
    assert.equal(beta.resourcePath, '/echo/{id}');
    assert.equal(beta.path, '/v1/beta/echo/7');
    const bare = JSON.parse((await get('b.example.test', '/v1')).body);
    assert.equal(bare.resourcePath, '/');
    const any = JSON.parse((await get('b.example.test', '/any/test/echo')).body);
    assert.equal(any.stage, 'test');
    assert.equal(any.resourcePath, '/echo');
  });

  it('answers 403 Forbidden for paths no mapping covers', async () => {
    for (const path of ['/', '/v2/echo', '/v1x/echo', '/any', '/any/nostage/echo']) {
      const r = await get('b.example.test', path);
      assert.equal(r.status, 403, path);
      assert.deepEqual(JSON.parse(r.body), { message: 'Forbidden' }, path);
    }
  });

  it('routes a custom domain name by Host on the plain port too', async () => {
    const r = await plain('a.example.test', '/echo');
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).domainName, 'a.example.test');
    assert.equal((await plain('b.example.test:4567', '/nowhere')).status, 403);
  });

  it('honours disableExecuteApiEndpoint: the default endpoint is 403, the domain name serves', async () => {
    const u = new URL(gh.url);
    const viaDefault = await plain(`${closedApiId}.execute-api.localhost:${u.port}`, '/prod/echo');
    assert.equal(viaDefault.status, 403);
    assert.deepEqual(JSON.parse(viaDefault.body), { message: 'Forbidden' });
    const viaDomain = await get('b.example.test', '/closed/echo');
    assert.equal(viaDomain.status, 200);
    assert.equal((await plain(`${apiId}.execute-api.localhost:${u.port}`, '/prod/echo')).status, 200);
  });

  it('takes a reimported ACM certificate on new connections, without a restart', async () => {
    const rotated = await issue(serverCa, { cn: 'b.example.test', dns: ['b.example.test', 'rotated.b.example.test'] });
    await awsCli(gh.url, ['acm', 'import-certificate', '--certificate-arn', acmArn, '--certificate', writePem('b2.pem', rotated.pem), '--private-key', writePem('b2.key', rotated.keyPem)]);
    const serial = (await new Promise<string>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: httpsPort, path: '/v1/echo', servername: 'b.example.test', ca: serverCa.pem, agent: false, headers: { host: 'b.example.test' } }, (res) => {
        resolve((res.socket as TLSSocket).getPeerCertificate().serialNumber);
        res.resume();
      });
      req.on('error', reject);
      req.end();
    }));
    // The reload follows the change feed; a connection made after it gets the new certificate.
    await eventually(async () => {
      const served = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: httpsPort, path: '/v1/echo', servername: 'b.example.test', ca: serverCa.pem, agent: false, headers: { host: 'b.example.test' } }, (res) => {
          resolve((res.socket as TLSSocket).getPeerCertificate().serialNumber);
          res.resume();
        });
        req.on('error', reject);
        req.end();
      });
      return served.toLowerCase() === rotated.cert.serialNumber.toLowerCase();
    }, 'the rotated certificate is served');
    assert.ok(serial.length > 0);
    const described = await awsCli(gh.url, ['acm', 'describe-certificate', '--certificate-arn', acmArn]) as { Certificate: { InUseBy: string[]; SubjectAlternativeNames: string[]; Type: string } };
    assert.deepEqual(described.Certificate.SubjectAlternativeNames, ['b.example.test', 'rotated.b.example.test']);
    assert.equal(described.Certificate.Type, 'IMPORTED');
    assert.deepEqual(described.Certificate.InUseBy, ['arn:aws:apigateway:us-east-1::/domainnames/b.example.test']);
    const refused = await awsCliError(gh.url, ['acm', 'delete-certificate', '--certificate-arn', acmArn]);
    assert.equal(refused.code, 'ResourceInUseException');
  });

  it('enforces the securityPolicy: TLS_1_2 refuses TLS 1.1, TLS_1_0 accepts it', async () => {
    await assert.rejects(get('a.example.test', '/echo', { maxVersion: 'TLSv1.1' }));
    assert.equal((await get('a.example.test', '/echo', { maxVersion: 'TLSv1.2' })).status, 200);
    await client.send(new UpdateDomainNameCommand({ domainName: 'a.example.test', patchOperations: [{ op: 'replace', path: '/securityPolicy', value: 'TLS_1_0' }] }));
    await eventually(async () => (await get('a.example.test', '/echo', { maxVersion: 'TLSv1.1' }).then((r) => r.status, () => 0)) === 200, 'TLS 1.1 accepted');
  });

  it('mutual TLS: a certificate the truststore issued is accepted; none, or another CA\'s, is 403', async () => {
    await moto.cli(['s3api', 'create-bucket', '--bucket', 'truststores']);
    writeFileSync(join(dir, 'truststore.pem'), clientCa.pem);
    await moto.cli(['s3api', 'put-object', '--bucket', 'truststores', '--key', 'clients.pem', '--body', join(dir, 'truststore.pem')]);
    const m = await issue(serverCa, { cn: 'm.example.test', dns: ['m.example.test'] });
    const imported = await awsCli(gh.url, ['acm', 'import-certificate', '--certificate', writePem('m.pem', m.pem), '--private-key', writePem('m.key', m.keyPem)]) as { CertificateArn: string };
    await client.send(new CreateDomainNameCommand({
      domainName: 'm.example.test', regionalCertificateArn: imported.CertificateArn, endpointConfiguration: { types: ['REGIONAL'] },
      mutualTlsAuthentication: { truststoreUri: 's3://truststores/clients.pem' },
    }));
    await client.send(new CreateBasePathMappingCommand({ domainName: 'm.example.test', restApiId: apiId, stage: 'prod' }));
    const member = await issue(clientCa, { cn: 'member' });
    const stranger = await issue(strangerCa, { cn: 'stranger' });
    await eventually(async () => (await get('m.example.test', '/echo', { cert: member }).then((r) => r.status, () => 0)) === 200, 'the member is served');
    const none = await get('m.example.test', '/echo');
    assert.equal(none.status, 403);
    assert.deepEqual(JSON.parse(none.body), { message: 'Forbidden' });
    assert.equal((await get('m.example.test', '/echo', { cert: stranger })).status, 403);
    // The plain port has no client certificate to show.
    assert.equal((await plain('m.example.test', '/echo')).status, 403);
    // A certificate shown under another domain name's SNI does not open this one.
    assert.equal((await get('a.example.test', '/echo', { cert: member, host: 'm.example.test' })).status, 403);
  });
});
