// API keys: create (generated or given values), read with or without the value, list with
// name/customer filters, update, delete, and import from API Gateway's CSV key file format.
import { randomBytes } from 'node:crypto';
import type { ApiKey, CreateApiKeyRequest, GetApiKeysRequest, StageKey } from '../../model/generated/types.ts';
import type { ReadTx, WriteTx } from '../../store/index.ts';
import type { HandlerTable, OpContext } from '../context.ts';
import { ApiError, badRequest, conflict } from '../errors.ts';
import { newId, now } from '../ids.ts';
import { listPage, type Page } from '../paging.ts';
import { applyPatch, field, parseBoolean, type PatchOperation, type PatchRule } from '../patch.ts';
import { getApi } from '../apis/lookups.ts';
import { getStage } from '../apis/stages.ts';
import { parseCsv } from './csv.ts';
import { getApiKeyDoc, getUsagePlanDoc, KK, scanPage, withTags } from './common.ts';
import { addKeyToPlan, removeKeyFromAllPlans } from './usage-plans.ts';

const VALUE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 40-character alphanumeric value, as API Gateway generates them. */
export function generateKeyValue(): string {
  let out = '';
  while (out.length < 40) {
    // 248 = 4 * 62: rejection sampling keeps every character equally likely.
    for (const b of randomBytes(64)) if (b < 248 && out.length < 40) out += VALUE_ALPHABET[b % 62];
  }
  return out;
}

// Limits and wordings recorded from AWS (test_apigateway_extended): a name over 1024 characters
// and a description over 125000 are refused; an empty name or value counts as none.
const MAX_NAME = 1024;
const MAX_DESCRIPTION = 125000;

function checkDescription(description: string | undefined): void {
  if (description !== undefined && description.length > MAX_DESCRIPTION) throw badRequest('Invalid API Key description specified.');
}

function checkCreateValue(value: string): void {
  if (value.length < 20) throw badRequest('API Key value should be at least 20 characters');
  if (value.length > 128) throw badRequest('API Key value exceeds maximum size of 128 characters');
}

// \u0001 sorts before any printable character, so a name's entries stay together in a prefix
// scan; \u0000 did too, but PostgreSQL's text cannot hold it (every CreateApiKey failed there).
const nameIndexId = (name: string, id: string) => `${name}\u0001${id}`;

/** What callers see: the value only when asked for. */
export function publicKey(k: ApiKey, includeValue: boolean): ApiKey {
  if (includeValue) return k;
  const { value: _v, ...rest } = k;
  return rest;
}

