// The API dashboard, as the guide's "Monitor API execution with the API Gateway dashboard" shows
// it: per API and stage, over a date range, API calls, latency, integration latency, 4XX and 5XX
// errors, and cache hits and misses where caching is on, all read from the CloudWatch metrics
// API (GetMetricData) that scripts use too.
import { useState, type ReactNode } from 'react';
import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { GetRestApiCommand, GetStagesCommand } from '@aws-sdk/client-api-gateway';
import { apigateway, cloudwatch } from '../api.ts';
import { Field, Status, useLoad } from '../ui.tsx';

const RANGES: [string, number][] = [['1 hour', 3_600_000], ['3 hours', 3 * 3_600_000], ['12 hours', 12 * 3_600_000], ['1 day', 86_400_000], ['1 week', 7 * 86_400_000], ['2 weeks', 14 * 86_400_000]];

interface Chart {
  readonly id: string;
  readonly title: string;
  readonly metric: string;
  readonly stat: string;
  readonly unit: string;
}

const CHARTS: Chart[] = [
  { id: 'calls', title: 'API Calls', metric: 'Count', stat: 'Sum', unit: 'count' },
  { id: 'latency', title: 'Latency', metric: 'Latency', stat: 'Average', unit: 'ms' },
  { id: 'latencyp99', title: 'Latency p99', metric: 'Latency', stat: 'p99', unit: 'ms' },
  { id: 'integration', title: 'Integration Latency', metric: 'IntegrationLatency', stat: 'Average', unit: 'ms' },
  { id: 'errors4', title: '4XX Error', metric: '4XXError', stat: 'Sum', unit: 'count' },
  { id: 'errors5', title: '5XX Error', metric: '5XXError', stat: 'Sum', unit: 'count' },
  { id: 'hits', title: 'Cache Hit Count', metric: 'CacheHitCount', stat: 'Sum', unit: 'count' },
  { id: 'misses', title: 'Cache Miss Count', metric: 'CacheMissCount', stat: 'Sum', unit: 'count' },
];

/** One minute for an hour, then wider periods, so a chart has at most 360 points (CloudWatch's rule: a multiple of 60 s). */
function periodFor(rangeMs: number): number {
  return Math.max(60, Math.ceil(rangeMs / 1000 / 360 / 60) * 60);
}

export function DashboardView({ apiId }: { apiId: string }): ReactNode {
  const api = useLoad(() => apigateway().send(new GetRestApiCommand({ restApiId: apiId })), [apiId]);
  const stages = useLoad(() => apigateway().send(new GetStagesCommand({ restApiId: apiId })), [apiId]);
  const [stage, setStage] = useState('');
  const [range, setRange] = useState(RANGES[0]![1]);
  const [until, setUntil] = useState(() => Date.now());
  const cacheOn = (stages.data?.item ?? []).some((s) => (stage === '' || s.stageName === stage) && s.cacheClusterEnabled === true);
  const charts = CHARTS.filter((c) => cacheOn || (c.metric !== 'CacheHitCount' && c.metric !== 'CacheMissCount'));
  const name = api.data?.name;
  const period = periodFor(range);
  const data = useLoad(async () => {
    if (name === undefined) return null;
    const dimensions = [{ Name: 'ApiName', Value: name }, ...(stage !== '' ? [{ Name: 'Stage', Value: stage }] : [])];
    const queries: MetricDataQuery[] = charts.map((c) => ({
      Id: c.id, Label: c.title, MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: c.metric, Dimensions: dimensions }, Period: period, Stat: c.stat },
    }));
    const out = await cloudwatch().send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(until - range), EndTime: new Date(until), ScanBy: 'TimestampAscending' }));
    return out.MetricDataResults ?? [];
  }, [name, stage, range, until, cacheOn]);
  return (
    <div>
      <h2>Dashboard</h2>
      <div className="inline">
        <Field label="Stage">
          <select name="dashboardStage" value={stage} onChange={(e) => setStage(e.target.value)}>
            <option value="">All stages</option>
            {(stages.data?.item ?? []).map((s) => <option key={s.stageName}>{s.stageName}</option>)}
          </select>
        </Field>
        <Field label="Time range">
          <select name="dashboardRange" value={range} onChange={(e) => setRange(Number(e.target.value))}>
            {RANGES.map(([label, ms]) => <option key={ms} value={ms}>Last {label}</option>)}
          </select>
        </Field>
        <button type="button" onClick={() => setUntil(Date.now())}>Refresh</button>
      </div>
      <p className="hint">Period {period / 60} min · from the CloudWatch metrics API (namespace AWS/ApiGateway, dimensions ApiName{stage !== '' ? ', Stage' : ''}).</p>
      <Status loading={data.loading || api.loading} error={data.error ?? api.error} />
      <div className="charts">
        {charts.map((c) => {
          const r = (data.data ?? []).find((x) => x.Id === c.id);
          return <LineChart key={c.id} chart={c} from={until - range} to={until} times={(r?.Timestamps ?? []).map((t) => t.getTime())} values={r?.Values ?? []} />;
        })}
      </div>
    </div>
  );
}

/** A small line chart in inline SVG: the period values as points, the total or mean in the caption. */
function LineChart({ chart, from, to, times, values }: { chart: Chart; from: number; to: number; times: number[]; values: number[] }): ReactNode {
  const w = 320;
  const h = 120;
  const max = Math.max(1, ...values);
  const x = (t: number) => 30 + ((t - from) / (to - from)) * (w - 40);
  const y = (v: number) => h - 15 - (v / max) * (h - 30);
  const points = times.map((t, i) => `${x(t).toFixed(1)},${y(values[i]!).toFixed(1)}`).join(' ');
  const summary = values.length === 0 ? 'no data'
    : chart.unit === 'count' ? `${values.reduce((a, b) => a + b, 0)} total` : `${(values.reduce((a, b) => a + b, 0) / values.length).toFixed(1)} ms average`;
  return (
    <figure className="chart" data-testid={`chart-${chart.id}`}>
      <figcaption>{chart.title} <span className="hint" data-testid={`summary-${chart.id}`}>{summary}</span></figcaption>
      <svg width={w} height={h} role="img" aria-label={`${chart.title}: ${summary}`}>
        <line x1={30} y1={h - 15} x2={w - 10} y2={h - 15} className="axis" />
        <line x1={30} y1={10} x2={30} y2={h - 15} className="axis" />
        <text x={26} y={16} textAnchor="end" className="tick">{Number.isInteger(max) ? max : max.toFixed(1)}</text>
        <text x={26} y={h - 15} textAnchor="end" className="tick">0</text>
        {values.length > 1 && <polyline points={points} className="line" />}
        {times.map((t, i) => <circle key={t} cx={x(t)} cy={y(values[i]!)} r={2.5} className="dot"><title>{`${new Date(t).toLocaleString()}: ${values[i]}`}</title></circle>)}
      </svg>
    </figure>
  );
}
