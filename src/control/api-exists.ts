// The precondition of every operation on one REST API: the API its restApiId label names exists
// in the caller's partition, else AWS's NotFoundException "Invalid API identifier specified
// {account}:{id}". The dispatcher holds it once for all of them (src/control/index.ts), as the
// first read of each transaction the operation opens: a check in a transaction of its own would
// let a DeleteRestApi commit between it and the handler's write, which would then leave
// documents under an API that is gone. Coral's validation (coral.ts) and the protocol's binding
// run before any transaction, so their errors still come first, as AWS answers.
import { OPERATIONS, type OperationName } from '../model/generated/operations.ts';
import { SHAPES } from '../model/generated/shapes.ts';
import type { ReadTx } from '../store/index.ts';
import { getApi } from './apis/lookups.ts';

/**
 * Operations for which AWS reports a missing API through another lookup it makes first, so a
 * missing API answers with that lookup's error (recorded; docs/aws-recorded.md). Their handlers
 * make those lookups themselves, in AWS's order.
 */
const OWN_LOOKUP_FIRST: ReadonlySet<OperationName> = new Set<OperationName>([
  // The resource first: "Invalid Resource identifier specified".
  'PutMethod', 'GetMethod', 'UpdateMethod', 'DeleteMethod',
  'PutMethodResponse', 'GetMethodResponse', 'UpdateMethodResponse', 'DeleteMethodResponse',
  'PutIntegration', 'GetIntegration', 'UpdateIntegration', 'DeleteIntegration',
  'PutIntegrationResponse', 'GetIntegrationResponse', 'UpdateIntegrationResponse', 'DeleteIntegrationResponse',
  'TestInvokeMethod',
  // The model, validator or documentation part first: "Invalid ... identifier specified".
  'GetModel', 'UpdateModel', 'DeleteModel',
  'GetRequestValidator', 'UpdateRequestValidator', 'DeleteRequestValidator',
  'GetDocumentationPart', 'UpdateDocumentationPart',
  // Answers of their own: a 400 "Invalid REST API identifier specified", and a 409 about
  // concurrent modification.
  'CreateRequestValidator', 'CreateAuthorizer',
]);

/** Operations whose input names one REST API by a URI label, and whose API the dispatcher checks. */
export const API_CHECKED: ReadonlySet<OperationName> = new Set(
  OPERATIONS.filter((op) => {
    if (op.input === null || OWN_LOOKUP_FIRST.has(op.name)) return false;
    const shape = SHAPES[op.input];
    return shape.type === 'structure' && shape.members['restApiId']?.location === 'uri';
  }).map((op) => op.name),
);

/** The REST API id the dispatcher checks for `operation` with this input; null when none. */
export function checkedApiId(operation: OperationName, input: Readonly<Record<string, unknown>>): string | null {
  if (!API_CHECKED.has(operation)) return null;
  // Bound HTTP input always has the label (it is required); invoke's callers pass it as a string.
  return String(input['restApiId'] ?? '');
}

/** Fails with AWS's NotFoundException when the API is not in this transaction's partition. */
export async function requireApi(tx: ReadTx, accountId: string, restApiId: string): Promise<void> {
  await getApi(tx, accountId, restApiId);
}
