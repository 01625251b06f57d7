import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where webhook deliveries may go. An admin key (or a stolen one) must not turn the server into a
 * proxy to its own network: loopback, private (RFC 1918), link-local (169.254.0.0/16, where cloud
 * metadata answers), carrier-grade NAT, unique-local IPv6 (fd00:ec2::254 is EC2's metadata over
 * IPv6), multicast, reserved and the IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo,
 * NAT64) are refused. Only global unicast addresses pass, as ipaddr.js classifies them.
 *
 * The check runs when an endpoint is created or changed (early feedback) and again for every
 * delivery, inside the connection's own DNS lookup: the address that is checked is the address
 * that is connected to, so a name that resolves to a public address at the check and to 127.0.0.1
 * a moment later (DNS rebinding) gets nowhere.
 */

/** The Node lookup signature net.connect / http.request accept as `lookup`. */
export type LookupFunction = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

export const PRIVATE_TARGET = 'EPRIVATETARGET';

/** Why an address may not receive deliveries (its ipaddr.js range), or null when it may. */
export function refusedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const parsed = ipaddr.parse(address);
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is the IPv4 address it carries.
  const ip = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
  const range = ip.range();
  return range === 'unicast' ? null : range;
}

export class PrivateTargetError extends Error {
  readonly code = PRIVATE_TARGET;
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      host === address
        ? `${address} is a ${range} address; webhooks are delivered only to public addresses`
        : range === 'loopback' && isLocalhost(host)
          ? `${host} is a loopback name; webhooks are delivered only to public addresses`
        : `${host} resolves to ${address}, a ${range} address; webhooks are delivered only to public addresses`,
    );
  }
}

function isLocalhost(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** The host of a URL as a resolver or an IP parser wants it ([::1] → ::1). */
export function hostOf(url: string): string {
  const host = new URL(url).hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export interface TargetGuard {
  /** Whether private targets are allowed (WEBHOOK_ALLOW_PRIVATE_TARGETS). */
  readonly allowPrivate: boolean;
  /**
   * The refusal for a URL, or null: an IP literal is judged as it is, a name by every address it
   * resolves to now. A name that does not resolve yet passes (the delivery checks again).
   */
  check(url: string): Promise<PrivateTargetError | null>;
  /** A lookup for the delivery's connection that fails with PrivateTargetError instead of connecting to a refused address. */
  lookup: LookupFunction;
  /** Refusal for an IP-literal host (no lookup happens for those), or null. */
  checkLiteral(host: string): PrivateTargetError | null;
}

export function createTargetGuard(allowPrivate: boolean, resolve: LookupFunction = dnsLookup as unknown as LookupFunction): TargetGuard {
  const checkLiteral = (host: string): PrivateTargetError | null => {
    if (allowPrivate || !isIP(host)) return null;
    const range = refusedRange(host);
    return range ? new PrivateTargetError(host, host, range) : null;
  };

  const lookup: LookupFunction = (hostname, options, callback) => {
    // RFC 6761 §6.3: localhost and every name under it are loopback, whatever a resolver says.
    if (!allowPrivate && isLocalhost(hostname)) {
      return process.nextTick(() => callback(new PrivateTargetError(hostname, '127.0.0.1', 'loopback') as NodeJS.ErrnoException, ''));
    }
    resolve(hostname, options, (err, address, family) => {
      if (err || allowPrivate) return callback(err, address, family);
      const all: LookupAddress[] = Array.isArray(address) ? address : [{ address, family: family ?? (isIP(address) || 4) }];
      for (const a of all) {
        const range = refusedRange(a.address);
        if (range) return callback(new PrivateTargetError(hostname, a.address, range) as NodeJS.ErrnoException, address, family);
      }
      callback(null, address, family);
    });
  };

  return {
    allowPrivate,
    lookup,
    checkLiteral,
    async check(url) {
      if (allowPrivate) return null;
      const host = hostOf(url);
      if (isIP(host)) return checkLiteral(host);
      return new Promise((done) => {
        lookup(host, { all: true }, (err) => {
          if (err instanceof PrivateTargetError) return done(err);
          done(null);
        });
      });
    },
  };
}
