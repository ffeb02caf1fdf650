// Real test certificates for custom domain names, generated with @peculiar/x509: a CA, and
// leaf certificates it issues for given DNS names and validity periods.
import { webcrypto } from 'node:crypto';

// @peculiar/x509 resolves its providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
const x509 = await import('@peculiar/x509');
const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;
let serial = 1;

export interface Issued {
  readonly pem: string;
  readonly keyPem: string;
  readonly cert: InstanceType<typeof x509.X509Certificate>;
  readonly keys: CryptoKeyPair;
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export async function newCa(name = 'Gatehouse Test CA'): Promise<Issued> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  return { pem: cert.toString('pem'), keyPem: await keyPem(keys), cert, keys };
}

export async function issue(ca: Issued, options: { cn: string; dns?: string[]; notBefore?: Date; notAfter?: Date }): Promise<Issued> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions: InstanceType<typeof x509.Extension>[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (options.dns) extensions.push(new x509.SubjectAlternativeNameExtension(options.dns.map((value) => ({ type: 'dns' as const, value }))));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=${options.cn}`,
    issuer: ca.cert.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter: options.notAfter ?? new Date(Date.now() + 90 * DAY),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return { pem: cert.toString('pem'), keyPem: await keyPem(keys), cert, keys };
}

export const DAYS = DAY;
