// VPC links (REST APIs): a named pointer at one Network Load Balancer. Gatehouse has no VPC
// to provision, so a link is AVAILABLE as soon as it is stored; CreateVpcLink still answers
// PENDING as AWS does (recorded), and reads show the link ready. Its target is used as given.
import type { VpcLink } from '../../model/generated/types.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest } from '../errors.ts';
import { newId } from '../ids.ts';
import { listPage } from '../paging.ts';
import { applyPatch, field, type PatchRule } from '../patch.ts';
import { getVpcLinkDoc, KK, withTags } from './common.ts';

export const VPC_LINK_READY = 'Your vpc link is ready for use';

const NLB_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/net\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}$/;

function checkTargets(arns: string[] | undefined): void {
  if (arns === undefined || arns.length !== 1) throw badRequest('A VPC link for a REST API needs exactly one target: the ARN of a Network Load Balancer');
  if (!/^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/.test(arns[0]!)) throw badRequest(`Invalid ARN. ARN is not well formed ${arns[0]}`);
  if (!NLB_ARN.test(arns[0]!)) throw badRequest(`Invalid target ARN specified: ${arns[0]}. The target must be the ARN of a Network Load Balancer`);
}

const rules: PatchRule<VpcLink>[] = [
  field('name', {
    check: (v) => {
      if (typeof v !== 'string' || v.trim() === '') throw badRequest('Name cannot be empty');
    },
  }),
  field('description', { ops: ['replace', 'add', 'remove'] }),
];

function withEmptyTags(link: VpcLink): VpcLink {
  return { ...link, tags: link.tags ?? {} };
}

export const vpcLinkHandlers: HandlerTable = {
  async CreateVpcLink(input, ctx) {
    if (input.name.trim() === '') throw badRequest('Name cannot be empty');
    checkTargets(input.targetArns);
    const link: VpcLink = { id: newId(6), name: input.name };
    if (input.description !== undefined) link.description = input.description;
    link.targetArns = [...input.targetArns];
    link.status = 'AVAILABLE';
    link.statusMessage = VPC_LINK_READY;
    withTags(link, input.tags);
    return ctx.write(async (tx) => {
      await tx.put(KK.vpcLink, '', link.id!, link);
      const { statusMessage: _ready, ...pending } = link;
      return { ...pending, status: 'PENDING' };
    });
  },

  // A single link is answered with its tags, {} when it has none (recorded); list items without.
  async GetVpcLink(input, ctx) {
    return ctx.read(async (tx) => withEmptyTags(await getVpcLinkDoc(tx, input.vpcLinkId)));
  },

  async GetVpcLinks(input, ctx) {
    return ctx.read((tx) => listPage<VpcLink>(tx, KK.vpcLink, '', input));
  },

  async UpdateVpcLink(input, ctx) {
    return ctx.write(async (tx) => {
      const link = await getVpcLinkDoc(tx, input.vpcLinkId);
      const next = applyPatch(link, input.patchOperations, rules);
      await tx.put(KK.vpcLink, '', link.id!, next);
      return withEmptyTags(next);
    });
  },

  async DeleteVpcLink(input, ctx) {
    await ctx.write(async (tx) => {
      await getVpcLinkDoc(tx, input.vpcLinkId);
      await tx.delete(KK.vpcLink, '', input.vpcLinkId);
    });
  },
};
