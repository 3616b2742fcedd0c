/**
 * The client's address, as the per-address limits count it: where it comes from, and the key
 * it is counted under.
 *
 * Where it comes from is a setting, not a guess. On Cloudflare the edge writes the client's
 * address into `cf-connecting-ip` and overwrites any the client sent, so a network deployed
 * there names that header (`CLIENT_ADDRESS_HEADER`). Anywhere else a client may send that
 * header itself: Miniflare, for one, writes the socket's address into it only when the request
 * carries none, and keeps a client's own. With the setting off the edge reads no header, and
 * takes the address the runtime reports for the socket (`request.cf.clientIp`, where the
 * runtime gives one), else counts every client as the one address {@linkcode LOCAL_ADDRESS}.
 *
 * The key: an IPv4 address as it is; an IPv6 address by its first `IPV6_PREFIX_BITS` bits
 * (a /64 by default, what one subscriber is given), so that one subscriber's 2^64 addresses
 * count as one; an IPv4-mapped IPv6 address as its IPv4 address.
 *
 * @module
 */

/** The address every client counts as when the runtime names none. */
export const LOCAL_ADDRESS = "local";

/** The key of an address that is no IPv4 or IPv6 address: one key for all such text. */
export const INVALID_ADDRESS = "invalid";

/** Where the edge reads a client's address: see {@linkcode clientAddress}. */
export interface AddressSource {
  /**
   * The header that holds the client's address, written by a proxy that overwrites what the
   * client sent (`cf-connecting-ip` on Cloudflare). Unset: no header is trusted.
   */
  readonly header?: string;
  /**
   * Tests only: a header through which one local client acts as many addresses. Never set
   * together with `header` (the config refuses it).
   */
  readonly testHeader?: string;
  /** How many leading bits of an IPv6 address make its key (`IPV6_PREFIX_BITS`). */
  readonly ipv6PrefixBits: number;
}

/**
 * The key a request's client is counted under by the per-address limits.
 *
 * @example Usage
 * ```ts
 * import { clientAddress } from "./client_address.ts";
 * const request = new Request("http://x/", { headers: { "cf-connecting-ip": "2001:db8:1:2::9" } });
 * const on = { header: "cf-connecting-ip", ipv6PrefixBits: 64 };
 * console.assert(clientAddress(request, on) === "2001:db8:1:2::/64");
 * console.assert(clientAddress(request, { ipv6PrefixBits: 64 }) === "local"); // header ignored
 * ```
 *
 * @param request The request.
 * @param source Which header to trust, if any, and the IPv6 prefix length.
 * @returns The address's key.
 */
export function clientAddress(request: Request, source: AddressSource): string {
  const test = source.testHeader ? request.headers.get(source.testHeader) : null;
  if (test !== null) return addressKey(test, source.ipv6PrefixBits);
  if (source.header) {
    const value = request.headers.get(source.header);
    return value === null ? LOCAL_ADDRESS : addressKey(value, source.ipv6PrefixBits);
  }
  const reported = (request as { cf?: { clientIp?: unknown } }).cf?.clientIp;
  return typeof reported === "string" && reported !== ""
    ? addressKey(reported, source.ipv6PrefixBits)
    : LOCAL_ADDRESS;
}

/**
 * The key of an address: IPv4 as it is, IPv6 by its prefix (`2001:db8:1:2::/64`).
 *
 * @example Usage
 * ```ts
 * import { addressKey } from "./client_address.ts";
 * console.assert(addressKey("2001:db8:1:2:aaaa::1", 64) === addressKey("2001:DB8:1:2:bbbb::9", 64));
 * console.assert(addressKey("203.0.113.9", 64) === "203.0.113.9");
 * console.assert(addressKey("::ffff:203.0.113.9", 64) === "203.0.113.9");
 * ```
 *
 * @param text The address as text.
 * @param ipv6PrefixBits How many leading bits of an IPv6 address make its key (1 to 128).
 * @returns The key; {@linkcode INVALID_ADDRESS} for text that is no address.
 */
export function addressKey(text: string, ipv6PrefixBits: number): string {
  const trimmed = text.trim();
  if (ipv4(trimmed)) return trimmed;
  const groups = ipv6Groups(trimmed);
  if (!groups) return INVALID_ADDRESS;
  // ::ffff:a.b.c.d is an IPv4 client seen through an IPv6 socket.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join(".");
  }
  const bits = Math.min(128, Math.max(1, Math.floor(ipv6PrefixBits)));
  const masked = groups.map((g, i) => {
    const keep = Math.min(16, Math.max(0, bits - 16 * i));
    return keep === 0 ? 0 : g & (0xffff << (16 - keep)) & 0xffff;
  });
  return `${compress(masked)}/${bits}`;
}

function ipv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 &&
    parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

// The eight 16-bit groups of an IPv6 address (a zone id after "%" dropped), or undefined.
function ipv6Groups(text: string): number[] | undefined {
  const address = text.replace(/^\[|\]$/g, "").split("%")[0];
  if (address.length > 45 || !/^[0-9a-fA-F:.]+$/.test(address)) return undefined;
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const parse = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes(".")) {
        if (!ipv4(part)) return undefined;
        const [a, b, c, d] = part.split(".").map(Number);
        out.push(a << 8 | b, c << 8 | d);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else return undefined;
    }
    return out;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const zeros = 8 - head.length - tail.length;
  return zeros >= 1 ? [...head, ...Array(zeros).fill(0), ...tail] : undefined;
}

// RFC 5952's text: lower case, the longest run of two or more zero groups as "::".
function compress(groups: number[]): string {
  let best = -1, bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}
