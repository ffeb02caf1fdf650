// Deployments: immutable snapshots of an API, optionally creating or updating a stage.
import type { Deployment, Stage } from '../../model/generated/types.ts';
import { apiSummary, takeSnapshot, type ApiSnapshot } from '../../deploy/index.ts';
import type { ReadTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { newId, now } from '../ids.ts';
import { K } from '../kinds.ts';
import { listPage } from '../paging.ts';
import { applyPatch, field, type PatchRule } from '../patch.ts';
import { getApi } from './lookups.ts';
import { checkStageName, checkVariables, insertStage } from './stages.ts';

async function getDeployment(tx: ReadTx, restApiId: string, id: string): Promise<Deployment> {
  const d = await tx.get<Deployment>(K.deployment, restApiId, id);
  if (d === undefined) throw notFound('Invalid Deployment identifier specified');
  return d;
}

function checkDeployable(s: ApiSnapshot): void {
  let methods = 0;
  for (const r of s.resources) {
    for (const [verb, m] of Object.entries(r.resourceMethods ?? {})) {
      methods++;
      if (m.methodIntegration === undefined) throw badRequest(`No integration defined for method`);
      void verb;
    }
  }
  if (methods === 0) throw badRequest("The REST API doesn't contain any methods");
}

const rules: PatchRule<Deployment>[] = [field('description', { ops: ['replace', 'add', 'remove'] })];

export const deploymentHandlers: HandlerTable = {
  async CreateDeployment(input, ctx) {
    // A canary deployment goes to an existing stage (AWS's words, recorded).
    const canary = input.canarySettings;
    if (canary !== undefined && (input.stageName === undefined || input.stageName === '')) {
      throw badRequest(`Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is ${input.stageName ?? 'null'}`);
    }
    if (input.stageName !== undefined) checkStageName(input.stageName);
    checkVariables(input.variables);
    const d = await ctx.write(async (tx) => {
      const api = await getApi(tx, ctx.accountId, input.restApiId);
      const target = input.stageName === undefined ? undefined : await tx.get<Stage>(K.stage, input.restApiId, input.stageName);
      if (canary !== undefined && target === undefined) {
        throw badRequest(`Invalid deployment content specified.Stage ${input.stageName} must already be created before making a canary release deployment`);
      }
      const snapshot = await takeSnapshot(tx, api);
      checkDeployable(snapshot);
      const d: Deployment = { id: newId(6), createdDate: now() };
      if (input.description !== undefined) d.description = input.description;
      await tx.put(K.deployment, input.restApiId, d.id!, { ...d, apiSummary: apiSummary(snapshot) });
      await tx.put(K.snapshot, input.restApiId, d.id!, snapshot);
      if (canary !== undefined && target !== undefined) {
        // The new deployment becomes the stage's canary; the stage keeps its own deployment.
        const canarySettings = { deploymentId: d.id!, percentTraffic: canary.percentTraffic ?? 0, useStageCache: canary.useStageCache ?? false, ...(canary.stageVariableOverrides !== undefined ? { stageVariableOverrides: canary.stageVariableOverrides } : {}) };
        await tx.put(K.stage, input.restApiId, input.stageName!, { ...target, canarySettings, lastUpdatedDate: now() });
      } else if (input.stageName !== undefined) {
        const existing = target;
        if (existing === undefined) {
          await insertStage(tx, {
            restApiId: input.restApiId,
            stageName: input.stageName,
            deploymentId: d.id!,
            description: input.stageDescription,
            cacheClusterEnabled: input.cacheClusterEnabled,
            cacheClusterSize: input.cacheClusterSize,
            variables: input.variables,
            tracingEnabled: input.tracingEnabled,
          });
        } else {
          // Deploying to an existing stage points it at the new deployment; given variables replace the old ones.
          const next: Stage = { ...existing, deploymentId: d.id!, lastUpdatedDate: now() };
          if (input.variables !== undefined) next.variables = { ...existing.variables, ...input.variables };
          if (input.stageDescription !== undefined) next.description = input.stageDescription;
          await tx.put(K.stage, input.restApiId, input.stageName, next);
        }
      }
      return d;
    });
    return d;
  },

  async GetDeployment(input, ctx) {
    return ctx.read(async (tx) => {
      const { apiSummary: summary, ...d } = await getDeployment(tx, input.restApiId, input.deploymentId);
      return input.embed?.includes('apisummary') ? { ...d, apiSummary: summary } : d;
    });
  },

  async GetDeployments(input, ctx) {
    return ctx.read(async (tx) => {
      const page = await listPage<Deployment>(tx, K.deployment, input.restApiId, input);
      return { ...page, items: page.items.map(({ apiSummary: _s, ...d }) => d) };
    });
  },

  async UpdateDeployment(input, ctx) {
    return ctx.write(async (tx) => {
      const d = await getDeployment(tx, input.restApiId, input.deploymentId);
      const next = applyPatch(d, input.patchOperations, rules);
      await tx.put(K.deployment, input.restApiId, d.id!, next);
      const { apiSummary: _s, ...out } = next;
      return out;
    });
  },

  async DeleteDeployment(input, ctx) {
    await ctx.write(async (tx) => {
      await getDeployment(tx, input.restApiId, input.deploymentId);
      const { items: stages } = await tx.list<Stage>(K.stage, input.restApiId);
      if (stages.some((s) => s.deploymentId === input.deploymentId || s.canarySettings?.deploymentId === input.deploymentId)) {
        throw badRequest('Active stages pointing to this deployment must be moved or deleted');
      }
      await tx.delete(K.deployment, input.restApiId, input.deploymentId);
      await tx.delete(K.snapshot, input.restApiId, input.deploymentId);
    });
  },
};
