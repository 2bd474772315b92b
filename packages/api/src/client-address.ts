// The address a request comes from, for per-address rate limits. Only an address that no client
// can choose is believed: the TCP peer's, which the web app's server (apps/web/server.ts) writes
// into SOCKET_ADDRESS_HEADER on every request, over whatever a client sent. X-Forwarded-For is read
// only as far back as each hop was added by a proxy the operator trusts (ATTUNE_TRUSTED_PROXIES);
// on a platform whose edge sets a client-address header itself, that header is named instead
// (ATTUNE_CLIENT_ADDRESS_HEADER).
import { BlockList, isIP } from "node:net";

/** The TCP peer's address; set only by apps/web/server.ts. */
export const SOCKET_ADDRESS_HEADER = "x-attune-socket-address";

/** The client address resolved here, the one header better-auth's rate limits read. */
export const CLIENT_ADDRESS_HEADER = "x-attune-client-address";

export interface ClientAddressSettings {
  /** Proxies in front of the web app, whose X-Forwarded-For entries are believed. */
  trustedProxies: BlockList;
  /** A header that the hosting platform's edge sets to the client's address, if any. */
  platformHeader?: string;
}

/**
 * The settings from ATTUNE_TRUSTED_PROXIES (addresses and CIDR ranges, comma-separated; none by
 * default) and ATTUNE_CLIENT_ADDRESS_HEADER.
 */
export function clientAddressSettingsFromEnv(): ClientAddressSettings {
  return {
    trustedProxies: parseTrustedProxies(process.env.ATTUNE_TRUSTED_PROXIES ?? ""),
    platformHeader: process.env.ATTUNE_CLIENT_ADDRESS_HEADER?.trim().toLowerCase() || undefined,
  };
}

/** A comma-separated list of addresses and CIDR ranges, e.g. `10.0.0.0/8, 2001:db8::1`. */
export function parseTrustedProxies(list: string): BlockList {
  const proxies = new BlockList();
  for (const entry of list.split(",").map((item) => item.trim())) {
    if (entry === "") continue;
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || (bits !== undefined && !(Number.isInteger(bits) && bits <= maxBits))) {
      throw new Error(
        `ATTUNE_TRUSTED_PROXIES: "${entry}" is neither an IP address nor a CIDR range like 10.0.0.0/8`,
      );
    }
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) proxies.addAddress(address, type);
    else proxies.addSubnet(address, bits, type);
  }
  return proxies;
}

/** The client's address, or null when nothing trustworthy says it. */
export function resolveClientAddress(
  headers: Headers,
  { trustedProxies, platformHeader }: ClientAddressSettings,
): string | null {
  const socketAddress = headers.get(SOCKET_ADDRESS_HEADER);
  if (socketAddress === null) {
    return platformHeader ? plainAddress(headers.get(platformHeader) ?? "") : null;
  }
  const forwarded = (headers.get("x-forwarded-for") ?? "").split(",");
  // From the nearest hop outwards: a hop is believed while the one after it is a trusted proxy.
  let client = plainAddress(socketAddress);
  while (client !== null && isTrusted(trustedProxies, client) && forwarded.length > 0) {
    const previousHop = plainAddress(forwarded.pop() ?? "");
    // A trusted proxy that forwarded something unreadable is the furthest hop known.
    if (previousHop === null) break;
    client = previousHop;
  }
  return client;
}

function isTrusted(trustedProxies: BlockList, address: string): boolean {
  return trustedProxies.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/** The address as an IP, IPv4-mapped IPv6 (as dual-stack sockets report) as IPv4; null if none. */
function plainAddress(value: string): string | null {
  const address = value.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return isIP(address) === 0 ? null : address;
}

/**
 * The request with CLIENT_ADDRESS_HEADER set to the resolved address, or removed when there is
 * none, so that a client can never choose it.
 */
export function withClientAddress(request: Request, settings: ClientAddressSettings): Request {
  const headers = new Headers(request.headers);
  const address = resolveClientAddress(request.headers, settings);
  if (address === null) headers.delete(CLIENT_ADDRESS_HEADER);
  else headers.set(CLIENT_ADDRESS_HEADER, address);
  return new Request(request, { headers });
}
