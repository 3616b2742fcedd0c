// What `deno task dev` says of arguments it cannot start a network with, before starting one.
import { assert, assertEquals } from "../support/assert.ts";

const DEV = new URL("../../scripts/dev.ts", import.meta.url).pathname;

async function dev(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", DEV, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  return { code: out.code, said: new TextDecoder().decode(out.stderr).trim() };
}

Deno.test("dev: TURN_SECRET without TURN_URLS, or the other way round, is one line, no network", async () => {
  for (
    const args of [["--var", "TURN_SECRET:0123456789abcdef0"], [
      "--",
      "--var",
      "TURN_URLS:turn:127.0.0.1:3478",
    ]]
  ) {
    const { code, said } = await dev(...args);
    assertEquals(code, 2, said);
    assert(
      said.split("\n").length === 1 && said.includes("TURN_SECRET and TURN_URLS go together"),
      said,
    );
  }
});

Deno.test("dev: TURN_KEY_ID without its API token is one line, no network", async () => {
  const { code, said } = await dev("--var", "TURN_KEY_ID:abc123");
  assertEquals(code, 2, said);
  assert(
    said.split("\n").length === 1 && said.includes("TURN_KEY_ID and TURN_KEY_API_TOKEN"),
    said,
  );
});
