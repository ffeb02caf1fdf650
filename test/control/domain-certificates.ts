// Real test certificates for custom domain names, generated with @peculiar/x509: a CA, and
// leaf certificates it issues for given DNS names and validity periods.
import { webcrypto } from 'node:crypto';

// @peculiar/x509 resolves its providers through tsyringe, which will not load without the
// Reflect metadata API; x509 only stores and reads metadata, so a map-backed one suffices here.
function installReflectMetadata(): void {
  const R = Reflect as unknown as Record<string, unknown>;
  if (typeof R.getMetadata === 'function') return;
  const data = new WeakMap<object, Map<unknown, unknown>>();
  const key = (target: object, prop?: string | symbol) => (prop === undefined ? target : (target as Record<string | symbol, object>)[prop] ?? target);
  const own = (target: object, prop: string | symbol | undefined, create: boolean) => {
    const t = key(target, prop);
    let m = data.get(t);
    if (m === undefined && create) data.set(t, (m = new Map()));
    return m;
  };
  const getMetadata = (k: unknown, target: object, prop?: string | symbol): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) {
      const m = own(t, prop, false);
      if (m?.has(k)) return m.get(k);
    }
    return undefined;
  };
  Object.assign(R, {
    defineMetadata: (k: unknown, v: unknown, target: object, prop?: string | symbol) => own(target, prop, true)!.set(k, v),
    getOwnMetadata: (k: unknown, target: object, prop?: string | symbol) => own(target, prop, false)?.get(k),
    hasOwnMetadata: (k: unknown, target: object, prop?: string | symbol) => own(target, prop, false)?.has(k) ?? false,
    getMetadata,
    hasMetadata: (k: unknown, target: object, prop?: string | symbol) => getMetadata(k, target, prop) !== undefined,
    metadata: (k: unknown, v: unknown) => (target: object, prop?: string | symbol) => own(target, prop, true)!.set(k, v),
  });
}

installReflectMetadata();
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
