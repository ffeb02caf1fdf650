// Client certificates to back ends: a stage's clientCertificateId makes its HTTP and HTTP_PROXY
// integrations present that certificate over TLS. The back end is a local node:https server that
// requires a client certificate and trusts only the PEM GetClientCertificate returns; it answers
// with the subject of the certificate it was shown. Its own certificate is self-signed, so the
// integrations set tlsConfig.insecureSkipVerification, as AWS requires for such a back end.
import assert from 'node:assert/strict';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  CreateDeploymentCommand, GenerateClientCertificateCommand, GetClientCertificateCommand, UpdateStageCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { generateSelfSigned } from '../../src/control/keys/client-certificates.ts';
import type { Gatehouse } from '../../src/server.ts';
import { until } from '../helpers/processes.ts';
import { useGatehouse } from '../helpers/server.ts';
import { callStage, createApi, putMethod, resourcePath } from '../execute/helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
useGatehouse((g, c) => {
  gh = g;
  client = c;
});

let certId: string;
let backend: Server;
let backendUrl: string;

/** GET /proxy (HTTP_PROXY) and GET /plain (HTTP) to the back end, deployed to stage `s`. */
async function mtlsApi(name: string, skipVerification: boolean): Promise<string> {
  const api = await createApi(client, name);
  const tlsConfig = skipVerification ? { insecureSkipVerification: true } : undefined;
  await putMethod(client, api.id, await resourcePath(client, api.id, '/proxy'), {
    httpMethod: 'GET', integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backendUrl}/proxy`, tlsConfig },
  });
  await putMethod(client, api.id, await resourcePath(client, api.id, '/plain'), {
    httpMethod: 'GET', integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backendUrl}/plain`, tlsConfig },
    responses: [{ statusCode: '200' }],
  });
  await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 's' }));
  return api.id;
}

const setCertificate = (restApiId: string, value: string | null) =>
  client.send(new UpdateStageCommand({
    restApiId, stageName: 's',
    patchOperations: [value === null ? { op: 'remove', path: '/clientCertificateId' } : { op: 'replace', path: '/clientCertificateId', value }],
  }));

describe('client certificates to back ends', () => {
  before(async () => {
    const generated = await client.send(new GenerateClientCertificateCommand({ description: 'mtls test' }));
    certId = generated.clientCertificateId!;
    const { pemEncodedCertificate } = await client.send(new GetClientCertificateCommand({ clientCertificateId: certId }));
    const serverCert = await generateSelfSigned('localhost');
    backend = createServer(
      { cert: serverCert.pem, key: serverCert.privateKeyPem, ca: pemEncodedCertificate!, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ subject: peer.subject?.CN ?? null, path: req.url }));
      },
    );
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendUrl = `https://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });

  after(async () => {
    if (backend === undefined) return;
    backend.closeAllConnections();
    await new Promise((r) => backend.close(r));
  });

  it('the back end refuses a caller without the certificate (the check the tests rely on)', async () => {
    const refused = await new Promise<string>((resolve) => {
      const req = httpsRequest(`${backendUrl}/direct`, { rejectUnauthorized: false }, (res) => resolve(`answered ${res.statusCode}`));
      req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
      req.end();
    });
    assert.notEqual(refused.startsWith('answered'), true, refused);
  });

  it('without a client certificate on the stage, the TLS handshake fails: 500', async () => {
    const id = await mtlsApi('mtls-none', true);
    for (const path of ['/proxy', '/plain']) {
      const r = await callStage(gh.url, id, 's', path);
      assert.equal(r.status, 500, r.body);
      assert.deepEqual(JSON.parse(r.body), { message: 'Internal server error' });
    }
  });

  it("with the stage's clientCertificateId, HTTP_PROXY and HTTP integrations present it and the back end accepts", async () => {
    const id = await mtlsApi('mtls-on', true);
    await setCertificate(id, certId);
    await until(async () => (await callStage(gh.url, id, 's', '/proxy')).status === 200);
    const proxy = await callStage(gh.url, id, 's', '/proxy');
    assert.deepEqual(JSON.parse(proxy.body), { subject: `ApiGateway-${certId}`, path: '/proxy' });
    const plain = await callStage(gh.url, id, 's', '/plain');
    assert.equal(plain.status, 200, plain.body);
    assert.deepEqual(JSON.parse(plain.body), { subject: `ApiGateway-${certId}`, path: '/plain' });
    // Removing the certificate from the stage stops presenting it.
    await setCertificate(id, null);
    await until(async () => (await callStage(gh.url, id, 's', '/proxy')).status === 500);
  });

  it('a self-signed back-end certificate is refused unless the integration sets insecureSkipVerification', async () => {
    const id = await mtlsApi('mtls-verify', false);
    await setCertificate(id, certId);
    // The stage has the certificate (so the handshake would pass the back end's check), but the
    // back end's own certificate does not verify: 500 until the integration skips verification.
    await until(async () => (await callStage(gh.url, id, 's', '/proxy')).status === 500);
    const r = await callStage(gh.url, id, 's', '/proxy');
    assert.equal(r.status, 500, r.body);
  });
});
