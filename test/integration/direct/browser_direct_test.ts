// A page in headless Chromium and a Deno peer go direct with each other. Run in a network
// namespace that has only loopback, so that every packet either side sends stays on it.
import { assert, assertEquals } from "../../support/assert.ts";
import { runIsolated } from "../../../scripts/isolated_namespace.ts";

Deno.test("direct: a browser peer and a Deno peer move onto a direct channel, in order, once, a burst past the channel's buffer included", async () => {
  const script = new URL("../../support/browser_direct_check.ts", import.meta.url).pathname;
  const out = await runIsolated(script);
  assertEquals(out.code, 0, out.stderr.slice(-2_000));
  const result = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
  const sent = Array.from({ length: 40 }, (_, i) => `b${i}`);
  assertEquals(result.denoGot.map((m: { data: string }) => m.data), sent);
  assertEquals(
    result.browserGot.map((m: { data: string }) => m.data),
    sent.map((s) => `echo ${s}`),
  );
  assert(result.browserDirect, "the browser's pair went direct");
  assert(result.denoGot.slice(-5).every((m: { via: string }) => m.via === "direct"));
  assert(result.browserGot.slice(-5).every((m: { via: string }) => m.via === "direct"));
  // A burst past what a browser's channel holds unsent: every send taken, nothing thrown,
  // every message delivered whole, in order, over the direct channel.
  assertEquals(result.burstSent, { sent: 330 });
  const burst: { size: number; ok: boolean; via: string }[] = result.burstAtDeno;
  assertEquals(burst.length, 330);
  assertEquals(
    burst.filter((m) => !m.ok).length,
    0,
    "messages that arrived changed or out of order",
  );
  assert(burst.every((m) => m.via === "direct"), "the burst stayed on the direct channel");
});
