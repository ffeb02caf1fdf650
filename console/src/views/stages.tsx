// Deploy API, and the stage editor: stage variables, default method throttling, caching, logging,
// client certificate and canary, each saved with UpdateStage's patch operations.
import { useEffect, useState, type ReactNode } from 'react';
import {
  CreateDeploymentCommand, DeleteStageCommand, GetClientCertificatesCommand, GetStageCommand, GetStagesCommand, UpdateStageCommand,
  type PatchOperation, type Stage,
} from '@aws-sdk/client-api-gateway';
import { apigateway } from '../api.ts';
import { Action, CodeEditor, Field, formatPairs, go, href, parsePairs, Status, useLoad } from '../ui.tsx';

export function StagesView({ apiId, stageName }: { apiId: string; stageName?: string }): ReactNode {
  const stages = useLoad(() => apigateway().send(new GetStagesCommand({ restApiId: apiId })), [apiId]);
  return (
    <div className="split">
      <nav className="tree" aria-label="Stages">
        <ul>{(stages.data?.item ?? []).map((s) => <li key={s.stageName}><a href={href('apis', apiId, 'stages', s.stageName!)} aria-current={s.stageName === stageName ? 'page' : undefined}>{s.stageName}</a></li>)}</ul>
        <DeployForm apiId={apiId} stages={stages.data?.item ?? []} onDeployed={(name) => { stages.reload(); go('apis', apiId, 'stages', name); }} />
      </nav>
      <div className="pane">
        <Status loading={stages.loading} error={stages.error} />
        {stageName !== undefined ? <StageEditor key={stageName} apiId={apiId} stageName={stageName} onDeleted={() => { stages.reload(); go('apis', apiId, 'stages'); }} /> : <p>Choose a stage, or deploy the API to a new one.</p>}
      </div>
    </div>
  );
}

function DeployForm({ apiId, stages, onDeployed }: { apiId: string; stages: Stage[]; onDeployed: (stage: string) => void }): ReactNode {
  const [target, setTarget] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const newStage = target === '' || !stages.some((s) => s.stageName === target);
  return (
    <fieldset>
      <legend>Deploy API</legend>
      <Field label="Deployment stage">
        <select name="deployStage" value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">[New Stage]</option>
          {stages.map((s) => <option key={s.stageName}>{s.stageName}</option>)}
        </select>
      </Field>
      {newStage && <Field label="Stage name"><input name="newStageName" value={name} onChange={(e) => setName(e.target.value)} /></Field>}
      <Field label="Deployment description"><input name="deploymentDescription" value={description} onChange={(e) => setDescription(e.target.value)} /></Field>
      <Action label="Deploy" kind="primary" testId="deploy" run={async () => {
        const stageName = target !== '' ? target : name;
        await apigateway().send(new CreateDeploymentCommand({ restApiId: apiId, stageName, ...(description ? { description } : {}) }));
        onDeployed(stageName);
      }} />
    </fieldset>
  );
}

