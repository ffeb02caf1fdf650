// Definitions as people write them (issue #11): each imports, exports and re-imports as the same
// API. Inputs are the files of test/openapi/real-world/ (sources and licences in SOURCES.md) and
// the definitions real AWS imported for the recordings (../shared/aws-recorded/files, read at run
// time, never copied).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { Gatehouse } from '../../src/server.ts';
import { useGatehouse } from '../helpers/server.ts';
import { recordingsDir } from '../aws-recorded/harness.ts';
import { describeApi } from './describe.ts';

type Obj = Record<string, any>;

let gh: Gatehouse;
useGatehouse((g) => {
  gh = g;
});

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

/** An ARN for a CloudFormation resource, told apart by its name: roles, user pools, else a function. */
function arnOf(resource: string): string {
  if (/role$/i.test(resource)) return `arn:aws:iam::${ACCOUNT}:role/${resource}`;
  if (/userpool$/i.test(resource)) return `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_${resource}`;
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${resource}`;
}

function substitute(text: string): string {
  return text.replace(/\$\{([A-Za-z0-9:._-]+)\}/g, (_all, name: string) => {
    if (name === 'AWS::Region') return REGION;
    if (name === 'AWS::AccountId') return ACCOUNT;
    if (name === 'AWS::Partition') return 'aws';
    if (name.endsWith('.Arn')) return arnOf(name.slice(0, -4));
    return name.toLowerCase();
  });
}

/**
 * What SAM and CloudFormation do to a definition before API Gateway sees it: Fn::Sub, Fn::GetAtt
 * and Ref resolved (with a made-up account and region). Definitions in SAM projects are written
 * with them; API Gateway itself never receives one.
 */
function resolveIntrinsics(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolveIntrinsics);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Obj;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    if (keys[0] === 'Fn::Sub') return substitute(Array.isArray(o['Fn::Sub']) ? o['Fn::Sub'][0] : o['Fn::Sub']);
    if (keys[0] === 'Fn::GetAtt') return arnOf(Array.isArray(o['Fn::GetAtt']) ? o['Fn::GetAtt'][0] : String(o['Fn::GetAtt']).split('.')[0]!);
    if (keys[0] === 'Ref') return String(o.Ref).toLowerCase();
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolveIntrinsics(x)]));
}

/** What the recorded tests put where their definitions hold placeholders. */
function fillPlaceholders(text: string): string {
  const lambda = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:f/invocations`;
  return text
    .replaceAll('${uri}', 'http://petstore.example.com/petstore/pets')
    .replaceAll('${authorizer_lambda_invocation_arn}', lambda)
    .replaceAll('${lambda_invocation_arn}', lambda)
    .replaceAll('${cognito_pool_arn}', `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_ABC123`)
    .replaceAll('arn:aws:iam::account-id:role', `arn:aws:iam::${ACCOUNT}:role/apigw-role`)
    .replaceAll('account-id', ACCOUNT);
}

interface Input {
  name: string;
  body: string;
}

function inputs(): Input[] {
  const out: Input[] = [];
  const own = join(import.meta.dirname, 'real-world');
  for (const name of readdirSync(own).filter((f) => /\.(json|ya?ml)$/.test(f)).sort()) {
    const text = readFileSync(join(own, name), 'utf8');
    const doc = name.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    out.push({ name, body: JSON.stringify(resolveIntrinsics(doc)) });
  }
  const recorded = join(recordingsDir(), 'files');
  for (const name of readdirSync(recorded).sort()) out.push({ name: `aws-recorded/${name}`, body: fillPlaceholders(readFileSync(join(recorded, name), 'utf8')) });
  return out;
}

async function invoke(op: string, input: Obj): Promise<Obj> {
  return (await gh.control.invoke(op as Parameters<Gatehouse['control']['invoke']>[0], input)) as Obj;
}

describe('real-world definitions import, export and re-import as the same API', () => {
  const all = inputs();
  test('there are at least twenty', () => {
    assert.ok(all.length >= 20, `${all.length} definitions`);
  });
  for (const { name, body } of all) {
    test(name, async () => {
      const first = await invoke('ImportRestApi', { body: Buffer.from(body), parameters: {} });
      try {
        await invoke('CreateDeployment', { restApiId: first.id, stageName: 'dev' });
      } catch (err) {
        // A definition with a method and no integration imports but cannot be deployed, in AWS
        // too (the documentation example is one): there is nothing to export.
        if ((err as Error).message === 'No integration defined for method') return;
        throw err;
      }
      for (const type of ['swagger', 'oas30']) {
        const exported = (await invoke('GetExport', { restApiId: first.id, stageName: 'dev', exportType: type, parameters: { extensions: 'apigateway' } })).body.toString('utf8');
        const second = await invoke('ImportRestApi', { body: Buffer.from(exported), parameters: {} });
        assert.deepEqual(await describeApi(gh.control, second.id), await describeApi(gh.control, first.id), `${type} export re-imports as the same API`);
      }
    });
  }
});
