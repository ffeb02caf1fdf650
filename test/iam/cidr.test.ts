// CIDR blocks for aws:SourceIp (src/iam/cidr.ts), checked against node:net (isIP and BlockList)
// as the oracle on random IPv4 and IPv6 addresses and blocks, and on the forms people write.
import assert from 'node:assert/strict';
import { BlockList, isIP } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cidrSet } from '../../src/iam/cidr.ts';

const invalid = (text: string) => new Error(`invalid ${text}`);

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
// Compressed and uncompressed forms alike: Node prints its own; the groups here are random.
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).chain((groups) =>
  fc.constantFrom(
    groups.map((g) => g.toString(16)).join(':'),
    // Zero a run and compress it.
    [...groups.slice(0, 2).map((g) => g.toString(16)), '', ...groups.slice(5).map((g) => g.toString(16))].join(':').replace(/:{3,}/, '::'),
  ));

describe('cidrSet', () => {
  it('agrees with node:net BlockList on random IPv4 blocks and addresses', () => {
    fc.assert(fc.property(v4, fc.nat(32), v4, (net, bits, address) => {
      const list = new BlockList();
      list.addSubnet(net, bits, 'ipv4');
      assert.equal(cidrSet([`${net}/${bits}`], invalid).has(address), list.check(address, 'ipv4'), `${net}/${bits} ∋ ${address}`);
    }), { numRuns: 3000 });
  });

  it('agrees with node:net BlockList on random IPv6 blocks and addresses, and on addresses near the block', () => {
    fc.assert(fc.property(v6, fc.nat(128), v6, fc.boolean(), (net, bits, other, near) => {
      // Half the time the address shares the block's prefix, so matches are tested, not only misses.
      const address = near ? net : other;
      if (isIP(net) !== 6 || isIP(address) !== 6) return;
      const list = new BlockList();
      list.addSubnet(net, bits, 'ipv6');
      assert.equal(cidrSet([`${net}/${bits}`], invalid).has(address), list.check(address, 'ipv6'), `${net}/${bits} ∋ ${address}`);
    }), { numRuns: 3000 });
  });

  it('reads what people write: single addresses, several blocks, mapped addresses, zones', () => {
    const set = cidrSet(['192.0.2.0/24', '198.51.100.7', '2001:db8::/32', '::1'], invalid);
    for (const yes of ['192.0.2.0', '192.0.2.255', '198.51.100.7', '::ffff:192.0.2.9', '::FFFF:198.51.100.7', '2001:db8::1', '2001:0db8:ffff::', '::1', '0:0:0:0:0:0:0:1']) {
      assert.ok(set.has(yes), yes);
    }
    for (const no of ['192.0.3.0', '198.51.100.8', '2001:db9::1', '::2', '', 'localhost', '192.0.2', '192.0.2.1.1', '192.0.2.256', '1::2::3', '2001:db8::g']) {
      assert.ok(!set.has(no), no);
    }
    assert.ok(cidrSet(['fe80::/10'], invalid).has('fe80::1%eth0'));
    assert.ok(cidrSet(['0.0.0.0/0'], invalid).has('203.0.113.5'));
    assert.ok(!cidrSet(['0.0.0.0/0'], invalid).has('2001:db8::1'));
    assert.ok(cidrSet(['::/0'], invalid).has('2001:db8::1'));
    // A block written as a mapped IPv4 block is that IPv4 block.
    assert.ok(cidrSet(['::ffff:10.0.0.0/104'], invalid).has('10.1.2.3'));
  });

  it('refuses what is no address or block, naming it', () => {
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', '300.0.0.0/8', 'anywhere', '', '010.0.0.1', '::ffff:10.0.0.0/90']) {
      assert.throws(() => cidrSet(['192.0.2.0/24', bad], invalid), { message: `invalid ${bad}` }, bad);
    }
  });
});
