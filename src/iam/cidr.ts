// CIDR blocks for IpAddress / NotIpAddress (aws:SourceIp): parsed once into 32-bit words, tested
// with a few integer comparisons. node:net's BlockList costs about 6 µs a check (it builds a
// SocketAddress each time), which a resource policy with several IP statements pays on every
// request; this costs a parse of the address (remembered while the same address is tested
// against the next statement) and a mask per block.
//
// IPv4 blocks match IPv4 addresses and IPv4-mapped IPv6 ones (::ffff:192.0.2.1); IPv6 blocks
// match IPv6 addresses. A zone (fe80::1%eth0) is ignored.

/** An address as four 32-bit words (IPv4: the last word, the others 0 and `v4` set). */
interface Address {
  readonly v4: boolean;
  readonly words: readonly [number, number, number, number];
}

interface Block {
  readonly v4: boolean;
  readonly words: readonly [number, number, number, number];
  readonly masks: readonly [number, number, number, number];
}

export interface CidrSet {
  /** Whether `address` (text) is in any block; false for text that is no address. */
  has(address: string): boolean;
}

function parseV4(text: string): number | null {
  let value = 0;
  let part = -1;
  let parts = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 46 : text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return null;
      value = value * 256 + part;
      parts++;
      part = -1;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57) return null;
    // No leading zeros (they read as octal in some parsers): '010' is refused, as isIP refuses it.
    if (digits === 1 && part === 0) return null;
    part = part === -1 ? c - 48 : part * 10 + (c - 48);
    if (++digits > 3) return null;
  }
  return parts === 4 ? value >>> 0 : null;
}

function parseV6(input: string): [number, number, number, number] | null {
  const zone = input.indexOf('%');
  const text = zone === -1 ? input : input.slice(0, zone);
  if (text.length < 2) return null;
  const groups: number[] = [];
  let gap = -1;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  for (let h = 0; h < halves.length; h++) {
    if (h === 1) gap = groups.length;
    const half = halves[h]!;
    if (half === '') continue;
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.includes('.')) {
        // An embedded IPv4 address ends the address.
        if (h !== halves.length - 1 || i !== parts.length - 1) return null;
        const v4 = parseV4(p);
        if (v4 === null) return null;
        groups.push(v4 >>> 16, v4 & 0xffff);
        continue;
      }
      if (p.length === 0 || p.length > 4 || !/^[0-9a-fA-F]+$/.test(p)) return null;
      groups.push(parseInt(p, 16));
    }
  }
  if (gap === -1 ? groups.length !== 8 : groups.length > 7) return null;
  const full = gap === -1 ? groups : [...groups.slice(0, gap), ...new Array<number>(8 - groups.length).fill(0), ...groups.slice(gap)];
  return [
    ((full[0]! << 16) | full[1]!) >>> 0,
    ((full[2]! << 16) | full[3]!) >>> 0,
    ((full[4]! << 16) | full[5]!) >>> 0,
    ((full[6]! << 16) | full[7]!) >>> 0,
  ];
}

function parseAddress(text: string): Address | null {
  if (text.includes(':')) {
    const words = parseV6(text);
    if (words === null) return null;
    // ::ffff:a.b.c.d is the IPv4 address a.b.c.d.
    if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return { v4: true, words: [0, 0, 0, words[3]] };
    return { v4: false, words };
  }
  const v4 = parseV4(text);
  return v4 === null ? null : { v4: true, words: [0, 0, 0, v4] };
}

// The address last parsed: a request's aws:SourceIp is tested against each IP statement in turn.
let lastText = '';
let lastAddress: Address | null = null;

function addressOf(text: string): Address | null {
  if (text !== lastText) {
    lastAddress = parseAddress(text);
    lastText = text;
  }
  return lastAddress;
}

function maskWords(bits: number): [number, number, number, number] {
  const masks: [number, number, number, number] = [0, 0, 0, 0];
  for (let w = 0; w < 4; w++) {
    const inWord = Math.max(0, Math.min(32, bits - w * 32));
    masks[w] = inWord === 0 ? 0 : inWord === 32 ? 0xffffffff : (0xffffffff << (32 - inWord)) >>> 0;
  }
  return masks;
}

/** Parses one block ('192.0.2.0/24', '2001:db8::/32', or an address alone); null when it is neither. */
function parseBlock(text: string): Block | null {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseAddress(addressText);
  if (address === null) return null;
  const written6 = addressText.includes(':');
  let bits = written6 ? 128 : 32;
  if (slash !== -1) {
    const b = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b) || Number(b) > bits) return null;
    bits = Number(b);
  }
  // A block written as IPv4-mapped IPv6 (::ffff:192.0.2.0/120) is the IPv4 block it maps.
  if (written6 && address.v4) {
    if (bits < 96) return null;
    bits -= 96;
  }
  // Bits count from the first word; an IPv4 block's first 96 bits are the zeros before its word.
  const masks = maskWords(address.v4 ? bits + 96 : bits);
  const w = address.words;
  return { v4: address.v4, masks, words: [(w[0] & masks[0]) >>> 0, (w[1] & masks[1]) >>> 0, (w[2] & masks[2]) >>> 0, (w[3] & masks[3]) >>> 0] };
}

/** The blocks as one set; throws `invalid(text)` for the first that is not an address or CIDR block. */
export function cidrSet(blocks: readonly string[], invalid: (text: string) => Error): CidrSet {
  const v4: Block[] = [];
  const v6: Block[] = [];
  for (const text of blocks) {
    const b = parseBlock(text.trim());
    if (b === null) throw invalid(text);
    (b.v4 ? v4 : v6).push(b);
  }
  return {
    has(text) {
      const a = addressOf(text);
      if (a === null) return false;
      const list = a.v4 ? v4 : v6;
      const w = a.words;
      for (const b of list) {
        if (((w[0] & b.masks[0]) >>> 0) === b.words[0] && ((w[1] & b.masks[1]) >>> 0) === b.words[1]
          && ((w[2] & b.masks[2]) >>> 0) === b.words[2] && ((w[3] & b.masks[3]) >>> 0) === b.words[3]) return true;
      }
      return false;
    },
  };
}
