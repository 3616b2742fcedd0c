// 50 super-peer restarts (workerd stopped and started on the same persisted state) during mixed
// traffic on real workerd: reliable relay, transfers, publishes and mail. Nothing acknowledged is
// lost or doubled, and the ledger equals a replay of the transfers it applied.
import { Identity, type MailEvent, Peer, type PeerMessage, type TopicEvent } from "../../../mod.ts";
import { signTransfer, transferToJson } from "../../../src/ledger/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const RESTARTS = 50;
const SHARDS = 4;

Deno.test(
  "soak: 50 restarts during mixed traffic lose and double nothing acknowledged",
  opts,
  async () => {
    const payers = await Promise.all(Array.from({ length: 4 }, () => Identity.generate()));
    const payees = await Promise.all(Array.from({ length: 4 }, () => Identity.generate()));
    const net = await startNetwork({
      shards: SHARDS,
      vars: { GENESIS: JSON.stringify(Object.fromEntries(payers.map((p) => [p.peerId, 1_000]))) },
      limits: { RECEIPT_RETRY_MS: 200, BLOCK_INTERVAL_MS: 200 },
    });
    try {
      const alice = await connectPeer(net, { reliable: true });
      const bob = await connectPeer(net, { reliable: true });
      const carol = await connectPeer(net);
      const dave = await Identity.generate(); // offline: mail waits for him
      const relayed: PeerMessage[] = [];
      bob.addEventListener("message", (e) => relayed.push((e as CustomEvent<PeerMessage>).detail));
      const topic: TopicEvent[] = [];
      carol.addEventListener("topic", (e) => topic.push((e as CustomEvent<TopicEvent>).detail));
      await carol.subscribe("soak");

      // What the peers were told, for the failure message.
      const told = new Map<string, number>();
      for (const [name, p] of [["alice", alice], ["bob", bob]] as const) {
        p.addEventListener("error", (e) => {
          const key = `${name} ${(e as CustomEvent).detail.code}`;
          told.set(key, (told.get(key) ?? 0) + 1);
        });
        p.addEventListener("close", (e) => {
          const d = (e as CustomEvent).detail;
          const key = `${name} stopped ${d.code} ${d.error?.code} ${d.reason}`;
          told.set(key, (told.get(key) ?? 0) + 1);
        });
        p.addEventListener("reconnecting", (e) => {
          const key = `${name} closed ${(e as CustomEvent).detail.code}`;
          told.set(key, (told.get(key) ?? 0) + 1);
        });
      }
      let running = true;
      const sent: string[] = [];
      const published: number[] = [];
      const publishing: Promise<unknown>[] = [];
      const mailed: string[] = [];
      const submitted: { hash: string; ok: boolean | undefined; from: string; to: string }[] = [];
      const traffic = (async () => {
        const nonces = payers.map(() => 0);
        for (let i = 0; running; i++) {
          const text = `m${i}`;
          // A send the client could not take (its window of unacknowledged ones full) is not counted.
          if (alice.send(bob.peerId, text) !== "dropped") sent.push(text);
          publishing.push(alice.publish("soak", `p${i}`).then((n) => published.push(n), () => {}));
          if (i % 5 === 0) {
            alice.sendMail(dave.peerId, `mail ${i}`).then((r) => mailed.push(r.mid), () => {});
          }
          const k = i % payers.length;
          const tx = transferToJson(
            await signTransfer(payers[k], {
              network: net.network,
              to: payees[k].peerId,
              amount: 1n,
              nonce: nonces[k] + 1,
            }),
          );
          const entry = {
            hash: "",
            ok: undefined as boolean | undefined,
            from: tx.from,
            to: tx.to,
          };
          submitted.push(entry);
          try {
            const res = await fetch(`${net.url}/v1/tx`, {
              method: "POST",
              body: JSON.stringify(tx),
            });
            const r = (await res.json()).results[0];
            entry.hash = r.hash ?? "";
            entry.ok = r.ok;
            // Applied, or known to be a replay of an applied one: the nonce moves on.
            if (r.ok || r.code === "TX_NONCE_REPLAYED") nonces[k]++;
          } catch {
            // Unknown: asked again at the end (the same nonce is tried next round).
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      for (let r = 0; r < RESTARTS; r++) {
        await new Promise((res) => setTimeout(res, 150));
        await net.restart();
      }
      running = false;
      await traffic;
      // Publishes still on their way when traffic stopped: each is acknowledged (or not) before
      // what arrived is checked against what was acknowledged.
      await Promise.all(publishing);

      // The reliable relay: every message once, in order.
      await waitUntil(() => relayed.length >= sent.length, 60_000);
      assertEquals(
        relayed.map((m) => m.data),
        sent,
        `relayed exactly once, in order; told: ${JSON.stringify(Object.fromEntries(told))}`,
      );
      // Publishes: every acknowledged one arrives, none twice. The topic's home keeps each
      // one until every subscribing shard has it, and that shard until the subscriber
      // acknowledges it, so a socket a restart killed loses nothing.
      await waitUntil(() => published.every((n) => topic.some((t) => t.n === n)), 30_000);
      const ns = topic.map((t) => t.n);
      assertEquals(new Set(ns).size, ns.length, "no publish twice");
      const lost = published.filter((n) => !ns.includes(n));
      // What came around a lost one says how it was lost (out of order, then taken for a repeat?).
      const around = lost.map((n) => ns.filter((m) => Math.abs(m - n) <= 3));
      assertEquals(
        lost.length,
        0,
        `acknowledged publishes lost: ${JSON.stringify(lost)}; taken near them, in order: ${
          JSON.stringify(around)
        }; told: ${JSON.stringify(Object.fromEntries(told))}`,
      );
      // Mail: every acknowledged one reaches its recipient once.
      const inbox: MailEvent[] = [];
      // Listening before connecting: mail is handed over right after the welcome.
      const daveOnline = new Peer({ url: net.url, identity: dave, network: net.network });
      daveOnline.addEventListener("mail", (e) => inbox.push((e as CustomEvent<MailEvent>).detail));
      await daveOnline.connect();
      await waitUntil(() => mailed.every((mid) => inbox.some((m) => m.mid === mid)), 30_000);
      for (const mid of mailed) assert(inbox.some((m) => m.mid === mid), `mail ${mid} lost`);
      assertEquals(new Set(inbox.map((m) => m.mid)).size, inbox.length, "no mail twice");

      // The ledger: every acknowledged transfer applied, and balances equal a replay of the
      // applied ones (the last of each payer's nonces settles which were).
      await new Promise((r) => setTimeout(r, 1_500)); // receipts land
      const get = async (id: string) => await (await fetch(`${net.url}/v1/accounts/${id}`)).json();
      let applied = 0;
      for (const [k, payer] of payers.entries()) {
        const account = await get(payer.peerId);
        const acked = submitted.filter((s) => s.from === payer.peerId && s.ok).length;
        assert(account.nonce >= acked, "an acknowledged transfer was lost");
        assertEquals(account.balance, String(1_000 - account.nonce), "payer = replay");
        await waitUntil(
          async () => (await get(payees[k].peerId)).balance === String(account.nonce),
          15_000,
        );
        assertEquals(
          (await get(payees[k].peerId)).balance,
          String(account.nonce),
          "payee = replay",
        );
        applied += account.nonce;
      }
      console.log(
        `soak: ${RESTARTS} restarts; ${sent.length} relayed, ${mailed.length} mails acknowledged ` +
          `and ${applied} transfers applied, all once; ${published.length} publishes ` +
          `acknowledged, all arrived once`,
      );
      for (const p of [alice, bob, carol, daveOnline]) p.close();
    } finally {
      await net.dispose();
    }
  },
);
