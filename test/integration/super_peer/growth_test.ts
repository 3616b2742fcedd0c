// Growing a live network on real workerd: the map's keeper (shard 0) moves slot after slot
// from 8 shards to 16, each step frozen, copied, published and released, while transfers keep
// coming. Afterwards every account lives at the home the new map names, with every applied
// transfer in its balance and the supply unchanged; its old home names the new one; a receipt
// sent to an old home is paid on; peers homed in moved slots reconnect to their new home.
import { Identity, Peer } from "../../../mod.ts";
import {
  signTransfer,
  transferHash,
  transferToJson,
  verifyTxProof,
} from "../../../src/ledger/mod.ts";
import type {
  AccountView,
  NetworkInfo,
  TransferProof,
  TxOutcome,
} from "../../../src/protocol/mod.ts";
import {
  type GrowthStep,
  nextGrowthStep,
  type SignedSlotMap,
  SlotMap,
  slotOf,
} from "../../../src/routing/mod.ts";
import { connectUrl, signHello } from "../../../src/protocol/mod.ts";
import { PieceTree } from "../../../src/swarm/mod.ts";
import { startNetwork, TEST_ADDRESS_HEADER } from "../../../scripts/local_network.ts";
import { connectPeer, openBareSocket, waitUntil } from "../../support/peers.ts";
import { ADMIN, fundedNetwork, plain } from "../../support/growth.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ACCOUNTS = 48;
const FUNDS = 1_000;

