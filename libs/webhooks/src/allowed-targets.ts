import net from 'node:net';

/**
 * WEBHOOK_ALLOWED_HOSTS: the private webhook targets an operator permits (an on-premises CRM on 10.x, the compose demo
 * receiver), empty by default. Each entry is one of:
 *   - a host name (`crm.internal`, `demo-receiver`): URLs naming it pass the "public host" check, may use http://,
 *     and it may resolve to a private network (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), but never to
 *     loopback, link-local (cloud metadata) or other reserved addresses;
 *   - an IP address or CIDR (`10.20.0.5`, `10.20.0.0/16`, `fd00:1::/64`): any address inside it may be contacted,
 *     whatever range it is in; loopback or a metadata address is permitted only by listing it this way.
 */
export class AllowedTargets {
  static readonly NONE = new AllowedTargets([], new net.BlockList(), false);

  private constructor(
    private readonly hosts: readonly string[],
    private readonly addresses: net.BlockList,
    private readonly hasAddresses: boolean,
  ) {}

  /** Parses a comma-separated list; throws naming the entry that is neither a host name, an address nor a CIDR. */
  static parse(list: string): AllowedTargets {
    const hosts: string[] = [];
    const addresses = new net.BlockList();
    let hasAddresses = false;
    for (const entry of list
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean)) {
      const [address, bits, extra] = entry.replace(/^\[|\]$/g, '').split('/');
      const family = net.isIP(address);
      if (family) {
        const type = family === 6 ? 'ipv6' : 'ipv4';
        if (bits === undefined) addresses.addAddress(address, type);
        else {
          const prefix = Number(bits);
          const max = family === 6 ? 128 : 32;
          if (extra !== undefined || !/^\d+$/.test(bits) || prefix > max)
            throw new Error(`'${entry}' is not a valid CIDR (prefix 0-${max})`);
          addresses.addSubnet(address, prefix, type);
        }
        hasAddresses = true;
      } else if (
        /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$/.test(entry)
      ) {
        hosts.push(entry.replace(/\.$/, ''));
      } else {
        throw new Error(`'${entry}' is neither a host name, an IP address nor a CIDR`);
      }
    }
    return hosts.length || hasAddresses
      ? new AllowedTargets(hosts, addresses, hasAddresses)
      : AllowedTargets.NONE;
  }

  get isEmpty(): boolean {
    return !this.hosts.length && !this.hasAddresses;
  }

  /** The host name (not an address) is listed. */
  listsHost(hostname: string): boolean {
    return this.hosts.includes(hostname.toLowerCase().replace(/\.$/, ''));
  }

  /** The address is listed, or inside a listed CIDR. */
  listsAddress(address: string): boolean {
    if (!this.hasAddresses) return false;
    const family = net.isIP(address);
    return family !== 0 && this.addresses.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
