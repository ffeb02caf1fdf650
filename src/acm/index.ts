// The part of AWS Certificate Manager a custom domain name needs: certificates imported into
// Gatehouse (`aws acm import-certificate`, `gatehouse certs import`), named by their ARN as a
// domain name's certificateArn or regionalCertificateArn names an ACM certificate. Reimporting
// under the same ARN replaces the certificate, which is how a certificate is rotated: every
// process's HTTPS listener picks it up from the change feed for new connections.
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import type { GatehouseConfig } from '../config.ts';
import { certificateNames } from '../control/domains/certificates.ts';
import { partitionOf } from '../http/aws-scope.ts';
import { awsJsonService, AwsJsonError, type AwsJsonCall, type AwsJsonService } from '../http/aws-json.ts';
import { K } from '../kinds.ts';
import type { Store } from '../store/index.ts';

/** What the store keeps of an imported certificate (kind acmcertificate, parent '', id = the ARN's id). */
export interface StoredCertificate {
  readonly arn: string;
  readonly certificate: string;
  readonly privateKey: string;
  readonly chain?: string;
  readonly importedAt: number;
  readonly tags?: { Key: string; Value?: string }[];
}

const ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/([A-Za-z0-9-]+)$/;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** ACM's limit on an imported certificate, key or chain. */
const MAX_FIELD_BYTES = 32 * 1024;

export function parseAcmArn(arn: string): { region: string; accountId: string; id: string } | null {
  const m = ARN.exec(arn);
  return m === null ? null : { region: m[1]!, accountId: m[2]!, id: m[3]! };
}

/** The stored certificate an ACM ARN names, or undefined. */
export async function loadAcmCertificate(store: Store, arn: string): Promise<StoredCertificate | undefined> {
  const parsed = parseAcmArn(arn);
  if (parsed === null) return undefined;
  return store.read(partitionOf(parsed.accountId, parsed.region), (tx) => tx.get<StoredCertificate>(K.acmCertificate, '', parsed.id));
}

function validation(message: string): AwsJsonError {
  return new AwsJsonError('ValidationException', message);
}

/** A blob member of the input: base64 on the wire (the CLI's fileb://, the SDKs' Uint8Array), PEM text inside. */
function pemMember(input: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) {
    if (required) throw validation(`1 validation error detected: Value null at '${name[0]!.toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof v !== 'string') throw new AwsJsonError('SerializationException', `Unexpected value type for ${name}`);
  const bytes = Buffer.from(v, 'base64');
  if (bytes.length === 0 || bytes.length > MAX_FIELD_BYTES) {
    throw validation(`1 validation error detected: Value at '${name[0]!.toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must have length between 1 and ${MAX_FIELD_BYTES}`);
  }
  return bytes.toString('utf8');
}

interface CheckedImport {
  readonly cert: X509Certificate;
  readonly certificate: string;
  readonly privateKey: string;
  readonly chain?: string;
}

function checkImport(input: Record<string, unknown>): CheckedImport {
  const certificate = pemMember(input, 'Certificate', true)!;
  const privateKey = pemMember(input, 'PrivateKey', true)!;
  const chain = pemMember(input, 'CertificateChain', false);
  const blocks = certificate.match(PEM_BLOCK) ?? [];
  if (blocks.length > 1) throw validation('The certificate field contains more than one certificate. You can specify only one certificate in this field.');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificate);
  } catch {
    throw validation('Unable to parse certificate. Please ensure the certificate is in PEM format.');
  }
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    throw validation('Unable to parse private key. Please ensure the private key is in PEM format and is not encrypted.');
  }
  if (!cert.checkPrivateKey(key)) throw validation('The private key does not match the public key in the certificate.');
  if (chain !== undefined) {
    const links = (chain.match(PEM_BLOCK) ?? []).map((b) => {
      try {
        return new X509Certificate(b);
      } catch {
        throw validation('Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.');
      }
    });
    if (links.length === 0) throw validation('Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.');
    if (!cert.checkIssued(links[0]!) || !cert.verify(links[0]!.publicKey)) throw validation('Could not validate the certificate with the certificate chain.');
  }
  if (new Date(cert.validTo).getTime() <= Date.now()) throw validation('The certificate has expired.');
  return { cert, certificate, privateKey, ...(chain !== undefined ? { chain } : {}) };
}

