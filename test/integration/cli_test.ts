// The command line against a local network: id, listen, send.
import { Identity } from "../../mod.ts";
import { startNetwork } from "../../scripts/local_network.ts";
import { assert, assertEquals } from "../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SCRIPT = new URL("../../scripts/peer.ts", import.meta.url).pathname;

function cli(args: string[], stdout: "piped" | "null" = "piped") {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    stdout,
    stderr: "piped",
  });
}

Deno.test(
  "cli: id keeps one identity; listen prints what send sends; refusals exit 1",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4 });
    const dir = await Deno.makeTempDir({ prefix: "superpeer-cli-" });
    try {
      const a = ["--url", net.url, "--identity", `${dir}/a.json`];
      const b = ["--url", net.url, "--identity", `${dir}/b.json`];
      const first = await cli([...a, "id"]).output();
      const second = await cli([...a, "id"]).output();
      const idA = new TextDecoder().decode(first.stdout).trim();
      assertEquals(first.code, 0);
      assertEquals(new TextDecoder().decode(second.stdout).trim(), idA, "same id across runs");
      assertEquals((await Deno.stat(`${dir}/a.json`)).mode! & 0o777, 0o600);

      const listener = cli([...a, "listen"]).spawn();
      const lines = listener.stdout.pipeThrough(new TextDecoderStream()).getReader();
      const stderr = listener.stderr.pipeThrough(new TextDecoderStream()).getReader();
      // Wait for "connected" before sending.
      let err = "";
      while (!err.includes("connected")) err += (await stderr.read()).value ?? "";

      const sent = await cli([...b, "send", idA, "hello", "from", "b"]).output();
      assertEquals(new TextDecoder().decode(sent.stdout).trim(), "sent");
      let out = "";
      while (!out.includes("\n")) out += (await lines.read()).value ?? "";
      const idB = new TextDecoder().decode((await cli([...b, "id"]).output()).stdout).trim();
      assertEquals(out.trim(), `${idB} 0 hello from b`);

      const nobody = (await Identity.generate()).peerId;
      const refused = await cli([...b, "send", nobody, "anyone?"]).output();
      assertEquals(refused.code, 1);
      assert(new TextDecoder().decode(refused.stderr).includes("PEER_NOT_FOUND"));

      listener.kill("SIGINT");
      await listener.status;
      await lines.cancel();
      await stderr.cancel();
    } finally {
      await net.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("cli: balance, transfer and verify against a ledger", opts, async () => {
  const dir = await Deno.makeTempDir({ prefix: "superpeer-cli-" });
  const payer = await Identity.generate();
  await Deno.writeTextFile(`${dir}/payer.json`, JSON.stringify(await payer.toJSON()));
  const payee = await Identity.generate();
  const net = await startNetwork({
    shards: 4,
    vars: { GENESIS: JSON.stringify({ [payer.peerId]: 500 }) },
    limits: { BLOCK_INTERVAL_MS: 200 },
  });
  try {
    const me = ["--url", net.url, "--identity", `${dir}/payer.json`];
    const text = async (args: string[]) => {
      const out = await cli(args).output();
      return [
        out.code,
        new TextDecoder().decode(out.stdout).trim(),
        new TextDecoder().decode(out.stderr),
      ] as const;
    };
    const [, balance] = await text([...me, "balance"]);
    assert(balance.startsWith(`${payer.peerId} balance 500 nonce 0`), balance);
    const [code, out] = await text([...me, "transfer", payee.peerId, "120"]);
    assertEquals(code, 0, out);
    const hash = out.split(/\s/)[0];
    assert(out.includes("in block 1"), out);
    const [vcode, verified] = await text([...me, "verify", hash]);
    assertEquals(vcode, 0);
    assert(verified.startsWith(`verified: 120 from ${payer.peerId} to ${payee.peerId}`), verified);
    const [, after] = await text([...me, "balance", payee.peerId]);
    assert(after.includes("balance 120 nonce 0"), after);
    const [rcode, , rerr] = await text([...me, "transfer", payee.peerId, "100000"]);
    assertEquals(rcode, 1);
    assert(rerr.includes("TX_INSUFFICIENT_FUNDS"), rerr);
  } finally {
    await net.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "cli: sub prints what pub publishes; peers and lookup find the subscriber",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4 });
    const dir = await Deno.makeTempDir({ prefix: "superpeer-cli-" });
    try {
      const a = ["--url", net.url, "--identity", `${dir}/a.json`];
      const b = ["--url", net.url, "--identity", `${dir}/b.json`];
      const idA = new TextDecoder().decode((await cli([...a, "id"]).output()).stdout).trim();
      const idB = new TextDecoder().decode((await cli([...b, "id"]).output()).stdout).trim();
      const sub = cli([...a, "sub", "news", "$presence"]).spawn();
      const lines = sub.stdout.pipeThrough(new TextDecoderStream()).getReader();
      const stderr = sub.stderr.pipeThrough(new TextDecoderStream()).getReader();
      let err = "";
      while (!err.includes("subscribed")) err += (await stderr.read()).value ?? "";

      const published = await cli([...b, "pub", "news", "hello", "topic"]).output();
      assertEquals(published.code, 0);
      assert(new TextDecoder().decode(published.stdout).startsWith("published "));
      let out = "";
      while (!out.includes("news ")) out += (await lines.read()).value ?? "";
      assert(out.includes(`news ${idB} hello topic`), out);
      assert(out.includes(`$presence ${idB} join`), out);

      const peers = new TextDecoder().decode(
        (await cli([...b, "peers", "--topic", "news"]).output()).stdout,
      );
      assertEquals(peers.trim().split(" ")[0], idA);
      const lookup = new TextDecoder().decode((await cli([...b, "lookup", idA]).output()).stdout);
      assert(lookup.startsWith(`${idA} online shard `), lookup);

      sub.kill("SIGINT");
      await sub.status;
      await lines.cancel();
      await stderr.cancel();
      const after = new TextDecoder().decode((await cli([...b, "lookup", idA]).output()).stdout);
      assert(after.includes("offline") && after.includes("last seen"), after);
      const mail = new TextDecoder().decode(
        (await cli([...b, "mail", idA, "while", "away"]).output()).stdout,
      );
      assert(mail.startsWith("stored "), mail);
      // A send to the offline peer is refused, unless it asks for the mailbox.
      const plain = await cli([...b, "send", idA, "now?"]).output();
      assertEquals(plain.code, 1);
      assert(new TextDecoder().decode(plain.stderr).includes("PEER_NOT_FOUND"));
      const mailed = await cli([...b, "send", "--mailbox", idA, "later"]).output();
      assertEquals([mailed.code, new TextDecoder().decode(mailed.stdout).trim()], [0, "sent"]);
    } finally {
      await net.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
