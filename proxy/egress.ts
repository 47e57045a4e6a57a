import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';

/** Thrown when the proxy must not connect to an address; `reason` is shown to the person browsing. */
export class EgressRefused extends Error {
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {
    super(`connection to ${address} refused: ${reason}`);
    this.name = 'EgressRefused';
  }
}

/** Ranges that reach the machine itself, the private network or cloud metadata. */
const DENIED: ReadonlyArray<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'a "this network" address'],
  ['10.0.0.0', 8, 'ipv4', 'a private network address'],
  ['100.64.0.0', 10, 'ipv4', 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local or cloud metadata address'],
  ['172.16.0.0', 12, 'ipv4', 'a private network address'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol address'],
  ['192.168.0.0', 16, 'ipv4', 'a private network address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking network address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['fc00::', 7, 'ipv6', 'a unique-local address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
  ['100::', 64, 'ipv6', 'a discard-only address'],
];

/** Parses "127.0.0.0/8, 10.1.0.0/16" into canonical CIDR strings; throws with the offending entry. */
export function parseCidrList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const [addr, bits, extra] = entry.split('/');
      const family = addr ? net.isIP(addr) : 0;
      const max = family === 6 ? 128 : 32;
      // Digits only: Number('') is 0, and "10.0.0.0/" must not silently become 10.0.0.0/0 (everything).
      const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
      if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
        throw new Error(`"${entry}" is not an IP network in CIDR form (e.g. 127.0.0.0/8)`);
      }
      return `${addr}/${prefix}`;
    });
}

/** IPv4 carried inside IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged as IPv4. */
export function embeddedIpv4(address: string): string | null {
  if (net.isIPv4(address)) return address;
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::|::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1] && net.isIPv4(dotted[1])) return dotted[1];
  const words = expandIpv6(lower);
  if (!words) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const isMapped = words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff;
  // Deprecated IPv4-compatible form ::a.b.c.d; ::1 and :: themselves are IPv6's own loopback and unspecified.
  const isCompatible = words.slice(0, 6).every((w) => w === 0) && (words[6] as number) >= 0x100;
  const isNat64 = words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0);
  if (isMapped || isCompatible || isNat64) return v4(words[6] as number, words[7] as number);
  if (words[0] === 0x2002) return v4(words[1] as number, words[2] as number);
  return null;
}

function expandIpv6(address: string): number[] | null {
  if (!net.isIPv6(address) || address.includes('.')) return null;
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part ? part.split(':').map((w) => Number.parseInt(w, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = 8 - left.length - right.length;
  return [...left, ...new Array(fill).fill(0), ...right];
}

export interface EgressOptions {
  /** Networks an operator lets through (TANDEM_ALLOW_NETWORKS). */
  allowNetworks: readonly string[];
  /** Tandem's own listening port: refused on any local address even when its network is allowed. */
  ownPort: number;
  /** Exact address:port pairs always allowed (Tandem's built-in demo site). */
  allowEndpoints?: ReadonlyArray<{ address: string; port: number }>;
}

/** Verdicts kept per guard; past this many addresses, forgotten and judged again. */
const MAX_JUDGED = 4096;

/** Decides, for the address a socket is about to connect to, whether the proxy may use it. */
export class EgressGuard {
  private readonly denied = new net.BlockList();
  private readonly allowed = new net.BlockList();
  private readonly reasons: Array<[net.BlockList, string]> = [];
  private readonly endpoints: Set<string>;
  /**
   * Verdicts so far, by address and port: the rules never change, and judging an address (BlockList
   * builds an address object per check) costs a request to an IP literal more than its headers do.
   */
  private readonly judged = new Map<string, string | null>();
  private readonly ownAddresses = new Set(
    Object.values(os.networkInterfaces())
      .flat()
      .map((i) => i?.address.toLowerCase())
      .filter((a): a is string => !!a),
  );

  constructor(private readonly options: EgressOptions) {
    for (const [addr, prefix, family, reason] of DENIED) {
      const list = new net.BlockList();
      list.addSubnet(addr, prefix, family);
      this.denied.addSubnet(addr, prefix, family);
      this.reasons.push([list, reason]);
    }
    for (const cidr of options.allowNetworks) {
      const [addr = '', prefix = ''] = cidr.split('/');
      this.allowed.addSubnet(addr, Number(prefix), net.isIPv6(addr) ? 'ipv6' : 'ipv4');
    }
    this.endpoints = new Set((options.allowEndpoints ?? []).map((e) => `${e.address}|${e.port}`));
  }

  /** Throws EgressRefused unless (address, port) may be connected to. */
  check(address: string, port: number): void {
    const key = `${address}|${port}`;
    let refusal = this.judged.get(key);
    if (refusal === undefined) {
      refusal = this.judge(address, port);
      if (this.judged.size >= MAX_JUDGED) this.judged.clear();
      this.judged.set(key, refusal);
    }
    if (refusal !== null) throw new EgressRefused(address, refusal);
  }

  /** Why (address, port) is refused, or null when it may be connected to. */
  private judge(address: string, port: number): string | null {
    if (this.endpoints.has(`${address}|${port}`)) return null;
    const v4 = embeddedIpv4(address);
    const judged = v4 ?? address;
    const family = v4 ? 'ipv4' : 'ipv6';
    const local = this.isLocal(judged, family);
    if (local && port === this.options.ownPort) return "it is Tandem's own address";
    if (this.allowed.check(judged, family)) return null;
    if (this.denied.check(judged, family)) {
      const reason = this.reasons.find(([list]) => list.check(judged, family))?.[1] ?? 'a non-public address';
      return `${reason}, which this server does not reach`;
    }
    return null;
  }

  /** Loopback, unspecified, or an address of one of this machine's own interfaces. */
  private isLocal(address: string, family: 'ipv4' | 'ipv6'): boolean {
    if (family === 'ipv4' && (address.startsWith('127.') || address === '0.0.0.0')) return true;
    if (family === 'ipv6' && (address === '::1' || address === '::')) return true;
    return this.ownAddresses.has(address.toLowerCase());
  }

  /**
   * A `lookup` for http.request/net.connect: every resolved address is checked, so a host name that
   * resolves to a forbidden address is refused at the moment the socket would connect to it.
   */
  lookupFor(port: number): net.LookupFunction {
    return (hostname, options, callback) => {
      dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0);
        // Only addresses that pass are offered to the socket; the name is refused if none does.
        const list: dns.LookupAddress[] = [];
        let refusal: EgressRefused | null = null;
        for (const a of addresses as dns.LookupAddress[]) {
          try {
            this.check(a.address, port);
            list.push(a);
          } catch (e) {
            refusal ??= e as EgressRefused;
          }
        }
        if (list.length === 0 && refusal) return callback(refusal as unknown as NodeJS.ErrnoException, '', 0);
        if ((options as dns.LookupOptions).all)
          return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, list);
        const first = list[0];
        if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
        callback(null, first.address, first.family);
      });
    };
  }
}
