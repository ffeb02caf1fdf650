// Custom domain names as the data plane serves them: every public domain name of every account,
// with its base path mappings, its TLS material (the uploaded certificate, or the ACM certificate
// its ARN names) and its mutual-TLS truststore, held in memory so that a request finds its API
// with one map lookup. The table follows the change feed: a change to a domain name, a mapping,
// an uploaded or imported certificate reloads it (new connections get new certificates; no
// restart, on every process).
import { createSecureContext, type SecureContext } from 'node:tls';
import type { DomainName } from '../model/generated/types.ts';
import type { ChangeFeed, FeedBatch } from '../feed/index.ts';
import { K } from '../kinds.ts';
import type { Store } from '../store/index.ts';
import { hostnameOf } from '../http/hosts.ts';
import { loadAcmCertificate } from '../acm/index.ts';
import { log } from '../observe/log.ts';
import { decodeStage, type Target, type TargetResolver } from '../execute/front-door.ts';
import type { TruststoreReader } from './truststore.ts';
import { verifiedClientName } from './https.ts';

export interface DomainMapping {
  /** The base path's segments; [] for '(none)'. */
  readonly segments: readonly string[];
  readonly restApiId: string;
  /** null: the first segment after the base path names the stage. */
  readonly stage: string | null;
}

export interface ServedDomain {
  /** Lower case; a wildcard domain name keeps its '*.'. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** Longest base path first, '(none)' last. */
  readonly mappings: readonly DomainMapping[];
  /** The certificate to answer its SNI with; null when none can be found (the handshake fails). */
  readonly tls: SecureContext | null;
  /** Why `tls` is null, for the log. */
  readonly tlsProblem: string | null;
  /** The oldest TLS version its securityPolicy allows. */
  readonly minVersion: 'TLSv1' | 'TLSv1.2';
  /** Mutual TLS: clients must present a certificate its truststore issued (verified against the
   *  SNI context's CA list); an unreadable truststore admits no one. */
  readonly mutualTls: boolean;
}

/** A request that reached a custom domain name: how $context and the default-endpoint check see it. */
export interface DomainTarget extends Target {
  readonly domain: ServedDomain;
  /** The path as the client sent it, base path included ($context.path). */
  readonly contextPath: string;
}

const RELOAD_KINDS = new Set<string>([K.domainName, K.domainCertificate, K.basePathMapping, K.acmCertificate]);

interface UploadedCertificate {
  readonly body: string;
  readonly privateKey: string;
  readonly chain?: string;
}

export class DomainTable {
  #byName = new Map<string, ServedDomain>();
  #wildcards = new Map<string, ServedDomain>();
  #reloading: Promise<void> | null = null;
  #again = false;
  #unfollow: (() => void) | null = null;
  readonly #store: Store;
  readonly #feed: ChangeFeed;
  readonly #truststore: TruststoreReader;

  constructor(store: Store, feed: ChangeFeed, truststore: TruststoreReader) {
    this.#store = store;
    this.#feed = feed;
    this.#truststore = truststore;
  }

