// Where the edge reads a client's address, and the key the per-address limits count it under.
import {
  addressKey,
  clientAddress,
  INVALID_ADDRESS,
  LOCAL_ADDRESS,
} from "../../../workers/edge/client_address.ts";
import { assertEquals } from "../../support/assert.ts";

Deno.test("addressKey() keys IPv6 by its /64 and IPv4 whole", () => {
  const cases: [string, string][] = [
    ["203.0.113.9", "203.0.113.9"],
    [" 203.0.113.9 ", "203.0.113.9"],
    ["2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"],
    ["2001:DB8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["[2001:db8:1:3::1]", "2001:db8:1:3::/64"],
    ["fe80::1%eth0", "fe80::/64"],
    ["::1", "::/64"],
    ["::", "::/64"],
    ["::ffff:198.51.100.7", "198.51.100.7"],
    ["2001:db8::198.51.100.7", "2001:db8::/64"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4::/64"],
    ["1:0:0:4::", "1:0:0:4::/64"],
    ["", INVALID_ADDRESS],
    ["unknown", INVALID_ADDRESS],
    ["256.1.1.1", INVALID_ADDRESS],
    ["01.1.1.1", INVALID_ADDRESS],
    ["1:2:3:4:5:6:7:8:9", INVALID_ADDRESS],
    ["1::2::3", INVALID_ADDRESS],
    ["12345::1", INVALID_ADDRESS],
    ["1:2:3:4:5:6:7::8", INVALID_ADDRESS],
  ];
  for (const [text, key] of cases) assertEquals(addressKey(text, 64), key, text);
});

Deno.test("addressKey() masks any prefix length, RFC 5952 text", () => {
  assertEquals(addressKey("2001:db8:abcd:1234::1", 48), "2001:db8:abcd::/48");
  assertEquals(addressKey("2001:db8:abcd:1234::1", 56), "2001:db8:abcd:1200::/56");
  assertEquals(addressKey("2001:db8:0:0:1:0:0:1", 128), "2001:db8::1:0:0:1/128");
  assertEquals(addressKey("2001:db8::1", 1), "::/1");
});

Deno.test("clientAddress() trusts only the header its setting names", () => {
  const request = (headers: Record<string, string>) => new Request("http://edge/", { headers });
  const forged = request({ "cf-connecting-ip": "198.51.100.1" });
  // Off: a header the client may have written itself is not read.
  assertEquals(clientAddress(forged, { ipv6PrefixBits: 64 }), LOCAL_ADDRESS);
  // On: the proxy's header, keyed.
  const on = { header: "cf-connecting-ip", ipv6PrefixBits: 64 };
  assertEquals(clientAddress(forged, on), "198.51.100.1");
  assertEquals(
    clientAddress(request({ "cf-connecting-ip": "2001:db8:1:2:aaaa::1" }), on),
    clientAddress(request({ "cf-connecting-ip": "2001:db8:1:2:bbbb::9" }), on),
  );
  assertEquals(clientAddress(request({}), on), LOCAL_ADDRESS);
  // The test header, where a local network names it.
  const test = { testHeader: "x-test-client-address", ipv6PrefixBits: 64 };
  assertEquals(clientAddress(request({ "x-test-client-address": "192.0.2.4" }), test), "192.0.2.4");
  assertEquals(clientAddress(forged, test), LOCAL_ADDRESS);
  // What the runtime reports for the socket, where it reports one.
  const reported = new Request("http://edge/", { headers: { "cf-connecting-ip": "198.51.100.1" } });
  Object.defineProperty(reported, "cf", { value: { clientIp: "192.0.2.77" } });
  assertEquals(clientAddress(reported, { ipv6PrefixBits: 64 }), "192.0.2.77");
});
