// Signatures are checked before a shard orders transfers: by the verifier Worker for a peer's
// socket, by the edge for HTTP. Forged, bit-flipped and non-canonical signatures are refused
// with their codes on both paths, nothing applied; and a batch that reaches a shard by any
// other way (no verdicts, a forged MAC, verdicts of other transfers) is refused TX_UNVERIFIED.
import type { TransferJson, TxOutcome } from "../../../../mod.ts";
import { signTransfer, transferToJson } from "../../../../src/ledger/mod.ts";
import { sealVerdicts, verdictKey, verifyTransfers } from "../../../../src/ledger/verdicts.ts";
import { base64urlnopad } from "@scure/base";
import { startNetwork } from "../../../../scripts/local_network.ts";
import { DEVELOPMENT_NETWORK_SECRET } from "../../../../workers/shard_keys.ts";
import { connectPeer, identityOnShard } from "../../../support/peers.ts";
import { assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** The group order of Ed25519, little-endian: S + L verifies nowhere that follows RFC 8032. */
const L = [
  0xed,
  0xd3,
  0xf5,
  0x5c,
  0x1a,
  0x63,
  0x12,
  0x58,
  0xd6,
  0x9c,
  0xf7,
  0xa2,
  0xde,
  0xf9,
  0xde,
  0x14,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0x10,
];

function withSig(t: TransferJson, edit: (sig: Uint8Array) => void): TransferJson {
  const sig = base64urlnopad.decode(t.sig);
  edit(sig);
  return { ...t, sig: base64urlnopad.encode(sig) };
}

/** Four bad forms of one transfer, and the code each is refused with. */
function badForms(
  good: TransferJson,
  other: TransferJson,
): [string, unknown, string][] {
  return [
    ["forged (another key's signature)", { ...good, sig: other.sig }, "TX_BAD_SIGNATURE"],
    ["bit-flipped", withSig(good, (s) => s[7] ^= 0x10), "TX_BAD_SIGNATURE"],
    [
      "S + L (malleable)",
      withSig(good, (s) => {
        let carry = 0;
        for (let i = 0; i < 32; i++) {
          const sum = s[32 + i] + L[i] + carry;
          s[32 + i] = sum & 0xff;
          carry = sum >> 8;
        }
      }),
      "TX_BAD_SIGNATURE",
    ],
    // The last of 86 characters holds 4 spare bits: set one, and the bytes are the same.
    ["spare bits set (non-canonical text)", {
      ...good,
      sig: good.sig.slice(0, -1) + String.fromCharCode(good.sig.charCodeAt(85) + 1),
    }, "TX_MALFORMED"],
  ];
}

Deno.test(
  "verifier: bad signatures refused with their codes over the socket and HTTP; good ones apply",
  opts,
  async () => {
    const alice = await identityOnShard(0, 4);
    const bob = await identityOnShard(1, 4);
    const net = await startNetwork({
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [alice.peerId]: 1000 }) },
    });
    try {
      const peer = await connectPeer(net, { identity: alice });
      const sign = async (nonce: number, by = alice) =>
        transferToJson(
          await signTransfer(by, { network: net.network, to: bob.peerId, amount: 5n, nonce }),
        );
      const http = async (txs: unknown[]): Promise<TxOutcome[]> =>
        (await (await fetch(`${net.url}/v1/tx`, { method: "POST", body: JSON.stringify(txs) }))
          .json()).results;
      let nonce = 1;
      for (const path of ["socket", "http"] as const) {
        const good = await sign(nonce);
        const other = await sign(nonce, bob);
        for (const [what, tx, code] of badForms(good, other)) {
          const [r] = path === "socket"
            ? await peer.ledger.submit([tx as TransferJson])
            : await http([tx]);
          assertEquals(r.ok ? "applied" : r.code, code, `${path}: ${what}`);
        }
        // Nothing used the nonce: the good one applies after them, in the same batch as a bad.
        const bad = withSig(await sign(nonce + 1), (s) => s[0] ^= 1);
        const both = path === "socket"
          ? await peer.ledger.submit([good, bad])
          : await http([good, bad]);
        assertEquals(both.map((r) => r.ok ? "applied" : r.code), ["applied", "TX_BAD_SIGNATURE"]);
        nonce++;
      }
      assertEquals((await peer.ledger.balance()).balance, "990");
      console.log("verifier: 4 bad forms refused on each path; 2 good transfers applied");
      peer.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "verifier: a batch that reaches a shard past the verifier is refused TX_UNVERIFIED",
  opts,
  async () => {
    const alice = await identityOnShard(0, 4);
    const bob = await identityOnShard(1, 4);
    const net = await startNetwork({
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [alice.peerId]: 1000 }) },
    });
    try {
      const sign = async (nonce: number) =>
        transferToJson(
          await signTransfer(alice, { network: net.network, to: bob.peerId, amount: 5n, nonce }),
        );
      const tx = await sign(1);
      const codes = (r: unknown) => (r as TxOutcome[]).map((o) => o.ok ? "applied" : o.code);
      const verdicts = await verifyTransfers([tx], 1_000_000_000);
      // No verdicts at all, and verdicts vouched for under a key that is not the network's.
      const elsewhere = await sealVerdicts(
        await verdictKey("not the secret", net.network),
        [tx],
        verdicts,
      );
      assertEquals(codes(await net.callShard(0, "ledgerSubmit", [tx], null)), ["TX_UNVERIFIED"]);
      assertEquals(codes(await net.callShard(0, "ledgerSubmit", [tx], elsewhere)), [
        "TX_UNVERIFIED",
      ]);
      // The local network runs on the public development secret, so a test can make the
      // network's own MAC: a verdict changed to "verified" after its MAC was made, and the
      // verdicts of another transfer handed over with this one, are each refused.
      const key = await verdictKey(DEVELOPMENT_NETWORK_SECRET, net.network);
      const sealed = await sealVerdicts(key, [tx], [{ ...verdicts[0], ok: false }]);
      const flipped = { ...sealed, verdicts: [{ ...verdicts[0], ok: true }] };
      assertEquals(codes(await net.callShard(0, "ledgerSubmit", [tx], flipped)), [
        "TX_UNVERIFIED",
      ]);
      const other = await sign(2);
      const misfit = await sealVerdicts(key, [other], await verifyTransfers([other], 1e9));
      assertEquals(codes(await net.callShard(0, "ledgerSubmit", [tx], misfit)), ["TX_UNVERIFIED"]);
      // The same MAC over this very transfer and its true verdict: the shard applies it.
      const honest = await sealVerdicts(key, [tx], verdicts);
      assertEquals(codes(await net.callShard(0, "ledgerSubmit", [tx], honest)), ["applied"]);
      const balance = await (await fetch(`${net.url}/v1/accounts/${alice.peerId}`)).json();
      assertEquals([balance.balance, balance.nonce], ["995", 1], "only the honest one applied");
      // Through the network's own paths, the next transfer applies.
      const next = JSON.stringify([await sign(2)]);
      const res = await fetch(`${net.url}/v1/tx`, { method: "POST", body: next });
      assertEquals(codes((await res.json()).results), ["applied"]);
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "verifier: while the verifier cannot be reached, a peer's batch is refused and nothing applied",
  opts,
  async () => {
    const alice = await identityOnShard(0, 4);
    const bob = await identityOnShard(1, 4);
    let calls = 0;
    const net = await startNetwork({
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [alice.peerId]: 1000 }) },
      verifier: { VERIFIER: () => (calls++, new Response("down", { status: 503 })) },
    });
    try {
      const peer = await connectPeer(net, { identity: alice });
      const tx = transferToJson(
        await signTransfer(alice, { network: net.network, to: bob.peerId, amount: 5n, nonce: 1 }),
      );
      const [r] = await peer.ledger.submit([tx]);
      assertEquals(r.ok ? "applied" : r.code, "TX_UNVERIFIED");
      assertEquals(calls, 1, "the peer's home asked the verifier");
      assertEquals((await peer.ledger.balance()).balance, "1000");
      // The edge checks HTTP batches itself: the same transfer applies that way.
      const res = await fetch(`${net.url}/v1/tx`, { method: "POST", body: JSON.stringify([tx]) });
      assertEquals((await res.json()).results[0].ok, true);
      peer.close();
    } finally {
      await net.dispose();
    }
  },
);
