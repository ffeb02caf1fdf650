// Every kind of document in the store, in one table: where its documents hang (parent), what
// deleting its owner takes with it, what a deployment snapshot copies, and how a tag ARN finds
// it. DeleteRestApi, DeleteDomainName, snapshots and TagResource/GetTags/UntagResource read this
// table and nothing else, so what they touch never depends on which modules a process imported.
// Here, outside control/, because deploy/ and execute/ read the same documents.
//
// The kind strings are what documents on disk carry: never rename one.
import type { ShapeName } from './model/generated/shapes.ts';

/** What a document's store parent holds: '' for account-level documents, else its owner's id. */
export type Scope = 'account' | 'restApi' | 'domainName' | 'usagePlan' | 'apiKey' | 'lambdaFunction';

/** Owners whose Delete* operation deletes, in the same transaction, what names them here. */
export type Owner = 'restApi' | 'domainName';

/** How a document hangs on the owner it is deleted with. */
export type Cascade =
  /** stored under the owner (parent = the owner's id) */
  | { readonly owner: Owner; readonly by: 'parent' }
  /** stored at parent '' under the owner's own id */
  | { readonly owner: Owner; readonly by: 'id' }
  /** account-level, naming the owner in a member: `field` equals the owner's `ownerField`;
   *  the document's own id is its member `idField` */
  | { readonly owner: Owner; readonly by: 'field'; readonly field: string; readonly ownerField: string; readonly idField: string };

export interface TagArn {
  /** The ARN's path after ':/'. `{parent}` and `{id}` are the document's address; any other
   *  `{…}` is one segment of any value. */
  readonly path: string;
  /** The document is stored under its whole ARN (`arn:aws:apigateway:{region}:{account}:/{path}`),
   *  not under an `{id}` segment. */
  readonly storedByArn?: true;
}

export interface KindRow {
  /** The store's kind string. */
  readonly kind: string;
  readonly parent: Scope;
  /** The service model's shape of the document when it is an API resource as the wire has it. */
  readonly shape: ShapeName | null;
  /** Deleted with this owner; null when nothing does, or its own family keeps it in step. */
  readonly deletedWith: Cascade | null;
  /** Where a deployment's snapshot carries it: its own member, or `extras[kind]`. */
  readonly snapshot: 'resources' | 'models' | 'extras' | null;
  /** Addressable by TagResource, GetTags and UntagResource (tags on the document's `tags`). */
  readonly tag: TagArn | null;
  /** For a tagged document and its owners: the NotFoundException message when it is missing,
   *  with {account} and {id} filled in (the same words as the resource's own Get*). */
  readonly notFound: string | null;
}

const withApi = { owner: 'restApi', by: 'parent' } as const;

