// Operations whose real work belongs to later issues: exports (OpenAPI export), client SDK
// generation, and the stage and authorizer caches of the execution plane. They are routed and
// validated exactly as API Gateway validates them, then answer with a plain BadRequestException
// saying what Gatehouse does not do yet, never an empty or invented success. Replace each
// handler here when its feature lands.
import type { GetExportRequest, GetSdkRequest } from '../../model/generated/types.ts';
import type { ReadTx } from '../../store/index.ts';
import type { HandlerTable, OpContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { SDK_TYPES } from '../keys/sdk-types.ts';
import { getApi } from './lookups.ts';
import { getStage } from './stages.ts';

export const EXPORT_TYPES = ['swagger', 'oas30'];
const EXPORT_ACCEPTS = ['application/json', 'application/yaml'];
const EXPORT_EXTENSIONS = ['integrations', 'apigateway', 'authorizers', 'postman', 'documentation'];

async function apiAndStage(ctx: OpContext, restApiId: string, stageName: string): Promise<void> {
  await ctx.read(async (tx: ReadTx) => {
    await getApi(tx, ctx.accountId, restApiId);
    await getStage(tx, restApiId, stageName);
  });
}

export const notYetHandlers: HandlerTable = {
  async GetExport(input: GetExportRequest, ctx) {
    await apiAndStage(ctx, input.restApiId, input.stageName);
    if (!EXPORT_TYPES.includes(input.exportType)) {
      throw badRequest(`Invalid export type specified: ${input.exportType}. Valid values are ${EXPORT_TYPES.join(', ')}`);
    }
    if (input.accepts !== undefined && input.accepts !== '' && !EXPORT_ACCEPTS.includes(input.accepts.split(';')[0]!.trim())) {
      throw badRequest(`Invalid accepts value specified: ${input.accepts}. Valid values are ${EXPORT_ACCEPTS.join(', ')}`);
    }
    const extensions = input.parameters?.extensions;
    if (extensions !== undefined) {
      for (const e of extensions.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (!EXPORT_EXTENSIONS.includes(e)) throw badRequest(`Invalid extensions parameter specified: ${e}. Valid values are ${EXPORT_EXTENSIONS.join(', ')}`);
      }
    }
    throw badRequest(`Gatehouse does not generate ${input.exportType === 'oas30' ? 'OpenAPI 3.0' : 'Swagger 2.0'} exports yet`);
  },

  async GetSdk(input: GetSdkRequest, ctx) {
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

  async FlushStageCache(input: { restApiId: string; stageName: string }, ctx) {
    await apiAndStage(ctx, input.restApiId, input.stageName);
    throw badRequest('Gatehouse does not have a stage response cache yet, so there is nothing it can flush');
  },

  async FlushStageAuthorizersCache(input: { restApiId: string; stageName: string }, ctx) {
    await apiAndStage(ctx, input.restApiId, input.stageName);
    throw badRequest('Gatehouse does not cache authorizer results yet, so there is nothing it can flush');
  },
};
