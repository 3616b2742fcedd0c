/**
 * A small internet in network namespaces, for the NAT matrix: one "internet" segment (a bridge, `seg`,
 * in the `wan` namespace, which also holds the network's server), a TURN server in a namespace
 * of its own, and hosts, each behind a router namespace with the NAT rules of its kind (or on
 * the segment itself, for `public`). Every address is one the lab made, on interfaces created
 * inside its namespaces: nothing is added to the machine's own namespace, and nothing leaves.
 *
 * Addresses: the segment is 203.0.113.0/24 (TEST-NET-3): the server .1, the TURN server .3, a
 * host's router (or a public host) .10 and up; the host behind router i is 10.0.i.2.
 *
 * @module
 */
import { type NatKind, natRules } from "./nat_kinds.ts";

/** The server's address on the segment. */
export const SERVER_ADDRESS = "203.0.113.1";
/** The TURN server's address on the segment. */
export const TURN_ADDRESS = "203.0.113.3";

/** A host of the lab. */
export interface LabHost {
  /** Its kind of NAT. */
  kind: NatKind;
  /** The namespace it runs in. */
  ns: string;
  /** Its router's namespace (none for `public`). */
  router?: string;
  /** Its own address. */
  inside: string;
  /** The address the internet sees (changed by {@linkcode Lab.readdress}). */
  outside: string;
  /** The interface that holds the outside address, and its namespace. */
  wanLink: { ns: string; dev: string };
}

/** A lab: run commands in it, change its paths, take it down. */
export interface Lab {
  /** The namespace of the segment and the server. */
  wan: string;
  /** The TURN server's namespace. */
  turn: string;
  /** The hosts, in the order asked. */
  hosts: LabHost[];
  /**
   * Cuts a host's UDP both ways (on) or gives it back (off): a path lost.
   *
   * @param host The host.
   * @param cut Whether UDP is dropped.
   */
  cutUdp(host: LabHost, cut: boolean): Promise<void>;
  /**
   * The host's outside address changes (a phone moving to another network, a carrier NAT
   * handing out another address): every mapping its router held is gone, and what the other
   * side knew of the host reaches nothing. A second call moves it back.
   *
   * @param host The host.
   */
  readdress(host: LabHost): Promise<void>;
  /** Takes every namespace down. */
  dispose(): Promise<void>;
}

let labs = 0;

/**
 * Runs a command; fails with what it printed if it fails.
 *
 * @example Usage
 * ```ts
 * import { run } from "./lab.ts";
 * // Rules for a namespace's nftables, on standard input.
 * export const flush = (ns: string) => run(["ip", "netns", "exec", ns, "nft", "-f", "-"], "flush ruleset\n");
 * ```
 *
 * @param args The command and its arguments.
 * @param input Text for its standard input.
 */
