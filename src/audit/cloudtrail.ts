// The audit trail read back: CloudTrail's LookupEvents (what `aws cloudtrail lookup-events`
// calls; awsJson1.1 on Gatehouse's port), the retention that prunes events older than
// --audit-retention-days, and CloudTrail's JSON log files ({"Records": [...]}) under
// <data-dir>/logs/cloudtrail/ for log shippers.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { GatehouseConfig } from '../config.ts';
import { partitionOf } from '../http/aws-scope.ts';
import { awsJsonService, AwsJsonError, type AwsJsonService } from '../http/aws-json.ts';
import type { AuditQuery, Store } from '../store/index.ts';
import { log } from '../observe/log.ts';

const TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.';
const ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'];
const SUPPORTED_KEYS = new Set(['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceName', 'EventSource', 'AccessKeyId']);

function seconds(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new AwsJsonError('InvalidTimeRangeException', `${name} is not a valid time.`);
  return ms;
}

export function createCloudTrailService(config: GatehouseConfig, store: Store): AwsJsonService {
  return awsJsonService(config, {
    targetPrefix: TARGET,
    signingName: 'cloudtrail',
    jsonVersion: '1.1',
    title: 'CloudTrail',
    maxBodyBytes: 64 * 1024,
    operations: {
      async LookupEvents(call) {
        const input = call.input;
        const attrs = Array.isArray(input.LookupAttributes) ? (input.LookupAttributes as { AttributeKey?: unknown; AttributeValue?: unknown }[]) : [];
        if (attrs.length > 1) throw new AwsJsonError('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
        let attribute: AuditQuery['attribute'];
        if (attrs.length === 1) {
          const { AttributeKey: key, AttributeValue: value } = attrs[0]!;
          if (typeof key !== 'string' || !ATTRIBUTE_KEYS.includes(key)) throw new AwsJsonError('InvalidLookupAttributesException', `Invalid attribute key: ${String(key)}. Valid keys are ${ATTRIBUTE_KEYS.join(', ')}.`);
          if (typeof value !== 'string' || value === '') throw new AwsJsonError('InvalidLookupAttributesException', 'The attribute value must not be empty.');
          if (!SUPPORTED_KEYS.has(key)) throw new AwsJsonError('InvalidLookupAttributesException', `Gatehouse does not look events up by ${key}.`);
          attribute = { key: key as NonNullable<AuditQuery['attribute']>['key'], value };
        }
        const now = Date.now();
        const start = seconds(input.StartTime, 'StartTime') ?? now - config.auditRetentionDays * 86_400_000;
        const end = seconds(input.EndTime, 'EndTime') ?? now;
        if (start > end) throw new AwsJsonError('InvalidTimeRangeException', 'Start time must be before end time.');
        const max = input.MaxResults === undefined ? 50 : Number(input.MaxResults);
        if (!Number.isInteger(max) || max < 1 || max > 50) throw new AwsJsonError('InvalidMaxResultsException', 'MaxResults must be an integer between 1 and 50.');
        let before: number | undefined;
        if (typeof input.NextToken === 'string') {
          before = Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
          if (!Number.isInteger(before) || before < 1) throw new AwsJsonError('InvalidNextTokenException', 'Invalid NextToken.');
        }
        const rows = await store.lookupAudit({
          partition: partitionOf(call.accountId, call.region), start, end, limit: max + 1,
          ...(attribute !== undefined ? { attribute } : {}), ...(before !== undefined ? { before } : {}),
        });
        const page = rows.slice(0, max);
        return {
          Events: page.map((r) => {
            const e = JSON.parse(r.body) as Record<string, unknown>;
            const identity = e.userIdentity as { accessKeyId?: string; userName?: string; type?: string; principalId?: string; arn?: string };
            return {
              EventId: e.eventID,
              EventName: e.eventName,
              ReadOnly: String(e.readOnly),
              ...(identity.accessKeyId ? { AccessKeyId: identity.accessKeyId } : {}),
              EventTime: Date.parse(String(e.eventTime)) / 1000,
              EventSource: e.eventSource,
              Username: usernameOf(identity),
              Resources: r.resources.map((x) => {
                const eq = x.indexOf('=');
                return { ResourceType: x.slice(0, eq), ResourceName: x.slice(eq + 1) };
              }),
              CloudTrailEvent: r.body,
            };
          }),
          ...(rows.length > max ? { NextToken: Buffer.from(String(page[page.length - 1]!.seq)).toString('base64url') } : {}),
        };
      },
    },
  });
}

function usernameOf(identity: { userName?: string; type?: string; principalId?: string; arn?: string }): string {
  if (identity.userName !== undefined) return identity.userName;
  if (identity.type === 'Root') return 'root';
  if (identity.type === 'AssumedRole' && identity.arn !== undefined) return identity.arn.slice(identity.arn.lastIndexOf('/') + 1);
  return identity.principalId ?? '';
}

export interface AuditKeeper {
  /** Writes the events recorded since the last export to new log files now. */
  exportNow(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Every minute: events recorded since the last export go to a new CloudTrail log file per
 * account and region, `<account>_CloudTrail_<region>_<yyyyMMddTHHmmZ>_<random>.json` (CloudTrail's
 * naming), written to a temporary name and renamed so a shipper never reads half a file; the
 * position is kept in `.exported`. Every hour: events past the retention are pruned.
 */
export function keepAuditTrail(config: GatehouseConfig, store: Store, options: { exportFiles: boolean; intervalMs?: number }): AuditKeeper {
  const folder = join(config.dataDir, 'logs', 'cloudtrail');
  const files = options.exportFiles && config.dataDir !== ':memory:';
  let position = 0;
  if (files) {
    mkdirSync(folder, { recursive: true });
    try {
      position = Number(readFileSync(join(folder, '.exported'), 'utf8')) || 0;
    } catch {
      position = 0;
    }
  }
  let lastPrune = 0;
  let running: Promise<void> = Promise.resolve();

  async function exportOnce(): Promise<void> {
    for (;;) {
      const rows = await store.auditAfter(position, 1000);
      if (rows.length === 0) return;
      const byPartition = new Map<string, string[]>();
      for (const r of rows) {
        const list = byPartition.get(r.partition) ?? [];
        list.push(r.body);
        byPartition.set(r.partition, list);
      }
      const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
      for (const [partition, bodies] of byPartition) {
        const [account, region] = partition.split('/') as [string, string];
        const name = `${account}_CloudTrail_${region}_${stamp}_${randomBytes(8).toString('hex')}.json`;
        const tmp = join(folder, `.${name}.tmp`);
        writeFileSync(tmp, `{"Records":[${bodies.join(',')}]}\n`);
        renameSync(tmp, join(folder, name));
      }
      position = rows[rows.length - 1]!.seq;
      writeFileSync(join(folder, '.exported'), String(position));
      if (rows.length < 1000) return;
    }
  }

  async function tick(): Promise<void> {
    if (Date.now() - lastPrune > 3_600_000) {
      lastPrune = Date.now();
      await store.pruneAudit(Date.now() - config.auditRetentionDays * 86_400_000);
    }
    if (files) await exportOnce();
  }

  const run = (): Promise<void> => {
    running = running.then(tick).catch((err: unknown) => log().warn({ err: (err as Error).message }, 'audit trail: export or pruning failed; retrying in a minute'));
    return running;
  };
  const timer = setInterval(run, options.intervalMs ?? 60_000);
  timer.unref();
  void run();
  return {
    exportNow: run,
    async close() {
      clearInterval(timer);
      await run();
    },
  };
}
