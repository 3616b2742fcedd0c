import { routeOfStats } from "../../../src/client/direct/route.ts";
import { assertEquals } from "../../support/assert.ts";

const candidates = (local: string, remote: string) => [
  { id: "l", type: "local-candidate", candidateType: local },
  { id: "r", type: "remote-candidate", candidateType: remote },
  { id: "l2", type: "local-candidate", candidateType: "relay" },
];

Deno.test("route: the transport's selected pair decides", () => {
  const stats: Record<string, unknown>[] = [
    { id: "t", type: "transport", selectedCandidatePairId: "p" },
    { id: "p", type: "candidate-pair", localCandidateId: "l", remoteCandidateId: "r" },
    // A relayed pair that was checked but not chosen.
    { id: "q", type: "candidate-pair", localCandidateId: "l2", remoteCandidateId: "r" },
    ...candidates("srflx", "prflx"),
  ];
  assertEquals(routeOfStats(stats), "direct");
  stats[0].selectedCandidatePairId = "q";
  assertEquals(routeOfStats(stats), "turn");
});

Deno.test("route: without a transport entry, the nominated pair that succeeded", () => {
  const pair = (id: string, local: string, nominated: boolean, state: string) => ({
    id,
    type: "candidate-pair",
    localCandidateId: local,
    remoteCandidateId: "r",
    nominated,
    state,
  });
  assertEquals(
    routeOfStats([
      pair("a", "l2", false, "succeeded"),
      pair("b", "l", true, "succeeded"),
      ...candidates("host", "srflx"),
    ]),
    "direct",
  );
  assertEquals(
    routeOfStats([pair("a", "l2", true, "succeeded"), ...candidates("host", "relay")]),
    "turn",
  );
  assertEquals(
    routeOfStats([pair("a", "l", true, "in-progress"), ...candidates("host", "host")]),
    undefined,
  );
  assertEquals(routeOfStats([]), undefined);
});
