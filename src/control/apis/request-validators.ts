// Request validators of a REST API: which parts of a request a method validates before its
// integration runs. Methods refer to them by id (kind 'requestvalidator', parent = restApiId).
import type { RequestValidator } from '../../model/generated/types.ts';
import type { ReadTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { K } from '../kinds.ts';
import { listPage } from '../paging.ts';
import { applyPatch, field, parseBoolean, type PatchRule } from '../patch.ts';
import { methodReferencing } from './references.ts';

export const REQUEST_VALIDATOR_KIND = K.requestValidator;

export async function getRequestValidator(tx: ReadTx, restApiId: string, id: string): Promise<RequestValidator> {
  const v = await tx.get<RequestValidator>(REQUEST_VALIDATOR_KIND, restApiId, id);
  if (v === undefined) throw notFound('Invalid Request Validator identifier specified');
  return v;
}

async function checkUniqueName(tx: ReadTx, restApiId: string, v: RequestValidator): Promise<void> {
  if (v.name === undefined) return;
  const { items } = await tx.list<RequestValidator>(REQUEST_VALIDATOR_KIND, restApiId);
  if (items.some((o) => o.id !== v.id && o.name === v.name)) throw conflict('Request Validator name must be unique');
}

// In the order AWS lists them; flags read as Java's Boolean.parseBoolean (a missing value is false).
const rules: PatchRule<RequestValidator>[] = [
  field('name', {
    convert: (v) => {
      if (v === undefined || v.trim() === '') throw badRequest('Request Validator name cannot be blank');
      return v;
    },
  }),
  field('validateRequestParameters', { convert: parseBoolean }),
  field('validateRequestBody', { convert: parseBoolean }),
];

export const requestValidatorHandlers: HandlerTable = {
  async CreateRequestValidator(input, ctx) {
    return ctx.write(async (tx) => {
      // AWS's answer for a missing API here is a 400 with its own words (recorded).
      if ((await tx.get(K.restApi, '', input.restApiId)) === undefined) throw badRequest('Invalid REST API identifier specified');
      const v: RequestValidator = { id: newId(6) };
      if (input.name !== undefined && input.name !== '') v.name = input.name;
      v.validateRequestBody = input.validateRequestBody ?? false;
      v.validateRequestParameters = input.validateRequestParameters ?? false;
      await checkUniqueName(tx, input.restApiId, v);
      await tx.put(REQUEST_VALIDATOR_KIND, input.restApiId, v.id!, v);
      return v;
    });
  },

  async GetRequestValidator(input, ctx) {
    return ctx.read(async (tx) => {
      // The validator is looked up first: a missing API answers "Invalid Request Validator identifier specified" (recorded).
      return getRequestValidator(tx, input.restApiId, input.requestValidatorId);
    });
  },

  async GetRequestValidators(input, ctx) {
    return ctx.read((tx) => listPage<RequestValidator>(tx, REQUEST_VALIDATOR_KIND, input.restApiId, input));
  },

  async UpdateRequestValidator(input, ctx) {
    return ctx.write(async (tx) => {
      // The validator is looked up first: a missing API answers "Invalid Request Validator identifier specified" (recorded).
      const v = await getRequestValidator(tx, input.restApiId, input.requestValidatorId);
      const next = applyPatch(v, input.patchOperations, rules);
      await checkUniqueName(tx, input.restApiId, next);
      await tx.put(REQUEST_VALIDATOR_KIND, input.restApiId, v.id!, next);
      return next;
    });
  },

  async DeleteRequestValidator(input, ctx) {
    await ctx.write(async (tx) => {
      // The validator is looked up first: a missing API answers "Invalid Request Validator identifier specified" (recorded).
      const v = await getRequestValidator(tx, input.restApiId, input.requestValidatorId);
      const used = await methodReferencing(tx, input.restApiId, (m) => m.requestValidatorId === v.id);
      if (used !== undefined) throw conflict(`Cannot delete request validator '${v.name ?? v.id}', is referenced in method: ${used}`);
      await tx.delete(REQUEST_VALIDATOR_KIND, input.restApiId, v.id!);
    });
  },
};
