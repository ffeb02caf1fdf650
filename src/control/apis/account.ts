// The account: CloudWatch role, features and (read-only) account-level throttling.
import type { GatehouseConfig } from '../../config.ts';
import type { Account } from '../../model/generated/types.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest } from '../errors.ts';
import { K } from '../kinds.ts';
import { applyPatch, field, type PatchRule } from '../patch.ts';

// The stored document holds what UpdateAccount changes; throttleSettings are the limits this
// gateway enforces (--account-rate/--account-burst, AWS's 10,000/5,000 by default), added on
// every answer so they always say what src/access/throttle.ts does.
const DEFAULT_ACCOUNT: Account = {
  features: [],
  apiKeyVersion: '4',
};

/** The account as the API shows it; no throttleSettings when account-level throttling is off (rate 0). */
function shown(stored: Account, config: GatehouseConfig): Account {
  const { throttleSettings: _stale, ...rest } = stored;
  if (config.accountRate <= 0) return rest;
  return { throttleSettings: { burstLimit: config.accountBurst, rateLimit: config.accountRate }, ...rest };
}

const FEATURES = ['UsagePlans'];

const rules: PatchRule<Account>[] = [
  field('cloudwatchRoleArn', {
    ops: ['replace', 'add', 'remove'],
    check: (v) => {
      if (typeof v === 'string' && v !== '' && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(v)) {
        throw badRequest(`The role ARN is not well formed: ${v}`);
      }
    },
  }),
  {
    path: '/features',
    ops: ['add', 'remove'],
    apply(doc, op, value) {
      if (value === undefined || !FEATURES.includes(value)) throw badRequest(`Invalid feature specified: ${value}. Valid values are ${FEATURES.join(', ')}`);
      const set = new Set(doc.features ?? []);
      if (op === 'add') set.add(value);
      else set.delete(value);
      doc.features = [...set];
    },
  },
];

export const accountHandlers: HandlerTable = {
  async GetAccount(_input, ctx) {
    return ctx.read(async (tx) => shown((await tx.get<Account>(K.account, '', 'account')) ?? DEFAULT_ACCOUNT, ctx.config));
  },
  async UpdateAccount(input, ctx) {
    return ctx.write(async (tx) => {
      const current = (await tx.get<Account>(K.account, '', 'account')) ?? DEFAULT_ACCOUNT;
      const next = applyPatch(current, input.patchOperations, rules);
      if (next.cloudwatchRoleArn === '') delete next.cloudwatchRoleArn;
      delete next.throttleSettings;
      await tx.put(K.account, '', 'account', next);
      return shown(next, ctx.config);
    });
  },
};