  async start(): Promise<void> {
    this.#unfollow = this.#feed.subscribe((batch) => {
      if (affects(batch)) void this.reload();
    });
    await this.reload();
  }

  /** Resolves once a load that includes every change committed before the call has finished. */
  reload(): Promise<void> {
    if (this.#reloading !== null) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      do {
        this.#again = false;
        try {
          await this.#load();
        } catch (err) {
          log().error({ err: (err as Error).message }, 'custom domain names: reload failed; serving the previous table');
        }
      } while (this.#again);
      this.#reloading = null;
    })();
    return this.#reloading;
  }

  get size(): number {
    return this.#byName.size + this.#wildcards.size;
  }

  /** The domain name serving `hostname` (lower case, no port): an exact name, else a wildcard one level up. */
  lookup(hostname: string): ServedDomain | null {
    const exact = this.#byName.get(hostname);
    if (exact !== undefined) return exact;
    if (this.#wildcards.size === 0) return null;
    const dot = hostname.indexOf('.');
    return dot === -1 ? null : (this.#wildcards.get(hostname.slice(dot + 1)) ?? null);
  }

  /** The front door's resolver for custom domain names (Host header), on either listener. */
  readonly resolver: TargetResolver = (host, url, socket) => {
    if (this.size === 0 || host === '') return null;
    const domain = this.lookup(hostnameOf(host));
    if (domain === null) return null;
    if (domain.mutualTls) {
      // Mutual TLS: only over a connection whose SNI named this domain name and whose client
      // certificate its truststore issued; anything else (plain HTTP included) is 403, as AWS answers.
      const sni = verifiedClientName(socket);
      if (sni === null || this.lookup(sni)?.name !== domain.name) return forbiddenOn(domain, url);
    }
    return routeOnDomain(domain, url);
  };

  close(): void {
    this.#unfollow?.();
    this.#unfollow = null;
  }

  async #load(): Promise<void> {
    const [domains, mappings, uploads] = await Promise.all([
      this.#store.scan<DomainName>(K.domainName),
      this.#store.scan<{ basePath?: string; restApiId?: string; stage?: string }>(K.basePathMapping),
      this.#store.scan<UploadedCertificate>(K.domainCertificate),
    ]);
    const mappingsOf = new Map<string, DomainMapping[]>();
    for (const m of mappings) {
      const key = `${m.partition}|${m.parent}`;
      const list = mappingsOf.get(key) ?? [];
      const basePath = m.doc.basePath ?? '(none)';
      list.push({ segments: basePath === '(none)' ? [] : basePath.split('/'), restApiId: m.doc.restApiId ?? '', stage: m.doc.stage === undefined || m.doc.stage === '' ? null : m.doc.stage });
      mappingsOf.set(key, list);
    }
    const uploaded = new Map(uploads.map((u) => [`${u.partition}|${u.id}`, u.doc]));
    const byName = new Map<string, ServedDomain>();
    const wildcards = new Map<string, ServedDomain>();
    for (const d of domains) {
      // Private domain names are served only inside a VPC, which Gatehouse has none of.
      if (d.doc.domainNameId !== undefined || d.doc.domainName === undefined) continue;
      const [accountId, region] = d.partition.split('/') as [string, string];
      const regional = d.doc.endpointConfiguration?.types?.[0] === 'REGIONAL';
      const certArn = regional ? d.doc.regionalCertificateArn : d.doc.certificateArn;
      const upload = uploaded.get(`${d.partition}|${d.id}`);
      let pem: UploadedCertificate | null = null;
      let tlsProblem: string | null = null;
      if (upload !== undefined && !regional) pem = upload;
      else if (certArn !== undefined) {
        const acm = await loadAcmCertificate(this.#store, certArn);
        if (acm === undefined) tlsProblem = `its certificate ${certArn} was not imported into Gatehouse (aws acm import-certificate, or gatehouse certs import)`;
        else pem = { body: acm.certificate, privateKey: acm.privateKey, ...(acm.chain !== undefined ? { chain: acm.chain } : {}) };
      } else tlsProblem = 'it has no certificate';
      const mtlsUri = d.doc.mutualTlsAuthentication?.truststoreUri;
      let ca: string | undefined;
      if (mtlsUri !== undefined && mtlsUri !== '') {
        const store = await this.#truststore(mtlsUri, d.doc.mutualTlsAuthentication?.truststoreVersion);
        for (const w of store.warnings) log().warn({ domainName: d.doc.domainName }, `custom domain name truststore: ${w}`);
        ca = store.pem;
      }
      let tls: SecureContext | null = null;
      if (pem !== null) {
        try {
          const cert = pem.chain === undefined || pem.chain.trim() === '' ? pem.body : `${pem.body.trim()}\n${pem.chain.trim()}\n`;
          tls = createSecureContext({ cert, key: pem.privateKey, ...(ca !== undefined && ca !== '' ? { ca } : {}) });
        } catch (err) {
          tlsProblem = `its certificate cannot be used: ${(err as Error).message}`;
        }
      }
      const served: ServedDomain = {
        name: d.doc.domainName,
        accountId,
        region,
        mappings: (mappingsOf.get(`${d.partition}|${d.id}`) ?? []).sort((a, b) => b.segments.length - a.segments.length),
        tls,
        tlsProblem,
        minVersion: d.doc.securityPolicy === 'TLS_1_0' ? 'TLSv1' : 'TLSv1.2',
        mutualTls: mtlsUri !== undefined && mtlsUri !== '',
      };
      if (served.name.startsWith('*.')) wildcards.set(served.name.slice(2), served);
      else byName.set(served.name, served);
    }
    this.#byName = byName;
    this.#wildcards = wildcards;
  }
}

function affects(batch: FeedBatch): boolean {
  if (batch.resync === true) return true;
  for (const c of batch.changes) if (c.op === 'clear' || RELOAD_KINDS.has(c.kind)) return true;
  return false;
}

/**
 * Where `url` goes on `domain`, as API Gateway resolves base paths: the mapping whose base path
 * is the longest whole-segment prefix of the path; the segment after it names the stage when the
 * mapping has none. No mapping: a Target no API has, which the execution plane answers with
 * 403 {"message":"Forbidden"}.
 */
export function routeOnDomain(domain: ServedDomain, url: string): DomainTarget {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  const segments = path.split('/').slice(1);
  for (const m of domain.mappings) {
    if (!startsWith(segments, m.segments)) continue;
    let rest = segments.slice(m.segments.length);
    let stage = m.stage;
    if (stage === null) {
      if (rest.length === 0 || rest[0] === '') continue;
      stage = decodeStage(rest[0]!);
      rest = rest.slice(1);
    }
    if (stage === null) break;
    return { restApiId: m.restApiId, stageName: stage, path: '/' + rest.join('/'), query, domain, contextPath: path };
  }
  return forbiddenOn(domain, url);
}

function forbiddenOn(domain: ServedDomain, url: string): DomainTarget {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return { restApiId: '', stageName: null, path, query: q === -1 ? '' : url.slice(q + 1), domain, contextPath: path };
}

function startsWith(segments: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length > segments.length) return false;
  for (let i = 0; i < prefix.length; i++) if (segments[i] !== prefix[i]) return false;
  // '/v1' matches '/v1' and '/v1/...', never '/v1x'; a mapping's base path is whole segments.
  return true;
}
