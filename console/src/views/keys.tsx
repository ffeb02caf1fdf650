// API keys, and usage plans with their stages, keys and a usage chart per key (GetUsage).
import { useState, type ReactNode } from 'react';
import {
  CreateApiKeyCommand, CreateUsagePlanCommand, CreateUsagePlanKeyCommand, DeleteApiKeyCommand, DeleteUsagePlanCommand, GetApiKeysCommand, GetUsageCommand,
  GetUsagePlanCommand, GetUsagePlanKeysCommand, GetUsagePlansCommand, UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { apigateway } from '../api.ts';
import { Action, Field, go, href, Status, useLoad } from '../ui.tsx';

export function KeysView(): ReactNode {
  const keys = useLoad(() => apigateway().send(new GetApiKeysCommand({ limit: 500, includeValues: false })), []);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  return (
    <section>
      <h1>API Keys</h1>
      <Status loading={keys.loading} error={keys.error} />
      <table className="list" aria-label="API keys">
        <thead><tr><th>Name</th><th>ID</th><th>Enabled</th><th>Created</th><th /></tr></thead>
        <tbody>
          {(keys.data?.items ?? []).map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td><td><code>{k.id}</code></td><td>{k.enabled ? 'Yes' : 'No'}</td><td>{k.createdDate?.toLocaleString() ?? ''}</td>
              <td><Action label="Delete" kind="danger" run={async () => {
                if (!window.confirm(`Delete the API key ${k.name}?`)) return;
                await apigateway().send(new DeleteApiKeyCommand({ apiKey: k.id! }));
                keys.reload();
              }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <fieldset>
        <legend>Create API key</legend>
        <Field label="Name"><input name="keyName" value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label="API key" hint="Empty: generated for you"><input name="keyValue" value={value} onChange={(e) => setValue(e.target.value)} /></Field>
        <Action label="Save" kind="primary" testId="create-key" run={async () => {
          const k = await apigateway().send(new CreateApiKeyCommand({ name, enabled: true, ...(value ? { value } : {}) }));
          setShown(k.value ?? null);
          setName('');
          setValue('');
          keys.reload();
        }} />
        {shown !== null && <p>The key's value: <code data-testid="key-value">{shown}</code></p>}
      </fieldset>
    </section>
  );
}

export function UsagePlansView({ planId }: { planId?: string }): ReactNode {
  const plans = useLoad(() => apigateway().send(new GetUsagePlansCommand({ limit: 500 })), []);
  const [name, setName] = useState('');
  const [rate, setRate] = useState('');
  const [burst, setBurst] = useState('');
  const [quota, setQuota] = useState('');
  const [period, setPeriod] = useState('DAY');
  return (
    <section>
      <h1>Usage Plans</h1>
      <Status loading={plans.loading} error={plans.error} />
      <div className="split">
        <nav className="tree" aria-label="Usage plans">
          <ul>{(plans.data?.items ?? []).map((p) => <li key={p.id}><a href={href('usage-plans', p.id!)} aria-current={p.id === planId ? 'page' : undefined}>{p.name}</a></li>)}</ul>
          <fieldset>
            <legend>Create usage plan</legend>
            <Field label="Name"><input name="planName" value={name} onChange={(e) => setName(e.target.value)} /></Field>
            <Field label="Throttling rate (requests per second)"><input name="planRate" value={rate} onChange={(e) => setRate(e.target.value)} /></Field>
            <Field label="Burst"><input name="planBurst" value={burst} onChange={(e) => setBurst(e.target.value)} /></Field>
            <Field label="Quota (requests)"><input name="planQuota" value={quota} onChange={(e) => setQuota(e.target.value)} /></Field>
            <Field label="Per"><select name="planPeriod" value={period} onChange={(e) => setPeriod(e.target.value)}>{['DAY', 'WEEK', 'MONTH'].map((p) => <option key={p}>{p}</option>)}</select></Field>
            <Action label="Create" kind="primary" testId="create-plan" run={async () => {
              const p = await apigateway().send(new CreateUsagePlanCommand({
                name,
                ...(rate || burst ? { throttle: { ...(rate ? { rateLimit: Number(rate) } : {}), ...(burst ? { burstLimit: Number(burst) } : {}) } } : {}),
                ...(quota ? { quota: { limit: Number(quota), period: period as 'DAY' } } : {}),
              }));
              plans.reload();
              go('usage-plans', p.id!);
            }} />
          </fieldset>
        </nav>
        <div className="pane">{planId !== undefined && <PlanEditor key={planId} planId={planId} onDeleted={() => { plans.reload(); go('usage-plans'); }} />}</div>
      </div>
    </section>
  );
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function PlanEditor({ planId, onDeleted }: { planId: string; onDeleted: () => void }): ReactNode {
  const plan = useLoad(() => apigateway().send(new GetUsagePlanCommand({ usagePlanId: planId })), [planId]);
  const planKeys = useLoad(() => apigateway().send(new GetUsagePlanKeysCommand({ usagePlanId: planId, limit: 500 })), [planId]);
  const allKeys = useLoad(() => apigateway().send(new GetApiKeysCommand({ limit: 500 })), []);
  const [apiId, setApiId] = useState('');
  const [stage, setStage] = useState('');
  const [keyId, setKeyId] = useState('');
  const today = new Date();
  const [from, setFrom] = useState(day(new Date(today.getTime() - 6 * 86_400_000)));
  const [to, setTo] = useState(day(today));
  const usage = useLoad(() => apigateway().send(new GetUsageCommand({ usagePlanId: planId, startDate: from, endDate: to })), [planId, from, to]);
  const p = plan.data;
  return (
    <div>
      <h2>{p?.name ?? planId}</h2>
      <Status loading={plan.loading} error={plan.error} />
      {p !== undefined && (
        <>
          <p>Throttling: {p.throttle ? `${p.throttle.rateLimit ?? '—'} rps, burst ${p.throttle.burstLimit ?? '—'}` : 'none'} · Quota: {p.quota ? `${p.quota.limit} per ${p.quota.period}` : 'none'}</p>
          <h3>Associated API stages</h3>
          <ul>{(p.apiStages ?? []).map((s) => <li key={`${s.apiId}/${s.stage}`}><code>{s.apiId}</code> {s.stage}</li>)}</ul>
          <div className="inline">
            <input aria-label="API id" placeholder="API id" value={apiId} onChange={(e) => setApiId(e.target.value)} />
            <input aria-label="Stage" placeholder="Stage" value={stage} onChange={(e) => setStage(e.target.value)} />
            <Action label="Add API stage" testId="add-stage" run={async () => {
              await apigateway().send(new UpdateUsagePlanCommand({ usagePlanId: planId, patchOperations: [{ op: 'add', path: '/apiStages', value: `${apiId}:${stage}` }] }));
              plan.reload();
            }} />
          </div>
          <h3>API keys</h3>
          <ul>{(planKeys.data?.items ?? []).map((k) => <li key={k.id}>{k.name} <code>{k.id}</code></li>)}</ul>
          <div className="inline">
            <select aria-label="API key to add" value={keyId} onChange={(e) => setKeyId(e.target.value)}>
              <option value="">Choose an API key</option>
              {(allKeys.data?.items ?? []).map((k) => <option key={k.id} value={k.id}>{k.name}</option>)}
            </select>
            <Action label="Add API key to usage plan" testId="add-key" run={async () => {
              await apigateway().send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: 'API_KEY' }));
              planKeys.reload();
              usage.reload();
            }} />
          </div>
          <h3>Usage</h3>
          <div className="inline">
            <Field label="From"><input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></Field>
            <Field label="To"><input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></Field>
          </div>
          <Status loading={usage.loading} error={usage.error} />
          {usage.data !== undefined && Object.entries(usage.data.items ?? {}).map(([key, days]) => (
            <UsageChart key={key} title={(planKeys.data?.items ?? []).find((k) => k.id === key)?.name ?? key} start={usage.data!.startDate!} days={days.map((d) => Number(d[0] ?? 0))} />
          ))}
          <Action label="Delete usage plan" kind="danger" run={async () => {
            if (!window.confirm(`Delete the usage plan ${p.name}?`)) return;
            await apigateway().send(new DeleteUsagePlanCommand({ usagePlanId: planId }));
            onDeleted();
          }} />
        </>
      )}
    </div>
  );
}

/** Requests per day as bars (inline SVG: nothing fetched). */
function UsageChart({ title, start, days }: { title: string; start: string; days: number[] }): ReactNode {
  const max = Math.max(1, ...days);
  const w = 28;
  const h = 120;
  const startMs = Date.parse(`${start}T00:00:00Z`);
  return (
    <figure className="chart" data-testid={`usage-${title}`}>
      <figcaption>{title}: {days.reduce((a, b) => a + b, 0)} requests</figcaption>
      <svg width={days.length * w + 10} height={h + 30} role="img" aria-label={`Daily requests of ${title}`}>
        {days.map((n, i) => {
          const bh = Math.round((n / max) * h);
          return (
            <g key={i}>
              <rect x={5 + i * w} y={h - bh} width={w - 6} height={bh} className="bar"><title>{`${day(new Date(startMs + i * 86_400_000))}: ${n}`}</title></rect>
              <text x={5 + i * w + (w - 6) / 2} y={h + 14} textAnchor="middle" className="tick">{day(new Date(startMs + i * 86_400_000)).slice(5)}</text>
              {n > 0 && <text x={5 + i * w + (w - 6) / 2} y={h - bh - 3} textAnchor="middle" className="tick">{n}</text>}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
