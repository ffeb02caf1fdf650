// Client certificates: API Gateway generates a self-signed certificate whose public half a
// backend can trust; the private key stays on the server for calling backends over mTLS.
import { randomBytes, webcrypto } from 'node:crypto';
import type { ClientCertificate } from '../../model/generated/types.ts';
import type { ReadTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { newId } from '../ids.ts';
import { listPage } from '../paging.ts';
import { applyPatch, field, type PatchRule } from '../patch.ts';
import { getClientCertificateDoc, KK, withTags } from './common.ts';
import { loadX509 } from './x509.ts';

const VALIDITY_DAYS = 365;
const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

export interface GeneratedCertificate {
  pem: string;
  privateKeyPem: string;
  notBefore: Date;
  notAfter: Date;
}

/** A fresh RSA 2048 key pair and a self-signed certificate for it, valid for 365 days. */
export async function generateSelfSigned(commonName: string): Promise<GeneratedCertificate> {
  const x509 = await loadX509();
  const crypto = webcrypto as unknown as Crypto;
  const keys = (await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + VALIDITY_DAYS * 86_400_000);
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // a positive serial number
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: `CN=${commonName}`,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
  return { pem: cert.toString('pem') + '\n', privateKeyPem, notBefore, notAfter };
}

/** For UpdateStage's /clientCertificateId: throws NotFoundException unless the certificate exists. */
export async function checkClientCertificateExists(tx: ReadTx, clientCertificateId: string): Promise<void> {
  await getClientCertificateDoc(tx, clientCertificateId);
}

/** The certificate and private key, for the execution plane's mTLS to backends. */
export async function getClientCertificateKeyPair(tx: ReadTx, clientCertificateId: string): Promise<{ certificatePem: string; privateKeyPem: string } | undefined> {
  const c = await tx.get<ClientCertificate>(KK.clientCertificate, '', clientCertificateId);
  const k = await tx.get<{ privateKeyPem: string }>(KK.clientCertificateKey, '', clientCertificateId);
  if (c === undefined || k === undefined) return undefined;
  return { certificatePem: c.pemEncodedCertificate!, privateKeyPem: k.privateKeyPem };
}

const rules: PatchRule<ClientCertificate>[] = [field('description', { ops: ['replace', 'add', 'remove'] })];

export const clientCertificateHandlers: HandlerTable = {
  async GenerateClientCertificate(input, ctx) {
    // Key generation is slow (tens of milliseconds): do it before taking the write transaction.
    const id = newId(6);
    const generated = await generateSelfSigned(`ApiGateway-${id}`);
    const cert: ClientCertificate = { clientCertificateId: id };
    if (input.description !== undefined) cert.description = input.description;
    cert.pemEncodedCertificate = generated.pem;
    cert.createdDate = Math.floor(generated.notBefore.getTime() / 1000);
    cert.expirationDate = Math.floor(generated.notAfter.getTime() / 1000);
    withTags(cert, input.tags);
    return ctx.write(async (tx) => {
      await tx.put(KK.clientCertificate, '', id, cert);
      await tx.put(KK.clientCertificateKey, '', id, { id, privateKeyPem: generated.privateKeyPem });
      return cert;
    });
  },

  async GetClientCertificate(input, ctx) {
    return ctx.read((tx) => getClientCertificateDoc(tx, input.clientCertificateId));
  },

  async GetClientCertificates(input, ctx) {
    return ctx.read((tx) => listPage<ClientCertificate>(tx, KK.clientCertificate, '', input));
  },

  async UpdateClientCertificate(input, ctx) {
    return ctx.write(async (tx) => {
      const cert = await getClientCertificateDoc(tx, input.clientCertificateId);
      const next = applyPatch(cert, input.patchOperations, rules);
      await tx.put(KK.clientCertificate, '', cert.clientCertificateId!, next);
      return next;
    });
  },

  async DeleteClientCertificate(input, ctx) {
    await ctx.write(async (tx) => {
      await getClientCertificateDoc(tx, input.clientCertificateId);
      await tx.delete(KK.clientCertificate, '', input.clientCertificateId);
      await tx.delete(KK.clientCertificateKey, '', input.clientCertificateId);
    });
  },
};