function seconds(d: string | number): number {
  return (typeof d === 'number' ? d : new Date(d).getTime()) / 1000;
}

/** The domain names of the certificate's account and region that name it (ACM's InUseBy). */
async function inUseBy(store: Store, partition: string, arn: string): Promise<string[]> {
  return store.read(partition, async (tx) => {
    const out: string[] = [];
    let after: string | undefined;
    do {
      const page = await tx.list<{ domainNameArn?: string; certificateArn?: string; regionalCertificateArn?: string }>(K.domainName, '', { after, limit: 500 });
      for (const d of page.items) {
        if ((d.certificateArn === arn || d.regionalCertificateArn === arn) && d.domainNameArn !== undefined) out.push(d.domainNameArn);
      }
      after = page.next;
    } while (after !== undefined);
    return out;
  });
}

function describe(c: StoredCertificate, inUse: string[]): Record<string, unknown> {
  const cert = new X509Certificate(c.certificate);
  const names = certificateNames(cert);
  const key = cert.publicKey;
  const keyAlgorithm = key.asymmetricKeyType === 'rsa' ? `RSA-${key.asymmetricKeyDetails?.modulusLength ?? 2048}`
    : key.asymmetricKeyType === 'ec' ? `EC_${key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'secp384r1' : key.asymmetricKeyDetails?.namedCurve === 'secp521r1' ? 'secp521r1' : 'prime256v1'}`
      : String(key.asymmetricKeyType).toUpperCase();
  return {
    CertificateArn: c.arn,
    DomainName: names[0] ?? '',
    SubjectAlternativeNames: names,
    Serial: cert.serialNumber.match(/.{1,2}/g)?.join(':').toLowerCase() ?? '',
    Subject: cert.subject.split('\n').join(','),
    Issuer: (/(?:^|\n)O=([^\n]+)/.exec(cert.issuer)?.[1]) ?? (/(?:^|\n)CN=([^\n]+)/.exec(cert.issuer)?.[1]) ?? cert.issuer,
    ImportedAt: seconds(c.importedAt),
    Status: new Date(cert.validTo).getTime() <= Date.now() ? 'EXPIRED' : 'ISSUED',
    NotBefore: seconds(cert.validFrom),
    NotAfter: seconds(cert.validTo),
    KeyAlgorithm: keyAlgorithm,
    InUseBy: inUse,
    Type: 'IMPORTED',
    KeyUsages: [],
    ExtendedKeyUsages: [],
    RenewalEligibility: 'INELIGIBLE',
    Options: { CertificateTransparencyLoggingPreference: 'ENABLED' },
  };
}

function arnMember(input: Record<string, unknown>): { arn: string; id: string; partition: string } {
  const arn = input.CertificateArn;
  if (typeof arn !== 'string') throw validation("1 validation error detected: Value null at 'certificateArn' failed to satisfy constraint: Member must not be null");
  const parsed = parseAcmArn(arn);
  if (parsed === null) throw new AwsJsonError('InvalidArnException', `The certificate ARN ${arn} is not valid.`);
  return { arn, id: parsed.id, partition: partitionOf(parsed.accountId, parsed.region) };
}

function notFound(arn: string): AwsJsonError {
  return new AwsJsonError('ResourceNotFoundException', `Could not find certificate ${arn}.`);
}

