// Checks an uploaded server certificate the way API Gateway (through IAM/ACM) does before it
// accepts a custom domain name: PEM that parses, a private key that belongs to it, a domain
// name it covers (wildcards included), a validity period that includes now, and a chain that
// issued it.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { badRequest } from '../errors.ts';

export interface UploadedCertificate {
  readonly body: string;
  readonly privateKey: string;
  readonly chain?: string;
}

export interface CheckedCertificate {
  readonly certificate: X509Certificate;
  /** DNS names the certificate covers: its subject alternative names, else its subject CN. */
  readonly names: string[];
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function parseCertificate(pem: string, what: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw badRequest(`Unable to parse ${what}. Please ensure the ${what} is in PEM format.`);
  }
}

function parseKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw badRequest('Unable to parse certificate private key. Please ensure the private key is in PEM format and is not encrypted.');
  }
}

export function certificateNames(cert: X509Certificate): string[] {
  const sans = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase());
  if (sans.length > 0) return sans;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  return cn ? [cn.toLowerCase()] : [];
}

/** Whether a certificate name (possibly `*.example.com`) covers `domain` (possibly a wildcard itself). */
export function nameCovers(certName: string, domain: string): boolean {
  const d = domain.toLowerCase();
  if (certName === d) return true;
  if (!certName.startsWith('*.') || d.startsWith('*.')) return false;
  // A wildcard covers exactly one leftmost label.
  const dot = d.indexOf('.');
  return dot > 0 && d.slice(dot + 1) === certName.slice(2);
}

export function checkUploadedCertificate(domainName: string, upload: UploadedCertificate, at = new Date()): CheckedCertificate {
  const certificate = parseCertificate(upload.body, 'certificate');
  const key = parseKey(upload.privateKey);
  if (key.asymmetricKeyType === undefined || !certificate.checkPrivateKey(key)) {
    throw badRequest('The private key does not match the public key in the certificate.');
  }
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= at.getTime()) throw badRequest(`The certificate has expired (it was valid until ${notAfter.toISOString()}).`);
  if (notBefore.getTime() > at.getTime()) throw badRequest(`The certificate is not yet valid (it is valid from ${notBefore.toISOString()}).`);
  const names = certificateNames(certificate);
  if (!names.some((n) => nameCovers(n, domainName))) {
    throw badRequest(`The certificate does not cover the domain name ${domainName}: it is issued for [${names.join(', ')}].`);
  }
  if (upload.chain !== undefined && upload.chain.trim() !== '') {
    const blocks = upload.chain.match(PEM_BLOCK);
    if (blocks === null) throw badRequest('Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.');
    const chain = blocks.map((b) => parseCertificate(b, 'certificate chain'));
    const issuer = chain[0]!;
    if (!certificate.checkIssued(issuer) || !certificate.verify(issuer.publicKey)) {
      throw badRequest('The certificate chain is not valid for the certificate: its first certificate did not issue the certificate.');
    }
    for (let i = 1; i < chain.length; i++) {
      if (!chain[i - 1]!.checkIssued(chain[i]!) || !chain[i - 1]!.verify(chain[i]!.publicKey)) {
        throw badRequest(`The certificate chain is not valid: certificate ${i + 1} of the chain did not issue certificate ${i}.`);
      }
    }
  }
  return { certificate, names };
}
