// `deno task dev` as a person runs it: on the port asked for (PORT or --port), saying where
// the network is and what to try next, and that it is closed when vars close it (passed after
// a `--` too); a port in use is one line and exit 2.
import { Identity } from "../../../mod.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ROOT = new URL("../../../", import.meta.url).pathname;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

Deno.test("dev: PORT moves the local network, and the banner says where it is", opts, async () => {
  const port = freePort();
  const state = await Deno.makeTempDir({ prefix: "superpeer-dev-" });
  const inviter = (await Identity.generate()).peerId;
  const child = new Deno.Command(Deno.execPath(), {
    // As a person may write it, after a `--`: the vars still reach the network.
    args: ["task", "dev", "--", "--persist-to", state, "--var", `INVITE_KEYS:${inviter}`],
    cwd: ROOT,
    env: { PORT: String(port) },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let out = "";
  const decoder = new TextDecoder();
  const reading = (async () => {
    for await (const chunk of child.stdout) out += decoder.decode(chunk, { stream: true });
  })();
  try {
    const end = Date.now() + 90_000;
    while (!out.includes("Ctrl-C stops") && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert(out.includes(`is up at http://127.0.0.1:${port} (8 shards, faucet on`), out);
    // A network id of its own, kept beside the state it signs.
    const id = (await Deno.readTextFile(`${state}/network_id`)).trim();
    assert(/^local-[a-z2-7]{16}$/.test(id), id);
    assert(out.includes(`superpeer network "${id}" is up`), out);
    assert(out.includes(`SUPERPEER_URL=ws://127.0.0.1:${port} deno task peer id`), out);
    const res = await fetch(`http://127.0.0.1:${port}/v1/network`);
    assertEquals((await res.json()).admission, { mode: "closed", invitations: true });
    assert(out.includes("closed: only listed peers and invited ones"), out);
  } finally {
    child.kill("SIGINT");
    await child.status;
    await reading;
    await Deno.remove(state, { recursive: true });
  }
});

Deno.test("dev: a port in use is said in one line, exit 2", opts, async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  try {
    const o = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/dev.ts", "--port", String(port)],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(o.stderr).trim();
    assertEquals(o.code, 2);
    assertEquals(
      err,
      `port ${port} on 127.0.0.1 is in use (another network?); choose another: PORT=8791 deno task dev`,
    );
  } finally {
    listener.close();
  }
});
