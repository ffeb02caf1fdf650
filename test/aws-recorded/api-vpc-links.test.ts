// Replays of test_apigateway_api's VPC link recordings. The recording made a real network load
// balancer first; here its ARN is a well-formed stand-in (Gatehouse does not reach into ELB).
import { CreateVpcLinkCommand, DeleteVpcLinkCommand, GetVpcLinkCommand, GetVpcLinksCommand, UpdateVpcLinkCommand } from '@aws-sdk/client-api-gateway';
import { uid, useRecorded } from './harness.ts';

const rec = useRecorded('test_apigateway_api');
const NLB = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/gatehouse-nlb/50dc6c495c0c9188';

rec.test('TestApiGatewayVpcLink::test_vpc_link_lifecycle', async (r) => {
  r.alias(NLB, '<nlb-arn:1>');
  r.record('nlb-arn', NLB);
  const name = uid('vpc-link');
  const link = await r.ok('create_vpc_link', new CreateVpcLinkCommand({ name, targetArns: [NLB] }));
  await r.send('get_vpc_link', new GetVpcLinkCommand({ vpcLinkId: link.id }));
  await r.send('get_vpc_links', new GetVpcLinksCommand({}));
  await r.send('update_vpc_link', new UpdateVpcLinkCommand({ vpcLinkId: link.id, patchOperations: [{ op: 'replace', path: '/name', value: `${name}-updated` }] }));
  await r.send('delete_vpc_link', new DeleteVpcLinkCommand({ vpcLinkId: link.id }));
});

rec.test('TestApiGatewayVpcLink::test_create_vpc_link_invalid_parameters', async (r) => {
  await r.send('create_vpc_link_invalid_target_arn', new CreateVpcLinkCommand({ name: uid('vpc-link'), targetArns: ['invalid-arn'] }));
  await r.send('create_vpc_link_empty_name', new CreateVpcLinkCommand({ name: '', targetArns: [NLB] }));
});

rec.test('TestApiGatewayVpcLink::test_get_vpc_link_invalid_id', async (r) => {
  await r.send('get_vpc_link_invalid_id', new GetVpcLinkCommand({ vpcLinkId: 'invalid-id' }));
});

rec.test('TestApiGatewayVpcLink::test_delete_vpc_link_invalid_id', async (r) => {
  await r.send('delete_vpc_link_invalid_id', new DeleteVpcLinkCommand({ vpcLinkId: 'invalid-id' }));
});

rec.test('TestApiGatewayVpcLink::test_update_vpc_link_invalid_id', async (r) => {
  await r.send('update_vpc_link_invalid_id', new UpdateVpcLinkCommand({ vpcLinkId: 'invalid-id', patchOperations: [{ op: 'replace', path: '/name', value: 'x' }] }));
});