export const KINDS = {
  // ---- account-level
  restApi: { kind: 'restapi', parent: 'account', shape: 'RestApi', deletedWith: null, snapshot: null,
    tag: { path: 'restapis/{id}' }, notFound: 'Invalid API identifier specified {account}:{id}' },
  /** id 'account': the account's settings (GetAccount) */
  account: { kind: 'account', parent: 'account', shape: 'Account', deletedWith: null, snapshot: null, tag: null, notFound: null },
  apiKey: { kind: 'apikey', parent: 'account', shape: 'ApiKey', deletedWith: null, snapshot: null,
    tag: { path: 'apikeys/{id}' }, notFound: 'Invalid API Key identifier specified' },
  /** key value → {id}: values are unique in an account, and import finds keys by value */
  apiKeyValue: { kind: 'apikeyvalue', parent: 'account', shape: null, deletedWith: null, snapshot: null, tag: null, notFound: null },
  /** `${name}\u0001${id}` → {id}: serves GetApiKeys' nameQuery with a prefix scan */
  apiKeyName: { kind: 'apikeyname', parent: 'account', shape: null, deletedWith: null, snapshot: null, tag: null, notFound: null },
  usagePlan: { kind: 'usageplan', parent: 'account', shape: 'UsagePlan', deletedWith: null, snapshot: null,
    tag: { path: 'usageplans/{id}' }, notFound: 'Invalid Usage Plan ID specified' },
  clientCertificate: { kind: 'clientcert', parent: 'account', shape: 'ClientCertificate', deletedWith: null, snapshot: null,
    tag: { path: 'clientcertificates/{id}' }, notFound: 'Invalid Client Certificate identifier specified' },
  /** id = clientCertificateId → {privateKeyPem}; never leaves the server through the API */
  clientCertificateKey: { kind: 'clientcertkey', parent: 'account', shape: null, deletedWith: null, snapshot: null, tag: null, notFound: null },
  vpcLink: { kind: 'vpclink', parent: 'account', shape: 'VpcLink', deletedWith: null, snapshot: null,
    tag: { path: 'vpclinks/{id}' }, notFound: 'Invalid Vpc Link identifier specified' },
  /** id = domain name, or `${domainName}+${domainNameId}` for a private one */
  domainName: { kind: 'domainname', parent: 'account', shape: 'DomainName', deletedWith: null, snapshot: null,
    tag: { path: 'domainnames/{id}' }, notFound: 'Invalid domain name identifier specified' },
  /** an uploaded certificate with its key and chain, never returned by the API; id = the domain name's id */
  domainCertificate: { kind: 'domaincertificate', parent: 'account', shape: null, deletedWith: { owner: 'domainName', by: 'id' },
    snapshot: null, tag: null, notFound: null },
  /** id = its ARN */
  accessAssociation: { kind: 'domainaccessassociation', parent: 'account', shape: 'DomainNameAccessAssociation',
    deletedWith: { owner: 'domainName', by: 'field', field: 'domainNameArn', ownerField: 'domainNameArn', idField: 'domainNameAccessAssociationArn' },
    snapshot: null, tag: { path: 'domainnameaccessassociations/domainname/{domain}/vpcesource/{source}', storedByArn: true },
    notFound: 'Invalid domain name access association identifier specified' },
  /** a function of the local Lambda service (src/lambda), by name */
  lambdaFunction: { kind: 'lambda-function', parent: 'account', shape: null, deletedWith: null, snapshot: null, tag: null, notFound: null },
  /** a function revision's reference to its code archive (a store blob): parent
   *  `{function}/{revision}`, id the archive's sha256; written and deleted with the function's
   *  record (src/lambda/code-store.ts) */
  lambdaCodeRef: { kind: 'lambda-code-ref', parent: 'lambdaFunction', shape: null, deletedWith: null, snapshot: null, tag: null, notFound: null },

  // ---- under a usage plan or an API key: usage-plans.ts keeps each plan↔key pair in step on
  // both sides (DeleteUsagePlan, DeleteUsagePlanKey, DeleteApiKey), so no cascade here
  /** parent = usage plan id, id = API key id → {id, type} */
  usagePlanKey: { kind: 'usageplankey', parent: 'usagePlan', shape: null, deletedWith: null, snapshot: null, tag: null, notFound: null },
  /** parent = usage plan id, id = API key id → UsageAdjustments (UpdateUsage) */
  usageAdjustment: { kind: 'usageadj', parent: 'usagePlan', shape: null, deletedWith: null, snapshot: null, tag: null, notFound: null },
  /** parent = API key id, id = usage plan id → {}: the plans a key is in */
  keyPlan: { kind: 'apikeyplan', parent: 'apiKey', shape: null, deletedWith: null, snapshot: null, tag: null, notFound: null },

  /** A certificate imported through Gatehouse's ACM API (src/acm): its PEM, key and chain; id = the
   *  certificate id of its ARN. Custom domain names name it by certificateArn/regionalCertificateArn. */
  acmCertificate: { kind: 'acmcertificate', parent: 'account', shape: null, deletedWith: null, snapshot: null, tag: null, notFound: null },

  // ---- under a domain name (parent = the domain name's id)
  basePathMapping: { kind: 'basepathmapping', parent: 'domainName', shape: 'BasePathMapping', deletedWith: { owner: 'domainName', by: 'parent' },
    snapshot: null, tag: null, notFound: null },

  // ---- under a REST API (parent = its id), all deleted with it
  resource: { kind: 'resource', parent: 'restApi', shape: 'Resource', deletedWith: withApi, snapshot: 'resources', tag: null,
    notFound: null },
  /** full resource path → {id}: keeps paths unique and finds resources by path (src/control/apis/resource-paths.ts) */
  resourcePath: { kind: 'respath', parent: 'restApi', shape: null, deletedWith: withApi, snapshot: null, tag: null, notFound: null },
  /** parent resource's path → {id, pathPart} of its one child with a {variable} path part */
  resourcePathVariable: { kind: 'respathvar', parent: 'restApi', shape: null, deletedWith: withApi, snapshot: null, tag: null, notFound: null },
  /** id `${resourceId}/${httpMethod}`; holds the method with its responses and integration */
  method: { kind: 'method', parent: 'restApi', shape: 'Method', deletedWith: withApi, snapshot: 'resources', tag: null,
    notFound: null },
  /** id = model name */
  model: { kind: 'model', parent: 'restApi', shape: 'Model', deletedWith: withApi, snapshot: 'models', tag: null, notFound: null },
  deployment: { kind: 'deployment', parent: 'restApi', shape: 'Deployment', deletedWith: withApi, snapshot: null, tag: null,
    notFound: null },
  /** the compiled-from input of a deployment: the API as it was, immutable; id = deployment id */
  snapshot: { kind: 'snapshot', parent: 'restApi', shape: null, deletedWith: withApi, snapshot: null, tag: null, notFound: null },
  /** id = stage name */
  stage: { kind: 'stage', parent: 'restApi', shape: 'Stage', deletedWith: withApi, snapshot: null,
    tag: { path: 'restapis/{parent}/stages/{id}' }, notFound: 'Invalid Stage identifier specified' },
  authorizer: { kind: 'authorizer', parent: 'restApi', shape: 'Authorizer', deletedWith: withApi, snapshot: 'extras', tag: null, notFound: null },
  requestValidator: { kind: 'requestvalidator', parent: 'restApi', shape: 'RequestValidator', deletedWith: withApi, snapshot: 'extras',
    tag: null, notFound: null },
  /** only customized responses; id = response type */
  gatewayResponse: { kind: 'gatewayresponse', parent: 'restApi', shape: 'GatewayResponse', deletedWith: withApi, snapshot: 'extras',
    tag: null, notFound: null },
  documentationPart: { kind: 'documentationpart', parent: 'restApi', shape: 'DocumentationPart', deletedWith: withApi, snapshot: 'extras',
    tag: null, notFound: null },
  /** id = the version */
  documentationVersion: { kind: 'documentationversion', parent: 'restApi', shape: 'DocumentationVersion', deletedWith: withApi,
    snapshot: 'extras', tag: null, notFound: null },
  /** the parts as they were when a version was created; id = the version */
  documentationVersionParts: { kind: 'documentationversionparts', parent: 'restApi', shape: null, deletedWith: withApi, snapshot: null,
    tag: null, notFound: null },
} as const satisfies Record<string, KindRow>;

export type KindName = keyof typeof KINDS;

export const KIND_ROWS: readonly KindRow[] = Object.values(KINDS);

/** The store kind string of each row, by row name: `K.resource === 'resource'`. */
export const K = Object.fromEntries(Object.entries(KINDS).map(([name, row]) => [name, row.kind])) as {
  readonly [N in KindName]: (typeof KINDS)[N]['kind'];
};

/** The row of the owner whose id a row's documents have as parent (null: account-level, or no row). */
export function ownerOf(row: KindRow): KindName | null {
  return row.parent !== 'account' && row.parent in KINDS ? (row.parent as KindName) : null;
}

/** Rows deleted with `owner`, in table order. */
export function deletedWith(owner: Owner): readonly KindRow[] {
  return KIND_ROWS.filter((r) => r.deletedWith?.owner === owner);
}

/** Kinds a snapshot copies into its `extras`, by kind. */
export const SNAPSHOT_EXTRA_KINDS: readonly string[] = KIND_ROWS.filter((r) => r.snapshot === 'extras').map((r) => r.kind);
