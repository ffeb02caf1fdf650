// Operations whose real work belongs to later issues: client SDK generation, and the stage and
// authorizer caches of the execution plane. (GetExport is src/openapi's.) They are routed and
// validated exactly as API Gateway validates them, then answer with a plain BadRequestException
// saying what Gatehouse does not do yet, never an empty or invented success. Replace each
// handler here when its feature lands.
import type { ReadTx } from '../../store/index.ts';
import type { HandlerTable, OpContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { SDK_TYPES } from '../keys/sdk-types.ts';
import { getApi } from './lookups.ts';
import { getStage } from './stages.ts';

async function apiAndStage(ctx: OpContext, restApiId: string, stageName: string): Promise<void> {
  await ctx.read(async (tx: ReadTx) => {
    await getApi(tx, ctx.accountId, restApiId);
    await getStage(tx, restApiId, stageName);
  });
}

export const notYetHandlers: HandlerTable = {
  async GetSdk(input, ctx) {
    await apiAndStage(ctx, input.restApiId, input.stageName);
    const type = SDK_TYPES.find((t) => t.id === input.sdkType);
    if (type === undefined) throw badRequest(`Invalid SDK type specified: ${input.sdkType}. Valid values are ${SDK_TYPES.map((t) => t.id).join(', ')}`);
    for (const p of type.configurationProperties ?? []) {
      if (p.required && !input.parameters?.[p.name!]) {
        throw badRequest(`The ${type.friendlyName} SDK requires the parameter ${p.name} (${p.friendlyName})`);
      }
    }
    throw badRequest(`Gatehouse does not generate ${type.friendlyName} client SDKs yet`);
  },

  async FlushStageCache(input, ctx) {
    await apiAndStage(ctx, input.restApiId, input.stageName);
    throw badRequest('Gatehouse does not have a stage response cache yet, so there is nothing it can flush');
  },

  async FlushStageAuthorizersCache(input, ctx) {
    await apiAndStage(ctx, input.restApiId, input.stageName);
    throw badRequest('Gatehouse does not cache authorizer results yet, so there is nothing it can flush');
  },
};
