// Account-level resources of the management API: API keys, usage plans and their keys and
// usage, client certificates, VPC links, tags on every taggable resource, and client SDKs.
import type { HandlerTable } from '../context.ts';
import { apiKeyHandlers } from './api-keys.ts';
import { clientCertificateHandlers } from './client-certificates.ts';
import { sdkHandlers } from './sdk.ts';
import { tagHandlers } from './tags.ts';
import { usagePlanHandlers } from './usage-plans.ts';
import { vpcLinkHandlers } from './vpc-links.ts';

export { checkClientCertificateExists, getClientCertificateKeyPair } from './client-certificates.ts';
export { KK } from './common.ts';

export const keyHandlers: HandlerTable = {
  ...apiKeyHandlers,
  ...usagePlanHandlers,
  ...clientCertificateHandlers,
  ...vpcLinkHandlers,
  ...tagHandlers,
  ...sdkHandlers,
};
