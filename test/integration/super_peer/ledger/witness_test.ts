// The ledger nobody has to trust, on real workerd: three peers witness a shard's log and cosign
// each checkpoint; light clients require two of them. Then the operator, who holds the network's
// secret, signs a second history for the shard and shows it to some peers. No witness cosigns
// it, every client that requires the quorum refuses it, and evidence reaches the other peers on
// `$evidence`, after which they distrust that shard's key.
import { sha256 } from "@noble/hashes/sha2.js";
import { Identity, type Peer } from "../../../../mod.ts";
import { logOrigin } from "../../../../src/ledger/mod.ts";
import { merkleRoot } from "../../../../src/merkle/mod.ts";
import {
  formatCheckpoint,
  openNote,
  parseCheckpoint,
  signNote,
  tilePath,
} from "../../../../src/tlog/mod.ts";
import { deriveShardKey } from "../../../../workers/shard_keys.ts";
import { startNetwork, TEST_ADDRESS_HEADER } from "../../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../../support/peers.ts";
import { cliCommand, runCli } from "../../../support/cli.ts";
import { assert, assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SECRET = "an-operator-secret-for-this-test";
const INTERVAL = 150;

type Outcome = { shard: number; height: number; outcome: string; code?: string };

// Each peer's HTTP from an address of its own, as peers on the internet are: the network's
// per-address HTTP budget is then each one's, not all of theirs on loopback.
let addresses = 0;
function ownAddress(inner: typeof fetch = fetch): typeof fetch {
  const address = `198.51.100.${++addresses}`;
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set(TEST_ADDRESS_HEADER, address);
    return inner(input, { ...init, headers });
  };
}

Deno.test(
  "ledger witnesses: a forked history is never cosigned, refused, and exposed",
  opts,
  async () => {
    const payer = await Identity.generate();
    const net = await startNetwork({
      shards: 2,
      vars: { GENESIS: JSON.stringify({ [payer.peerId]: 1_000 }), NETWORK_SECRET: SECRET },
      limits: { BLOCK_INTERVAL_MS: INTERVAL },
    });
    const peers: Peer[] = [];
    try {
      const alice = await connectPeer(net, { identity: payer });
      peers.push(alice);
      const shard = (await alice.ledger.balance()).shard;
      const others = 1 - shard;

      // Three witnesses of the payer's shard.
      const outcomes: Outcome[][] = [];
      const witnesses: Peer[] = [];
      for (let i = 0; i < 3; i++) {
        const w = await connectPeer(net, {
          witness: { shards: [shard], name: `witness-${i}` },
          fetch: ownAddress(),
        });
        const seen: Outcome[] = [];
        w.on("witness", (d) => seen.push(d));
        outcomes.push(seen);
        witnesses.push(w);
        peers.push(w);
      }
      const keys = await Promise.all(witnesses.map(async (w) => (await w.ledger.witnessKey())!));
      const policy = { witnesses: keys, quorum: 2 };

      // An honest history: transfers, blocks, each checkpoint cosigned by every witness.
      const payee = (await Identity.generate()).peerId;
      let lastHeight = 0;
      for (let i = 1; i <= 4; i++) {
        const r = await alice.ledger.transfer(payee, i);
        assert(r.ok, JSON.stringify(r));
        lastHeight = (await alice.ledger.waitForBlock(r.hash)).block!;
      }
      await waitUntil(
        () =>
          outcomes.every((o) => o.some((d) => d.outcome === "cosigned" && d.height >= lastHeight)),
        10_000,
      );
      assert(outcomes.flat().every((d) => d.outcome === "cosigned"), JSON.stringify(outcomes));

      // A light client that requires 2 of 3 believes the honest checkpoint, and a balance proof.
      const honest = await connectPeer(net, { trust: policy, fetch: ownAddress() });
      peers.push(honest);
      const distrusted: number[] = [];
      honest.on("distrust", (d) => distrusted.push(d.shard));
      // Read a few times a second at most: each read is priced from the address's HTTP budget.
      await waitUntil(async () => {
        await new Promise((r) => setTimeout(r, 300));
        const c = await honest.ledger.checkpoint(shard);
        return c.ok && c.cosigners.length === 3;
      }, 10_000);
      const believed = await honest.ledger.checkpoint(shard);
      assert(believed.ok, JSON.stringify(believed));
      const proven = await honest.ledger.proveBalance(payer.peerId);
      assert(proven.ok && proven.present, proven.ok ? "shown absent" : proven.message);
      assertEquals(String(proven.balance), (await alice.ledger.balance()).balance);
      assert(proven.cosigners.length >= 2);

      // The operator, who holds the secret, signs a second history of the same size: the first
      // entry rewritten. Its leaves are the honest log's hash tile with one leaf changed.
      const note = believed.note;
      const c = parseCheckpoint(note.slice(0, note.indexOf("\n\n") + 1))!;
      assert(c.size < 256, "one partial tile holds the log");
      const tile = new Uint8Array(
        await (await fetch(
          `${net.url}/v1/shards/${shard}/tile/${tilePath({ level: 0, index: 0, width: c.size })}`,
        ))
          .arrayBuffer(),
      );
      const leaves = Array.from({ length: c.size }, (_, i) => tile.slice(32 * i, 32 * i + 32));
      assertEquals(merkleRoot(leaves), c.root, "the tile is the log");
      leaves[0] = sha256(new TextEncoder().encode("a payment that never was"));
      const key = await deriveShardKey(SECRET, net.network, shard);
      const origin = logOrigin(net.network, shard);
      const forked = await signNote(
        formatCheckpoint({ ...c, root: merkleRoot(leaves) }),
        { name: origin, publicKey: key.publicKey, sign: (b) => key.sign(b) },
      );
      // Signed by the very key the network serves for the shard: only witnesses tell it apart.
      const served = (await honest.ledger.network()).shardKeys[shard];
      assertEquals(key.peerId, served);
      assert((await openNote(forked, [])).ok === false);

      // Shown to half the peers: their network answers the forked checkpoint.
      const lying: typeof fetch = async (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        if (url.endsWith(`/v1/shards/${shard}/checkpoint`)) return new Response(forked);
        return await fetch(input, init);
      };
      const victims: Peer[] = [];
      for (let i = 0; i < 2; i++) {
        const v = await connectPeer(net, { trust: policy, fetch: ownAddress(lying) });
        victims.push(v);
        peers.push(v);
      }
      const shownAt = Date.now();
      // Every client that requires the quorum refuses it: no witness cosigned it.
      for (const v of victims) {
        const r = await v.ledger.checkpoint(shard);
        assert(!r.ok, "the fork is not believed");
        assert(/cosign/i.test(r.message), r.message);
      }

      // Shown to each witness, as the shard's block topic would: none cosigns it; each reports it.
      for (const w of witnesses) {
        w.dispatchEvent(
          new CustomEvent("checkpoint", {
            detail: { shard, height: lastHeight + 100, checkpoint: forked },
          }),
        );
      }
      await waitUntil(() => outcomes.every((o) => o.some((d) => d.outcome === "evidence")), 5_000);
      assertEquals(
        outcomes.flat().filter((d) => d.outcome === "cosigned" && d.height > lastHeight + 50),
        [],
      );

      // The evidence reaches the other peers within one block interval plus gossip.
      await waitUntil(() => distrusted.includes(shard), 5_000);
      const reachedMs = Date.now() - shownAt;
      console.log(`evidence reached an honest peer ${reachedMs} ms after the fork was shown`);
      const after = await honest.ledger.checkpoint(shard);
      assert(!after.ok && /two histories/.test(after.message), JSON.stringify(after));
      // The other shard's key is still believed.
      const other = await honest.ledger.checkpoint(others);
      assert(other.ok || !/two histories/.test(other.message));
    } finally {
      await Promise.all(peers.map((p) => p.close()));
      await net.dispose();
    }
  },
);

