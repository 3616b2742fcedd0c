import {
  noticeCalls,
  NOTICES_PER_CALL,
} from "../../../../workers/super_peer/services/notice_calls.ts";
import { assertEquals } from "../../../support/assert.ts";

Deno.test("notice calls: grouped by home, in calls of at most NOTICES_PER_CALL, in order", () => {
  // 600 notices for a sender at home 1, 3 for one at home 2, interleaved.
  const told = Array.from({ length: 603 }, (_, i) => ({
    sender: i % 201 === 0 ? "far" : "near",
    ref: `m${i}`,
    to: "r",
    status: "delivered" as const,
  }));
  const calls = noticeCalls(told, (s) => s === "far" ? 2 : 1, 7);
  assertEquals([...calls.keys()], [2, 1]); // in the order first seen
  assertEquals(calls.get(1)!.map((c) => c.length), [NOTICES_PER_CALL, NOTICES_PER_CALL, 88]);
  assertEquals(calls.get(2)!.map((c) => c.map((n) => n.notice.ref)), [["m0", "m201", "m402"]]);
  const near = calls.get(1)!.flat().map((n) => n.notice.ref);
  assertEquals(near, told.filter((t) => t.sender === "near").map((t) => t.ref));
  assertEquals(calls.get(1)![0][0], {
    sender: "near",
    notice: { ref: "m1", to: "r", status: "delivered", ts: 7 },
  });
});
