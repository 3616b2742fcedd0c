// A page in headless Chromium and a Deno peer go direct with each other. Run in a network
// namespace that has only loopback, so that every packet either side sends stays on it.
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("direct: a browser peer and a Deno peer move onto a direct channel, in order, once", async () => {
  const script = new URL("../support/browser_direct_check.ts", import.meta.url).pathname;
  const out = await new Deno.Command("unshare", {
    args: [
      "--net",
      "sh",
      "-c",
      `ip link set lo up && exec "${Deno.execPath()}" run -A "${script}"`,
    ],
    cwd: new URL("../../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2_000));
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
  const sent = Array.from({ length: 40 }, (_, i) => `b${i}`);
  assertEquals(result.denoGot.map((m: { data: string }) => m.data), sent);
  assertEquals(
    result.browserGot.map((m: { data: string }) => m.data),
    sent.map((s) => `echo ${s}`),
  );
  assert(result.browserDirect, "the browser's pair went direct");
  assert(result.denoGot.slice(-5).every((m: { via: string }) => m.via === "direct"));
  assert(result.browserGot.slice(-5).every((m: { via: string }) => m.via === "direct"));
});
