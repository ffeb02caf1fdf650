// Tags on every taggable resource, addressed by ARN as API Gateway forms them
// (arn:aws:apigateway:{region}:{account?}:/{path}); which resources those are, and the path of
// each one's ARN, is the `tag` column of the kind table (src/kinds.ts).
// Tags live on the resource's own document (its `tags` member), so Get* returns them too.
import type { ReadTx, WriteTx } from '../../store/index.ts';
import type { HandlerTable, OpContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { KINDS, notFoundMessage } from '../kinds.ts';
import { ownerOf, type KindName, type KindRow, type TagArn } from '../../kinds.ts';
import { defineKey } from '../protocol.ts';
import { checkTags, MAX_TAGS } from './common.ts';

type Tagged = { tags?: Record<string, string> };

/** Where a tagged document is, and how to read it failing as its own Get* does. */
interface TaggedLocation {
  kind: string;
  parent: string;
  id: string;
  load(tx: ReadTx): Promise<Tagged>;
}

type TaggableRow = KindRow & { readonly tag: TagArn };

const TAGGABLE = (Object.entries(KINDS) as [KindName, KindRow][]).filter((e): e is [KindName, TaggableRow] => e[1].tag !== null);

/** The ARN path's `{parent}` and `{id}` when it has the shape `pattern`, else null. */
function match(pattern: string, segs: readonly string[]): Record<string, string> | null {
  const want = pattern.split('/');
  if (want.length !== segs.length) return null;
  const bound: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith('{')) bound[w.slice(1, -1)] = segs[i]!;
    else if (w !== segs[i]) return null;
  }
  return bound;
}

// Private custom domain names carry the account: arn:aws:apigateway:{region}:{account}:/domainnames/{name}+{id}.
const ARN = /^arn:(aws[a-z-]*):apigateway:([a-z0-9-]+):(?:\d{12})?:\/(.+)$/;

function locate(arn: string, ctx: OpContext): TaggedLocation {
  const m = ARN.exec(arn);
  if (m === null) throw badRequest('Invalid ARN specified in the request');
  const segs = m[3]!.split('/');
  if (segs.some((s) => s === '')) throw badRequest('Invalid ARN specified in the request');
  for (const [name, row] of TAGGABLE) {
    const bound = match(row.tag.path, segs);
    if (bound === null) continue;
    const id = row.tag.storedByArn ? `arn:aws:apigateway:${ctx.region}:${ctx.accountId}:/${m[3]}` : bound['id']!;
    const parent = row.parent === 'account' ? '' : bound['parent']!;
    // The ARN's region picks the partition; another region's resource is not here.
    const load = m[2] !== ctx.region
      ? async (): Promise<Tagged> => { throw notFound(`Invalid resource identifier specified: ${arn} is not in region ${ctx.region}`); }
      : async (tx: ReadTx) => {
        // A stage's API answers first, with its own NotFound, as GetStage does (owners of
        // taggable documents are account-level).
        const owner = ownerOf(row);
        if (owner !== null) await loadDocument(tx, owner, '', parent, ctx);
        return loadDocument(tx, name, parent, id, ctx);
      };
    return { kind: row.kind, parent, id, load };
  }
  throw badRequest(`Invalid ARN specified in the request: ${arn} does not name a taggable resource`);
}

async function loadDocument(tx: ReadTx, name: KindName, parent: string, id: string, ctx: OpContext): Promise<Tagged> {
  const doc = await tx.get<Tagged>(KINDS[name].kind, parent, id);
  if (doc === undefined) throw notFound(notFoundMessage(name, id, ctx.accountId));
  return doc;
}

async function update(tx: WriteTx, loc: TaggedLocation, change: (tags: Record<string, string>) => void): Promise<void> {
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
  async TagResource(input, ctx) {
    const loc = locate(input.resourceArn, ctx);
    checkTags(input.tags);
    await ctx.write((tx) => update(tx, loc, (tags) => {
      for (const [k, v] of Object.entries(input.tags)) defineKey(tags, k, v);
    }));
  },

  async UntagResource(input, ctx) {
    const loc = locate(input.resourceArn, ctx);
    await ctx.write((tx) =>
      update(tx, loc, (tags) => {
        for (const k of input.tagKeys) delete tags[k];
      }),
    );
  },

  async GetTags(input, ctx) {
    const loc = locate(input.resourceArn, ctx);
    return ctx.read(async (tx) => ({ tags: (await loc.load(tx)).tags ?? {} }));
  },
};
