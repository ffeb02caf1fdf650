// Every management operation Gatehouse implements, by the service model's operation name.
import type { HandlerTable } from './context.ts';
import { accountHandlers } from './apis/account.ts';
import { deploymentHandlers } from './apis/deployments.ts';
import { methodHandlers } from './apis/methods.ts';
import { modelHandlers } from './apis/models.ts';
import { resourceHandlers } from './apis/resources.ts';
import { restApiHandlers } from './apis/restapis.ts';
import { stageHandlers } from './apis/stages.ts';
import { keyHandlers } from './keys/index.ts';

export const HANDLERS: HandlerTable = {
  ...restApiHandlers,
  ...resourceHandlers,
  ...methodHandlers,
  ...modelHandlers,
  ...deploymentHandlers,
  ...stageHandlers,
  ...accountHandlers,
  ...keyHandlers,
};
