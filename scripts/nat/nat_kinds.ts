/**
 * The kinds of NAT the matrix puts a peer behind, as nftables rules for the router namespace in
 * front of it. Named by RFC 4787's mapping and filtering behaviours:
 *
 * | kind              | mapping                 | filtering                 | also called        |
 * | ----------------- | ----------------------- | ------------------------- | ------------------ |
 * | `public`          | none (a public address) | none                      |                    |
 * | `full-cone`       | endpoint-independent    | endpoint-independent      | full cone          |
 * | `restricted`      | endpoint-independent    | address-dependent         | restricted cone    |
 * | `port-restricted` | endpoint-independent    | address and port-dependent | port-restricted cone |
 * | `symmetric`       | address and port-dependent | address and port-dependent | symmetric       |
 * | `no-udp`          | endpoint-independent (TCP) | UDP dropped both ways  | a firewall that passes only TCP |
 *
 * Linux's `masquerade` keeps a flow's source port where it can, so one inside port maps to one
 * outside port whatever the destination (endpoint-independent); conntrack lets in only replies
 * (address and port-dependent filtering). The other kinds add to that: a `dnat` of any UDP that
 * arrives (endpoint-independent filtering), the same for addresses the inside host sent to
 * (address-dependent), or a random outside port per flow (`fully-random`: the mapping depends
 * on the destination).
 *
 * @module
 */

/** A kind of NAT. */
export type NatKind =
  | "public"
  | "full-cone"
  | "restricted"
  | "port-restricted"
  | "symmetric"
  | "no-udp";

/** Every kind, in the order of the matrix. */
export const NAT_KINDS: readonly NatKind[] = [
  "public",
  "full-cone",
  "restricted",
  "port-restricted",
  "symmetric",
  "no-udp",
];

/**
 * The nftables ruleset of a router namespace: its outside interface is `wan`, its inside one
 * `lan`, and the one host behind it has the address `inside`.
 *
 * @example Usage
 * ```ts
 * import { natRules } from "./nat_kinds.ts";
 * console.assert(natRules("symmetric", "10.0.1.2").includes("fully-random"));
 * ```
 *
 * @param kind The kind (`public` has no router: no rules).
 * @param inside The inside host's address.
 * @returns The ruleset, for `nft -f -`.
 */
export function natRules(kind: NatKind, inside: string): string {
  if (kind === "public") return "";
  const masquerade = kind === "symmetric" ? "masquerade fully-random" : "masquerade";
  const pre: string[] = [];
  const forward: string[] = [];
  const sets: string[] = [];
  if (kind === "full-cone") pre.push(`iifname "wan" meta l4proto udp dnat to ${inside}`);
  if (kind === "restricted") {
    sets.push("set sent { type ipv4_addr; flags timeout; timeout 120s; }");
    forward.push('iifname "lan" meta l4proto udp update @sent { ip daddr }');
    pre.push(`iifname "wan" meta l4proto udp ip saddr @sent dnat to ${inside}`);
  }
  if (kind === "no-udp") forward.push("meta l4proto udp drop");
  // What arrives unasked and is not let through above ends here, silently. Dropped before
  // conntrack confirms it, it leaves no entry behind: one would hold the outside port, and the
  // inside host's own packet to that sender would then leave by another (no longer a cone).
  const input = ['iifname "wan" meta l4proto udp ct state new drop'];
  // One table: a set is seen only by the chains of its own table.
  return [
    "flush ruleset",
    "table ip lab {",
    ...sets.map((s) => `  ${s}`),
    "  chain pre {",
    "    type nat hook prerouting priority dstnat; policy accept;",
    ...pre.map((r) => `    ${r}`),
    "  }",
    "  chain post {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    oifname "wan" ${masquerade}`,
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter; policy accept;",
    ...forward.map((r) => `    ${r}`),
    "  }",
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    ...input.map((r) => `    ${r}`),
    "  }",
    "}",
    "",
  ].join("\n");
}
