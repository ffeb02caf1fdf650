// The account: CloudWatch role, features and (read-only) account-level throttling.
import type { Account } from '../../model/generated/types.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest } from '../errors.ts';
import { K } from '../kinds.ts';
import { applyPatch, field, type PatchRule } from '../patch.ts';

// API Gateway's default account-level limits (requests per second and burst).
const DEFAULT_ACCOUNT: Account = {
  throttleSettings: { burstLimit: 5000, rateLimit: 10000 },
  features: [],
  apiKeyVersion: '4',
};

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
    return ctx.read(async (tx) => (await tx.get<Account>(K.account, '', 'account')) ?? DEFAULT_ACCOUNT);
  },
  async UpdateAccount(input, ctx) {
    return ctx.write(async (tx) => {
      const current = (await tx.get<Account>(K.account, '', 'account')) ?? DEFAULT_ACCOUNT;
      const next = applyPatch(current, input.patchOperations, rules);
      if (next.cloudwatchRoleArn === '') delete next.cloudwatchRoleArn;
      await tx.put(K.account, '', 'account', next);
      return next;
    });
  },
};
