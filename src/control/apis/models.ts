// Models: JSON Schema draft-04 documents that describe payloads.
import type { CreateModelRequest, Method, Model } from '../../model/generated/types.ts';
import type { ReadTx, WriteTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { K } from '../kinds.ts';
import { listPage } from '../paging.ts';
import { applyPatch, field, type PatchRule } from '../patch.ts';
import type { StoredResource } from './lookups.ts';
import { checkModelSchema, DEFAULT_MODELS, modelTemplate, parseSchema, referencedModels } from './model-schema.ts';

export async function modelMap(tx: ReadTx, restApiId: string): Promise<Map<string, Model>> {
  const { items } = await tx.list<Model>(K.model, restApiId);
  return new Map(items.map((m) => [m.name!, m]));
}

async function getModel(tx: ReadTx, restApiId: string, name: string): Promise<Model> {
  const m = await tx.get<Model>(K.model, restApiId, name);
  if (m === undefined) throw notFound('Invalid model name specified: ' + name);
  return m;
}

export async function insertModel(tx: WriteTx, restApiId: string, input: Omit<CreateModelRequest, 'restApiId'>, validate = true): Promise<Model> {
  if (input.name === '') throw badRequest('Model name must be non-empty');
  if (!/^[A-Za-z0-9]+$/.test(input.name)) throw badRequest('Model name must be alphanumeric');
  if (!input.contentType) throw badRequest('Content type must be specified');
  if (await tx.get(K.model, restApiId, input.name)) throw conflict('Model name already exists for this REST API');
  if (validate) checkModelSchema(restApiId, input.schema, await modelMap(tx, restApiId));
  const model: Model = { id: newId(6), name: input.name, contentType: input.contentType };
  // An empty description is not kept (AWS answers without one).
  if (input.description !== undefined && input.description !== '') model.description = input.description;
  if (input.schema !== undefined) model.schema = input.schema;
  await tx.put(K.model, restApiId, input.name, model);
  return model;
}

export async function insertDefaultModels(tx: WriteTx, restApiId: string): Promise<void> {
  for (const m of DEFAULT_MODELS) await insertModel(tx, restApiId, m as CreateModelRequest, false);
}

const rules: PatchRule<Model>[] = [
  {
    path: '/description',
    ops: ['replace'],
    apply(doc, _op, value) {
      if (value === undefined || value === '') delete doc.description;
      else doc.description = value;
    },
  },
  field('schema', { convert: (v) => v ?? '' }),
];

export const modelHandlers: HandlerTable = {
  async CreateModel(input, ctx) {
    return ctx.write((tx) => insertModel(tx, input.restApiId, input));
  },

  async GetModel(input, ctx) {
    return ctx.read(async (tx) => {
      // The model is looked up first: a missing API answers "Invalid model name specified" (recorded).
      const m = await getModel(tx, input.restApiId, input.modelName);
      if (!input.flatten) return m;
      return { ...m, schema: JSON.stringify(flatten(parseSchema(m.schema), await modelMap(tx, input.restApiId)), null, 2) };
    });
  },

  async GetModels(input, ctx) {
    return ctx.read((tx) => listPage<Model>(tx, K.model, input.restApiId, input));
  },

  async UpdateModel(input, ctx) {
    return ctx.write(async (tx) => {
      // The model is looked up first: a missing API answers "Invalid model name specified" (recorded).
      const m = await getModel(tx, input.restApiId, input.modelName);
      const next = applyPatch(m, input.patchOperations, rules);
      if (next.schema !== m.schema) {
        const others = await modelMap(tx, input.restApiId);
        checkModelSchema(input.restApiId, next.schema, others);
      }
      await tx.put(K.model, input.restApiId, m.name!, next);
      return next;
    });
  },

  async DeleteModel(input, ctx) {
    await ctx.write(async (tx) => {
      // The model is looked up first: a missing API answers "Invalid model name specified" (recorded).
      await getModel(tx, input.restApiId, input.modelName);
      for (const [name, other] of await modelMap(tx, input.restApiId)) {
        if (name !== input.modelName && referencedModels(parseSafe(other.schema)).includes(input.modelName)) {
          throw conflict(`Cannot delete model '${input.modelName}', is referenced in model: ${name}`);
        }
      }
      const { items } = await tx.list<Method & { resourceId: string }>(K.method, input.restApiId);
      const paths = new Map((await tx.list<StoredResource>(K.resource, input.restApiId)).items.map((r) => [r.id!, r.path!]));
      // AWS names one method, as "{resource path}/{http method}"; with several users it named the
      // one with the later path in the recording, so the choice here is the last by path.
      const users: { where: string; kind: string }[] = [];
      for (const m of items) {
        const inRequest = Object.values(m.requestModels ?? {}).includes(input.modelName);
        const inResponse = Object.values(m.methodResponses ?? {}).some((r) => Object.values(r.responseModels ?? {}).includes(input.modelName));
        if (inRequest || inResponse) users.push({ where: `${paths.get(m.resourceId) ?? ''}/${m.httpMethod}`, kind: inRequest ? 'request' : 'response' });
      }
      users.sort((a, b) => (a.where < b.where ? -1 : a.where > b.where ? 1 : 0));
      const user = users.at(-1);
      if (user !== undefined) throw conflict(`Cannot delete model '${input.modelName}', is referenced in method ${user.kind}: ${user.where}`);
      await tx.delete(K.model, input.restApiId, input.modelName);
    });
  },

  async GetModelTemplate(input, ctx) {
    return ctx.read(async (tx) => {
      await getModel(tx, input.restApiId, input.modelName);
      return { value: modelTemplate(input.restApiId, input.modelName, await modelMap(tx, input.restApiId)) };
    });
  },
};

function parseSafe(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '{}');
  } catch {
    return {};
  }
}

/** GetModel?flatten=true: inlines referenced models (cycles are left as $ref). */
function flatten(schema: Record<string, unknown>, models: Map<string, Model>, seen: string[] = []): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.$ref === 'string') {
      const name = /\/models\/([^/#]+)$/.exec(o.$ref)?.[1];
      const target = name ? models.get(name) : undefined;
      if (name && target && !seen.includes(name)) return flatten(parseSchema(target.schema), models, [...seen, name]);
      return o;
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return walk(schema);
}
