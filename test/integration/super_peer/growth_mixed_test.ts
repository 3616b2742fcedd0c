// Growing a live network twice, 8 → 16 → 32 shards, on real workerd, under every kind of
// traffic at once: reliable pairs across shards, signed transfers (same- and cross-shard), mail
// to an offline peer, publishes to a topic with subscribers on many shards, and a swarm fetch.
// After each growth: every message of a reliable pair delivered once and in order, every
// transfer applied once (supply unchanged, each balance at its new home), every publish heard
// once in order by every subscriber, the fetched file exact; at the end every mail handed over
// once, in order.
import { Identity, type Peer, type PeerMessage } from "../../../mod.ts";
import { signTransfer, transferToJson } from "../../../src/ledger/mod.ts";
import type { AccountView, TxOutcome } from "../../../src/protocol/mod.ts";
import { type SignedSlotMap, SlotMap } from "../../../src/routing/mod.ts";
import { PIECE_BYTES } from "../../../src/swarm/mod.ts";
import { TEST_ADDRESS_HEADER } from "../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../support/peers.ts";
import { ADMIN, fundedNetwork, plain } from "../../support/growth.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ACCOUNTS = 16;
const FUNDS = 1_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function heard(peer: Peer, type: "message" | "topic" | "mail"): string[] {
  const got: string[] = [];
  peer.addEventListener(type, (e) => got.push(String((e as CustomEvent<PeerMessage>).detail.data)));
  return got;
}

