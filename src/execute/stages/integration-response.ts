// Integration response: picks the integration response whose selectionPattern matches the whole
// back-end status code (HTTP, MOCK, AWS services) — or, for Lambda, the error message — falling back to the
// response without a pattern. No match and no default: 500 Internal server error.
import { matchesSelectionPattern, type CompiledIntegration, type CompiledIntegrationResponse } from '../../deploy/index.ts';
import type { EndpointResponse } from '../../integrations/index.ts';
import { lambdaSelectionSubject } from '../../integrations/lambda.ts';
import { isLambdaIntegration } from '../../integrations/aws/target.ts';
import { configurationError } from '../errors.ts';
import type { InvocationScope } from '../types.ts';

export function selectIntegrationResponse(
  i: CompiledIntegration,
  res: EndpointResponse,
  scope: InvocationScope,
  // A Lambda function's result: its errorMessage; any other AWS service's: its status, as HTTP's.
  subject = i.type === 'AWS' && isLambdaIntegration(i) ? lambdaSelectionSubject(res) : String(res.statusCode),
): CompiledIntegrationResponse {
  for (const r of i.patternResponses) {
    if (matchesSelectionPattern(r.selectionPattern!, subject)) return r;
  }
  if (i.defaultResponse !== null) return i.defaultResponse;
  scope.log?.line('Execution failed due to configuration error: No match for output mapping and no default output mapping specified');
  throw configurationError('No match for output mapping and no default output mapping specified');
}
