// A stage as the execution plane serves it: the stage's deployment snapshot compiled with the
// stage's variables, read in one transaction so the stage and its snapshot agree.
import { K } from '../kinds.ts';
import type { Stage } from '../model/generated/types.ts';
import type { Store } from '../store/index.ts';
import { compileDeployment } from './compile.ts';
import { loadSnapshot } from './snapshot.ts';
import type { CompiledApi } from './types.ts';

/** null when the API, the stage or its deployment does not exist. `version` is the change-log
 *  position the caller had applied when it began (CompiledApi.version). */
export async function loadStage(store: Store, restApiId: string, stageName: string, version: number): Promise<CompiledApi | null> {
  const located = await store.locate(K.restApi, restApiId);
  if (located.length === 0) return null;
  const partition = located[0]!.partition;
  return store.read(partition, async (tx) => {
    const stage = await tx.get<Stage>(K.stage, restApiId, stageName);
    if (stage?.deploymentId === undefined) return null;
    const snapshot = await loadSnapshot(tx, restApiId, stage.deploymentId);
    if (snapshot === undefined) return null;
    return compileDeployment(snapshot, {
      restApiId,
      accountId: partition.slice(0, partition.indexOf('/')),
      stageName,
      deploymentId: stage.deploymentId,
      variables: stage.variables ?? {},
      version,
      region: partition.slice(partition.indexOf('/') + 1),
      stage,
    });
  });
}
