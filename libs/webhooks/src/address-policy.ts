import net from 'node:net';
import type { AllowedTargets } from './allowed-targets.js';

/** Address ranges a webhook must never reach (SSRF): private, loopback, link-local, CGNAT, metadata, etc. */
const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, incl. 169.254.169.254 cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): the IPv4 it reaches is not recoverable from a fixed position
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo: tunnels to an IPv4 address we would have to trust blindly
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
  ['fd00:ec2::254', 128], // AWS metadata over IPv6
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv6');
}

/** Private networks: reachable through a host name the operator listed in WEBHOOK_ALLOWED_HOSTS. */
const PRIVATE = new net.BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
// Except AWS's IPv6 metadata address, which sits inside fc00::/7.
const METADATA = new net.BlockList();
METADATA.addAddress('fd00:ec2::254', 'ipv6');

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The 8 groups of an IPv6 address as numbers (`::` expanded, a trailing dotted quad folded in). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0];
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const bytes = quad[1].split('.').map(Number);
    if (bytes.some((b) => b > 255)) return undefined;
    text = `${text.slice(0, -quad[1].length)}${((bytes[0] << 8) | bytes[1]).toString(16)}:${((bytes[2] << 8) | bytes[3]).toString(16)}`;
  }
  const [head, tail, extra] = text.split('::');
  if (extra !== undefined) return undefined;
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((group) => parseInt(group, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<number>(Math.max(fill, 0)).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined;
}

function ipv4Of(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/**
 * The IPv4 address an IPv6 address carries, in every form that routes to it: IPv4-compatible `::a.b.c.d`,
 * IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` and 6to4
 * `2002:AABB:CCDD::`. Such an address is judged as the IPv4 address it reaches.
 */
export function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (!g) return undefined;
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && (g[5] === 0 || g[5] === 0xffff) && !(g[5] === 0 && g[6] === 0))
    return ipv4Of(g[6], g[7]); // ::a.b.c.d, ::ffff:a.b.c.d
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return ipv4Of(g[6], g[7]); // ::ffff:0:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return ipv4Of(g[6], g[7]); // 64:ff9b::/96
  if (g[0] === 0x2002) return ipv4Of(g[1], g[2]); // 6to4
  return undefined;
}

export interface AddressPolicy {
  /** Development/test only: allow loopback targets. */
  allowLoopback: boolean;
  /** WEBHOOK_ALLOWED_HOSTS: listed addresses/CIDRs are permitted whatever their range. */
  allowed?: AllowedTargets;
  /** The address was resolved from a host name listed in WEBHOOK_ALLOWED_HOSTS: private networks are permitted. */
  hostListed?: boolean;
}

/** Why an address may not be contacted, or null when it may. */
export function forbiddenAddressReason(address: string, policy: AddressPolicy): string | null {
  const family = net.isIP(address);
  if (!family) return `'${address}' is not an IP address`;
  const v4 = family === 6 ? embeddedIpv4(address) : address;
  const [checked, type] = v4 ? [v4, 'ipv4' as const] : [address, 'ipv6' as const];
  if (policy.allowLoopback && LOOPBACK.check(checked, type)) return null;
  if (policy.allowed?.listsAddress(checked)) return null;
  if (policy.hostListed && PRIVATE.check(checked, type) && !METADATA.check(checked, type)) return null;
  if (BLOCKED.check(checked, type))
    return `${address} is a private, loopback, link-local or reserved address`;
  return null;
}