async function checkStageKeys(tx: ReadTx, ctx: OpContext, stageKeys: readonly StageKey[]): Promise<string[]> {
  const out: string[] = [];
  for (const sk of stageKeys) {
    if (!sk.restApiId || !sk.stageName) throw badRequest('Invalid stage key specified: restApiId and stageName are required');
    await getApi(tx, ctx.accountId, sk.restApiId);
    await getStage(tx, sk.restApiId, sk.stageName);
    const s = `${sk.restApiId}/${sk.stageName}`;
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** Writes a key and keeps its value and name indexes in step with it. */
export async function putApiKey(tx: WriteTx, next: ApiKey, previous?: ApiKey): Promise<void> {
  if (previous !== undefined && previous.value !== next.value) await tx.delete(KK.apiKeyValue, '', previous.value!);
  if (previous?.value !== next.value) await tx.put(KK.apiKeyValue, '', next.value!, { id: next.id });
  if (previous?.name !== next.name) {
    if (previous?.name !== undefined) await tx.delete(KK.apiKeyName, '', nameIndexId(previous.name, previous.id!));
    if (next.name !== undefined) await tx.put(KK.apiKeyName, '', nameIndexId(next.name, next.id!), { id: next.id });
  }
  await tx.put(KK.apiKey, '', next.id!, next);
}

export async function insertApiKey(tx: WriteTx, ctx: OpContext, input: CreateApiKeyRequest): Promise<ApiKey> {
  if (input.name !== undefined && input.name.length > MAX_NAME) throw badRequest(`Invalid API Key name, can be at most ${MAX_NAME} characters.`);
  checkDescription(input.description);
  let value: string;
  if (input.value !== undefined && input.value !== '') {
    checkCreateValue(input.value);
    value = input.value;
  } else {
    value = generateKeyValue();
  }
  if ((await tx.get(KK.apiKeyValue, '', value)) !== undefined) throw conflict('API Key already exists');
  const t = now();
  const key: ApiKey = { id: newId(10), value };
  if (input.name !== undefined && input.name !== '') key.name = input.name;
  if (input.customerId !== undefined) key.customerId = input.customerId;
  if (input.description !== undefined) key.description = input.description;
  key.enabled = input.enabled ?? false;
  key.createdDate = t;
  key.lastUpdatedDate = t;
  key.stageKeys = await checkStageKeys(tx, ctx, input.stageKeys ?? []);
  withTags(key, input.tags);
  await putApiKey(tx, key);
  return key;
}

// In AWS's order: its "Must be one of" message lists the paths so.
const rules: PatchRule<ApiKey>[] = [
  field('description', { ops: ['replace', 'add', 'remove'] }),
  // AWS reads the flag with Java's Boolean.parseBoolean: 'not-a-boolean' is false (recorded).
  field('enabled', { convert: (v) => parseBoolean(v) }),
  field('name', { ops: ['replace'] }),
  field('customerId', { ops: ['replace', 'add', 'remove'] }),
  {
    // Stage keys (the pre-usage-plan association) are added and removed by value 'restApiId/stageName'.
    path: '/stages',
    ops: ['add', 'remove'],
    apply(doc, op, value) {
      if (value === undefined || !/^[^/]+\/[^/]+$/.test(value)) throw badRequest(`Invalid stage key value '${value ?? ''}': expected 'restApiId/stageName'`);
      const list = (doc.stageKeys ?? []).filter((s) => s !== value);
      if (op === 'add') list.push(value);
      doc.stageKeys = list;
    },
  },
];

async function updateApiKey(tx: WriteTx, ctx: OpContext, id: string, ops: PatchOperation[] | undefined): Promise<ApiKey> {
  const key = await getApiKeyDoc(tx, id);
  const next = applyPatch(key, ops, rules);
  checkDescription(next.description);
  const added = (next.stageKeys ?? []).filter((s) => !(key.stageKeys ?? []).includes(s));
  await checkStageKeys(tx, ctx, added.map((s) => ({ restApiId: s.split('/')[0], stageName: s.split('/')[1] })));
  if (next.name !== undefined && next.name === '') delete next.name;
  next.lastUpdatedDate = now();
  await putApiKey(tx, next, key);
  return next;
}

async function deleteApiKey(tx: WriteTx, id: string): Promise<void> {
  const key = await getApiKeyDoc(tx, id);
  await removeKeyFromAllPlans(tx, id);
  await tx.delete(KK.apiKeyValue, '', key.value!);
  if (key.name !== undefined) await tx.delete(KK.apiKeyName, '', nameIndexId(key.name, id));
  await tx.delete(KK.apiKey, '', id);
}

async function listApiKeys(tx: ReadTx, given: GetApiKeysRequest): Promise<Page<ApiKey>> {
  // AWS answers GetApiKeys with limit -1 with a page, not a validation error (recorded); what
  // it does with a limit under 1 when there are keys is not recorded: here, the default size.
  const input = given.limit !== undefined && given.limit < 1 ? { ...given, limit: undefined } : given;
  const include = input.includeValues === true;
  const customer = input.customerId;
  const matches = (k: ApiKey) => customer === undefined || k.customerId === customer;
  if (input.nameQuery !== undefined && input.nameQuery !== '') {
    // The name index holds `${name}\u0001${id}`: a prefix scan finds names starting with the query.
    return scanPage<{ id: string }, ApiKey>(tx, KK.apiKeyName, '', input, async ({ id }) => {
      const k = await tx.get<ApiKey>(KK.apiKey, '', id);
      return k !== undefined && matches(k) ? publicKey(k, include) : undefined;
    }, input.nameQuery);
  }
  if (customer !== undefined) return scanPage<ApiKey, ApiKey>(tx, KK.apiKey, '', input, (k) => (matches(k) ? publicKey(k, include) : undefined));
  const page = await listPage<ApiKey>(tx, KK.apiKey, '', input);
  return include ? page : { ...page, items: page.items.map((k) => publicKey(k, false)) };
}

// ---------------------------------------------------------------- import

const MIN_IMPORT_VALUE = 30;
const MAX_IMPORT_VALUE = 128;

interface ImportRow {
  line: number;
  name: string;
  value: string;
  description?: string;
  enabled: boolean;
  usagePlanIds: string[];
}

/** Reads the key file; returns its rows and the warnings of rows it could not take. */
function readKeyFile(text: string): { rows: ImportRow[]; warnings: string[] } {
  const records = parseCsv(text);
  while (records.length > 0 && records[records.length - 1]!.every((c) => c.trim() === '')) records.pop();
  if (records.length === 0) throw badRequest('Invalid API key file: the file is empty');
  const header = records[0]!.map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const iName = col('name');
  const iKey = col('key');
  if (iName === -1 || iKey === -1) throw badRequest('Invalid API key file: the header must contain the Name and Key columns');
  const iDescription = col('description');
  const iEnabled = col('enabled');
  const iPlans = col('usageplanids');
  const rows: ImportRow[] = [];
  const warnings: string[] = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!;
    const line = r + 1;
    if (rec.every((c) => c.trim() === '')) continue;
    const cell = (i: number) => (i === -1 ? '' : (rec[i] ?? '').trim());
    const name = cell(iName);
    const value = cell(iKey);
    if (value.length < MIN_IMPORT_VALUE || value.length > MAX_IMPORT_VALUE) {
      warnings.push(`Invalid API key value at line ${line}: a key must be between ${MIN_IMPORT_VALUE} and ${MAX_IMPORT_VALUE} characters`);
      continue;
    }
    if (name === '') {
      warnings.push(`Invalid API key name at line ${line}: the name must not be empty`);
      continue;
    }
    const enabledText = cell(iEnabled).toLowerCase();
    if (enabledText !== '' && enabledText !== 'true' && enabledText !== 'false') {
      warnings.push(`Invalid Enabled value '${cell(iEnabled)}' at line ${line}: expected true or false`);
      continue;
    }
    const row: ImportRow = {
      line,
      name,
      value,
      // The guide: a missing Enabled means true.
      enabled: enabledText !== 'false',
      usagePlanIds: cell(iPlans).split(',').map((s) => s.trim()).filter((s) => s !== ''),
    };
    const description = cell(iDescription);
    if (description !== '') row.description = description;
    rows.push(row);
  }
  return { rows, warnings };
}

async function importApiKeys(tx: WriteTx, body: Buffer, failOnWarnings: boolean): Promise<{ ids: string[]; warnings?: string[] }> {
  const { rows, warnings } = readKeyFile(body.toString('utf8'));
  const ids: string[] = [];
  for (const row of rows) {
    const plans: string[] = [];
    let planMissing = false;
    for (const planId of row.usagePlanIds) {
      if ((await tx.get(KK.usagePlan, '', planId)) === undefined) {
        warnings.push(`Invalid usage plan identifier '${planId}' at line ${row.line}`);
        planMissing = true;
      } else if (!plans.includes(planId)) plans.push(planId);
    }
    if (planMissing) continue;
    const existing = await tx.get<{ id: string }>(KK.apiKeyValue, '', row.value);
    const t = now();
    let key: ApiKey;
    let previous: ApiKey | undefined;
    if (existing !== undefined) {
      // The same value imported again overwrites the key that has it.
      previous = await getApiKeyDoc(tx, existing.id);
      key = { ...previous, name: row.name, enabled: row.enabled, lastUpdatedDate: t };
      if (row.description !== undefined) key.description = row.description;
      else delete key.description;
    } else {
      key = { id: newId(10), value: row.value, name: row.name, enabled: row.enabled, createdDate: t, lastUpdatedDate: t, stageKeys: [] };
      if (row.description !== undefined) key.description = row.description;
    }
    await putApiKey(tx, key, previous);
    let planFailed = false;
    for (const planId of plans) {
      try {
        await addKeyToPlan(tx, await getUsagePlanDoc(tx, planId), key.id!, true);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        warnings.push(`Line ${row.line}: ${err.message}`);
        planFailed = true;
      }
    }
    if (!planFailed || !failOnWarnings) ids.push(key.id!);
  }
  if (failOnWarnings && warnings.length > 0) throw badRequest(`Import failed with warnings: ${warnings.join('; ')}`);
  return warnings.length > 0 ? { ids, warnings } : { ids };
}

export const apiKeyHandlers: HandlerTable = {
  async CreateApiKey(input, ctx) {
    return ctx.write((tx) => insertApiKey(tx, ctx, input));
  },

  async GetApiKey(input, ctx) {
    return ctx.read(async (tx) => publicKey(await getApiKeyDoc(tx, input.apiKey), input.includeValue === true));
  },

  async GetApiKeys(input, ctx) {
    return ctx.read((tx) => listApiKeys(tx, input));
  },

  async UpdateApiKey(input, ctx) {
    // UpdateApiKey answers without the value, as GetApiKey does by default, and with `tags: {}`
    // when there are none (recorded).
    return ctx.write(async (tx) => {
      const key = publicKey(await updateApiKey(tx, ctx, input.apiKey, input.patchOperations), false);
      return { ...key, tags: key.tags ?? {} };
    });
  },

  async DeleteApiKey(input, ctx) {
    await ctx.write((tx) => deleteApiKey(tx, input.apiKey));
  },

  async ImportApiKeys(input, ctx) {
    if (input.format !== 'csv') throw badRequest(`Invalid format specified: ${input.format}. Only csv is supported`);
    return ctx.write((tx) => importApiKeys(tx, input.body, input.failOnWarnings === true));
  },
};
