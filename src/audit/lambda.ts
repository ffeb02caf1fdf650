// The built-in Lambda service's management calls in the audit trail, named as CloudTrail names
// Lambda's events (CreateFunction20150331, UpdateFunctionCode20150331v2, ...). Invoke is a data
// event in CloudTrail, not a management event, and is not recorded. A call that changes a function
// writes its record in the change's transaction (the function store's onWrite hook).
import type { IncomingMessage } from 'node:http';
import type { LambdaCallRecorder } from '../lambda/api.ts';
import type { Store } from '../store/index.ts';
import { partitionOf } from '../http/aws-scope.ts';
import { log } from '../observe/log.ts';
import { auditRow, newAuditCall } from './record.ts';

const PREFIX = '/2015-03-31/functions';

/** CloudTrail's name of a Lambda API call; null for calls it does not record as management events. */
export function lambdaEventName(method: string, path: string): { name: string; functionName?: string } | null {
  if (!path.startsWith(PREFIX)) return null;
  const rest = path.slice(PREFIX.length);
  if (rest === '' || rest === '/') return method === 'GET' ? { name: 'ListFunctions20150331' } : method === 'POST' ? { name: 'CreateFunction20150331' } : null;
  const parts = rest.slice(1).split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const fn = parts[0]!;
  const sub = parts[1];
  const named = (name: string) => ({ name, functionName: fn });
  if (parts.length === 1) return method === 'GET' ? named('GetFunction20150331v2') : method === 'DELETE' ? named('DeleteFunction20150331') : null;
  switch (`${method} ${sub}`) {
    case 'GET configuration': return named('GetFunctionConfiguration20150331v2');
    case 'PUT configuration': return named('UpdateFunctionConfiguration20150331v2');
    case 'PUT code': return named('UpdateFunctionCode20150331v2');
    case 'POST policy': return named('AddPermission20150331v2');
    case 'GET policy': return named('GetPolicy20150331v2');
    case 'DELETE policy': return named('RemovePermission20150331v2');
    default: return null;
  }
}

export function lambdaAuditRecorder(store: Store, fallback: { accountId: string; region: string }): LambdaCallRecorder {
  return {
    start(req: IncomingMessage, requestId, account) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const named = lambdaEventName(req.method ?? 'GET', q === -1 ? url : url.slice(0, q));
      if (named === null) return null;
      const accountId = account?.accountId ?? fallback.accountId;
      const region = account?.region ?? fallback.region;
      const call = newAuditCall({
        eventSource: 'lambda.amazonaws.com', eventName: named.name, accountId, region, partition: partitionOf(accountId, region), requestId, req,
        readOnly: req.method === 'GET', caller: account?.caller ?? null,
      });
      const name = (fn: string | undefined): void => {
        if (fn === undefined || call.resources.length > 0) return;
        call.requestParameters = { functionName: fn };
        call.resources = [{ ResourceType: 'AWS::Lambda::Function', ResourceName: fn }];
      };
      name(named.functionName);
      let inTransaction = false;
      return {
        async inTransaction(tx) {
          // In the change's own transaction, so the change never commits without its record; the
          // answer is added once the call is over (the same eventID replaces this row).
          inTransaction = true;
          await tx.audit(auditRow(call, { response: null }));
        },
        finish(failure, answer) {
          name(typeof answer?.FunctionName === 'string' ? answer.FunctionName : undefined);
          // An AuthError's code, a LambdaError's name, or the error type of an answer the API wrote itself.
          const e = failure as { code?: unknown; name?: unknown; message?: unknown; status?: number } | undefined;
          const code = e?.code ?? (typeof e?.name === 'string' && e.name !== 'Error' ? e.name : undefined) ?? `HTTP ${e?.status ?? 500}`;
          // CreateFunction's answer is the function's configuration (its code is not in it).
          const outcome = failure === undefined ? { response: answer ?? null } : { errorCode: String(code), errorMessage: String(e?.message ?? '') };
          if (failure === undefined && answer === undefined && inTransaction) return;
          store.appendAudit(auditRow(call, outcome)).catch((err: unknown) => log().warn({ err: (err as Error).message, requestId }, 'audit trail: could not record a Lambda call'));
        },
      };
    },
  };
}
