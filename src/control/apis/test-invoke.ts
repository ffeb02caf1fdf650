// TestInvokeMethod: the console's "Test" button. The management side finds the method (with
// AWS's errors) and takes the API as it is now; execute runs it (src/execute/test-invoke.ts).
import { takeSnapshot } from '../../deploy/index.ts';
import { testInvokeMethod } from '../../execute/index.ts';
import type { TestInvokeMethodResponse } from '../../model/generated/types.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest } from '../errors.ts';
import { getApi, getMethod, getResource } from './lookups.ts';

export const testInvokeHandlers: HandlerTable = {
  async TestInvokeMethod(input, ctx): Promise<TestInvokeMethodResponse> {
    const snapshot = await ctx.read(async (tx) => {
      // The resource first, as AWS does: a missing API answers "Invalid Resource identifier specified" (recorded).
      await getResource(tx, input.restApiId, input.resourceId);
      const api = await getApi(tx, ctx.accountId, input.restApiId);
      const m = await getMethod(tx, input.restApiId, input.resourceId, input.httpMethod);
      if (m.methodIntegration === undefined) throw badRequest('No integration defined for method');
      return takeSnapshot(tx, api);
    });
    return testInvokeMethod(snapshot, input, ctx);
  },
};
