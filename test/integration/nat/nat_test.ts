// Pairs of peers behind emulated NATs (network namespaces the test makes, nftables routers, a
// real coturn, the network on workerd): the route each pair takes, and a path lost and given
// back with no message lost or doubled. The whole matrix is `deno task nat` (docs/NAT.md).
import { buildLab } from "../../../scripts/nat/lab.ts";
import type { NatKind } from "../../../scripts/nat/nat_kinds.ts";
import {
  runTrial,
  startServices,
  type TrialOptions,
  type TrialResult,
} from "../../../scripts/nat/trial.ts";
import { ensureTools, TOOLS } from "../../../scripts/system_tools.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
/**
 * A TURN quota that a pair streaming small messages spends in a few seconds: more than its
 * first two seconds on TURN take (the route must hold a second), less than ten take.
 */
const QUOTA = 40_000;

/** One trial between two hosts of the given kinds, in a lab made for it and taken down after. */
async function trial(
  kinds: [NatKind, NatKind],
  options: TrialOptions,
  limits: Record<string, number> = {},
): Promise<TrialResult> {
  await ensureTools([TOOLS.ip, TOOLS.nft, TOOLS.conntrack, TOOLS.turnserver, TOOLS.chromium]);
  const lab = await buildLab(kinds);
  try {
    const services = await startServices(lab, limits);
    try {
      return await runTrial(lab, services, [lab.hosts[0], lab.hosts[1]], options);
    } finally {
      await services.stop();
    }
  } finally {
    await lab.dispose();
  }
}

Deno.test(
  "nat: behind two port-restricted NATs (home routers) the pair goes direct, and comes back after the path is lost",
  opts,
  async () => {
    const r = await trial(["port-restricted", "port-restricted"], {
      // Under WebRTC's own 30 s consent check, a lost path would not be noticed in this time.
      changeMs: 15_000,
    });
    assertEquals(r.route, "direct", JSON.stringify(r.sides));
    assert(r.recovered?.fellBack, `fell back to the relay: ${JSON.stringify(r.recovered)}`);
    assertEquals(r.recovered?.route, "direct", "direct again once the path is back");
    assert(r.intact, `every message once, in order: ${JSON.stringify(r.sides)}`);
    assert(r.sides.every((s) => (s.via.relay ?? 0) > 0 && (s.via.direct ?? 0) > 0));
  },
);

Deno.test(
  "nat: a port-restricted NAT and a symmetric one have no direct path; the pair is served anyway",
  opts,
  async () => {
    const r = await trial(["port-restricted", "symmetric"], {
      connectMs: 12_000,
      pathChange: false,
    });
    assert(r.route !== "direct", `no direct path exists: ${r.route}`);
    assert(r.intact && r.sent > 100, `every message once, in order: ${JSON.stringify(r.sides)}`);
  },
);

Deno.test(
  "nat: two browsers behind symmetric NATs meet through TURN, then fall back to the relay once over their TURN quota",
  opts,
  async () => {
    const r = await trial(["symmetric", "symmetric"], {
      agents: ["chromium", "chromium"],
      leaves: 25_000,
    }, { TURN_QUOTA_BYTES: QUOTA, ROUTES_REPORT_MS: 1_000 });
    assertEquals(r.route, "turn", JSON.stringify(r.sides));
    // Reported past the quota: refused with its code, and the pair went back to the relay.
    assert(r.left?.ok, `back on the relay: ${JSON.stringify(r.left)} ${JSON.stringify(r.sides)}`);
    assert(
      r.sides.some((s) => s.errors?.includes("TURN_QUOTA_EXCEEDED")),
      `told: ${JSON.stringify(r.sides.map((s) => s.errors))}`,
    );
    assert(r.intact, `every message once, in order: ${JSON.stringify(r.sides)}`);
    assert(r.sides.every((s) => (s.via.direct ?? 0) > 0 && (s.via.relay ?? 0) > 0));
  },
);

Deno.test(
  "nat: a Deno peer on the native WebRTC binding goes direct with a Chromium page, both behind home routers",
  opts,
  async () => {
    const r = await trial(["port-restricted", "port-restricted"], {
      agents: ["native", "chromium"],
      pathChange: false,
    });
    assertEquals(r.route, "direct", JSON.stringify(r.sides));
    assert(r.intact, `every message once, in order: ${JSON.stringify(r.sides)}`);
    assert(r.sides.every((s) => (s.via.direct ?? 0) > 0));
  },
);
