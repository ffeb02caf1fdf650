// Every management operation Gatehouse implements, by the service model's operation name.
import type { HandlerTable } from './context.ts';
import { accountHandlers } from './apis/account.ts';
import { deploymentHandlers } from './apis/deployments.ts';
import { integrationHandlers } from './apis/integrations.ts';
import { methodHandlers } from './apis/methods.ts';
import { modelHandlers } from './apis/models.ts';
import { resourceHandlers } from './apis/resources.ts';
import { restApiHandlers } from './apis/restapis.ts';
import { stageHandlers } from './apis/stages.ts';
import { keyHandlers } from './keys/index.ts';
import { authorizerHandlers } from './apis/authorizers.ts';
import { documentationHandlers } from './apis/documentation.ts';
import { gatewayResponseHandlers } from './apis/gateway-responses.ts';
import { requestValidatorHandlers } from './apis/request-validators.ts';
import { testInvokeHandlers } from './apis/test-invoke.ts';
import { accessAssociationHandlers } from './domains/access-associations.ts';
import { basePathMappingHandlers } from './domains/base-path-mappings.ts';
import { domainNameHandlers } from './domains/domain-names.ts';
import { openapiHandlers } from '../openapi/index.ts';

export const HANDLERS: HandlerTable = {
  ...restApiHandlers,
  ...resourceHandlers,
  ...methodHandlers,
  ...integrationHandlers,
  ...modelHandlers,
  ...deploymentHandlers,
  ...stageHandlers,
  ...accountHandlers,
  ...keyHandlers,
  ...authorizerHandlers,
  ...requestValidatorHandlers,
  ...gatewayResponseHandlers,
  ...documentationHandlers,
  ...domainNameHandlers,
  ...basePathMappingHandlers,
  ...accessAssociationHandlers,
  ...testInvokeHandlers,
  ...openapiHandlers,
};
