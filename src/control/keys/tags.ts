// Tags on every taggable resource, addressed by ARN as API Gateway forms them:
// arn:aws:apigateway:{region}::/restapis/{id}, .../restapis/{id}/stages/{name}, /apikeys/{id},
// /usageplans/{id}, /clientcertificates/{id}, /domainnames/{name}, /vpclinks/{id}.
// Tags live on the resource's own document (its `tags` member), so Get* returns them too.
import type { ReadTx, WriteTx } from '../../store/index.ts';
import type { HandlerTable, OpContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { K } from '../kinds.ts';
import { getApi } from '../apis/lookups.ts';
import { getStage } from '../apis/stages.ts';
import { defineKey } from '../protocol.ts';
import { checkTags, getApiKeyDoc, getClientCertificateDoc, getUsagePlanDoc, getVpcLinkDoc, KK, MAX_TAGS } from './common.ts';

type Tagged = { tags?: Record<string, string> };

/** Where a taggable resource's document is, and how to fail when it is not there. */
export interface TaggableLocation {
  kind: string;
  parent: string;
  id: string;
  /** Reads the document or throws the resource's own NotFoundException. */
  load(tx: ReadTx): Promise<Tagged>;
}

/** Resolves the path of an ARN (its segments after '::/') to a location, or null if not its kind. */
export type TaggableResolver = (segments: string[], ctx: OpContext) => TaggableLocation | null;

const resolvers = new Map<string, TaggableResolver>();

/**
 * Lets a resource family make itself taggable by its ARN's first path segment (for example
 * 'domainnames'); a later registration for the same segment replaces the earlier one.
 */
export function registerTaggable(firstSegment: string, resolver: TaggableResolver): void {
  resolvers.set(firstSegment, resolver);
}

const single = (kind: string, load: (tx: ReadTx, id: string) => Promise<Tagged>): TaggableResolver => (segs) =>
  segs.length === 2 ? { kind, parent: '', id: segs[1]!, load: (tx) => load(tx, segs[1]!) } : null;

registerTaggable('restapis', (segs, ctx) => {
  const apiId = segs[1]!;
  if (segs.length === 2) return { kind: K.restApi, parent: '', id: apiId, load: (tx) => getApi(tx, ctx.accountId, apiId) };
  if (segs.length === 4 && segs[2] === 'stages') {
    return {
      kind: K.stage,
      parent: apiId,
      id: segs[3]!,
      load: async (tx) => {
        await getApi(tx, ctx.accountId, apiId);
        return getStage(tx, apiId, segs[3]!);
      },
    };
  }
  return null;
});
registerTaggable('apikeys', single(KK.apiKey, getApiKeyDoc));
registerTaggable('usageplans', single(KK.usagePlan, getUsagePlanDoc));
registerTaggable('clientcertificates', single(KK.clientCertificate, getClientCertificateDoc));
registerTaggable('vpclinks', single(KK.vpcLink, getVpcLinkDoc));
// Custom domain names are stored by name under kind 'domainname' (their family registers again if it differs).
registerTaggable('domainnames', single('domainname', async (tx, name) => {
  const d = await tx.get<Tagged>('domainname', '', name);
  if (d === undefined) throw notFound('Invalid domain name identifier specified');
  return d;
}));

// Private custom domain names carry the account: arn:aws:apigateway:{region}:{account}:/domainnames/{name}+{id}.
const ARN = /^arn:(aws[a-z-]*):apigateway:([a-z0-9-]+):(?:\d{12})?:\/(.+)$/;

function locate(arn: string, ctx: OpContext): TaggableLocation {
  const m = ARN.exec(arn);
  if (m === null) throw badRequest('Invalid ARN specified in the request');
  const segs = m[3]!.split('/');
  if (segs.some((s) => s === '')) throw badRequest('Invalid ARN specified in the request');
  const resolver = resolvers.get(segs[0]!);
  const loc = resolver?.(segs, ctx) ?? null;
  if (loc === null) throw badRequest(`Invalid ARN specified in the request: ${arn} does not name a taggable resource`);
  // The ARN's region picks the partition; another region's resource is not here.
  if (m[2] !== ctx.region) {
    return { ...loc, load: async () => { throw notFound(`Invalid resource identifier specified: ${arn} is not in region ${ctx.region}`); } };
  }
  return loc;
}

async function update(tx: WriteTx, loc: TaggableLocation, change: (tags: Record<string, string>) => void): Promise<void> {
  const doc = (await loc.load(tx)) as Tagged;
  const tags = { ...(doc.tags ?? {}) };
  change(tags);
  if (Object.keys(tags).length > MAX_TAGS) throw badRequest(`Too many tags specified. A resource can have at most ${MAX_TAGS} tags`);
  const next = { ...doc };
  if (Object.keys(tags).length > 0) next.tags = tags;
  else delete next.tags;
  await tx.put(loc.kind, loc.parent, loc.id, next);
}

export const tagHandlers: HandlerTable = {
  async TagResource(input: { resourceArn: string; tags: Record<string, string> }, ctx) {
    const loc = locate(input.resourceArn, ctx);
    checkTags(input.tags);
    await ctx.write((tx) => update(tx, loc, (tags) => {
      for (const [k, v] of Object.entries(input.tags)) defineKey(tags, k, v);
    }));
  },

  async UntagResource(input: { resourceArn: string; tagKeys: string[] }, ctx) {
    const loc = locate(input.resourceArn, ctx);
    await ctx.write((tx) =>
      update(tx, loc, (tags) => {
        for (const k of input.tagKeys) delete tags[k];
      }),
    );
  },

  async GetTags(input: { resourceArn: string }, ctx) {
    const loc = locate(input.resourceArn, ctx);
    return ctx.read(async (tx) => ({ tags: (await loc.load(tx)).tags ?? {} }));
  },
};