export async function run(args: string[], input?: string): Promise<void> {
  const child = new Deno.Command(args[0], {
    args: args.slice(1),
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const out = await child.output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${args.join(" ")}: ${err}`);
  }
}

/**
 * Builds a lab with one host of each kind asked.
 *
 * @example Usage
 * ```ts
 * import { buildLab } from "./lab.ts";
 * // As root: two hosts, each behind a symmetric NAT.
 * export const lab = () => buildLab(["symmetric", "symmetric"]);
 * ```
 *
 * @param kinds One kind per host.
 * @returns The lab.
 */
export async function buildLab(kinds: readonly NatKind[]): Promise<Lab> {
  const prefix = `sp${Deno.pid}-${++labs}`;
  const wan = `${prefix}-wan`;
  const turn = `${prefix}-turn`;
  const made: string[] = [];
  const ip = (ns: string, ...args: string[]) => run(["ip", "-n", ns, ...args]);
  const add = async (ns: string) => {
    await run(["ip", "netns", "add", ns]);
    made.push(ns);
    await ip(ns, "link", "set", "lo", "up");
  };
  /** A cable from the segment's bridge to `ns`, where it is called `name` and has `address`. */
  const plug = async (port: string, ns: string, name: string, address: string) => {
    await ip(wan, "link", "add", port, "type", "veth", "peer", "name", name, "netns", ns);
    await ip(wan, "link", "set", port, "master", "seg", "up");
    await ip(ns, "addr", "add", `${address}/24`, "dev", name);
    await ip(ns, "link", "set", name, "up");
  };
  try {
    await add(wan);
    await ip(wan, "link", "add", "name", "seg", "type", "bridge");
    await ip(wan, "addr", "add", `${SERVER_ADDRESS}/24`, "dev", "seg");
    await ip(wan, "link", "set", "seg", "up");
    await add(turn);
    await plug("t0", turn, "wan", TURN_ADDRESS);
    // As on the internet, a packet to a private address leaves and is lost (the segment does
    // not forward it). Without a route, relaying to a peer's host candidate failed at once,
    // and coturn closed the whole allocation: every TURN channel died a second after opening.
    await ip(turn, "route", "add", "default", "via", SERVER_ADDRESS);
    const hosts: LabHost[] = [];
    for (const [i, kind] of kinds.entries()) {
      const outside = `203.0.113.${10 + i}`;
      const ns = `${prefix}-h${i}`;
      await add(ns);
      if (kind === "public") {
        await plug(`p${i}`, ns, "eth0", outside);
        await ip(ns, "route", "add", "default", "via", SERVER_ADDRESS);
        hosts.push({ kind, ns, inside: outside, outside, wanLink: { ns, dev: "eth0" } });
        continue;
      }
      const router = `${prefix}-r${i}`;
      const inside = `10.0.${i}.2`;
      await add(router);
      await plug(`p${i}`, router, "wan", outside);
      await ip(router, "route", "add", "default", "via", SERVER_ADDRESS);
      await ip(router, "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", ns);
      await ip(router, "addr", "add", `10.0.${i}.1/24`, "dev", "lan");
      await ip(router, "link", "set", "lan", "up");
      await ip(ns, "addr", "add", `${inside}/24`, "dev", "eth0");
      await ip(ns, "link", "set", "eth0", "up");
      await ip(ns, "route", "add", "default", "via", `10.0.${i}.1`);
      await run(["ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
      await run(["ip", "netns", "exec", router, "nft", "-f", "-"], natRules(kind, inside));
      hosts.push({ kind, ns, router, inside, outside, wanLink: { ns: router, dev: "wan" } });
    }
    return {
      wan,
      turn,
      hosts,
      async cutUdp(host, cut) {
        const rules = cut
          ? [
            "table inet cut {",
            "  chain in { type filter hook input priority filter; meta l4proto udp drop; }",
            "  chain out { type filter hook output priority filter; meta l4proto udp drop; }",
            "}",
            "",
          ].join("\n")
          : "table inet cut {}\ndelete table inet cut\n";
        await run(["ip", "netns", "exec", host.ns, "nft", "-f", "-"], rules);
      },
      async readdress(host) {
        const i = hosts.indexOf(host);
        const next = host.outside === `203.0.113.${10 + i}`
          ? `203.0.113.${100 + i}`
          : `203.0.113.${10 + i}`;
        const { ns, dev } = host.wanLink;
        await ip(ns, "addr", "flush", "dev", dev);
        await ip(ns, "addr", "add", `${next}/24`, "dev", dev);
        await ip(ns, "route", "replace", "default", "via", SERVER_ADDRESS);
        if (host.kind === "public") host.inside = next;
        host.outside = next;
        // conntrack exits 1 when there was nothing to flush.
        await run(["ip", "netns", "exec", ns, "conntrack", "-F"]).catch(() => {});
      },
      async dispose() {
        for (const ns of made.reverse()) await run(["ip", "netns", "del", ns]).catch(() => {});
      },
    };
  } catch (error) {
    for (const ns of made.reverse()) await run(["ip", "netns", "del", ns]).catch(() => {});
    throw error;
  }
}
