// A shard's log over HTTP on real workerd: checkpoints signed by the key the network serves,
// consistency and inclusion proofs that verify, hash tiles equal to the leaves, balance proofs
// against the state root, immutable history answered from the edge's cache, and each refusal.
import { base64 } from "@scure/base";
import { Identity } from "../../../../mod.ts";
import { hex } from "../../../../src/encoding/mod.ts";
import { publicKeyFromPeerId } from "../../../../src/identity/peer_id.ts";
import { entryLeaf, logOrigin, verifyBalanceProof } from "../../../../src/ledger/mod.ts";
import { leafHash, verifyConsistency, verifyInclusion } from "../../../../src/merkle/mod.ts";
import type { NetworkInfo, TransferJson } from "../../../../src/protocol/mod.ts";
import { noteKey, openNote, parseCheckpoint, tilePath } from "../../../../src/tlog/mod.ts";
import { startNetwork, TEST_ADDRESS_HEADER } from "../../../../scripts/local_network.ts";
import { connectPeer } from "../../../support/peers.ts";
import { assert, assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("ledger log: checkpoints, proofs, tiles and balance proofs over HTTP", opts, async () => {
  const payer = await Identity.generate();
  const net = await startNetwork({
    shards: 2,
    vars: { GENESIS: JSON.stringify({ [payer.peerId]: 1_000 }) },
    limits: { BLOCK_INTERVAL_MS: 150 },
  });
  const get = async (path: string) => {
    const res = await fetch(`${net.url}${path}`);
    const body = res.headers.get("content-type")?.includes("json")
      ? await res.json()
      : new Uint8Array(await res.arrayBuffer());
    return { res, body };
  };
  try {
    const info: NetworkInfo = await (await fetch(`${net.url}/v1/network`)).json();
    const peer = await connectPeer(net, { identity: payer });
    const payee = (await Identity.generate()).peerId;
    const txs: { hash: string; block: number; index: number; tx: TransferJson }[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await peer.ledger.transfer(payee, i);
      assert(r.ok, JSON.stringify(r));
      const s = await peer.ledger.waitForBlock(r.hash);
      assert("tx" in s && s.tx && s.block !== null && s.index !== null);
      txs.push({ hash: r.hash, block: s.block, index: s.index, tx: s.tx });
    }
    const home = (await peer.ledger.balance()).shard;
    const origin = logOrigin(info.network, home);
    const key = noteKey(origin, publicKeyFromPeerId(info.shardKeys[home]));

    // The latest checkpoint: text, signed by the shard's served key under its log's origin.
    const latest = await fetch(`${net.url}/v1/shards/${home}/checkpoint`);
    assertEquals(latest.status, 200);
    assertEquals(latest.headers.get("cache-control"), "no-cache");
    const opened = await openNote(await latest.text(), [key]);
    assert(opened.ok, "signed by the shard's key");
    const head = parseCheckpoint(opened.text)!;
    assertEquals(head.origin, origin);
    assertEquals(Number(latest.headers.get("x-superpeer-size")), head.size);

    const leavesAt: [number, Uint8Array][] = [];
    // Each transfer's block is a checkpoint; its entry is in the log, provably, at the head.
    for (const t of txs) {
      const { res, body } = await get(`/v1/shards/${home}/checkpoints/${t.block}`);
      assertEquals(res.status, 200);
      assert(res.headers.get("cache-control")!.includes("immutable"));
      const at = parseCheckpoint(
        (await openNote(body.checkpoint, [key]) as { text: string }).text,
      )!;
      assert(at.extensions[0].startsWith(`block ${t.block} `));
      const entries = (await get(`/v1/shards/${home}/blocks/${t.block}`)).body.entries as number;
      const logIndex = at.size - entries + t.index;
      // The transfer's status says the same place, and the size it was sealed at.
      // From an address of its own: a lookup is priced at several reads of this test's budget.
      const status = await (await fetch(`${net.url}/v1/tx/${t.hash}`, {
        headers: { [TEST_ADDRESS_HEADER]: "198.51.100.77" },
      })).json();
      assertEquals(status.log, { index: logIndex, size: at.size });
      const inc = await get(`/v1/shards/${home}/inclusion/${logIndex}/${head.size}`);
      assertEquals(inc.res.status, 200);
      const leaf = leafHash(entryLeaf({ kind: "transfer", tx: t.tx }));
      leavesAt.push([logIndex, leaf]);
      const path = (inc.body.proof as string[]).map((h) => base64.decode(h));
      assert(verifyInclusion(leaf, logIndex, head.size, path, head.root), "in the log");
      // And the older checkpoint is a prefix of the head: a consistency proof from the shard.
      const con = await get(`/v1/shards/${home}/consistency/${at.size}/${head.size}`);
      assertEquals(con.res.status, 200);
      const proof = (con.body.proof as string[]).map((h) => base64.decode(h));
      assert(verifyConsistency(at.size, head.size, at.root, head.root, proof), "consistent");
    }

    // Asked again, history comes from the edge's cache: same bytes, no shard woken.
    const again = await get(`/v1/shards/${home}/checkpoints/${txs[0].block}`);
    assertEquals(again.res.headers.get("x-superpeer-cache"), "hit");

    // The first hash tile, partial: the log's leaf hashes, in order.
    const width = Math.min(head.size, 255);
    const tile = await get(`/v1/shards/${home}/tile/${tilePath({ level: 0, index: 0, width })}`);
    assertEquals(tile.res.status, 200);
    assertEquals(tile.body.length, 32 * width);
    for (const [at, leaf] of leavesAt) {
      assertEquals(hex.encode(tile.body.slice(32 * at, 32 * at + 32)), hex.encode(leaf));
    }
    assertEquals(leavesAt.length, 3);

    // The payer's balance, proven against the state root of a checkpoint its shard signed.
    const proven = await get(`/v1/accounts/${payer.peerId}/proof`);
    assertEquals(proven.res.status, 200);
    const signed = await openNote(proven.body.checkpoint, [key]);
    assert(signed.ok);
    const state = parseCheckpoint(signed.text)!.extensions.find((e) => e.startsWith("state "))!;
    const shown = verifyBalanceProof(base64.decode(state.slice(6)), proven.body.proof);
    assert(shown.ok && shown.present);
    assertEquals(String(shown.balance), (await peer.ledger.balance()).balance);
    // An account the shard never held: proven absent at its home.
    const nobody = (await Identity.generate()).peerId;
    const absent = await get(`/v1/accounts/${nobody}/proof`);
    if (absent.res.status === 200) {
      const cp = parseCheckpoint(
        (await openNote(absent.body.checkpoint, [
          noteKey(
            logOrigin(info.network, absent.body.shard),
            publicKeyFromPeerId(info.shardKeys[absent.body.shard]),
          ),
        ]) as { text: string }).text,
      )!;
      const root = base64.decode(cp.extensions.find((e) => e.startsWith("state "))!.slice(6));
      const r = verifyBalanceProof(root, absent.body.proof);
      assert(r.ok && !r.present);
    } else assertEquals(absent.body.code, "CHECKPOINT_NOT_FOUND"); // its home sealed nothing yet

    // The same over the socket: a `log` request answers what the HTTP route does.
    const viaSocket = await peer.request({
      t: "log",
      shard: home,
      ask: { kind: "consistency", from: 1, to: head.size },
    });
    const viaHttp = (await get(`/v1/shards/${home}/consistency/1/${head.size}`)).body;
    assertEquals(viaSocket.answer, viaHttp);
    const proofOverSocket = await peer.request({
      t: "log",
      shard: home,
      ask: { kind: "balance", account: payer.peerId },
    });
    assertEquals(proofOverSocket.answer, (await get(`/v1/accounts/${payer.peerId}/proof`)).body);
    const code = (ask: unknown, shard = home) =>
      peer.request({ t: "log", shard, ask } as never).then(() => "ok", (e) => e.code);
    assertEquals(await code({ kind: "consistency", from: 2, to: 1 }), "LOG_RANGE");
    assertEquals(await code({ kind: "inclusion", index: 1.5, size: 2 }), "BAD_REQUEST");
    assertEquals(await code({ kind: "checkpoint", height: 999_999 }), "CHECKPOINT_NOT_FOUND");
    assertEquals(await code({ kind: "tile", level: 0, index: 0, width: 1 }), "BAD_FRAME");
    assertEquals(await code({ kind: "checkpoint" }, 99), "BAD_REQUEST");

    // Refusals, each with its code.
    const refusals: [string, number, string][] = [
      [`/v1/shards/${home}/consistency/${head.size + 1}/${head.size + 2}`, 404, "LOG_RANGE"],
      [`/v1/shards/${home}/consistency/2/1`, 404, "LOG_RANGE"],
      [`/v1/shards/${home}/inclusion/${head.size}/${head.size}`, 404, "LOG_RANGE"],
      [`/v1/shards/${home}/consistency/01/2`, 400, "BAD_REQUEST"],
      [`/v1/shards/${home}/checkpoints/999999`, 404, "CHECKPOINT_NOT_FOUND"],
      [`/v1/shards/${home}/tile/0/1`, 404, "NOT_FOUND"],
      [`/v1/shards/${home}/tile/0/001`, 404, "LOG_RANGE"],
      [`/v1/shards/9/checkpoint`, 404, "NOT_FOUND"],
      // One way to write a shard, as for sizes; a tile level past 7 names no tile either.
      [`/v1/shards/0${home}/checkpoint`, 404, "NOT_FOUND"],
      [`/v1/shards/${home}/tile/9/000`, 404, "NOT_FOUND"],
      [`/v1/shards/${home}/inclusion/0/0`, 400, "BAD_REQUEST"],
      [`/v1/accounts/nobody/proof`, 400, "BAD_REQUEST"],
    ];
    for (const [path, status, code] of refusals) {
      const { res, body } = await get(path);
      assertEquals([path, res.status, body.code], [path, status, code]);
    }
    peer.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("ledger log: a genesis account is provable before any transfer", opts, async () => {
  const rich = await Identity.generate();
  const net = await startNetwork({
    shards: 2,
    vars: { GENESIS: JSON.stringify({ [rich.peerId]: 5_000 }) },
    limits: { BLOCK_INTERVAL_MS: 150 },
  });
  try {
    const info: NetworkInfo = await (await fetch(`${net.url}/v1/network`)).json();
    // The first ask opens the shard's ledger; its genesis block follows within an interval.
    let proven: { checkpoint: string; proof: Parameters<typeof verifyBalanceProof>[1] } | undefined;
    const refusals: string[] = [];
    for (let i = 0; i < 60 && !proven; i++) {
      const res = await fetch(`${net.url}/v1/accounts/${rich.peerId}/proof`, {
        headers: { [TEST_ADDRESS_HEADER]: `198.51.100.${i + 1}` },
      });
      const body = await res.json();
      if (res.status === 200) proven = body;
      else {
        refusals.push(body.code);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert(proven, `no proof: ${refusals.join()}`);
    assert(refusals.every((c) => c === "CHECKPOINT_NOT_FOUND"), refusals.join());
    const home = await homeOf(net.url, rich.peerId);
    const key = noteKey(logOrigin(info.network, home), publicKeyFromPeerId(info.shardKeys[home]));
    const signed = await openNote(proven.checkpoint, [key]);
    assert(signed.ok, "signed by the shard's key");
    const c = parseCheckpoint(signed.text)!;
    assertEquals(c.size, 0, "no entry in the log: the block holds the genesis state alone");
    assert(c.extensions[0].startsWith("block 1 "));
    const shown = verifyBalanceProof(base64.decode(c.extensions[1].slice(6)), proven.proof);
    assert(shown.ok && shown.present && shown.balance === 5_000n);
  } finally {
    await net.dispose();
  }
});

async function homeOf(url: string, id: string): Promise<number> {
  const res = await fetch(`${url}/v1/accounts/${id}`, {
    headers: { [TEST_ADDRESS_HEADER]: "198.51.100.200" },
  });
  return (await res.json()).shard;
}
