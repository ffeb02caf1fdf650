// Domain name access associations: which VPC endpoint may reach a private custom domain name.
import type { DomainName, DomainNameAccessAssociation } from '../../model/generated/types.ts';
import type { ReadTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { pageArray } from '../paging.ts';
import { K, notFoundMessage } from '../kinds.ts';
import { DOMAIN_NAME_KIND } from './domain-names.ts';

export const ACCESS_ASSOCIATION_KIND = K.accessAssociation;

const VPCE_ID = /^vpce-[0-9a-f]{8,17}$/;
// arn:aws:apigateway:{region}:{account}:/domainnames/{domainName}+{domainNameId}
const PRIVATE_DOMAIN_ARN = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):(\d{12}):\/domainnames\/([^+/]+)\+([a-z0-9]+)$/;

async function allAssociations(tx: ReadTx): Promise<DomainNameAccessAssociation[]> {
  const out: DomainNameAccessAssociation[] = [];
  let after: string | undefined;
  do {
    const page = await tx.list<DomainNameAccessAssociation>(ACCESS_ASSOCIATION_KIND, '', { after, limit: 500 });
    out.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return out;
}

async function privateDomainByArn(tx: ReadTx, arn: string, accountId: string): Promise<DomainName | undefined> {
  const m = PRIVATE_DOMAIN_ARN.exec(arn);
  if (m === null || m[2] !== accountId) return undefined;
  const d = await tx.get<DomainName>(DOMAIN_NAME_KIND, '', `${m[3]}+${m[4]}`);
  return d?.domainNameArn === arn ? d : undefined;
}

async function getAssociation(tx: ReadTx, arn: string): Promise<DomainNameAccessAssociation> {
  const a = await tx.get<DomainNameAccessAssociation>(ACCESS_ASSOCIATION_KIND, '', arn);
  if (a === undefined) throw notFound(notFoundMessage('accessAssociation', arn));
  return a;
}

export const accessAssociationHandlers: HandlerTable = {
  async CreateDomainNameAccessAssociation(input, ctx) {
    return ctx.write(async (tx) => {
      const d = await privateDomainByArn(tx, input.domainNameArn, ctx.accountId);
      if (d === undefined) throw badRequest(`Invalid domain name ARN specified: ${input.domainNameArn}. It must be the ARN of a private custom domain name`);
      if (input.accessAssociationSourceType !== 'VPCE') throw badRequest(`Invalid access association source type: ${input.accessAssociationSourceType}. Valid values are VPCE`);
      if (!VPCE_ID.test(input.accessAssociationSource)) throw badRequest(`Invalid access association source: ${input.accessAssociationSource}. It must be a VPC endpoint ID, vpce-...`);
      const arn = `arn:aws:apigateway:${ctx.region}:${ctx.accountId}:/domainnameaccessassociations/domainname/${d.domainName}+${d.domainNameId}/vpcesource/${input.accessAssociationSource}`;
      if ((await tx.get(ACCESS_ASSOCIATION_KIND, '', arn)) !== undefined) {
        throw conflict(`An access association between ${input.domainNameArn} and ${input.accessAssociationSource} already exists`);
      }
      const a: DomainNameAccessAssociation = {
        domainNameAccessAssociationArn: arn,
        domainNameArn: input.domainNameArn,
        accessAssociationSourceType: 'VPCE',
        accessAssociationSource: input.accessAssociationSource,
      };
      if (input.tags !== undefined && Object.keys(input.tags).length > 0) a.tags = input.tags;
      await tx.put(ACCESS_ASSOCIATION_KIND, '', arn, a);
      return a;
    });
  },

  async GetDomainNameAccessAssociations(input, ctx) {
    if (input.resourceOwner !== undefined && input.resourceOwner !== 'SELF' && input.resourceOwner !== 'OTHER_ACCOUNTS') {
      throw badRequest(`Invalid resource owner specified: ${input.resourceOwner}. Valid values are SELF, OTHER_ACCOUNTS`);
    }
    return ctx.read(async (tx) => {
      // Every association in a partition was made by its own account: none belongs to OTHER_ACCOUNTS.
      if (input.resourceOwner === 'OTHER_ACCOUNTS') return pageArray([], input);
      return pageArray(await allAssociations(tx), input);
    });
  },

  async DeleteDomainNameAccessAssociation(input, ctx) {
    await ctx.write(async (tx) => {
      const a = await getAssociation(tx, input.domainNameAccessAssociationArn);
      await tx.delete(ACCESS_ASSOCIATION_KIND, '', a.domainNameAccessAssociationArn!);
    });
  },

  async RejectDomainNameAccessAssociation(input, ctx) {
    await ctx.write(async (tx) => {
      const d = await privateDomainByArn(tx, input.domainNameArn, ctx.accountId);
      if (d === undefined) throw notFound('Invalid domain name identifier specified');
      const a = await getAssociation(tx, input.domainNameAccessAssociationArn);
      if (a.domainNameArn !== input.domainNameArn) {
        throw badRequest('The domain name access association does not belong to the specified domain name');
      }
      // The domain name's owner ends the association: the VPC endpoint loses access.
      await tx.delete(ACCESS_ASSOCIATION_KIND, '', a.domainNameAccessAssociationArn!);
    });
  },
};