function StageEditor({ apiId, stageName, onDeleted }: { apiId: string; stageName: string; onDeleted: () => void }): ReactNode {
  const stage = useLoad(() => apigateway().send(new GetStageCommand({ restApiId: apiId, stageName })), [apiId, stageName]);
  const certs = useLoad(() => apigateway().send(new GetClientCertificatesCommand({})), []);
  const s = stage.data;
  const defaults = s?.methodSettings?.['*/*'];
  const [vars, setVars] = useState('');
  const [rate, setRate] = useState('');
  const [burst, setBurst] = useState('');
  const [cache, setCache] = useState(false);
  const [cacheSize, setCacheSize] = useState('0.5');
  const [logging, setLogging] = useState('OFF');
  const [metrics, setMetrics] = useState(false);
  const [cert, setCert] = useState('');
  const [canary, setCanary] = useState('');
  useEffect(() => {
    if (s === undefined) return;
    setVars(formatPairs(s.variables));
    setRate(defaults?.throttlingRateLimit !== undefined ? String(defaults.throttlingRateLimit) : '');
    setBurst(defaults?.throttlingBurstLimit !== undefined ? String(defaults.throttlingBurstLimit) : '');
    setCache(s.cacheClusterEnabled === true);
    setCacheSize(s.cacheClusterSize ?? '0.5');
    setLogging(defaults?.loggingLevel ?? 'OFF');
    setMetrics(defaults?.metricsEnabled === true);
    setCert(s.clientCertificateId ?? '');
    setCanary(s.canarySettings?.percentTraffic !== undefined ? String(s.canarySettings.percentTraffic) : '');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [s]);

  async function save(): Promise<void> {
    if (s === undefined) return;
    const ops: PatchOperation[] = [];
    const next = parsePairs(vars);
    for (const k of Object.keys(s.variables ?? {})) if (!(k in next)) ops.push({ op: 'remove', path: `/variables/${k}` });
    for (const [k, v] of Object.entries(next)) if (s.variables?.[k] !== v) ops.push({ op: 'replace', path: `/variables/${k}`, value: v });
    if (rate !== '' && Number(rate) !== defaults?.throttlingRateLimit) ops.push({ op: 'replace', path: '/*/*/throttling/rateLimit', value: rate });
    if (burst !== '' && Number(burst) !== defaults?.throttlingBurstLimit) ops.push({ op: 'replace', path: '/*/*/throttling/burstLimit', value: burst });
    if (cache !== (s.cacheClusterEnabled === true)) ops.push({ op: 'replace', path: '/cacheClusterEnabled', value: String(cache) });
    if (cache && cacheSize !== (s.cacheClusterSize ?? '0.5')) ops.push({ op: 'replace', path: '/cacheClusterSize', value: cacheSize });
    if (logging !== (defaults?.loggingLevel ?? 'OFF')) ops.push({ op: 'replace', path: '/*/*/logging/loglevel', value: logging });
    if (metrics !== (defaults?.metricsEnabled === true)) ops.push({ op: 'replace', path: '/*/*/metrics/enabled', value: String(metrics) });
    if (cert !== (s.clientCertificateId ?? '')) ops.push({ op: 'replace', path: '/clientCertificateId', value: cert });
    const had = s.canarySettings?.percentTraffic;
    if (canary === '' && s.canarySettings !== undefined) ops.push({ op: 'remove', path: '/canarySettings' });
    else if (canary !== '' && had === undefined) {
      ops.push({ op: 'replace', path: '/canarySettings/percentTraffic', value: canary }, { op: 'replace', path: '/canarySettings/deploymentId', value: s.deploymentId! });
    } else if (canary !== '' && Number(canary) !== had) ops.push({ op: 'replace', path: '/canarySettings/percentTraffic', value: canary });
    if (ops.length > 0) await apigateway().send(new UpdateStageCommand({ restApiId: apiId, stageName, patchOperations: ops }));
    stage.reload();
  }

  return (
    <div>
      <h2>{stageName} Stage Editor</h2>
      <Status loading={stage.loading} error={stage.error} />
      {s !== undefined && (
        <>
          <p>Invoke URL: <code data-testid="invoke-url">{`${window.location.origin}/restapis/${apiId}/${stageName}/_user_request_/`}</code> · deployment <code>{s.deploymentId}</code></p>
          <fieldset className="editor">
            <legend>Settings</legend>
            <label className="check"><input type="checkbox" name="cacheClusterEnabled" checked={cache} onChange={(e) => setCache(e.target.checked)} /> Enable API cache</label>
            {cache && (
              <Field label="Cache capacity (GB)">
                <select name="cacheClusterSize" value={cacheSize} onChange={(e) => setCacheSize(e.target.value)}>{['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'].map((z) => <option key={z}>{z}</option>)}</select>
              </Field>
            )}
            <Field label="Default method throttling: rate (requests per second)"><input name="throttlingRateLimit" value={rate} onChange={(e) => setRate(e.target.value)} /></Field>
            <Field label="Burst"><input name="throttlingBurstLimit" value={burst} onChange={(e) => setBurst(e.target.value)} /></Field>
            <Field label="CloudWatch logging">
              <select name="loggingLevel" value={logging} onChange={(e) => setLogging(e.target.value)}>{['OFF', 'ERROR', 'INFO'].map((l) => <option key={l}>{l}</option>)}</select>
            </Field>
            <label className="check"><input type="checkbox" name="metricsEnabled" checked={metrics} onChange={(e) => setMetrics(e.target.checked)} /> Enable detailed CloudWatch metrics</label>
            <Field label="Client certificate">
              <select name="clientCertificateId" value={cert} onChange={(e) => setCert(e.target.value)}>
                <option value="">None</option>
                {(certs.data?.items ?? []).map((c) => <option key={c.clientCertificateId} value={c.clientCertificateId}>{c.clientCertificateId} {c.description ?? ''}</option>)}
              </select>
            </Field>
            <Field label="Canary: percentage of requests" hint="Empty: no canary"><input name="canaryPercent" value={canary} onChange={(e) => setCanary(e.target.value)} /></Field>
            <Field label="Stage variables" hint="One per line: name=value"><CodeEditor label="Stage variables" value={vars} onChange={setVars} rows={4} /></Field>
            <Action label="Save Changes" kind="primary" run={save} testId="save-stage" />
          </fieldset>
          <Action label="Delete Stage" kind="danger" testId="delete-stage" run={async () => {
            if (!window.confirm(`Delete the stage ${stageName}?`)) return;
            await apigateway().send(new DeleteStageCommand({ restApiId: apiId, stageName }));
            onDeleted();
          }} />
        </>
      )}
    </div>
  );
}
