// The access steps, in the order API Gateway runs its checks. Add a step here (one line) when
// its module lands; the order is the contract, so keep it AWS's:
//   1. resource policy and AWS_IAM (SigV4)      — src/access/iam*.ts, resource-policy.ts
//   2. Lambda authorizers (TOKEN, REQUEST)      — src/access/lambda-authorizer.ts
//   3. Cognito user pool authorizers            — src/access/cognito.ts
//   4. API key (x-api-key or usageIdentifierKey) — src/access/api-keys.ts
//   5. throttling (account, stage, method, key) and usage-plan quotas — src/access/throttle.ts
import { apiKeyStep } from './api-keys.ts';
import { cognitoUserPools } from './cognito.ts';
import type { AccessStepFactory } from './index.ts';
import { lambdaAuthorizerStep } from './lambda-authorizer.ts';
import { throttleStep } from './throttle.ts';

export const ACCESS_STEPS: readonly AccessStepFactory[] = [
  lambdaAuthorizerStep,
  cognitoUserPools,
  apiKeyStep,
  throttleStep,
];
