// The choice of a direct-channel transport at run time, and the native one it picks here: the
// binding loads in this test (run with every permission), and two of its transports in one
// process open a channel and carry bytes both ways.
import { directTransport } from "../../../src/client/direct/native_transport.ts";
import type { DirectTransport } from "../../../src/client/direct/transport.ts";
import { assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "directTransport: the native binding where it loads, and its channel carries",
  opts,
  async () => {
    const transport = await directTransport();
    assertEquals(transport?.implementation, "native");
    const a = await transport!({});
    const b = await transport!({});
    try {
      const got = (t: DirectTransport) =>
        new Promise<string | Uint8Array>((resolve) => (t.onmessage = resolve));
      const answer = await b.acceptOffer(await a.createOffer());
      await a.acceptAnswer(answer);
      await Promise.all([a.opened, b.opened]);
      const atB = got(b);
      a.send(new Uint8Array([1, 2, 3]));
      assertEquals([...(await atB) as Uint8Array], [1, 2, 3]);
      const atA = got(a);
      b.send("back");
      assertEquals(await atA, "back");
    } finally {
      a.close();
      b.close();
    }
  },
);

Deno.test("directTransport: a runtime's own RTCPeerConnection comes first", async () => {
  const g = globalThis as { RTCPeerConnection?: unknown };
  g.RTCPeerConnection = class {};
  try {
    assertEquals((await directTransport())?.implementation, "browser");
  } finally {
    delete g.RTCPeerConnection;
  }
});

Deno.test("directTransport: werift where the binding may not load (Deno without --allow-ffi)", async () => {
  const root = new URL("../../../", import.meta.url).pathname;
  const module = new URL("../../../src/client/direct/native_transport.ts", import.meta.url).href;
  // In the repository, so that the program resolves werift through its `deno.json`.
  const file = await Deno.makeTempFile({ dir: root, prefix: ".choice_", suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      file,
      `const { directTransport } = await import(${JSON.stringify(module)});
console.log((await directTransport())?.implementation);`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-read", "--allow-env", "--allow-sys", file],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assertEquals(text, "werift", new TextDecoder().decode(out.stderr));
  } finally {
    await Deno.remove(file);
  }
});