Deno.test(
  "growth: 8 → 16 → 32 under mixed traffic, nothing acknowledged lost or doubled",
  opts,
  async () => {
    const { ids, net } = await fundedNetwork(ACCOUNTS, FUNDS);
    try {
      // Four reliable pairs, each sender and receiver homed anywhere (so some move each time).
      const senders = await Promise.all(
        [0, 1, 2, 3].map(() => connectPeer(net, { reliable: true })),
      );
      const receivers = await Promise.all([0, 1, 2, 3].map(() => connectPeer(net)));
      const received = receivers.map((r) => heard(r, "message"));
      const sent: string[][] = senders.map(() => []);
      // A topic with six subscribers, and its publisher.
      const subscribers = await Promise.all([0, 1, 2, 3, 4, 5].map(() => connectPeer(net)));
      const news = subscribers.map((s) => heard(s, "topic"));
      await Promise.all(subscribers.map((s) => s.subscribe("mixed")));
      const publisher = await connectPeer(net);
      const published: string[] = [];
      // Mail for a peer that stays offline throughout.
      const inbox = await Identity.generate();
      const mailed: string[] = [];
      // A file shared by two seeders.
      const bytes = new Uint8Array(24 * PIECE_BYTES).map((_, i) => (i * 7919) & 255);
      const seeders = await Promise.all([0, 1].map(() => connectPeer(net)));
      const fileId = await seeders[0].swarm.share(bytes);
      await seeders[1].swarm.share(bytes);

      const balance = new Map(ids.map((i) => [i.peerId, FUNDS]));
      const nonce = new Map(ids.map((i) => [i.peerId, 0]));
      let transfers = 0;
      const transfer = async (k: number) => {
        const from = ids[k % ACCOUNTS];
        const to = ids[(k * 5 + 1) % ACCOUNTS];
        if (from === to) return;
        const n = nonce.get(from.peerId)! + 1;
        const tx = await signTransfer(from, {
          network: net.network,
          to: to.peerId,
          amount: 2n,
          nonce: n,
        });
        const res = await fetch(`${net.url}/v1/tx`, {
          method: "POST",
          headers: { [TEST_ADDRESS_HEADER]: `198.51.100.${k % 250 + 1}` },
          body: JSON.stringify(transferToJson(tx)),
        });
        const [out] = (await res.json()).results as TxOutcome[];
        assert(out.ok, `transfer ${k}: ${JSON.stringify(out)}`);
        transfers++;
        nonce.set(from.peerId, n);
        balance.set(from.peerId, balance.get(from.peerId)! - 2);
        balance.set(to.peerId, balance.get(to.peerId)! + 2);
      };

      for (const to of [16, 32]) {
        let growing = true;
        const loop = async (gapMs: number, step: (k: number) => Promise<void>) => {
          for (let k = 0; growing; k++) {
            await step(k);
            await sleep(gapMs);
          }
        };
        const traffic = Promise.all([
          ...senders.map((s, j) =>
            loop(15, (k) => {
              const text = `${to}/${j}/${k}`;
              s.send(receivers[j].peerId, text);
              sent[j].push(text);
              return Promise.resolve();
            })
          ),
          loop(15, async (k) => {
            await publisher.publish("mixed", `${to}/${k}`);
            published.push(`${to}/${k}`);
          }),
          // Twelve a growth at most: one sender's mail to one peer is bounded
          // (`MAILBOX_MAX_FROM_SENDER`).
          loop(40, async (k) => {
            if (k >= 12) return;
            const r = await publisher.sendMail(inbox.peerId, `${to}/${k}`);
            assertEquals(r.status, "stored");
            mailed.push(`${to}/${k}`);
          }),
          loop(0, (k) => transfer(k)),
        ]);
        // A new peer fetches the file while slots move.
        const fetcher = await connectPeer(net);
        const fetched = fetcher.swarm.fetch(fileId);
        await sleep(200);
        const res = await net.grow(to, ADMIN);
        assertEquals(res.status, 200, await res.clone().text());
        const report = await res.json() as { steps: number; slots: number; longestPauseMs: number };
        await sleep(200);
        growing = false;
        await traffic;
        assertEquals(await fetched, bytes, "the file fetched while slots moved");
        await fetcher.close();

        const map = SlotMap.fromJSON(
          plain<SignedSlotMap>(await net.callShard(0, "mapCurrent")),
        ) as SlotMap;
        assertEquals([map.shards, report.slots], [to, 4096 / 2]);
        // Every reliable message once, in order; every publish heard once, in order, by all.
        await waitUntil(
          () => received.every((got, j) => got.length >= sent[j].length),
          20_000,
        );
        await waitUntil(() => news.every((got) => got.length >= published.length), 20_000);
        await sleep(300);
        for (const [j, got] of received.entries()) assertEquals(got, sent[j], `pair ${j}`);
        for (const [j, got] of news.entries()) assertEquals(got, published, `subscriber ${j}`);
        // Every transfer applied once: each balance at its home under the new map.
        const views = () =>
          Promise.all(ids.map(async (i) =>
            plain<AccountView>(
              await net.callShard(map.shardOf(i.peerId), "ledgerAccount", i.peerId),
            )
          ));
        let seen: AccountView[] = [];
        for (let t = 0; t < 100; t++) {
          seen = await views();
          if (seen.every((v) => Number(v.balance) === balance.get(v.id))) break;
          await sleep(200);
        }
        for (const v of seen) {
          assertEquals([v.balance, v.nonce], [String(balance.get(v.id)), nonce.get(v.id)], v.id);
        }
        assertEquals(seen.reduce((n, v) => n + Number(v.balance), 0), ACCOUNTS * FUNDS);
        const moved = [...senders, ...receivers, ...subscribers]
          .filter((p) => p.welcome?.shard !== undefined && p.welcome.shard >= to / 2).length;
        console.log(
          `growth to ${to}: ${report.steps} steps, longest pause ${report.longestPauseMs} ms; ` +
            `${sent.flat().length} reliable messages, ${published.length} publishes, ` +
            `${mailed.length} mail, ${transfers} transfers so far; ${moved} peers now on new shards`,
        );
      }
      // The mail waited for its peer through both moves, and is handed over once, in order.
      const reader = await connectPeer(net, { identity: inbox });
      const got = heard(reader, "mail");
      await waitUntil(() => got.length >= mailed.length, 10_000);
      await sleep(300);
      assertEquals(got, mailed);
      for (const p of [...senders, ...receivers, ...subscribers, ...seeders, publisher, reader]) {
        await p.close();
      }
    } finally {
      await net.dispose();
    }
  },
);
