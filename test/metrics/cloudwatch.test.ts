// CloudWatch's metrics API against a known mix of requests: the AWS CLI's get-metric-statistics
// and list-metrics (botocore speaks RPC v2 CBOR to CloudWatch), boto3's get_metric_data, the
// query protocol (form in, XML out) and awsJson1.0, with exact sums and plausible percentiles;
// detailed metrics per method; AWS/Lambda; CloudWatch's errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { strToU8, zipSync } from 'fflate';
import { CreateRestApiCommand, UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, awsCli, awsCliError, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { deploy, putMethod, resourcePath } from '../execute/helpers.ts';

const run = promisify(execFile);

describe('CloudWatch metrics of a known mix of requests', { timeout: 120_000 }, () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  const start = new Date(Date.now() - 30 * 60_000);
  const end = new Date(Date.now() + 30 * 60_000);
  const window = ['--start-time', start.toISOString(), '--end-time', end.toISOString()];

  async function stat(metric: string, dims: string[], statistics: string[] = ['Sum', 'SampleCount'], extended: string[] = []): Promise<{ Datapoints: Record<string, unknown>[]; Label: string }> {
    return awsCli(gh.url, [
      'cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/ApiGateway', '--metric-name', metric, '--dimensions', ...dims, ...window, '--period', '3600',
      ...(statistics.length > 0 ? ['--statistics', ...statistics] : []), ...(extended.length > 0 ? ['--extended-statistics', ...extended] : []),
    ]) as Promise<{ Datapoints: Record<string, unknown>[]; Label: string }>;
  }

  const total = (points: Record<string, unknown>[], key: string) => points.reduce((a, p) => a + Number(p[key] ?? 0), 0);

  before(async () => {
    gh = await startTestGatehouse();
    client = apiGatewayClient(gh.url);
    const id = (await client.send(new CreateRestApiCommand({ name: 'metered' }))).id!;
    await putMethod(client, id, await resourcePath(client, id, '/ok'), {
      httpMethod: 'GET',
      integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"ok": true}' } }],
    });
    await putMethod(client, id, await resourcePath(client, id, '/fail'), {
      httpMethod: 'GET',
      integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 500}' } },
      responses: [{ statusCode: '500', selectionPattern: '5\\d\\d', responseTemplates: { 'application/json': '{"ok": false}' } }],
    });
    await deploy(client, id, 'prod');
    await client.send(new UpdateStageCommand({ restApiId: id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/~1ok/GET/metrics/enabled', value: 'true' }] }));
    const base = `${gh.url}/restapis/${id}/prod/_user_request_`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${base}/ok`)).status);
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/nowhere`)).status);
    for (let i = 0; i < 2; i++) statuses.push((await fetch(`${base}/fail`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 403, 403, 403, 500, 500]);
  });

  after(async () => {
    await gh?.close();
  });

  it('get-metric-statistics (AWS CLI): exact sums of Count, 4XXError and 5XXError by ApiName', async () => {
    const count = await stat('Count', ['Name=ApiName,Value=metered']);
    assert.equal(count.Label, 'Count');
    assert.equal(total(count.Datapoints, 'Sum'), 10);
    assert.equal(total(count.Datapoints, 'SampleCount'), 10);
    assert.equal(count.Datapoints[0]!.Unit, 'Count');
    assert.equal(total((await stat('4XXError', ['Name=ApiName,Value=metered'])).Datapoints, 'Sum'), 3);
    assert.equal(total((await stat('5XXError', ['Name=ApiName,Value=metered'])).Datapoints, 'Sum'), 2);
    const byStage = await stat('Count', ['Name=ApiName,Value=metered', 'Name=Stage,Value=prod']);
    assert.equal(total(byStage.Datapoints, 'Sum'), 10);
    // Dimensions match exactly: a stage that has no data has no datapoints.
    assert.deepEqual((await stat('Count', ['Name=ApiName,Value=metered', 'Name=Stage,Value=dev'])).Datapoints, []);
  });

  it('latency statistics and percentiles are plausible', async () => {
    const latency = await stat('Latency', ['Name=ApiName,Value=metered'], ['SampleCount', 'Minimum', 'Maximum', 'Average'], ['p50', 'p99']);
    assert.equal(latency.Datapoints.length >= 1, true);
    const p = latency.Datapoints[0]!;
    assert.equal(total(latency.Datapoints, 'SampleCount'), 10);
    assert.equal(p.Unit, 'Milliseconds');
    const min = Number(p.Minimum);
    const max = Number(p.Maximum);
    const ext = p.ExtendedStatistics as Record<string, number>;
    assert.ok(min >= 0 && min <= Number(p.Average) && Number(p.Average) <= max, JSON.stringify(p));
    assert.ok(min <= ext.p50! && ext.p50! <= ext.p99! && ext.p99! <= max, JSON.stringify(p));
  });

  it('detailed metrics: the method with metrics enabled has its own series', async () => {
    const dims = ['Name=ApiName,Value=metered', 'Name=Method,Value=GET', 'Name=Resource,Value=/ok', 'Name=Stage,Value=prod'];
    assert.equal(total((await stat('Count', dims)).Datapoints, 'Sum'), 5);
    const failDims = ['Name=ApiName,Value=metered', 'Name=Method,Value=GET', 'Name=Resource,Value=/fail', 'Name=Stage,Value=prod'];
    assert.deepEqual((await stat('Count', failDims)).Datapoints, [], 'no detailed series where detailed metrics are off');
  });

  it('list-metrics lists the series and their metrics', async () => {
    const out = await awsCli(gh.url, ['cloudwatch', 'list-metrics', '--namespace', 'AWS/ApiGateway', '--metric-name', 'Count']) as { Metrics: { Dimensions: { Name: string; Value: string }[] }[] };
    const sets = out.Metrics.map((m) => m.Dimensions.map((d) => `${d.Name}=${d.Value}`).join(',')).sort();
    assert.deepEqual(sets, ['ApiName=metered', 'ApiName=metered,Method=GET,Resource=/ok,Stage=prod', 'ApiName=metered,Stage=prod']);
  });

  it('get_metric_data (boto3)', async () => {
    const script = `
import boto3, json, sys, datetime
cw = boto3.client('cloudwatch', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='${CREDENTIALS.accessKeyId}', aws_secret_access_key='${CREDENTIALS.secretAccessKey}')
now = datetime.datetime.now(datetime.timezone.utc)
r = cw.get_metric_data(MetricDataQueries=[
  {'Id': 'calls', 'MetricStat': {'Metric': {'Namespace': 'AWS/ApiGateway', 'MetricName': 'Count', 'Dimensions': [{'Name': 'ApiName', 'Value': 'metered'}]}, 'Period': 3600, 'Stat': 'Sum'}},
  {'Id': 'errors', 'MetricStat': {'Metric': {'Namespace': 'AWS/ApiGateway', 'MetricName': '5XXError', 'Dimensions': [{'Name': 'ApiName', 'Value': 'metered'}]}, 'Period': 3600, 'Stat': 'Sum'}},
  {'Id': 'slow', 'MetricStat': {'Metric': {'Namespace': 'AWS/ApiGateway', 'MetricName': 'Latency', 'Dimensions': [{'Name': 'ApiName', 'Value': 'metered'}]}, 'Period': 3600, 'Stat': 'p90'}},
], StartTime=now - datetime.timedelta(minutes=30), EndTime=now + datetime.timedelta(minutes=30))
print(json.dumps([{'Id': x['Id'], 'Values': x['Values'], 'Status': x['StatusCode'], 'n': len(x['Timestamps'])} for x in r['MetricDataResults']]))
`;
    const { stdout } = await run('python3', ['-c', script, gh.url]);
    const results = JSON.parse(stdout) as { Id: string; Values: number[]; Status: string; n: number }[];
    const byId = Object.fromEntries(results.map((r) => [r.Id, r]));
    assert.equal(byId.calls!.Values.reduce((a, b) => a + b, 0), 10);
    assert.equal(byId.errors!.Values.reduce((a, b) => a + b, 0), 2);
    assert.equal(byId.calls!.Status, 'Complete');
    assert.equal(byId.slow!.Values.length, byId.slow!.n);
    assert.ok(byId.slow!.Values.every((v) => v >= 0));
  });

  it('the query protocol (form in, XML out) and awsJson1.0 answer the same', async () => {
    const signer = new SignatureV4({ service: 'monitoring', region: REGION, credentials: CREDENTIALS, sha256: Sha256 });
    const u = new URL(gh.url);
    const form = new URLSearchParams({
      Action: 'GetMetricStatistics', Version: '2010-08-01', Namespace: 'AWS/ApiGateway', MetricName: 'Count', 'Dimensions.member.1.Name': 'ApiName',
      'Dimensions.member.1.Value': 'metered', StartTime: start.toISOString(), EndTime: end.toISOString(), Period: '3600', 'Statistics.member.1': 'Sum',
    }).toString();
    const q = await signer.sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', headers: { host: u.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: form });
    const { host: _h, ...qHeaders } = q.headers;
    const xml = await (await fetch(`${gh.url}/`, { method: 'POST', headers: qHeaders, body: form })).text();
    assert.match(xml, /^<GetMetricStatisticsResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><GetMetricStatisticsResult><Label>Count<\/Label><Datapoints>/);
    const sums = [...xml.matchAll(/<Sum>([\d.]+)<\/Sum>/g)].reduce((a, m) => a + Number(m[1]), 0);
    assert.equal(sums, 10);

    const body = JSON.stringify({
      Namespace: 'AWS/ApiGateway', MetricName: '4XXError', Dimensions: [{ Name: 'ApiName', Value: 'metered' }], StartTime: start.getTime() / 1000, EndTime: end.getTime() / 1000,
      Period: 3600, Statistics: ['Sum', 'Average'],
    });
    const j = await signer.sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', headers: { host: u.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.GetMetricStatistics' }, body });
    const { host: _j, ...jHeaders } = j.headers;
    const json = await (await fetch(`${gh.url}/`, { method: 'POST', headers: jHeaders, body })).json() as { Datapoints: { Sum: number; Average: number; Timestamp: number }[] };
    assert.equal(json.Datapoints.reduce((a, p) => a + p.Sum, 0), 3);
    assert.equal(typeof json.Datapoints[0]!.Timestamp, 'number');
  });

  it('answers CloudWatch\'s errors', async () => {
    const bad = await awsCliError(gh.url, ['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/ApiGateway', '--metric-name', 'Count', ...window, '--period', '61', '--statistics', 'Sum']);
    assert.deepEqual(bad, { code: 'InvalidParameterValue', message: 'The parameter Period must be a multiple of 60.' });
    const backwards = await awsCliError(gh.url, ['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/ApiGateway', '--metric-name', 'Count', '--start-time', end.toISOString(), '--end-time', start.toISOString(), '--period', '60', '--statistics', 'Sum']);
    assert.equal(backwards.code, 'InvalidParameterValue');
    const many = await awsCliError(gh.url, ['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/ApiGateway', '--metric-name', 'Count', '--start-time', new Date(Date.now() - 2 * 86_400_000).toISOString(), '--end-time', new Date().toISOString(), '--period', '60', '--statistics', 'Sum']);
    assert.equal(many.code, 'InvalidParameterCombination');
    assert.match(many.message, /^You have requested up to 2,880 datapoints, which exceeds the limit of 1,440\./);
  });

  it('AWS/Lambda: Invocations, Errors and Duration by FunctionName', async () => {
    const lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS });
    try {
      const code = 'export const handler = async (e) => { if (e.fail) throw new Error("no"); return { ok: true }; };';
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'counted', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/r', Code: { ZipFile: zipSync({ 'index.mjs': strToU8(code) }) } }));
      for (const fail of [false, false, true]) await lambda.send(new InvokeCommand({ FunctionName: 'counted', Payload: strToU8(JSON.stringify({ fail })) }));
    } finally {
      lambda.destroy();
    }
    const lstat = (metric: string, statistic = 'Sum') => awsCli(gh.url, ['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/Lambda', '--metric-name', metric, '--dimensions', 'Name=FunctionName,Value=counted', ...window, '--period', '3600', '--statistics', statistic]) as Promise<{ Datapoints: Record<string, unknown>[] }>;
    assert.equal(total((await lstat('Invocations')).Datapoints, 'Sum'), 3);
    assert.equal(total((await lstat('Errors')).Datapoints, 'Sum'), 1);
    const duration = await lstat('Duration', 'SampleCount');
    assert.equal(total(duration.Datapoints, 'SampleCount'), 3);
    assert.equal(duration.Datapoints[0]!.Unit, 'Milliseconds');
    assert.ok(total((await lstat('ConcurrentExecutions', 'Maximum')).Datapoints, 'Maximum') >= 1);
  });
});
