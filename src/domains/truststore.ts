// A mutual-TLS truststore: the PEM bundle at a domain name's truststoreUri (s3://bucket/key),
// read from the S3 endpoint Gatehouse sends AWS integrations to (--aws-endpoint, or an
// --aws-endpoint-override for s3), signed as those are. AWS reads it from S3 when the domain name
// is created or updated; Gatehouse reads it whenever it (re)loads its domain names.
import { X509Certificate } from 'node:crypto';
import type { GatehouseConfig } from '../config.ts';
import { parseAwsEndpointOverrides } from '../config.ts';
import { AwsSigner } from '../integrations/aws/sign.ts';

export interface Truststore {
  /** The certificates that parsed, as one PEM bundle; '' when none did. */
  readonly pem: string;
  /** Why certificates were left out (AWS's truststoreWarnings), or why the store could not be read. */
  readonly warnings: readonly string[];
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** API Gateway's limit on a truststore file. */
const MAX_TRUSTSTORE_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 5000;

export type TruststoreReader = (uri: string, version: string | undefined) => Promise<Truststore>;

export function s3TruststoreReader(config: Pick<GatehouseConfig, 'awsEndpoint' | 'awsEndpointOverrides' | 'awsAccessKeyId' | 'awsSecretAccessKey' | 'region'>): TruststoreReader {
  const endpoint = parseAwsEndpointOverrides(config.awsEndpointOverrides).get('s3') ?? config.awsEndpoint;
  const signer = new AwsSigner({ accessKeyId: config.awsAccessKeyId, secretAccessKey: config.awsSecretAccessKey });
  return async (uri, version) => {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (m === null) return { pem: '', warnings: [`Invalid truststore URI ${uri}`] };
    if (endpoint === '') return { pem: '', warnings: [`Cannot read the truststore ${uri}: Gatehouse reads S3 at --aws-endpoint (or --aws-endpoint-override s3=URL), and none is set`] };
    const base = new URL(endpoint);
    const path = `${base.pathname.replace(/\/+$/, '')}/${encodeURIComponent(m[1]!)}/${m[2]!.split('/').map(encodeURIComponent).join('/')}`;
    const query: Record<string, string> = version === undefined || version === '' ? {} : { versionId: version };
    const headers: Record<string, string> = { host: base.host };
    signer.sign({ method: 'GET', path, query, headers, body: Buffer.alloc(0) }, config.region, 's3');
    const qs = new URLSearchParams(query).toString();
    try {
      const { host: _host, ...sent } = headers;
      const res = await fetch(`${base.origin}${path}${qs === '' ? '' : '?' + qs}`, { headers: sent, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (!res.ok) return { pem: '', warnings: [`Cannot read the truststore ${uri}: S3 answered ${res.status}`] };
      if (bytes.length > MAX_TRUSTSTORE_BYTES) return { pem: '', warnings: [`The truststore ${uri} is larger than 1 MB`] };
      return parseTruststore(bytes.toString('utf8'));
    } catch (err) {
      return { pem: '', warnings: [`Cannot read the truststore ${uri}: ${(err as Error).message}`] };
    }
  };
}

/** Keeps the certificates that parse and are still valid; says why each other one was left out. */
export function parseTruststore(text: string): Truststore {
  const kept: string[] = [];
  const warnings: string[] = [];
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return { pem: '', warnings: ['The truststore holds no PEM certificate'] };
  blocks.forEach((b, i) => {
    try {
      const c = new X509Certificate(b);
      if (new Date(c.validTo).getTime() <= Date.now()) warnings.push(`Certificate ${i + 1} of the truststore has expired`);
      else kept.push(b);
    } catch {
      warnings.push(`Certificate ${i + 1} of the truststore does not parse`);
    }
  });
  return { pem: kept.join('\n'), warnings };
}
