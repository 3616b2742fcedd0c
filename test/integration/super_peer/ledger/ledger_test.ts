// The sharded ledger on real workerd: transfers over the socket and over HTTP, blocks and
// proofs checked offline, and random traffic across 8 shards while super-peers restart.
import {
  type BlockHeaderJson,
  Identity,
  type NetworkInfo,
  Peer,
  type TransferJson,
  type TxOutcome,
  verifyBlockHeader,
  verifyTxProof,
} from "../../../../mod.ts";
import { shardOf } from "../../../../src/routing/mod.ts";
import { signTransfer, transferToJson } from "../../../../src/ledger/mod.ts";
import { blocksTopic, type MintProof } from "../../../../src/protocol/mod.ts";
import { startNetwork } from "../../../../scripts/local_network.ts";
import {
  connectPeer,
  identityOnShard,
  nextEvent,
  openBareSocket,
  waitUntil,
} from "../../../support/peers.ts";
import { assert, assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function post(url: string, body: unknown): Promise<TxOutcome[]> {
  const res = await fetch(`${url}/v1/tx`, { method: "POST", body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(JSON.stringify(json));
  return json.results;
}

async function sign(from: Identity, to: Identity, amount: number, nonce: number, network = "test") {
  return transferToJson(
    await signTransfer(from, { network, to: to.peerId, amount: BigInt(amount), nonce }),
  );
}

// The ledger's tests, not admission's: they submit and look up as fast as they can.
const UNMETERED = {
  RATE_LIMIT_FRAMES_PER_SECOND: 10_000_000,
  RATE_LIMIT_BURST_FRAMES: 10_000_000,
  ADDRESS_UNITS_PER_SECOND: 10_000_000,
  ADDRESS_BURST_UNITS: 10_000_000,
  ADDRESS_HTTP_UNITS_PER_SECOND: 10_000_000,
  ADDRESS_HTTP_BURST_UNITS: 10_000_000,
  SHARD_UNITS_PER_SECOND: 10_000_000,
  SHARD_BURST_UNITS: 10_000_000,
};

Deno.test(
  "ledger: a transfer over the socket is applied, sealed, and its proof verifies offline",
  opts,
  async () => {
    const alice = await identityOnShard(0, 4);
    const bob = await identityOnShard(2, 4);
    const net = await startNetwork({
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [alice.peerId]: 1000 }) },
    });
    try {
      const peer = await connectPeer(net, { identity: alice });
      // An amount's one JSON form is a decimal string: a number is malformed, and uses no nonce.
      const signed = await signTransfer(alice, {
        network: net.network,
        to: bob.peerId,
        amount: 250n,
        nonce: 1,
      });
      const asNumber = { ...transferToJson(signed), amount: 250 };
      const [malformed] = await peer.ledger.submit([asNumber as unknown as TransferJson]);
      assertEquals(!malformed.ok && malformed.code, "TX_MALFORMED");
      const result = await peer.ledger.transfer(bob.peerId, 250);
      assert(result.ok, JSON.stringify(result));
      const status = await peer.ledger.waitForBlock(result.hash);
      assertEquals([status.status, status.block], ["credited", 1]);
      assertEquals((await peer.ledger.balance()).balance, "750");
      assertEquals((await peer.ledger.balance(bob.peerId)).balance, "250");
      // Offline: only the network's public facts and the proof.
      const network: NetworkInfo = await (await fetch(`${net.url}/v1/network`)).json();
      assertEquals(await verifyTxProof(status.proof!, network), { ok: true });
      const head = await (await fetch(`${net.url}/v1/shards/0/head`)).json();
      assertEquals(head.head.height, 1);
      const block = await (await fetch(`${net.url}/v1/shards/0/blocks/1`)).json();
      assertEquals(block.txRoot, status.proof!.header.txRoot);
      const none = await fetch(`${net.url}/v1/shards/0/blocks/9`);
      assertEquals([none.status, (await none.json()).code], [404, "BLOCK_NOT_FOUND"]);
      // Batched submission: many transfers in one frame.
      const batch = await peer.ledger.sign(
        Array.from({ length: 20 }, () => ({ to: bob.peerId, amount: 1 })),
      );
      const results = await peer.ledger.submit(batch);
      assertEquals(results.map((r) => r.ok), Array(20).fill(true));
      peer.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "ledger: refusals over HTTP carry codes and change nothing; a nonce race applies once",
  opts,
  async () => {
    const alice = await Identity.generate();
    const bob = await Identity.generate();
    const carol = await Identity.generate();
    const net = await startNetwork({
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [alice.peerId]: 100 }) },
    });
    try {
      const cases: [TransferJson | unknown, string][] = [
        [{ ...(await sign(alice, bob, 5, 1)), amount: "6" }, "TX_BAD_SIGNATURE"],
        [await sign(alice, bob, 5, 1, "elsewhere"), "TX_WRONG_NETWORK"],
        [await sign(alice, bob, 5, 3), "TX_NONCE_GAP"],
        [await sign(alice, bob, 500, 1), "TX_INSUFFICIENT_FUNDS"],
        [{ ...(await sign(alice, bob, 5, 1)), amount: "0" }, "TX_BAD_AMOUNT"],
        [{ ...(await sign(alice, bob, 5, 1)), amount: "-1" }, "TX_BAD_AMOUNT"],
        [{ ...(await sign(alice, bob, 5, 1)), amount: "2.5" }, "TX_BAD_AMOUNT"],
        [{ ...(await sign(alice, bob, 5, 1)), amount: "10000000000000000000" }, "TX_BAD_AMOUNT"],
        [{ ...(await sign(alice, bob, 5, 1)), amount: 5 }, "TX_MALFORMED"],
        [{ nonsense: true }, "TX_MALFORMED"],
      ];
      const results = await post(net.url, cases.map(([tx]) => tx));
      assertEquals(
        results.map((r): string | false => !r.ok && r.code),
        cases.map(([, code]) => code),
      );
      const account = async (
        id: Identity,
      ) => (await (await fetch(`${net.url}/v1/accounts/${id.peerId}`)).json());
      assertEquals((await account(alice)).balance, "100");
      assertEquals((await account(alice)).nonce, 0);

      // Two transfers on one nonce, raced in two requests: exactly one applies.
      const [a, b] = await Promise.all([
        post(net.url, await sign(alice, bob, 60, 1)),
        post(net.url, await sign(alice, carol, 60, 1)),
      ]);
      const outcomes = [a[0], b[0]];
      assertEquals(outcomes.filter((r) => r.ok).length, 1);
      assertEquals(
        outcomes.find((r) => !r.ok)?.ok === false
          ? (outcomes.find((r) => !r.ok) as { code: string }).code
          : "",
        "TX_NONCE_REPLAYED",
      );
      // And the winner replayed is refused.
      const winner = outcomes[0].ok
        ? await sign(alice, bob, 60, 1)
        : await sign(alice, carol, 60, 1);
      assertEquals((await post(net.url, winner))[0], {
        ok: false,
        code: "TX_NONCE_REPLAYED",
        message: "Nonce 1 was already used",
        hash: (outcomes.find((r) => r.ok) as { hash: string }).hash,
      });
      assertEquals((await account(alice)).balance, "40");
      const big = await fetch(`${net.url}/v1/tx`, {
        method: "POST",
        body: JSON.stringify(Array(300).fill({})),
      });
      assertEquals([big.status, (await big.json()).code], [413, "TX_BATCH_TOO_LARGE"]);
      // A body over MAX_CONTROL_FRAME_BYTES: declared, or sent in chunks with no length.
      const limit = 131_072;
      const declared = await fetch(`${net.url}/v1/tx`, {
        method: "POST",
        body: `[${" ".repeat(limit - 1)}]`,
      });
      assertEquals([declared.status, (await declared.json()).code], [413, "FRAME_TOO_LARGE"]);
      // Chunks past the bound and no end of the body: the answer must come while it is read.
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: Number(new URL(net.url).port),
      });
      try {
        const ascii = (text: string) => new TextEncoder().encode(text);
        await conn.write(ascii(
          "POST /v1/tx HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        ));
        const chunk = ascii(`1000\r\n${" ".repeat(4096)}\r\n`);
        for (let sent = 0; sent <= limit; sent += 4096) await conn.write(chunk);
        const head = new Uint8Array(256);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const n = await Promise.race([
          conn.read(head),
          new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 10_000)),
        ]);
        clearTimeout(timer);
        const status = new TextDecoder().decode(head.subarray(0, n ?? 0)).split("\r\n")[0];
        assertEquals(status, "HTTP/1.1 413 Payload Too Large");
      } finally {
        conn.close();
      }
      const notJson = await fetch(`${net.url}/v1/tx`, { method: "POST", body: "[1," });
      assertEquals([notJson.status, (await notJson.json()).code], [400, "BAD_REQUEST"]);
      const faucet = await fetch(`${net.url}/v1/faucet`, {
        method: "POST",
        body: JSON.stringify({ account: bob.peerId }),
      });
      assertEquals([faucet.status, (await faucet.json()).code], [404, "FAUCET_DISABLED"]);
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "ledger: random transfers across 8 shards while super-peers restart keep supply, credit once, prove offline",
  opts,
  async () => {
    const SHARDS = 8;
    const ids = await Promise.all(Array.from({ length: 50 }, () => Identity.generate()));
    const genesis = Object.fromEntries(ids.map((id) => [id.peerId, 1000]));
    const net = await startNetwork({
      shards: SHARDS,
      vars: { GENESIS: JSON.stringify(genesis) },
      limits: { ...UNMETERED, BLOCK_INTERVAL_MS: 200, RECEIPT_RETRY_MS: 200 },
    });
    try {
      const nonces = new Map<string, number>();
      const stale = new Set<string>(); // accounts whose last submission's fate is unknown
      const acknowledged: {
        hash: string;
        from: string;
        to: string;
        amount: number;
        cross: boolean;
      }[] = [];
      const restartAt = new Set([3, 7, 11]);
      let refusedFunds = 0;
      for (let round = 0; round < 15; round++) {
        // Re-learn the nonce of accounts whose last answer was lost in a restart.
        for (const id of stale) {
          const res = await fetch(`${net.url}/v1/accounts/${id}`);
          nonces.set(id, (await res.json()).nonce);
          stale.delete(id);
        }
        const senders = [...ids].sort(() => Math.random() - 0.5).slice(0, 10);
        const batch: { tx: TransferJson; to: string; cross: boolean }[] = [];
        for (const from of senders) {
          const cross = Math.random() < 0.5;
          const home = shardOf(from.peerId, SHARDS);
          const candidates = ids.filter((i) =>
            i !== from && (shardOf(i.peerId, SHARDS) !== home) === cross
          );
          const to = (candidates.length ? candidates : ids.filter((i) =>
            i !== from
          ))[Math.floor(Math.random() * (candidates.length || 49))];
          const nonce = (nonces.get(from.peerId) ?? 0) + 1;
          const amount = 1 + Math.floor(Math.random() * 50);
          batch.push({
            tx: await sign(from, to, amount, nonce),
            to: to.peerId,
            cross: shardOf(to.peerId, SHARDS) !== home,
          });
        }
        const submit = post(net.url, batch.map((b) => b.tx)).catch(() => undefined);
        if (restartAt.has(round)) {
          // A restart while the batch may be in flight: its answers may be lost.
          await new Promise((r) => setTimeout(r, Math.random() * 20));
          await net.restart();
        }
        const results = await submit;
        for (const [i, b] of batch.entries()) {
          const r = results?.[i];
          if (r?.ok) {
            nonces.set(b.tx.from, b.tx.nonce);
            acknowledged.push({
              hash: r.hash,
              from: b.tx.from,
              to: b.to,
              amount: Number(b.tx.amount),
              cross: b.cross,
            });
          } else if (r && r.code === "TX_INSUFFICIENT_FUNDS") refusedFunds++;
          else stale.add(b.tx.from);
        }
      }
      console.log(
        `acknowledged ${acknowledged.length}, cross-shard ${
          acknowledged.filter((a) => a.cross).length
        }, refused for funds ${refusedFunds}`,
      );
      assert(acknowledged.length >= 80, `only ${acknowledged.length} acknowledged`);
      assert(acknowledged.filter((a) => a.cross).length >= 30, "half of them cross shards");

      // Every acknowledged transfer ends credited and in a block, with a proof that verifies.
      const network: NetworkInfo = await (await fetch(`${net.url}/v1/network`)).json();
      for (const a of acknowledged) {
        let status: { status: string; proof: unknown } | undefined;
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          status = await (await fetch(`${net.url}/v1/tx/${a.hash}?from=${a.from}`)).json();
          if (status!.status === "credited" && status!.proof) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        assertEquals(status?.status, "credited", `transfer ${a.hash}`);
        assertEquals(await verifyTxProof(status!.proof as never, network), { ok: true });
      }
      // Total supply unchanged: with every debit applied once, a credit applied twice (or
      // never) would show here.
      await new Promise((r) => setTimeout(r, 500));
      let total = 0n;
      for (const id of ids) {
        total += BigInt(
          (await (await fetch(`${net.url}/v1/accounts/${id.peerId}`)).json()).balance,
        );
      }
      assertEquals(total, 50_000n);
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "ledger: a peer watching shards hears of their new blocks, signed by their keys",
  opts,
  async () => {
    const watcher = await identityOnShard(0, 4);
    const payer = await identityOnShard(2, 4);
    const local = await identityOnShard(0, 4);
    const net = await startNetwork({
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [payer.peerId]: 100, [local.peerId]: 100 }) },
      limits: { BLOCK_INTERVAL_MS: 200 },
    });
    try {
      const peer = await connectPeer(net, { identity: watcher });
      assertEquals(await peer.ledger.watchBlocks(2), null, "no block yet");
      assertEquals(await peer.ledger.watchBlocks(0), null);
      const heard: BlockHeaderJson[] = [];
      peer.addEventListener("block", (e) => heard.push((e as CustomEvent<BlockHeaderJson>).detail));
      const payerPeer = await connectPeer(net, { identity: payer });
      const localPeer = await connectPeer(net, { identity: local });
      assert((await payerPeer.ledger.transfer(watcher.peerId, 5)).ok);
      assert((await localPeer.ledger.transfer(watcher.peerId, 7)).ok);
      const deadline = Date.now() + 10_000;
      // Shard 2 seals the transfer; shard 0 the credit it received and the local transfer.
      const both = () => heard.some((h) => h.shard === 0) && heard.some((h) => h.shard === 2);
      while (!both() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const network: NetworkInfo = await (await fetch(`${net.url}/v1/network`)).json();
      const shards = heard.map((h) => h.shard).sort();
      assert(shards.includes(0) && shards.includes(2), `heard ${JSON.stringify(shards)}`);
      for (const h of heard) {
        assert(
          await verifyBlockHeader(h, network),
          `block ${h.shard}/${h.height}`,
        );
      }
      assert(!await verifyBlockHeader({ ...heard[0], entries: heard[0].entries + 1 }, network));
      for (const k of [0, 2]) {
        const heights = heard.filter((h) => h.shard === k).map((h) => h.height);
        assertEquals(heights, [...new Set(heights)].sort((x, y) => x - y), "once each, in order");
      }
      for (const p of [peer, payerPeer, localPeer]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "ledger: a watch is a subscription to the shard's block topic, kept across a restart",
  opts,
  async () => {
    const payer = await identityOnShard(1, 4);
    const net = await startNetwork({
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [payer.peerId]: 100 }) },
      limits: { BLOCK_INTERVAL_MS: 200 },
    });
    try {
      // A bare socket subscribes to `$blocks/1` with a plain `sub`; after the restart it
      // connects again and asks nothing: what it hears then comes from the kept subscription.
      const bare = await Identity.generate();
      const heard: string[] = [];
      const open = () => openBareSocket(net, bare, heard);
      const first = await open();
      first.send(JSON.stringify({ t: "sub", id: 1, topic: blocksTopic(1) }));
      first.send(JSON.stringify({ t: "pub", id: 2, topic: blocksTopic(1), n: 1, data: "x" }));
      // Answers are matched by id, not order: the refusal may come before the subscription's
      // answer, which leaves once its write is durable.
      await waitUntil(() =>
        heard.some((h) => h.includes("RESERVED_TOPIC")) &&
        heard.some((h) => h.includes("sub.result"))
      );
      assert(heard.some((h) => h.includes("RESERVED_TOPIC")), "the publish refused");
      assert(heard.some((h) => h.includes("sub.result")), "subscribed");
      const payerPeer = await connectPeer(net, { identity: payer });
      const blocks = () =>
        heard.map((h) => JSON.parse(h)).filter((m) => m.t === "block").map((m) => m.header);
      assert((await payerPeer.ledger.transfer(bare.peerId, 1)).ok);
      await waitUntil(() => blocks().length >= 1, 10_000);
      // Acknowledged as a client does (PROTOCOL section 11), else it would come again; the
      // answer to a later request says the acknowledgement was taken.
      const seq = Math.max(...heard.map((h) => JSON.parse(h)).map((m) => m.seq ?? 0));
      first.send(JSON.stringify({ t: "topic.ack", seq }));
      first.send(JSON.stringify({ t: "sub", id: 3, topic: blocksTopic(1) }));
      await waitUntil(() => heard.some((h) => h.includes('"id":3')));
      const reopened = nextEvent(payerPeer, "open", 20_000);
      await net.restart();
      await reopened;
      const second = await open();
      const before = blocks().length;
      assert((await payerPeer.ledger.transfer(bare.peerId, 2)).ok);
      await waitUntil(() => blocks().length > before, 10_000);
      const network: NetworkInfo = await (await fetch(`${net.url}/v1/network`)).json();
      for (const h of blocks()) {
        assertEquals(h.shard, 1);
        assert(await verifyBlockHeader(h, network), `block 1/${h.height}`);
      }
      const heights = blocks().map((h) => h.height);
      assertEquals(heights, [...new Set(heights)].sort((x, y) => x - y), "once each, in order");
      first.close();
      second.close();
      payerPeer.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "ledger: a faucet network pays once per interval, and the mint is sealed in a block",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 2,
      vars: { FAUCET: "on" },
      limits: { BLOCK_INTERVAL_MS: 200 },
    });
    try {
      const me = await Identity.generate();
      const ask = () =>
        fetch(`${net.url}/v1/faucet`, {
          method: "POST",
          body: JSON.stringify({ account: me.peerId }),
        });
      const first = await ask();
      assertEquals(first.status, 200);
      assertEquals((await first.json()).ok, true);
      const second = await ask();
      const again = await second.json();
      assertEquals([second.status, again.code], [429, "RATE_LIMITED"]);
      // It says when the account may ask again.
      assert(again.retryAfter > 0 && again.message.includes(`again in ${again.retryAfter} ms`));
      const account = await (await fetch(`${net.url}/v1/accounts/${me.peerId}`)).json();
      assertEquals(account.balance, "1000");
      const shard = shardOf(me.peerId, 2);
      const deadline = Date.now() + 5_000;
      let head: { entries: number } | null = null;
      while (!head && Date.now() < deadline) {
        head = (await (await fetch(`${net.url}/v1/shards/${shard}/head`)).json()).head;
        if (!head) await new Promise((r) => setTimeout(r, 50));
      }
      assertEquals(head?.entries, 1);
      const bad = await fetch(`${net.url}/v1/faucet`, {
        method: "POST",
        body: JSON.stringify({ account: "x" }),
      });
      assertEquals([bad.status, (await bad.json()).code], [400, "BAD_REQUEST"]);
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "ledger: a faucet payment's hash is looked up like a transfer's, and its proof checks offline",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 4,
      vars: { FAUCET: "on" },
      limits: { BLOCK_INTERVAL_MS: 200 },
    });
    try {
      const me = await Identity.generate();
      const paid = await (await fetch(`${net.url}/v1/faucet`, {
        method: "POST",
        body: JSON.stringify({ account: me.peerId }),
      })).json();
      assertEquals([paid.ok, paid.status, paid.shard], [true, "credited", shardOf(me.peerId, 4)]);
      // Found by its hash alone (every shard asked), and through the client by its payee.
      const peer = new Peer({ url: net.url, identity: me });
      const status = await peer.ledger.waitForBlock(paid.hash);
      assertEquals([status.hash, status.mint?.to, status.mint?.amount], [
        paid.hash,
        me.peerId,
        "1000",
      ]);
      const anywhere = await (await fetch(`${net.url}/v1/tx/${paid.hash}`)).json();
      assertEquals(anywhere.mint, status.mint);
      const network = await peer.ledger.network();
      assertEquals(await verifyTxProof(status.proof!, network), { ok: true });
      const proof = status.proof as MintProof;
      const forged: MintProof = { ...proof, mint: { ...proof.mint, amount: "1000000" } };
      assertEquals((await verifyTxProof(forged, network)).ok, false);
      peer.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "ledger: every transfer and faucet payment is found by its hash alone, from any peer, through restarts",
  opts,
  async () => {
    const shards = 8;
    const payers = await Promise.all(
      Array.from({ length: 4 }, (_, k) => identityOnShard(2 * k, shards)),
    );
    const net = await startNetwork({
      shards,
      vars: {
        GENESIS: JSON.stringify(Object.fromEntries(payers.map((p) => [p.peerId, 1000]))),
        FAUCET: "on",
      },
      limits: { ...UNMETERED, BLOCK_INTERVAL_MS: 200 },
    });
    try {
      const hashes: string[] = [];
      for (const payer of payers) {
        const peer = await connectPeer(net, { identity: payer });
        for (let i = 0; i < 4; i++) {
          const r = await peer.ledger.transfer((await Identity.generate()).peerId, 1 + i);
          assert(r.ok, JSON.stringify(r));
          hashes.push(r.hash);
        }
        peer.close();
      }
      const paid = await (await fetch(`${net.url}/v1/faucet`, {
        method: "POST",
        body: JSON.stringify({ account: (await Identity.generate()).peerId }),
      })).json();
      hashes.push(paid.hash);
      // A stranger, who paid none of them, asks by hash alone.
      const stranger = new Peer({ url: net.url, identity: await Identity.generate() });
      const network = await stranger.ledger.network();
      const lookUp = async () => {
        for (const hash of hashes) {
          const status = await stranger.ledger.waitForBlock(hash);
          assertEquals(status.hash, hash);
          assertEquals(await verifyTxProof(status.proof!, network), { ok: true });
        }
      };
      await lookUp();
      const homes = new Set(hashes.map((h) => shardOf(h, shards)));
      console.log(
        `ledger: ${hashes.length} hashes, homed on ${homes.size} shards, found alone and verified`,
      );
      await net.restart();
      await lookUp();
      const unknown = await fetch(`${net.url}/v1/tx/${"ab".repeat(32)}`);
      assertEquals([unknown.status, (await unknown.json()).code], [404, "TX_NOT_FOUND"]);
      stranger.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "ledger: a backlog of more than a block is sealed block after block, not an interval apart",
  opts,
  async () => {
    const alice = await identityOnShard(0, 2);
    const bob = await identityOnShard(1, 2);
    const interval = 5_000;
    const net = await startNetwork({
      shards: 2,
      vars: { GENESIS: JSON.stringify({ [alice.peerId]: 1000 }) },
      limits: { ...UNMETERED, MAX_BLOCK_ENTRIES: 8, BLOCK_INTERVAL_MS: interval },
    });
    try {
      const txs = [];
      for (let nonce = 1; nonce <= 36; nonce++) txs.push(await sign(alice, bob, 1, nonce));
      const results = await post(net.url, txs);
      assertEquals(results.filter((r) => r.ok).length, 36);
      const head = async () => (await (await fetch(`${net.url}/v1/shards/0/head`)).json()).head;
      await waitUntil(async () => (await head())?.height === 5, 4 * interval);
      const blocks: BlockHeaderJson[] = [];
      for (let h = 1; h <= 5; h++) {
        blocks.push(await (await fetch(`${net.url}/v1/shards/0/blocks/${h}`)).json());
      }
      assertEquals(blocks.map((b) => b.entries), [8, 8, 8, 8, 4]);
      // One interval for the first block; the four after it follow at once. Sealed an interval
      // apart, as before, they would span four intervals.
      const span = blocks[4].timestamp - blocks[0].timestamp;
      assert(span < interval, `blocks 1 to 5 were sealed ${span} ms apart`);
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "ledger: a peer's batches sent back to back apply in the order sent, each nonce after the last",
  opts,
  async () => {
    const alice = await identityOnShard(0, 2);
    const bob = await identityOnShard(1, 2);
    const net = await startNetwork({
      shards: 2,
      vars: { GENESIS: JSON.stringify({ [alice.peerId]: 1000 }) },
      limits: UNMETERED,
    });
    try {
      const peer = await connectPeer(net, { identity: alice });
      // Three batches of 16, nonces 1-16, 17-32, 33-48, sent without waiting for an answer:
      // checked side by side, the second and third would meet nonce 0 and read as gaps.
      const batches: TransferJson[][] = [];
      for (let b = 0; b < 3; b++) {
        const txs = [];
        for (let i = 1; i <= 16; i++) txs.push(await sign(alice, bob, 1, b * 16 + i, net.network));
        batches.push(txs);
      }
      const answers = await Promise.all(batches.map((txs) => peer.ledger.submit(txs)));
      assertEquals(answers.map((rs) => rs.filter((r) => r.ok).length), [16, 16, 16]);
      const account = await peer.ledger.balance();
      assertEquals([account.nonce, account.balance], [48, "952"]);
      console.log("ledger: 3 batches sent back to back, 48 transfers applied in order");
      peer.close();
    } finally {
      await net.dispose();
    }
  },
);
