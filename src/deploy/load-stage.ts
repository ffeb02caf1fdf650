// A stage as the execution plane serves it: the stage's deployment snapshot compiled with the
// stage's variables, read in one transaction so the stage and its snapshot agree. A stage with
// canarySettings also gets its canary deployment compiled, with the stage variables overridden
// by stageVariableOverrides, carried on the main version (CompiledApi.canary; docs/canary.md).
import { K } from '../kinds.ts';
import type { ClientCertificate, Stage } from '../model/generated/types.ts';
import type { Store } from '../store/index.ts';
import { compileDeployment } from './compile.ts';
import { loadSnapshot } from './snapshot.ts';
import type { CompiledApi, StageBinding } from './types.ts';

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
    const binding: StageBinding = {
      restApiId,
      accountId: partition.slice(0, partition.indexOf('/')),
      stageName,
      deploymentId: stage.deploymentId,
      variables: stage.variables ?? {},
      version,
      region: partition.slice(partition.indexOf('/') + 1),
      stage,
    };
    let main = compileDeployment(snapshot, binding);
    // The stage's client certificate, read with the stage (its private key is stored apart from the certificate).
    const certId = stage.clientCertificateId;
    if (certId !== undefined && certId !== '') {
      const cert = await tx.get<ClientCertificate>(K.clientCertificate, '', certId);
      const key = await tx.get<{ privateKeyPem: string }>(K.clientCertificateKey, '', certId);
      if (cert?.pemEncodedCertificate !== undefined && key !== undefined) {
        const clientCertificate = Object.freeze({ clientCertificateId: certId, certificatePem: cert.pemEncodedCertificate, privateKeyPem: key.privateKeyPem });
        main = Object.freeze({ ...main, clientCertificate });
      }
    }
    const canary = stage.canarySettings;
    if (canary?.deploymentId === undefined) return main;
    const canarySnapshot = canary.deploymentId === stage.deploymentId ? snapshot : await loadSnapshot(tx, restApiId, canary.deploymentId);
    // A canary whose deployment is gone serves nothing of its own: the stage serves its deployment.
    if (canarySnapshot === undefined) return main;
    const compiled = compileDeployment(canarySnapshot, {
      ...binding,
      deploymentId: canary.deploymentId,
      variables: { ...stage.variables, ...canary.stageVariableOverrides },
      // Without useStageCache the canary's requests neither read nor fill the stage's cache.
      stage: canary.useStageCache === true ? stage : { ...stage, cacheClusterEnabled: false },
    });
    const percentTraffic = Math.min(100, Math.max(0, Number(canary.percentTraffic ?? 0) || 0));
    const canaryApi = Object.freeze({ ...compiled, isCanary: true, ...(main.clientCertificate === undefined ? {} : { clientCertificate: main.clientCertificate }) });
    return Object.freeze({ ...main, canary: Object.freeze({ percentTraffic, api: canaryApi }) });
  });
}
