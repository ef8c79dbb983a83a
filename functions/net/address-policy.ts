import { isIP } from 'node:net';

/**
 * Which addresses an outbound request to a supplied URL may reach: public unicast only.
 * Refused: unspecified, loopback, private (RFC 1918, unique-local), link-local (incl. the
 * cloud metadata 169.254.169.254), CGNAT 100.64/10, multicast, broadcast, reserved and
 * documentation ranges, and IPv6 forms that embed an IPv4 address (IPv4-mapped ::ffff:0:0/96,
 * IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo) when the embedded
 * address is refused — or always, where it cannot be told.
 */

const V4_BLOCKED: readonly (readonly [number, number])[] = [
  [0x00000000, 8], // 0.0.0.0/8 "this network"
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 CGNAT
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local (instance metadata)
  [0xac100000, 12], // 172.16/12
  [0xc0000000, 24], // 192.0.0/24 IETF protocol assignments
  [0xc0000200, 24], // 192.0.2/24 TEST-NET-1
  [0xc0586300, 24], // 192.88.99/24 6to4 relay anycast
  [0xc0a80000, 16], // 192.168/16
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xc6336400, 24], // 198.51.100/24 TEST-NET-2
  [0xcb007100, 24], // 203.0.113/24 TEST-NET-3
  [0xe0000000, 4], // 224/4 multicast
  [0xf0000000, 4], // 240/4 reserved, incl. 255.255.255.255
];

const v4ToInt = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);

const isBlockedV4 = (ip: string): boolean => {
  const n = v4ToInt(ip);
  return V4_BLOCKED.some(([net, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)));
};

/** 16 bytes of an IPv6 address (zone id refused: undefined), or undefined when it does not parse. */
export const parseIpv6 = (raw: string): Uint8Array | undefined => {
  if (raw.includes('%')) return undefined;
  let text = raw.toLowerCase();
  const out = new Uint8Array(16);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tailWords: number[] = [];
  if (v4?.[1]) {
    if (isIP(v4[1]) !== 4) return undefined;
    const n = v4ToInt(v4[1]);
    tailWords = [Math.floor(n / 65536), n % 65536];
    text = text.slice(0, -v4[1].length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (s: string | undefined) =>
    s ? s.split(':').map((w) => (/^[0-9a-f]{1,4}$/.test(w) ? Number.parseInt(w, 16) : Number.NaN)) : [];
  const head = words(halves[0]);
  const tail = [...words(halves[1]), ...tailWords];
  if (halves.length === 1 && halves[0] === '' && tailWords.length) head.length = 0;
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0) || [...head, ...tail].some(Number.isNaN)) return undefined;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
};

const embeddedV4 = (b: Uint8Array, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
const zeros = (b: Uint8Array, from: number, to: number): boolean => b.slice(from, to).every((x) => x === 0);

const isBlockedV6 = (ip: string): boolean => {
  const b = parseIpv6(ip);
  if (!b) return true;
  const [b0 = 0, b1 = 0] = b;
  if (zeros(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return isBlockedV4(embeddedV4(b, 12)); // ::ffff:a.b.c.d
  if (zeros(b, 0, 12)) return true; // ::, ::1 and deprecated IPv4-compatible ::a.b.c.d
  if (b0 === 0x00 && b1 === 0x64 && b[2] === 0xff && b[3] === 0x9b) return true; // NAT64 64:ff9b::/96 and 64:ff9b:1::/48
  if (b0 === 0x01 && b1 === 0x00 && zeros(b, 2, 8)) return true; // 100::/64 discard
  if (b0 === 0x20 && b1 === 0x01 && b[2]! < 0x02) return true; // 2001::/23: Teredo, benchmarking, ORCHID, …
  if (b0 === 0x20 && b1 === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return true; // 2001:db8::/32 documentation
  if (b0 === 0x20 && b1 === 0x02) return isBlockedV4(embeddedV4(b, 2)); // 6to4
  if ((b0 & 0xfe) === 0xfc) return true; // fc00::/7 unique local
  if (b0 === 0xfe && (b1 & 0xc0) === 0x80) return true; // fe80::/10 link-local
  if (b0 === 0xfe && (b1 & 0xc0) === 0xc0) return true; // fec0::/10 site-local (deprecated)
  if (b0 === 0xff) return true; // multicast
  if (b0 === 0x3f && b1 === 0xff) return true; // 3fff::/20 documentation
  return false;
};

/** True when an outbound request must not connect to this address. Anything that is not an IP is refused. */
export const isBlockedAddress = (address: string): boolean => {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip);
  if (family === 4) return isBlockedV4(ip);
  if (family === 6) return isBlockedV6(ip);
  return true;
};

/** Loopback only (127/8, ::1, ::ffff:127.x): what local mode additionally allows, for test servers. */
export const isLoopbackAddress = (address: string): boolean => {
  const ip = address.replace(/^\[|\]$/g, '');
  if (isIP(ip) === 4) return ip.startsWith('127.');
  const b = isIP(ip) === 6 ? parseIpv6(ip) : undefined;
  if (!b) return false;
  if (zeros(b, 0, 15) && b[15] === 1) return true;
  return zeros(b, 0, 10) && b[10] === 0xff && b[11] === 0xff && b[12] === 127;
};
