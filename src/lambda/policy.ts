// A function's resource-based policy (AddPermission / RemovePermission / GetPolicy), formed
// the way Lambda forms it: one statement per StatementId, principals and conditions expanded.
import { LambdaError, missingMember } from './errors.ts';
import type { PolicyStatement } from './function-config.ts';

const SID = /^([a-zA-Z0-9-_.]+)$/;
const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;

export function buildStatement(body: Record<string, unknown>, resource: string): PolicyStatement {
  const sid = body['StatementId'];
  const action = body['Action'];
  const principal = body['Principal'];
  if (typeof sid !== 'string') throw missingMember('statementId');
  if (typeof action !== 'string') throw missingMember('action');
  if (typeof principal !== 'string') throw missingMember('principal');
  if (!SID.test(sid) || sid.length > 100) {
    throw new LambdaError('ValidationException', `1 validation error detected: Value '${sid}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)`);
  }
  if (!ACTION.test(action)) {
    throw new LambdaError('ValidationException', `1 validation error detected: Value '${action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])`);
  }
  const statement: PolicyStatement = { Sid: sid, Effect: 'Allow', Principal: principalOf(principal), Action: action, Resource: resource };
  const condition: Record<string, Record<string, string>> = {};
  if (typeof body['SourceAccount'] === 'string') (condition['StringEquals'] ??= {})['AWS:SourceAccount'] = body['SourceAccount'];
  if (typeof body['EventSourceToken'] === 'string') (condition['StringEquals'] ??= {})['lambda:EventSourceToken'] = body['EventSourceToken'];
  if (typeof body['PrincipalOrgID'] === 'string') (condition['StringEquals'] ??= {})['aws:PrincipalOrgID'] = body['PrincipalOrgID'];
  if (typeof body['FunctionUrlAuthType'] === 'string') (condition['StringEquals'] ??= {})['lambda:FunctionUrlAuthType'] = body['FunctionUrlAuthType'];
  if (typeof body['SourceArn'] === 'string') (condition['ArnLike'] ??= {})['AWS:SourceArn'] = body['SourceArn'];
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  return statement;
}

function principalOf(p: string): string | Record<string, string> {
  if (p === '*') return '*';
  if (/^\d{12}$/.test(p)) return { AWS: `arn:aws:iam::${p}:root` };
  if (p.startsWith('arn:')) return { AWS: p };
  return { Service: p };
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}