Deno.test("ledger witnesses: cosign and evidence refusals, each with its code", opts, async () => {
  const payer = await Identity.generate();
  const net = await startNetwork({
    shards: 1,
    vars: { GENESIS: JSON.stringify({ [payer.peerId]: 100 }) },
    limits: { BLOCK_INTERVAL_MS: INTERVAL, MAX_COSIGNATURES: 1, COSIGN_RECENT_BLOCKS: 2 },
  });
  const peers: Peer[] = [];
  try {
    const alice = await connectPeer(net, { identity: payer });
    peers.push(alice);
    const outcomes: (Outcome & { kept?: boolean })[][] = [[], []];
    const witnesses: Peer[] = [];
    for (let i = 0; i < 2; i++) {
      const w = await connectPeer(net, { witness: {}, fetch: ownAddress() });
      w.on("witness", (d) => outcomes[i].push(d));
      peers.push(w);
      witnesses.push(w);
    }
    const r = await alice.ledger.transfer((await Identity.generate()).peerId, 5);
    assert(r.ok);
    const height = (await alice.ledger.waitForBlock(r.hash)).block!;
    await waitUntil(() => outcomes.every((o) => o.some((d) => d.height >= height)), 10_000);
    // Both cosign; the checkpoint keeps one witness's line, the other is only told.
    const all = outcomes.flat().filter((d) => d.height === height);
    assertEquals(all.filter((d) => d.outcome === "cosigned").length, 2, JSON.stringify(all));
    assertEquals(all.map((d) => d.kept).sort(), [false, true]);
    // A client that requires both hears both on the shard's blocks, though one is not kept.
    const keys = await Promise.all(witnesses.map(async (w) => (await w.ledger.witnessKey())!));
    const client = await connectPeer(net, {
      trust: { witnesses: keys, quorum: 2 },
      fetch: ownAddress(),
    });
    peers.push(client);
    assertEquals((await client.ledger.checkpoint(0)).ok, false, "only the kept line is served");
    let latest = height;
    for (let i = 0; i < 3; i++) {
      const more = await alice.ledger.transfer((await Identity.generate()).peerId, 1);
      assert(more.ok);
      latest = (await alice.ledger.waitForBlock(more.hash)).block!;
    }
    await waitUntil(() => outcomes.every((o) => o.some((d) => d.height >= latest)), 10_000);
    await waitUntil(async () => {
      await new Promise((r) => setTimeout(r, 200));
      const c = await client.ledger.checkpoint(0);
      return c.ok && c.cosigners.length === 2;
    }, 10_000);
    const believed = await client.ledger.checkpoint(0);
    assert(believed.ok && believed.cosigners.length === 2, JSON.stringify(believed));

    const ask = (m: Record<string, unknown>) =>
      alice.request(m as never).then(() => "ok", (e) => (e as { code: string }).code);
    assertEquals(
      await ask({ t: "cosign", shard: 0, height: 99_999, cosignature: "\u2014 x AAAA" }),
      "CHECKPOINT_NOT_FOUND",
    );
    assertEquals(
      await ask({
        t: "cosign",
        shard: 0,
        height: latest,
        cosignature: "\u2014 x AAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      }),
      "COSIGNATURE_INVALID",
    );
    assertEquals(await ask({ t: "cosign", shard: 7, height, cosignature: "x" }), "BAD_REQUEST");
    // Past the last COSIGN_RECENT_BLOCKS (2) blocks: no longer taken.
    assertEquals(
      await ask({ t: "cosign", shard: 0, height: latest - 2, cosignature: "\u2014 x AAAA" }),
      "CHECKPOINT_NOT_FOUND",
    );
    assertEquals(
      await ask({ t: "evidence", evidence: { kind: "same-size", a: "x", b: "y" } }),
      "EVIDENCE_INVALID",
    );
    // Two honest checkpoints are no evidence: they agree.
    const note = await (await fetch(`${net.url}/v1/shards/0/checkpoint`)).text();
    const bare = note.slice(0, note.indexOf("\n\n") + 2) +
      note.slice(note.indexOf("\n\n") + 2).split("\n")[0] + "\n";
    assertEquals(
      await ask({ t: "evidence", evidence: { kind: "same-size", a: bare, b: bare } }),
      "EVIDENCE_INVALID",
    );
  } finally {
    await Promise.all(peers.map((p) => p.close()));
    await net.dispose();
  }
});

Deno.test("ledger witnesses: deno task witness, as a person runs it", opts, async () => {
  const payer = await Identity.generate();
  const net = await startNetwork({
    shards: 2,
    vars: { GENESIS: JSON.stringify({ [payer.peerId]: 100 }) },
    limits: { BLOCK_INTERVAL_MS: INTERVAL },
  });
  const dir = await Deno.makeTempDir();
  const ws = net.url.replace("http:", "ws:");
  const alice = await connectPeer(net, { identity: payer });
  let child: Deno.ChildProcess | undefined;
  try {
    // Wrong input: one line, exit 2, before anything runs.
    const wrong = await runCli(["witness", "5", "--url", ws, "--identity", `${dir}/w.json`]);
    assertEquals([wrong.code, wrong.err], [2, "no shard 5: the network has 2 (0 to 1)"]);
    // It runs: its key first, then a line per checkpoint it cosigns, its state in a file.
    child = cliCommand(["witness", "--json", "--url", ws, "--identity", `${dir}/w.json`]).spawn();
    const lines: Record<string, unknown>[] = [];
    const reading = (async () => {
      let rest = "";
      for await (const chunk of child!.stdout.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        const parts = rest.split("\n");
        rest = parts.pop()!;
        for (const p of parts) if (p.trim()) lines.push(JSON.parse(p));
      }
    })();
    await waitUntil(() => lines.some((l) => typeof l.key === "string"), 10_000);
    const r = await alice.ledger.transfer((await Identity.generate()).peerId, 3);
    assert(r.ok);
    await waitUntil(() => lines.some((l) => l.outcome === "cosigned"), 10_000);
    assert(lines.some((l) => l.outcome === "cosigned" && l.kept === true), JSON.stringify(lines));
    const state = JSON.parse(await Deno.readTextFile(`${dir}/w.witness.json`));
    assert(Object.keys(state).some((origin) => origin.startsWith(`superpeer/${net.network}/`)));
    child.kill("SIGINT");
    await child.status;
    await reading;
    child = undefined;
  } finally {
    child?.kill("SIGKILL");
    await alice.close();
    await net.dispose();
  }
});