Deno.test(
  "growth: 8 → 16 shards under transfers, every balance at its new home, supply unchanged",
  opts,
  async () => {
    // A peer's last sighting is told for `PRESENCE_TIMEOUT_MS`: longer than this test takes.
    const limits = { PRESENCE_TIMEOUT_MS: 600_000 };
    const { ids, net } = await fundedNetwork(ACCOUNTS, FUNDS, { limits });
    const grow = (to: unknown, token = ADMIN) => net.grow(to, token);
    try {
      const mapNow = async () =>
        SlotMap.fromJSON(plain<SignedSlotMap>(await net.callShard(0, "mapCurrent"))) as SlotMap;
      const balance = new Map(ids.map((i) => [i.peerId, FUNDS]));
      const nonce = new Map(ids.map((i) => [i.peerId, 0]));
      // A peer whose slot moves (its shard gives it to shard + 8): it is sent to its new home.
      let mover: Identity;
      do mover = await Identity.generate(); while (SlotMap.initial(16).shardOf(mover.peerId) < 8);
      const peer = await connectPeer(net, { identity: mover });
      assertEquals(peer.welcome?.shard, SlotMap.initial(8).shardOf(mover.peerId));
      // Another, offline while its slot moves: when it was last seen moves with it.
      let away: Identity;
      do away = await Identity.generate(); while (SlotMap.initial(16).shardOf(away.peerId) < 8);
      const visit = await connectPeer(net, { identity: away });
      visit.close();
      for (let t = 0; t < 50 && (await peer.lookup(away.peerId)).lastSeen === null; t++) {
        await new Promise((r) => setTimeout(r, 100));
      }

      // Mail for peers whose slots move. A recipient offline throughout; the mail of a sender
      // whose slot stays (and who stays connected) before and while slots move; and a notice
      // stored for a sender gone offline, whose slot moves too.
      const movesAt16 = async () => {
        let i: Identity;
        do i = await Identity.generate(); while (SlotMap.initial(16).shardOf(i.peerId) < 8);
        return i;
      };
      let stays: Identity;
      do stays = await Identity.generate(); while (SlotMap.initial(16).shardOf(stays.peerId) >= 8);
      const [inbox, noticed] = [await movesAt16(), await movesAt16()];
      const mailer = await connectPeer(net, { identity: stays });
      const mailed: string[] = [];
      const delivered: string[] = [];
      mailer.addEventListener("mail.notice", (e) => {
        const n = (e as CustomEvent<{ status: string; ref: string }>).detail;
        if (n.status === "delivered") delivered.push(n.ref);
      });
      const mail = async (text: string) => {
        const r = await mailer.sendMail(inbox.peerId, text, { notify: true });
        assertEquals(r.status, "stored");
        mailed.push(text);
      };
      for (let k = 0; k < 3; k++) await mail(`before ${k}`);
      const noticeFrom = await connectPeer(net, { identity: noticed });
      const reads = await Identity.generate();
      const { mid: noticeRef } = await noticeFrom.sendMail(reads.peerId, "read me", {
        notify: true,
      });
      await noticeFrom.close();
      // Taken and acknowledged while its sender is away: the notice is stored at its home.
      const reading = await connectPeer(net, { identity: reads });
      const readMe: string[] = [];
      reading.addEventListener("mail", (e) => readMe.push(String((e as CustomEvent).detail.data)));
      await waitUntil(() => readMe.length === 1);
      await new Promise((r) => setTimeout(r, 200));
      await reading.close();

      // A topic homed in a moving slot, a subscriber whose slot moves and one whose slot
      // stays; numbered publishes before, while and after slots move.
      let topic = "growing";
      for (let k = 0; SlotMap.initial(16).shardOf(topic) < 8; k++) topic = `growing-${k}`;
      const [movingSub, stayingSub] = await Promise.all([
        connectPeer(net, { identity: await movesAt16() }),
        (async () => {
          let i: Identity;
          do i = await Identity.generate(); while (SlotMap.initial(16).shardOf(i.peerId) >= 8);
          return await connectPeer(net, { identity: i });
        })(),
      ]);
      const heard = [movingSub, stayingSub].map((p) => {
        const got: string[] = [];
        p.addEventListener("topic", (e) => got.push(String((e as CustomEvent).detail.data)));
        return got;
      });
      await Promise.all([movingSub.subscribe(topic), stayingSub.subscribe(topic)]);
      const published: string[] = [];
      const publish = async (text: string) => {
        await mailer.publish(topic, text);
        published.push(text);
      };
      for (let k = 0; k < 3; k++) await publish(`before ${k}`);
      // A content whose home's slot moves, provided by the subscriber whose slot moves too.
      let root = "";
      for (let k = 0; !root; k++) {
        const id = PieceTree.of(new Uint8Array(1_000).fill(k)).id.text;
        if (SlotMap.initial(16).shardOf(id.slice(0, 64)) >= 8) root = id;
      }
      await movingSub.request({ t: "provide", root });

      // Transfers, one after another, each to its payer's home.
      let growing = false;
      const sealedBefore: { hash: string; payer: string }[] = [];
      let applied = 0;
      let refused = 0;
      let during = 0;
      let after = 0;
      const transfer = async (k: number) => {
        const from = ids[k % ACCOUNTS];
        const to = ids[(k * 7 + 3) % ACCOUNTS];
        const n = nonce.get(from.peerId)! + 1;
        const tx = transferToJson(
          await signTransfer(from, { network: net.network, to: to.peerId, amount: 3n, nonce: n }),
        );
        // Through the edge, which routes by the map it last read (at most `MAP_REFRESH_MS` old),
        // from addresses of their own (an address's HTTP budget is not what is tested here).
        const res = await fetch(`${net.url}/v1/tx`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [TEST_ADDRESS_HEADER]: `198.51.100.${k % 250 + 1}`,
          },
          body: JSON.stringify(tx),
        });
        const [out] = (await res.json()).results as TxOutcome[];
        if (out.ok) {
          if (!growing) sealedBefore.push({ hash: out.hash, payer: from.peerId });
          applied++;
          if (growing) during++;
          nonce.set(from.peerId, n);
          balance.set(from.peerId, balance.get(from.peerId)! - 3);
          balance.set(to.peerId, balance.get(to.peerId)! + 3);
        } else {
          // Its payer's slot left while the edge still routed by the older map: refused, not
          // applied (a client sends it again).
          assertEquals(out.code, "TX_WRONG_SHARD", `transfer ${k}, growing ${growing}`);
          refused++;
        }
      };
      // Every shard's ledger awake first, so that the stream is running while slots move.
      for (let k = 0; k < 16; k++) await transfer(k);
      // And one transfer whose record is held where its hash was homed too (so no index entry
      // was ever made for it), by a payer whose slot moves, and whose hash's slot moves: after
      // the growth the hash's new home must learn where the record is.
      const eight = SlotMap.initial(8);
      const sixteen = SlotMap.initial(16);
      const payer = ids.find((i) => sixteen.shardOf(i.peerId) >= 8)!;
      const payee = ids.find((i) => i !== payer)!;
      let own: { hash: string; tx: unknown } | undefined;
      for (let amount = 1n; !own; amount++) {
        const t = await signTransfer(payer, {
          network: net.network,
          to: payee.peerId,
          amount,
          nonce: nonce.get(payer.peerId)! + 1,
        });
        const hash = transferHash(t);
        const home = eight.shardOf(payer.peerId);
        if (eight.shardOf(hash) === home && sixteen.shardOf(hash) !== home) {
          own = { hash, tx: transferToJson(t) };
          const res = await fetch(`${net.url}/v1/tx`, {
            method: "POST",
            body: JSON.stringify(own.tx),
          });
          const [out] = (await res.json()).results as TxOutcome[];
          assert(out.ok, JSON.stringify(out));
          nonce.set(payer.peerId, nonce.get(payer.peerId)! + 1);
          balance.set(payer.peerId, balance.get(payer.peerId)! - Number(amount));
          balance.set(payee.peerId, balance.get(payee.peerId)! + Number(amount));
          sealedBefore.unshift({ hash, payer: payer.peerId });
        }
      }
      // A subscriber in a moving slot that never acknowledges, and 2.3 MB published to its
      // topic: at its slot's release what it has not acknowledged goes to its new home in more
      // than one page (`EXPORT_PAGE_BYTES`), each numbered where the last ended.
      const silentId = await movesAt16();
      const silentHeard: string[] = [];
      const silent = await openBareSocket(net, silentId, silentHeard);
      await waitUntil(() => silentHeard.length >= 1); // its welcome
      silent.send(JSON.stringify({ t: "sub", topic: "backlog", id: 1 }));
      await waitUntil(() => silentHeard.some((h) => JSON.parse(h).id === 1));
      const backlog = (heard: string[]) =>
        heard.map((h) => JSON.parse(h)).filter((m) => m.t === "topic" && m.topic === "backlog")
          .map((m) => String(m.data));
      const bulk = (k: number) => `${k}:`.padEnd(15_000, "b");
      for (let k = 0; k < 150; k++) await mailer.publish("backlog", bulk(k));
      await waitUntil(() => backlog(silentHeard).length >= 150, 20_000);
      growing = true;
      // Four streams, each with payers of its own (a payer's nonces go in order).
      const stream = Promise.all([0, 1, 2, 3].map(async (j) => {
        for (let k = 16 + j; growing || after < 10; k += 4) {
          if (!growing) after++;
          await transfer(k);
        }
      }));
      // And mail and publishes, one after another, while slots move.
      // (Twenty at most: one sender's mail to one peer is bounded, `MAILBOX_MAX_FROM_SENDER`.)
      const mailing = (async () => {
        for (let k = 0; growing && k < 20; k++) {
          await mail(`during ${k}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const publishing = (async () => {
        for (let k = 0; growing; k++) {
          await publish(`during ${k}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();

      // Not without the operator's token; not to a shard count that is no power of two.
      const denied = await grow(16, "guess");
      assertEquals([denied.status, (await denied.json()).code], [401, "ADMIN_UNAUTHORIZED"]);
      const odd = await grow(12);
      assertEquals([odd.status, (await odd.json()).code], [400, "BAD_GROWTH"]);
      const res = await grow(16);
      assertEquals(res.status, 200);
      const report = await res.json() as {
        ok: true;
        shards: number;
        version: number;
        steps: number;
        slots: number;
        longestPauseMs: number;
      };
      growing = false;
      await Promise.all([stream, mailing, publishing]);
      assertEquals(refused, 0, "no transfer refused for a home that moved: the router follows");
      console.log(
        `growth 8 → 16: ${report.steps} steps, ${report.slots} slots, longest pause ${report.longestPauseMs} ms; ${during} transfers applied meanwhile (${applied} in all), ${refused} refused for a home that moved`,
      );
      assertEquals([report.ok, report.shards, report.slots], [true, 16, 2048]);
      assert(during >= 1, `transfers applied while growing: ${during}`);
      // Nothing left to do: asked again, the keeper moves nothing.
      // The operator's command, asked again: nothing to do.
      const script = new URL("../../../scripts/reshard.ts", import.meta.url).pathname;
      const again = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-net", "--allow-env", script, "--to", "16", "--url", net.url],
        env: { ADMIN_TOKEN: ADMIN },
      }).output();
      const said = new TextDecoder().decode(again.stdout);
      assertEquals(again.code, 0, new TextDecoder().decode(again.stderr));
      assert(
        said.includes("Grown to 16 shards") && said.includes("0 slots moved in 0 steps"),
        said,
      );

      const map = await mapNow();
      assertEquals(map.shards, 16);
      for (let k = 0; k < 16; k++) assertEquals(map.slotsOf(k).length, 256, `shard ${k}`);
      // A step's map reaches its two shards at once and the others when its source is done:
      // at the end, every shard holds the last one.
      for (let k = 0; k < 16; k++) {
        const held = plain<SignedSlotMap>(await net.callShard(k, "mapCurrent"));
        assertEquals(held.version, map.version, `shard ${k}`);
      }
      // Receipts are delivered by the alarm's pushes: every balance settles where it lives now.
      const views = async () =>
        await Promise.all(
          ids.map(async (i) =>
            await net.callShard(map.shardOf(i.peerId), "ledgerAccount", i.peerId) as AccountView
          ),
        );
      let seen: AccountView[] = [];
      for (let t = 0; t < 100; t++) {
        seen = await views();
        if (seen.every((v) => Number(v.balance) === balance.get(v.id))) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const v of seen) {
        assertEquals([v.balance, v.nonce, v.shard], [
          String(balance.get(v.id)),
          nonce.get(v.id),
          map.shardOf(v.id),
        ], v.id);
      }
      const supply = seen.reduce((sum, v) => sum + Number(v.balance), 0);
      assertEquals(supply, ACCOUNTS * FUNDS);

      // An account whose slot moved: its old home holds nothing of it and names the new one;
      // the HTTP API finds it there.
      const moved = ids.find((i) => map.shardOf(i.peerId) >= 8)!;
      const old = SlotMap.initial(8).shardOf(moved.peerId);
      const there = await net.callShard(old, "ledgerAccount", moved.peerId) as AccountView;
      assertEquals([there.balance, there.shard], ["0", map.shardOf(moved.peerId)]);
      const http = await (await fetch(`${net.url}/v1/accounts/${moved.peerId}`)).json();
      assertEquals(http.balance, String(balance.get(moved.peerId)));
      // A transfer sent to its payer's old home (by a caller with the older map) is refused
      // there, applied nowhere, naming the new home, which the edge and the shards follow.
      const stale = await signTransfer(moved, {
        network: net.network,
        to: ids.find((i) => i !== moved)!.peerId,
        amount: 1n,
        nonce: nonce.get(moved.peerId)! + 1,
      });
      const [wrong] = plain<TxOutcome[]>(
        await net.callShard(old, "ledgerSubmit", [transferToJson(stale)]),
      );
      assertEquals([wrong.ok, !wrong.ok && wrong.code, !wrong.ok && wrong.home], [
        false,
        "TX_WRONG_SHARD",
        map.shardOf(moved.peerId),
      ]);

      const info = await (await fetch(`${net.url}/v1/network`)).json() as NetworkInfo;
      assertEquals([info.shards, info.shardKeys.length, info.firstShards], [16, 16, 8]);
      // A transfer applied before the growth, by a payer whose slot moved: found by its hash
      // (and by its payer) after it, with a proof that checks against the keys served now.
      const early = sealedBefore[0];
      for (const query of ["", `?from=${early.payer}`]) {
        let status: { status?: string; proof?: TransferProof } = {};
        for (let t = 0; t < 50 && !status.proof; t++) {
          status = await (await fetch(`${net.url}/v1/tx/${early.hash}${query}`)).json();
          if (!status.proof) await new Promise((r) => setTimeout(r, 200));
        }
        assert(status.proof, `found after the growth${query}: ${JSON.stringify(status)}`);
        const keys = {
          network: net.network,
          shardKeys: info.shardKeys,
          firstShards: info.firstShards,
        };
        assertEquals(await verifyTxProof(status.proof, keys), { ok: true });
      }
      // The peer was sent away and came back at its new home.
      for (let t = 0; t < 100 && peer.welcome?.shard !== map.shardOf(mover.peerId); t++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assertEquals(peer.welcome?.shard, map.shardOf(mover.peerId));
      const lastSeen = await peer.lookup(away.peerId);
      assertEquals([lastSeen.online, lastSeen.shard, typeof lastSeen.lastSeen], [
        false,
        map.shardOf(away.peerId),
        "number",
      ]);

      // Every mail taken before and during the move is handed over once, in order, at the
      // recipient's new home; its sender hears of each; the notice waited at the new home too.
      const got: string[] = [];
      const reader = new Peer({ url: net.url, identity: inbox, network: net.network });
      reader.addEventListener("mail", (e) => got.push(String((e as CustomEvent).detail.data)));
      await reader.connect();
      assertEquals(reader.welcome?.shard, map.shardOf(inbox.peerId));
      await waitUntil(() => got.length >= mailed.length);
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(got, mailed);
      assert(mailed.some((m) => m.startsWith("during")), `mailed ${mailed.length}`);
      // Mail handed to the recipient's old home (by a caller with the older map) goes on to
      // the new one.
      const late = plain<{ ok: boolean; status?: string }>(
        await net.callShard(SlotMap.initial(8).shardOf(inbox.peerId), "mailPut", {
          to: inbox.peerId,
          from: stays.peerId,
          data: "late",
        }),
      );
      // Handed over at once: it reached the shard the recipient is connected to (the old home
      // would have stored it, for no one). Sent in clear, the recipient's client drops it.
      assertEquals([late.ok, late.status], [true, "delivered"]);
      await waitUntil(() => delivered.length >= mailed.length);
      assertEquals(delivered.length, mailed.length);
      const back = await connectPeer(net, { identity: noticed });
      const notices: string[] = [];
      back.addEventListener("mail.notice", (e) => notices.push((e as CustomEvent).detail.ref));
      await waitUntil(() => notices.length > 0);
      assertEquals(notices, [noticeRef]);
      console.log(`mail: ${mailed.length} messages across the move, each handed over once`);

      // Both subscribers heard every publish once, in order; the one whose slot moved hears at
      // its new home, and so do both after the move.
      for (let k = 0; k < 3; k++) await publish(`after ${k}`);
      await waitUntil(() => heard.every((got) => got.length >= published.length), 10_000);
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(heard[0], published, "the subscriber whose slot moved");
      assertEquals(heard[1], published, "the subscriber whose slot stayed");
      assertEquals(movingSub.welcome?.shard, map.shardOf(movingSub.peerId));
      assert(published.some((m) => m.startsWith("during")), `published ${published.length}`);
      // The topic's home moved: its subscribing shards are known there, and nowhere else.
      const homes = await Promise.all(
        [SlotMap.initial(8).shardOf(topic), map.shardOf(topic)].map(async (k) =>
          plain<number[]>(await net.callShard(k, "topicShards", topic)).sort((a, b) => a - b)
        ),
      );
      const subscribing = [map.shardOf(movingSub.peerId), map.shardOf(stayingSub.peerId)]
        .sort((a, b) => a - b);
      assertEquals(homes, [[], [...new Set(subscribing)]]);
      console.log(`topic: ${published.length} publishes across the move, each heard once`);
      // Sent away from its old home, the silent subscriber hears at its new one all it never
      // acknowledged, once each, in order.
      const silentAgain: string[] = [];
      const silentBack = await openBareSocket(net, silentId, silentAgain);
      await waitUntil(() => backlog(silentAgain).length >= 150, 20_000);
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(backlog(silentAgain), Array.from({ length: 150 }, (_, k) => bulk(k)));
      silentBack.close();
      // The content's providers are known at its new home, the moved peer offered with its new
      // home (back from away: its own home knew what it provides).
      const sample = async () =>
        (await mailer.request({ t: "providers", root, count: 4 })) as {
          providers: { peer: string; pieces: number; shard: number }[];
        };
      await waitUntil(async () => (await sample()).providers.length > 0);
      assertEquals((await sample()).providers, [{
        peer: movingSub.peerId,
        pieces: 1,
        shard: map.shardOf(movingSub.peerId),
      }]);
      await Promise.all([movingSub.close(), stayingSub.close()]);
      await Promise.all([reader.close(), back.close(), mailer.close()]);
      peer.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "growth: cut short after each phase and by a restart, resumed, no account lost or doubled",
  opts,
  async () => {
    // Each phase of a step throws once, after its work and before the next is written down;
    // and the destination fails to import every time it is tried, once: that step is called off.
    const FAILPOINTS =
      "growth.freeze:1,growth.copy:1,growth.publish:1,growth.release:1,slots.import:3";
    // An account and an offline peer's mailbox in the first step's slots.
    const step = nextGrowthStep(SlotMap.initial(8), 16, 64) as GrowthStep;
    const inStep = async () => {
      let i: Identity;
      do i = await Identity.generate(); while (!step.slots.includes(slotOf(i.peerId)));
      return i;
    };
    const [payer, inbox] = [await inStep(), await inStep()];
    const { ids, net } = await fundedNetwork(24, FUNDS, { vars: { FAILPOINTS } }, [payer]);
    try {
      const grow = () => net.grow(16, ADMIN);
      let failed = 0;
      let calledOff = 0;
      let restarted = false;
      for (let attempt = 0; attempt < 20; attempt++) {
        const res = await grow();
        const body = await res.json();
        if (res.status === 200) break;
        if (body.code === "GROWTH_CALLED_OFF") {
          assertEquals(res.status, 503);
          calledOff++;
          // Nothing stays frozen: the first step's slots went back to their shard, where mail
          // for them is stored at once, and the rows the destination took were dropped.
          const sender = await connectPeer(net);
          const stored = await Promise.race([
            sender.sendMail(inbox.peerId, "while called off").then((r) => r.status),
            new Promise<string>((r) => setTimeout(() => r("no answer in 5 s"), 5_000)),
          ]);
          await sender.close();
          assertEquals(stored, "stored");
          const there = plain<AccountView>(
            await net.callShard(step.to, "ledgerAccount", payer.peerId),
          );
          assertEquals(there.balance, "0", "the destination's copy dropped");
          continue;
        }
        assertEquals([res.status, body.code], [500, "INTERNAL"]);
        failed++;
        // Once, the runtime itself goes down part-way (its failpoints arm again after it).
        if (failed === 2 && !restarted) {
          await net.restart();
          restarted = true;
        }
      }
      assert(failed >= 4, `cut short ${failed} times`);
      assert(calledOff >= 1, "no step called off");
      const map = SlotMap.fromJSON(
        plain<SignedSlotMap>(await net.callShard(0, "mapCurrent")),
      ) as SlotMap;
      assertEquals([map.shards, map.slotsOf(15).length], [16, 256]);
      // Every account once, at its home under the new map; no shard holds a copy of another's.
      let supply = 0;
      for (const i of ids) {
        for (let k = 0; k < 16; k++) {
          const v = plain<AccountView>(await net.callShard(k, "ledgerAccount", i.peerId));
          const expected = k === map.shardOf(i.peerId) ? String(FUNDS) : "0";
          assertEquals(v.balance, expected, `${i.peerId} on shard ${k}`);
          supply += Number(v.balance);
        }
      }
      assertEquals(supply, ids.length * FUNDS);
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "growth: a peer's spent budget and an address's connections move with their slots",
  opts,
  async () => {
    const limits = {
      RELAY_QUOTA_BYTES: 1_000,
      MAX_CONNECTIONS_PER_ADDRESS: 2,
      FLOOD_COOLDOWN_MS: 60_000,
    };
    const net = await startNetwork({ shards: 8, limits, vars: { ADMIN_TOKEN: ADMIN } });
    const [eight, sixteen] = [SlotMap.initial(8), SlotMap.initial(16)];
    const where = async (moves: boolean) => {
      let i: Identity;
      do i = await Identity.generate(); while ((sixteen.shardOf(i.peerId) >= 8) !== moves);
      return i;
    };
    // An address whose home's slot moves.
    let address = "203.0.113.1";
    for (let k = 2; sixteen.shardOf(`address:${address}`) < 8; k++) address = `203.0.113.${k}`;
    const openFrom = async (identity: Identity) => {
      const url = connectUrl(net.url, await signHello(identity, net.network, net.url));
      const headers = { [TEST_ADDRESS_HEADER]: address };
      const ws = new WebSocket(url, { headers } as unknown as string[]);
      return await new Promise<WebSocket | undefined>((resolve) => {
        ws.onmessage = () => resolve(ws); // the welcome
        ws.onerror = () => resolve(undefined);
        ws.onclose = () => resolve(undefined);
      });
    };
    try {
      // A peer whose slot moves is closed for flooding (first: loopback may hold two
      // connections): its cooldown goes with it.
      const flooderId = await where(true);
      const flooder = await openBareSocket(net, flooderId, []);
      const closed = new Promise<number>((r) => flooder.onclose = (e) => r(e.code));
      for (let i = 0; i < 30_000; i++) flooder.send("not json");
      assertEquals(await closed, 4003);
      await new Promise((r) => setTimeout(r, 300)); // its connection no longer counts
      // A peer whose slot moves spends its relay quota (each frame 204 bytes: four pass).
      const alice = await connectPeer(net, { identity: await where(true), seal: false });
      const bob = await connectPeer(net, { identity: await where(false), seal: false });
      const refused: string[] = [];
      alice.addEventListener("error", (e) => refused.push((e as CustomEvent).detail.code));
      for (let i = 0; i < 6; i++) alice.send(bob.peerId, "x".repeat(150));
      await waitUntil(() => refused.length === 2);
      // Two connections from the address, its most, from peers whose slots stay.
      const held = await Promise.all([openFrom(await where(false)), openFrom(await where(false))]);
      assert(held.every((ws) => ws !== undefined), "two connections from the address");
      assertEquals(await openFrom(await where(false)), undefined, "a third is refused");

      const res = await net.grow(16, ADMIN);
      assertEquals(res.status, 200, await res.text());
      assertEquals(eight.shardOf(alice.peerId) === sixteen.shardOf(alice.peerId), false);

      // At its new home the peer's quota is still spent; the address still has its two.
      await waitUntil(() => alice.welcome?.shard === sixteen.shardOf(alice.peerId));
      refused.length = 0;
      alice.send(bob.peerId, "x".repeat(150));
      await waitUntil(() => refused.length > 0);
      assertEquals(refused, ["RESOURCE_LIMIT_EXCEEDED"], "the quota moved with the peer");
      const cooling = plain<{ code: string; retryAfter: number } | null>(
        await net.callShard(
          sixteen.shardOf(flooderId.peerId),
          "helloRefusal",
          flooderId.peerId,
          "n",
        ),
      );
      assertEquals(cooling?.code, "RATE_LIMITED", "the flooder's cooldown moved with it");
      assert(cooling!.retryAfter > 30_000, `retryAfter ${cooling?.retryAfter}`);
      assertEquals(await openFrom(await where(false)), undefined, "still two from the address");
      held[0]!.close();
      await new Promise((r) => setTimeout(r, 500));
      const freed = await openFrom(await where(false));
      assert(freed, "a closed connection's place is free at the address's new home");
      for (const ws of [held[1], freed]) ws?.close();
      await Promise.all([alice.close(), bob.close()]);
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "growth: workerd killed (kill -9) after each phase of a step, resumed; nothing lost or doubled",
  opts,
  async () => {
    const phases = ["freeze", "copy", "publish", "release"];
    const stall = (phase?: string) => phase ? `growth.${phase}.stall` : "";
    const logs: string[] = [];
    const { ids, net } = await fundedNetwork(24, FUNDS, {
      vars: { FAILPOINTS: stall(phases[0]) },
      logs: (line) => logs.push(line),
    });
    const sixteen = SlotMap.initial(16);
    const grow = () => net.grow(16, ADMIN);
    try {
      // Cross-shard transfers before (receipts owed across the move), and mail waiting for an
      // offline peer whose slot moves.
      let applied = 0;
      for (const [k, from] of ids.entries()) {
        const to = ids[(k + 5) % ids.length];
        const t = await signTransfer(from, {
          network: net.network,
          to: to.peerId,
          amount: 7n,
          nonce: 1,
        });
        const out = (await (await fetch(`${net.url}/v1/tx`, {
          method: "POST",
          headers: { [TEST_ADDRESS_HEADER]: `198.51.100.${k + 1}` },
          body: JSON.stringify(transferToJson(t)),
        })).json()).results[0] as TxOutcome;
        assert(out.ok, JSON.stringify(out));
        applied++;
      }
      let inbox: Identity;
      do inbox = await Identity.generate(); while (sixteen.shardOf(inbox.peerId) < 8);
      const sender = await connectPeer(net);
      for (let k = 0; k < 3; k++) await sender.sendMail(inbox.peerId, `kept ${k}`);
      // And 2.9 MB of mail (each character 3 bytes of UTF-8) for three offline peers in the
      // first step's slots: more than a page of an export (`EXPORT_PAGE_BYTES`) and than one
      // statement may bind, so the step is copied in pages, each bound in runs, and copied again
      // after the kill that follows it.
      const first = nextGrowthStep(SlotMap.initial(8), 16, 64) as GrowthStep;
      const heavy: Identity[] = [];
      while (heavy.length < 3) {
        const i = await Identity.generate();
        if (first.slots.includes(slotOf(i.peerId))) heavy.push(i);
      }
      const bulk = (k: number) => `${k}:`.padEnd(10_000, "€");
      const unsealed = await connectPeer(net, { seal: false });
      await Promise.all(heavy.map(async (h) => {
        for (let k = 0; k < 32; k++) await unsealed.sendMail(h.peerId, bulk(k));
      }));
      await unsealed.close();
      await sender.close();

      // Killed once after each phase of the first step, each time where the phase was done
      // and the next not yet written down; then resumed to the end.
      for (const [n, phase] of phases.entries()) {
        const answer = grow().then((r) => r.body?.cancel(), () => {});
        const seen = `"name":"growth.${phase}"`;
        for (let t = 0; t < 300 && !logs.some((l) => l.includes(seen)); t++) {
          await new Promise((r) => setTimeout(r, 50));
        }
        assert(logs.some((l) => l.includes(seen)), `stalled after ${phase}`);
        if (n === 0) {
          // Prepared before the first freeze: each shard whose state root lagged (here the new
          // ones, which had none; the old ones sealed theirs with the transfers above) has
          // sealed one, so no step's owed block takes a whole shard's accounts.
          for (let k = 0; k < 16; k++) {
            const head = plain<{ height: number } | null>(
              await net.callShard(k, "ledgerBlock", "head"),
            );
            assert(head !== null && head.height >= 1, `shard ${k} sealed nothing before a step`);
          }
        }
        await net.kill();
        await answer;
        const dead = await fetch(`${net.url}/v1/network`).then(
          (r) => r.body?.cancel(),
          () => "down",
        );
        assertEquals(dead, "down", "nothing answers between the kill and the restart");
        await net.restart({ FAILPOINTS: stall(phases[n + 1]) });
      }
      const done = await grow();
      assertEquals(done.status, 200, await done.clone().text());
      const report = await done.json() as { shards: number; steps: number };
      console.log(`growth killed 4 times (kill -9), resumed: ${report.steps} steps after`);
      const map = SlotMap.fromJSON(
        plain<SignedSlotMap>(await net.callShard(0, "mapCurrent")),
      ) as SlotMap;
      assertEquals(map.shards, 16);
      // Every account once, at its home under the new map, each paid and paying once.
      let supply = 0;
      for (const i of ids) {
        let found = 0;
        for (let t = 0; t < 50; t++) {
          const v = plain<AccountView>(
            await net.callShard(map.shardOf(i.peerId), "ledgerAccount", i.peerId),
          );
          found = Number(v.balance);
          if (found === FUNDS) break; // paid 7, was paid 7
          await new Promise((r) => setTimeout(r, 100));
        }
        assertEquals(found, FUNDS, i.peerId);
        for (let k = 0; k < 16; k++) {
          if (k === map.shardOf(i.peerId)) continue;
          const v = plain<AccountView>(await net.callShard(k, "ledgerAccount", i.peerId));
          assertEquals(v.balance, "0", `${i.peerId} also on shard ${k}`);
        }
        supply += found;
      }
      assertEquals([supply, applied], [ids.length * FUNDS, ids.length]);
      // The mail waits at the peer's new home, each message once.
      const got: string[] = [];
      const reader = new Peer({ url: net.url, identity: inbox, network: net.network });
      reader.addEventListener("mail", (e) => got.push(String((e as CustomEvent).detail.data)));
      await reader.connect();
      assertEquals(reader.welcome?.shard, map.shardOf(inbox.peerId));
      await waitUntil(() => got.length >= 3);
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(got, ["kept 0", "kept 1", "kept 2"]);
      await reader.close();
      const copied = logs.find((l) => l.includes('"growth.copied"') && l.includes('"from":0'));
      assert(copied && JSON.parse(copied).pages >= 2, `the first step in one page: ${copied}`);
      for (const h of heavy) {
        const bulkGot: string[] = [];
        const r = new Peer({ url: net.url, identity: h, network: net.network, seal: false });
        r.addEventListener("mail", (e) => bulkGot.push(String((e as CustomEvent).detail.data)));
        await r.connect();
        assertEquals(r.welcome?.shard, first.to);
        await waitUntil(() => bulkGot.length >= 32);
        await new Promise((r) => setTimeout(r, 200));
        assertEquals(
          bulkGot.map((m) => m.split(":")[0]),
          Array.from({ length: 32 }, (_, k) => `${k}`),
        );
        assert(bulkGot.every((m, k) => m === bulk(k)), "a message changed on the way");
        await r.close();
      }
    } finally {
      await net.dispose();
    }
  },
);