export function createAcmService(config: GatehouseConfig, store: Store): AwsJsonService {
  async function get(call: AwsJsonCall): Promise<{ arn: string; id: string; partition: string; stored: StoredCertificate }> {
    const ref = arnMember(call.input);
    const stored = await store.read(ref.partition, (tx) => tx.get<StoredCertificate>(K.acmCertificate, '', ref.id));
    if (stored === undefined) throw notFound(ref.arn);
    return { ...ref, stored };
  }

  return awsJsonService(config, {
    targetPrefix: 'CertificateManager.',
    signingName: 'acm',
    jsonVersion: '1.1',
    title: 'ACM',
    maxBodyBytes: 1024 * 1024,
    operations: {
      async ImportCertificate(call) {
        const checked = checkImport(call.input);
        const reimport = call.input.CertificateArn;
        const partition = partitionOf(call.accountId, call.region);
        let id: string = randomUUID();
        let arn = `arn:aws:acm:${call.region}:${call.accountId}:certificate/${id}`;
        if (typeof reimport === 'string') {
          const ref = arnMember(call.input);
          if (ref.partition !== partition) throw notFound(ref.arn);
          id = ref.id;
          arn = ref.arn;
        }
        const tags = Array.isArray(call.input.Tags) ? (call.input.Tags as { Key: string; Value?: string }[]) : undefined;
        if (tags !== undefined && typeof reimport === 'string') throw validation('You cannot add tags when reimporting a certificate.');
        await store.write(partition, async (tx) => {
          const before = await tx.get<StoredCertificate>(K.acmCertificate, '', id);
          if (typeof reimport === 'string' && before === undefined) throw notFound(arn);
          const doc: StoredCertificate = {
            arn,
            certificate: checked.certificate,
            privateKey: checked.privateKey,
            ...(checked.chain !== undefined ? { chain: checked.chain } : {}),
            importedAt: Date.now(),
            ...(before?.tags !== undefined ? { tags: before.tags } : tags !== undefined ? { tags } : {}),
          };
          await tx.put(K.acmCertificate, '', id, doc);
        });
        return { CertificateArn: arn };
      },

      async DescribeCertificate(call) {
        const c = await get(call);
        return { Certificate: describe(c.stored, await inUseBy(store, c.partition, c.arn)) };
      },

      async GetCertificate(call) {
        const c = await get(call);
        return { Certificate: c.stored.certificate, ...(c.stored.chain !== undefined ? { CertificateChain: c.stored.chain } : {}) };
      },

      async ListCertificates(call) {
        const partition = partitionOf(call.accountId, call.region);
        const max = typeof call.input.MaxItems === 'number' ? Math.max(1, Math.min(1000, call.input.MaxItems)) : 1000;
        const after = typeof call.input.NextToken === 'string' ? call.input.NextToken : undefined;
        const page = await store.read(partition, (tx) => tx.list<StoredCertificate>(K.acmCertificate, '', { after, limit: max }));
        const statuses = Array.isArray(call.input.CertificateStatuses) ? (call.input.CertificateStatuses as string[]) : null;
        const summaries = [];
        for (const c of page.items) {
          const d = describe(c, await inUseBy(store, partition, c.arn));
          if (statuses !== null && !statuses.includes(d.Status as string)) continue;
          summaries.push({
            CertificateArn: d.CertificateArn, DomainName: d.DomainName, SubjectAlternativeNameSummaries: d.SubjectAlternativeNames,
            HasAdditionalSubjectAlternativeNames: false, Status: d.Status, Type: d.Type, KeyAlgorithm: d.KeyAlgorithm, KeyUsages: [],
            ExtendedKeyUsages: [], InUse: (d.InUseBy as string[]).length > 0, RenewalEligibility: d.RenewalEligibility,
            NotBefore: d.NotBefore, NotAfter: d.NotAfter, ImportedAt: d.ImportedAt,
          });
        }
        return { CertificateSummaryList: summaries, ...(page.next !== undefined ? { NextToken: page.next } : {}) };
      },

      async DeleteCertificate(call) {
        const c = await get(call);
        const users = await inUseBy(store, c.partition, c.arn);
        if (users.length > 0) throw new AwsJsonError('ResourceInUseException', `Certificate ${c.arn} in account ${parseAcmArn(c.arn)!.accountId} is in use.`);
        await store.write(c.partition, (tx) => tx.delete(K.acmCertificate, '', c.id));
        return {};
      },
    },
  });
}
