// The chat example's settings: PORT is the network's port, as for `deno task dev`; the page
// has its own (CHAT_PORT), so the two never meet on one port.
import { chatSettings } from "../../scripts/example_chat.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("example:chat: PORT names the network, CHAT_PORT the page", () => {
  assertEquals(chatSettings({}), { port: 8788, network: "http://127.0.0.1:8787" });
  assertEquals(chatSettings({ PORT: "8811" }), { port: 8788, network: "http://127.0.0.1:8811" });
  assertEquals(chatSettings({ PORT: "8811", CHAT_PORT: "9000" }).port, 9000);
  assertEquals(
    chatSettings({ PORT: "8811", SUPERPEER_URL: "ws://10.0.0.1:9" }).network,
    "http://10.0.0.1:9",
  );
});

Deno.test("example:chat: a page port in use is one line, exit 2", async () => {
  const held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../scripts/example_chat.ts", import.meta.url).pathname],
      env: { CHAT_PORT: String((held.addr as Deno.NetAddr).port) },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim();
    assertEquals([out.code, err.split("\n").length], [2, 1], err);
    assertEquals(err.includes("is in use"), true, err);
  } finally {
    held.close();
  }
});
