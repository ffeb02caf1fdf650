// Base path mappings: which REST API (and stage) a custom domain name serves under a base path.
// The empty base path is spelled '(none)' on the wire and maps the whole domain name.
import type { BasePathMapping, RestApi } from '../../model/generated/types.ts';
import type { ReadTx, WriteTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { K } from '../kinds.ts';
import { listPage } from '../paging.ts';
import { applyPatch, requireValue, type PatchRule } from '../patch.ts';
import { domainKey, getDomainName } from './domain-names.ts';

export const BASE_PATH_MAPPING_KIND = K.basePathMapping;
export const NO_BASE_PATH = '(none)';

// Each segment: letters, digits and $-_.+!*'() (the URL-safe set API Gateway allows).
const SEGMENT = /^[A-Za-z0-9$\-_.+!*'()]+$/;

export function normalizeBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === NO_BASE_PATH) return NO_BASE_PATH;
  const segs = basePath.split('/');
  if (basePath.length > 1024 || !segs.every((s) => SEGMENT.test(s))) {
    throw badRequest(`Invalid base path specified: ${basePath}. A base path may contain letters, digits and $-_.+!*'() in segments separated by '/', and must not start or end with '/'`);
  }
  return basePath;
}

async function checkTarget(tx: ReadTx, restApiId: string | undefined, stage: string | undefined): Promise<void> {
  if (!restApiId || (await tx.get<RestApi>(K.restApi, '', restApiId)) === undefined) throw badRequest('Invalid REST API identifier specified');
  if (stage !== undefined && stage !== NO_BASE_PATH && (await tx.get(K.stage, restApiId, stage)) === undefined) {
    throw badRequest('Invalid stage identifier specified');
  }
}

async function checkPlacement(tx: ReadTx, key: string, basePath: string, self?: string): Promise<void> {
  const { items } = await tx.list<BasePathMapping>(BASE_PATH_MAPPING_KIND, key, { limit: 1000 });
  const others = items.filter((m) => m.basePath !== self);
  if (others.some((m) => m.basePath === basePath)) throw conflict('Base path already exists for this domain name');
  if (others.length > 0 && (basePath === NO_BASE_PATH || others.some((m) => m.basePath === NO_BASE_PATH))) {
    throw conflict('Only one base path mapping is allowed if the base path is empty.');
  }
}

async function getMapping(tx: ReadTx, key: string, basePath: string): Promise<BasePathMapping> {
  const m = await tx.get<BasePathMapping>(BASE_PATH_MAPPING_KIND, key, basePath === '' ? NO_BASE_PATH : basePath);
  if (m === undefined) throw notFound('Invalid base path mapping identifier specified');
  return m;
}

function shape(m: BasePathMapping): BasePathMapping {
  const out: BasePathMapping = { basePath: m.basePath, restApiId: m.restApiId };
  if (m.stage !== undefined && m.stage !== '') out.stage = m.stage;
  return out;
}

const rules: PatchRule<BasePathMapping>[] = [
  { path: '/basePath', ops: ['replace'], apply: (d, _op, v) => { d.basePath = normalizeBasePath(v ?? ''); } },
  { path: '/restapiId', ops: ['replace'], apply: (d, _op, v) => { d.restApiId = requireValue(v, '/restapiId'); } },
  { path: '/restApiId', ops: ['replace'], apply: (d, _op, v) => { d.restApiId = requireValue(v, '/restApiId'); } },
  {
    path: '/stage',
    ops: ['replace', 'remove'],
    apply: (d, op, v) => {
      if (op === 'remove' || v === undefined || v === '') delete d.stage;
      else d.stage = v;
    },
  },
];

interface DomainRef {
  domainName: string;
  domainNameId?: string;
}

async function domainOf(tx: ReadTx, ref: DomainRef): Promise<string> {
  const d = await getDomainName(tx, ref.domainName.toLowerCase(), ref.domainNameId);
  return domainKey(d.domainName!, d.domainNameId);
}

export const basePathMappingHandlers: HandlerTable = {
  async CreateBasePathMapping(input, ctx) {
    return ctx.write(async (tx: WriteTx) => {
      const key = await domainOf(tx, input);
      const basePath = normalizeBasePath(input.basePath);
      await checkTarget(tx, input.restApiId, input.stage);
      await checkPlacement(tx, key, basePath);
      const m = shape({ basePath, restApiId: input.restApiId, stage: input.stage });
      await tx.put(BASE_PATH_MAPPING_KIND, key, basePath, m);
      return m;
    });
  },

  async GetBasePathMapping(input, ctx) {
    return ctx.read(async (tx) => getMapping(tx, await domainOf(tx, input), input.basePath));
  },

  async GetBasePathMappings(input, ctx) {
    return ctx.read(async (tx) => listPage<BasePathMapping>(tx, BASE_PATH_MAPPING_KIND, await domainOf(tx, input), input));
  },

  async UpdateBasePathMapping(input, ctx) {
    return ctx.write(async (tx) => {
      const key = await domainOf(tx, input);
      const m = await getMapping(tx, key, input.basePath);
      const next = shape(applyPatch(m, input.patchOperations, rules));
      await checkTarget(tx, next.restApiId, next.stage);
      if (next.basePath !== m.basePath) {
        await checkPlacement(tx, key, next.basePath!, m.basePath);
        await tx.delete(BASE_PATH_MAPPING_KIND, key, m.basePath!);
      }
      await tx.put(BASE_PATH_MAPPING_KIND, key, next.basePath!, next);
      return next;
    });
  },

  async DeleteBasePathMapping(input, ctx) {
    await ctx.write(async (tx) => {
      const key = await domainOf(tx, input);
      const m = await getMapping(tx, key, input.basePath);
      await tx.delete(BASE_PATH_MAPPING_KIND, key, m.basePath!);
    });
  },
};
