import { describe, expect, it } from "vitest";
import {
  type ClientAddressSettings,
  parseTrustedProxies,
  resolveClientAddress,
  SOCKET_ADDRESS_HEADER,
} from "../src/client-address.ts";

const noProxies: ClientAddressSettings = { trustedProxies: parseTrustedProxies("") };

function resolve(headers: Record<string, string>, settings = noProxies) {
  return resolveClientAddress(new Headers(headers), settings);
}

describe("the client address", () => {
  it("is the peer's when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(
      resolve({ [SOCKET_ADDRESS_HEADER]: "198.51.100.7", "x-forwarded-for": "203.0.113.1" }),
    ).toBe("198.51.100.7");
  });

  it("is IPv4 when a dual-stack socket reports an IPv4-mapped address", () => {
    expect(resolve({ [SOCKET_ADDRESS_HEADER]: "::ffff:198.51.100.7" })).toBe("198.51.100.7");
  });

  it("walks X-Forwarded-For from the right while the hops are trusted proxies", () => {
    const settings = { trustedProxies: parseTrustedProxies("10.0.0.0/8, 2001:db8::1") };
    const headers = {
      [SOCKET_ADDRESS_HEADER]: "2001:db8::1",
      "x-forwarded-for": "203.0.113.1, 198.51.100.7, 10.1.2.3",
    };
    expect(resolve(headers, settings)).toBe("198.51.100.7");
    // All hops trusted: the furthest one is the client.
    expect(resolve({ ...headers, "x-forwarded-for": "10.9.9.9" }, settings)).toBe("10.9.9.9");
    // An unreadable hop ends the walk at the proxy that forwarded it.
    expect(resolve({ ...headers, "x-forwarded-for": "nonsense, 10.1.2.3" }, settings)).toBe(
      "10.1.2.3",
    );
  });

  it("is unknown without a peer address, unless a platform header is configured", () => {
    expect(resolve({ "x-forwarded-for": "203.0.113.1" })).toBeNull();
    const platform = { ...noProxies, platformHeader: "x-real-ip" };
    expect(resolve({ "x-real-ip": "203.0.113.1" }, platform)).toBe("203.0.113.1");
    expect(resolve({ "x-real-ip": "not an address" }, platform)).toBeNull();
  });
});

describe("ATTUNE_TRUSTED_PROXIES", () => {
  it("refuses an entry that is not an address or a CIDR range, naming it", () => {
    expect(() => parseTrustedProxies("10.0.0.1, proxy.internal")).toThrow(/"proxy.internal"/);
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/"10.0.0.0\/33"/);
  });
});
