// Custom domain names: edge-optimized, regional and private, with their certificates, and the
// DNS targets API Gateway would give them (a CloudFront distribution or a regional name).
import { randomBytes } from 'node:crypto';
import type { CreateDomainNameRequest, DomainName, EndpointConfiguration } from '../../model/generated/types.ts';
import type { ReadTx, WriteTx } from '../../store/index.ts';
import type { HandlerTable, OpContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { newId, now } from '../ids.ts';
import { deleteOwned, K, notFoundMessage } from '../kinds.ts';
import { pageArray } from '../paging.ts';
import { applyPatch, field, nestedField, type PatchRule } from '../patch.ts';
import { checkUploadedCertificate } from './certificates.ts';

export const DOMAIN_NAME_KIND = K.domainName;
/** An uploaded certificate with its key and chain, never returned by the API; id = domain key. */
export const DOMAIN_CERTIFICATE_KIND = K.domainCertificate;

/** CloudFront's hosted zone, the same for every distribution. */
export const CLOUDFRONT_HOSTED_ZONE_ID = 'Z2FDTNDATAQYW2';

/** Route 53 hosted zones of API Gateway's regional endpoints. */
const REGIONAL_HOSTED_ZONES: Record<string, string> = {
  'us-east-1': 'Z1UJRXOUMOOFQ8',
  'us-east-2': 'ZOJJZC49E0EPZ',
  'us-west-1': 'Z2MYYLL9DHQT7Z',
  'us-west-2': 'Z2OJLYMUO9EFXC',
  'ca-central-1': 'Z19DQILCV0OWEC',
  'eu-west-1': 'ZLY8HYME6SFDD',
  'eu-west-2': 'ZJ5UAJN8Y3Z2Q',
  'eu-west-3': 'Z3KY65QIEKYHQQ',
  'eu-central-1': 'Z1U9ULNL0V5AJ3',
  'eu-north-1': 'Z3UWIKFBOOGXPP',
  'ap-south-1': 'Z3VO1THU9YC4UR',
  'ap-northeast-1': 'Z1YSHQZHG15GKL',
  'ap-northeast-2': 'Z20JF4UZKIW1U8',
  'ap-southeast-1': 'ZL327KTPIQFUL',
  'ap-southeast-2': 'Z2RPCDW04V8134',
  'sa-east-1': 'ZCMLWB8V5SYIT',
};

const ENDPOINT_TYPES = ['EDGE', 'REGIONAL', 'PRIVATE'] as const;
const EDGE_POLICIES = ['TLS_1_0', 'TLS_1_2', 'SecurityPolicy_TLS13_2025_EDGE', 'SecurityPolicy_TLS12_PFS_2025_EDGE', 'SecurityPolicy_TLS12_2018_EDGE'];
const HOSTNAME = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[A-Za-z0-9-]+$/;

/** Private domain names are told apart from a public one of the same name by their id. */
export function domainKey(domainName: string, domainNameId?: string): string {
  return domainNameId ? `${domainName}+${domainNameId}` : domainName;
}

export function domainNameArn(ctx: Pick<OpContext, 'region' | 'accountId'>, d: Pick<DomainName, 'domainName' | 'domainNameId'>): string {
  return d.domainNameId
    ? `arn:aws:apigateway:${ctx.region}:${ctx.accountId}:/domainnames/${d.domainName}+${d.domainNameId}`
    : `arn:aws:apigateway:${ctx.region}::/domainnames/${d.domainName}`;
}

export async function getDomainName(tx: ReadTx, domainName: string, domainNameId?: string): Promise<DomainName> {
  const d = await tx.get<DomainName>(DOMAIN_NAME_KIND, '', domainKey(domainName, domainNameId));
  if (d === undefined) throw notFound(notFoundMessage('domainName', domainName));
  return d;
}

function endpointType(e: EndpointConfiguration | undefined): 'EDGE' | 'REGIONAL' | 'PRIVATE' {
  const types = e?.types ?? ['EDGE'];
  if (types.length !== 1 || !ENDPOINT_TYPES.includes(types[0]!)) {
    throw badRequest('Invalid endpoint configuration type. Only a single endpoint configuration type (EDGE, REGIONAL or PRIVATE) is supported');
  }
  return types[0]!;
}

function checkAcmArn(arn: string, member: string, edge: boolean): void {
  const m = ACM_ARN.exec(arn);
  if (m === null) throw badRequest(`Invalid certificate ARN specified for ${member}: ${arn}. It must be an AWS Certificate Manager certificate ARN, arn:aws:acm:{region}:{account}:certificate/{id}`);
  if (edge && m[1] !== 'us-east-1') throw badRequest(`Invalid certificate ARN: ${arn}. Certificate for an edge-optimized domain name must be in 'us-east-1'.`);
}

function checkSecurityPolicy(type: string, policy: string | undefined): void {
  if (policy === undefined) return;
  const edgeOnly = policy.endsWith('_EDGE');
  if (type === 'EDGE' ? !EDGE_POLICIES.includes(policy) : edgeOnly) {
    throw badRequest(`Security policy ${policy} is not supported for ${type} domain names`);
  }
}

function distributionName(): string {
  // CloudFront names look like d1a2b3c4d5e6f7.cloudfront.net.
  return `d${randomBytes(7).toString('hex').slice(0, 13)}.cloudfront.net`;
}

/** Fills in (or clears) the endpoint-specific members after a create or an update. */
function placeEndpoint(ctx: OpContext, d: DomainName, previous?: DomainName): void {
  const type = endpointType(d.endpointConfiguration);
  d.endpointConfiguration = { types: [type], ipAddressType: d.endpointConfiguration?.ipAddressType ?? (type === 'PRIVATE' ? 'dualstack' : 'ipv4') };
  if (type === 'EDGE') {
    if (!d.certificateArn && !d.certificateUploadDate) {
      throw badRequest('A certificate is required for an edge-optimized domain name: specify certificateArn, or certificateBody, certificatePrivateKey and certificateName');
    }
    if (d.certificateArn) checkAcmArn(d.certificateArn, 'certificateArn', true);
    d.distributionDomainName = previous?.distributionDomainName ?? distributionName();
    d.distributionHostedZoneId = CLOUDFRONT_HOSTED_ZONE_ID;
  } else {
    delete d.distributionDomainName;
    delete d.distributionHostedZoneId;
  }
  if (type === 'REGIONAL') {
    if (!d.regionalCertificateArn) throw badRequest('A regional certificate ARN (regionalCertificateArn) is required for a REGIONAL domain name');
    checkAcmArn(d.regionalCertificateArn, 'regionalCertificateArn', false);
    d.regionalDomainName = previous?.regionalDomainName ?? `d-${newId(10)}.execute-api.${ctx.region}.amazonaws.com`;
    d.regionalHostedZoneId = REGIONAL_HOSTED_ZONES[ctx.region] ?? REGIONAL_HOSTED_ZONES['us-east-1'];
  } else {
    delete d.regionalDomainName;
    delete d.regionalHostedZoneId;
  }
  if (type === 'PRIVATE') {
    if (!d.certificateArn) throw badRequest('An AWS Certificate Manager certificate ARN (certificateArn) is required for a PRIVATE domain name');
    checkAcmArn(d.certificateArn, 'certificateArn', false);
  }
  checkSecurityPolicy(type, d.securityPolicy);
}

/** Orders members as the DomainName shape does, dropping empty ones. */
function shape(d: DomainName): DomainName {
  const order: (keyof DomainName)[] = [
    'domainName', 'domainNameId', 'domainNameArn', 'certificateName', 'certificateArn', 'certificateUploadDate', 'regionalDomainName',
    'regionalHostedZoneId', 'regionalCertificateName', 'regionalCertificateArn', 'distributionDomainName', 'distributionHostedZoneId',
    'endpointConfiguration', 'domainNameStatus', 'domainNameStatusMessage', 'securityPolicy', 'endpointAccessMode', 'tags',
    'mutualTlsAuthentication', 'ownershipVerificationCertificateArn', 'managementPolicy', 'policy', 'routingMode',
  ];
  const out: DomainName = {};
  for (const k of order) {
    const v = d[k];
    if (v === undefined || v === '' || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

const PRIVATE_ONLY: (keyof CreateDomainNameRequest)[] = ['policy'];

async function createDomainName(tx: WriteTx, ctx: OpContext, input: CreateDomainNameRequest): Promise<DomainName> {
  const name = input.domainName.toLowerCase();
  if (name.length > 253 || !HOSTNAME.test(name)) throw badRequest(`Invalid domain name specified: ${input.domainName}`);
  const type = endpointType(input.endpointConfiguration);
  for (const m of PRIVATE_ONLY) {
    if (input[m] !== undefined && type !== 'PRIVATE') throw badRequest(`${m} is only supported for PRIVATE domain names`);
  }
  const uploaded = input.certificateBody !== undefined || input.certificatePrivateKey !== undefined || input.certificateChain !== undefined;
  if (uploaded) {
    if (type !== 'EDGE') throw badRequest(`Certificate upload (certificateBody, certificatePrivateKey, certificateChain) is only supported for EDGE domain names; ${type} domain names take an AWS Certificate Manager certificate ARN`);
    if (input.certificateArn !== undefined) throw badRequest('Specify either certificateArn or an uploaded certificate (certificateBody, certificatePrivateKey), not both');
    if (!input.certificateBody) throw badRequest('certificateBody is required when uploading a certificate');
    if (!input.certificatePrivateKey) throw badRequest('certificatePrivateKey is required when uploading a certificate');
    if (!input.certificateName) throw badRequest('certificateName is required when uploading a certificate');
  }
  if (type !== 'EDGE' && input.regionalCertificateArn === undefined && type === 'REGIONAL' && input.certificateArn !== undefined) {
    throw badRequest('A REGIONAL domain name takes its certificate as regionalCertificateArn, not certificateArn');
  }
  if (type === 'EDGE' && (input.regionalCertificateArn !== undefined || input.regionalCertificateName !== undefined)) {
    throw badRequest('regionalCertificateArn and regionalCertificateName are only supported for REGIONAL domain names');
  }
  const domainNameId = type === 'PRIVATE' ? newId(10) : undefined;
  const key = domainKey(name, domainNameId);
  if (type !== 'PRIVATE' && (await tx.get(DOMAIN_NAME_KIND, '', key)) !== undefined) throw badRequest('The domain name you provided already exists.');

  const d: DomainName = { domainName: name };
  if (domainNameId) d.domainNameId = domainNameId;
  d.domainNameArn = domainNameArn(ctx, d);
  if (input.certificateName !== undefined) d.certificateName = input.certificateName;
  if (input.certificateArn !== undefined) d.certificateArn = input.certificateArn;
  if (input.regionalCertificateName !== undefined) d.regionalCertificateName = input.regionalCertificateName;
  if (input.regionalCertificateArn !== undefined) d.regionalCertificateArn = input.regionalCertificateArn;
  if (uploaded) {
    checkUploadedCertificate(name, { body: input.certificateBody!, privateKey: input.certificatePrivateKey!, chain: input.certificateChain });
    d.certificateUploadDate = now();
  } else if (d.certificateArn !== undefined || d.regionalCertificateArn !== undefined) {
    d.certificateUploadDate = now();
  }
  d.endpointConfiguration = input.endpointConfiguration;
  d.domainNameStatus = 'AVAILABLE';
  d.securityPolicy = input.securityPolicy ?? 'TLS_1_2';
  if (input.endpointAccessMode !== undefined) d.endpointAccessMode = input.endpointAccessMode;
  if (input.tags !== undefined) d.tags = input.tags;
  if (input.mutualTlsAuthentication?.truststoreUri) {
    if (type !== 'REGIONAL') throw badRequest('Mutual TLS authentication is only supported for REGIONAL domain names');
    if (!/^s3:\/\/[^/]+\/.+/.test(input.mutualTlsAuthentication.truststoreUri)) throw badRequest(`Invalid truststore URI specified: ${input.mutualTlsAuthentication.truststoreUri}. It must be an S3 URL, s3://bucket/key`);
    d.mutualTlsAuthentication = { truststoreUri: input.mutualTlsAuthentication.truststoreUri, truststoreWarnings: [] };
    if (input.mutualTlsAuthentication.truststoreVersion) d.mutualTlsAuthentication.truststoreVersion = input.mutualTlsAuthentication.truststoreVersion;
  }
  if (input.ownershipVerificationCertificateArn !== undefined) {
    checkAcmArn(input.ownershipVerificationCertificateArn, 'ownershipVerificationCertificateArn', false);
    d.ownershipVerificationCertificateArn = input.ownershipVerificationCertificateArn;
  }
  if (input.policy !== undefined) d.policy = checkPolicy(input.policy);
  d.routingMode = input.routingMode ?? 'BASE_PATH_MAPPING_ONLY';
  placeEndpoint(ctx, d);
  const out = shape(d);
  await tx.put(DOMAIN_NAME_KIND, '', key, out);
  if (uploaded) {
    await tx.put(DOMAIN_CERTIFICATE_KIND, '', key, { body: input.certificateBody, privateKey: input.certificatePrivateKey, chain: input.certificateChain });
  }
  return out;
}

function checkPolicy(policy: string): string {
  try {
    const p = JSON.parse(policy);
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new Error();
  } catch {
    throw badRequest('Invalid policy document. Please check the policy syntax and ensure that Principals are valid.');
  }
  return policy;
}

const rules: PatchRule<DomainName>[] = [
  field('certificateName', { ops: ['replace', 'add', 'remove'] }),
  field('certificateArn', { ops: ['replace', 'add'] }),
  field('regionalCertificateName', { ops: ['replace', 'add', 'remove'] }),
  field('regionalCertificateArn', { ops: ['replace', 'add'] }),
  field('securityPolicy'),
  field('endpointAccessMode', { check: (v) => { if (v !== 'BASIC' && v !== 'STRICT') throw badRequest(`Invalid endpoint access mode: ${v}`); } }),
  field('routingMode', {
    check: (v) => {
      if (!['BASE_PATH_MAPPING_ONLY', 'ROUTING_RULE_ONLY', 'ROUTING_RULE_THEN_BASE_PATH_MAPPING'].includes(v as string)) throw badRequest(`Invalid routing mode: ${v}`);
    },
  }),
  field('policy', { ops: ['replace'], check: (v) => checkPolicy(v as string) }),
  nestedField('mutualTlsAuthentication', 'truststoreUri', { ops: ['replace', 'add', 'remove'] }),
  nestedField('mutualTlsAuthentication', 'truststoreVersion', { ops: ['replace', 'add', 'remove'] }),
  {
    path: '/endpointConfiguration/types/*',
    ops: ['replace'],
    apply(doc, _op, value, keys) {
      const current = doc.endpointConfiguration?.types ?? ['EDGE'];
      if (keys[0] !== '0' && !(current as string[]).includes(keys[0]!)) throw badRequest(`Invalid patch path /endpointConfiguration/types/${keys[0]}`);
      if (value !== 'EDGE' && value !== 'REGIONAL' && value !== 'PRIVATE') throw badRequest(`Invalid endpoint configuration type: ${value}`);
      doc.endpointConfiguration = { ...doc.endpointConfiguration, types: [value] };
    },
  },
  {
    path: '/endpointConfiguration/ipAddressType',
    ops: ['replace'],
    apply(doc, _op, value) {
      if (value !== 'ipv4' && value !== 'dualstack') throw badRequest(`Invalid IP address type: ${value}`);
      doc.endpointConfiguration = { ...doc.endpointConfiguration, ipAddressType: value };
    },
  },
];

export const domainNameHandlers: HandlerTable = {
  async CreateDomainName(input, ctx) {
    return ctx.write((tx) => createDomainName(tx, ctx, input));
  },

  async GetDomainName(input, ctx) {
    return ctx.read((tx) => getDomainName(tx, input.domainName.toLowerCase(), input.domainNameId));
  },

  async GetDomainNames(input, ctx) {
    if (input.resourceOwner !== undefined && input.resourceOwner !== 'SELF' && input.resourceOwner !== 'OTHER_ACCOUNTS') {
      throw badRequest(`Invalid resource owner specified: ${input.resourceOwner}. Valid values are SELF, OTHER_ACCOUNTS`);
    }
    return ctx.read(async (tx) => {
      // Private domain names shared by other accounts are the only OTHER_ACCOUNTS ones, and
      // Gatehouse keeps each account's domain names to itself.
      if (input.resourceOwner === 'OTHER_ACCOUNTS') return pageArray([], input);
      const all: DomainName[] = [];
      let after: string | undefined;
      do {
        const page = await tx.list<DomainName>(DOMAIN_NAME_KIND, '', { after, limit: 500 });
        all.push(...page.items);
        after = page.next;
      } while (after !== undefined);
      return pageArray(all, input);
    });
  },

  async UpdateDomainName(input, ctx) {
    return ctx.write(async (tx) => {
      const d = await getDomainName(tx, input.domainName.toLowerCase(), input.domainNameId);
      const next = applyPatch(d, input.patchOperations, rules);
      const type = endpointType(next.endpointConfiguration);
      if (next.certificateArn !== d.certificateArn && next.certificateArn) {
        await tx.delete(DOMAIN_CERTIFICATE_KIND, '', domainKey(d.domainName!, d.domainNameId));
        next.certificateUploadDate = now();
      }
      if (next.mutualTlsAuthentication?.truststoreUri && type !== 'REGIONAL') throw badRequest('Mutual TLS authentication is only supported for REGIONAL domain names');
      if (next.policy !== undefined && type !== 'PRIVATE') throw badRequest('policy is only supported for PRIVATE domain names');
      placeEndpoint(ctx, next, d);
      const out = shape(next);
      await tx.put(DOMAIN_NAME_KIND, '', domainKey(d.domainName!, d.domainNameId), out);
      return out;
    });
  },

  async DeleteDomainName(input, ctx) {
    await ctx.write(async (tx) => {
      const d = await getDomainName(tx, input.domainName.toLowerCase(), input.domainNameId);
      const key = domainKey(d.domainName!, d.domainNameId);
      await deleteOwned(tx, 'domainName', key, d);
      await tx.delete(DOMAIN_NAME_KIND, '', key);
    });
  },
};
