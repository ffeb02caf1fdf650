// The access steps, in the order API Gateway runs its checks. Add a step here (one line) when
// its module lands; the order is the contract, so keep it AWS's:
//   1. resource policy and AWS_IAM (SigV4)      — src/access/iam*.ts, resource-policy.ts
//   2. Lambda authorizers (TOKEN, REQUEST)      — src/access/lambda-authorizer.ts
//   3. Cognito user pool authorizers            — src/access/cognito.ts
//   4. API key (x-api-key or usageIdentifierKey) — src/access/api-keys.ts
//   5. throttling (account, stage, method, key) and usage-plan quotas — src/access/throttle.ts
import { apiKeyStep } from './api-keys.ts';
import { cognitoUserPools } from './cognito.ts';
import { awsIamStep } from './iam.ts';
import type { AccessStepFactory } from './index.ts';
import { lambdaAuthorizerStep } from './lambda-authorizer.ts';
import { resourcePolicy, resourcePolicyForCognito, resourcePolicyForIam } from './resource-policy.ts';
import { throttleStep } from './throttle.ts';

export const ACCESS_STEPS: readonly AccessStepFactory[] = [
  // The resource policy comes first for NONE and CUSTOM methods (for CUSTOM, only its explicit
  // deny, before the authorizer is called); for AWS_IAM it needs the verified caller, so it runs
  // right after the signature step, and for Cognito after the token is verified (a bad token is
  // 401 before the policy is asked), as AWS's flowcharts order them.
  resourcePolicy,
  awsIamStep,
  resourcePolicyForIam,
  lambdaAuthorizerStep,
  cognitoUserPools,
  resourcePolicyForCognito,
  apiKeyStep,
  throttleStep,
];
