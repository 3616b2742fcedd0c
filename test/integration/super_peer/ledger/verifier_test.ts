// Signatures are checked away from a shard's thread: after its cheap reads, by the verifier
// Worker it calls. Forged, bit-flipped and non-canonical signatures are refused with their codes
// whether a transfer came over a socket, over HTTP, or straight to the shard's RPC; junk that
// cannot apply costs no check; and while the verifier is down nothing is applied.
import type { TransferJson, TxOutcome } from "../../../../mod.ts";
import { signTransfer, transferToJson } from "../../../../src/ledger/mod.ts";
import { verifyTransfers } from "../../../../src/ledger/verdicts.ts";
import { base64urlnopad } from "@scure/base";
import { startNetwork } from "../../../../scripts/local_network.ts";
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

/**
 * A network of 4 shards where alice (shard 0) holds 1000, bob lives on shard 1, and `sign`
 * makes alice's (or another's) transfer of 5 to bob; `verifier` as `startNetwork` takes it.
 */
async function paying(verifier?: Record<string, unknown>) {
  const alice = await identityOnShard(0, 4);
  const bob = await identityOnShard(1, 4);
  const net = await startNetwork({
    shards: 4,
    vars: { GENESIS: JSON.stringify({ [alice.peerId]: 1000 }) },
    ...(verifier ? { verifier } : {}),
  });
  const sign = async (nonce: number, by = alice) =>
    transferToJson(
      await signTransfer(by, { network: net.network, to: bob.peerId, amount: 5n, nonce }),
    );
  return { alice, bob, net, sign };
}

Deno.test(
  "verifier: bad signatures refused with their codes over the socket and HTTP; good ones apply",
  opts,
  async () => {
    const { alice, bob, net, sign } = await paying();
    try {
      const peer = await connectPeer(net, { identity: alice });
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
  "verifier: a batch that reaches a shard past the edge and its home is still checked there",
  opts,
  async () => {
    const { alice, net, sign } = await paying();
    try {
      const codes = (r: unknown) => (r as TxOutcome[]).map((o) => o.ok ? "applied" : o.code);
      // Straight to the shard's RPC, as code inside the deployment could: a forged signature
      // is refused there (the shard has the verifier check what could apply), a good one applies.
      const good = await sign(1);
      const forged = withSig(await sign(1), (s) => s[3] ^= 4);
      assertEquals(codes(await net.callShard(0, "ledgerSubmit", [forged])), ["TX_BAD_SIGNATURE"]);
      assertEquals(codes(await net.callShard(0, "ledgerSubmit", [good])), ["applied"]);
      const balance = await (await fetch(`${net.url}/v1/accounts/${alice.peerId}`)).json();
      assertEquals([balance.balance, balance.nonce], ["995", 1]);
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "verifier: junk that cannot apply costs no signature check",
  opts,
  async () => {
    let asked = 0;
    // A verifier that counts the transfers it is asked about, and finds every one good.
    const { alice, net, sign } = await paying({
      VERIFIER: async (request: Request) => {
        const txs = await request.json() as unknown[];
        asked += txs.length;
        return Response.json(await verifyTransfers(txs, 1e9));
      },
    });
    try {
      const peer = await connectPeer(net, { identity: alice });
      const [ok] = await peer.ledger.submit([await sign(1)]);
      assertEquals([ok.ok, asked], [true, 1]);
      // An unfunded payer, a replayed nonce, a gap: all refused by the shard's reads alone.
      const broke = await identityOnShard(0, 4);
      const junk = [await sign(1, broke), await sign(1), await sign(7)];
      const refused = await peer.ledger.submit(junk);
      assertEquals(refused.map((r) => r.ok ? "applied" : r.code), [
        "TX_INSUFFICIENT_FUNDS",
        "TX_NONCE_REPLAYED",
        "TX_NONCE_GAP",
      ]);
      assertEquals(asked, 1, "no signature was checked for junk");
      peer.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "verifier: while the verifier cannot be reached, nothing is applied, by any path",
  opts,
  async () => {
    let calls = 0;
    const { alice, net, sign } = await paying({
      VERIFIER: () => (calls++, new Response("down", { status: 503 })),
    });
    try {
      const peer = await connectPeer(net, { identity: alice });
      const tx = await sign(1);
      const [r] = await peer.ledger.submit([tx]);
      assertEquals(r.ok ? "applied" : r.code, "TX_UNVERIFIED");
      assertEquals(calls, 1, "the payer's home asked the verifier");
      const res = await fetch(`${net.url}/v1/tx`, { method: "POST", body: JSON.stringify([tx]) });
      assertEquals((await res.json()).results[0].code, "TX_UNVERIFIED");
      const [past] = await net.callShard(0, "ledgerSubmit", [tx]) as TxOutcome[];
      assertEquals(past.ok ? "applied" : past.code, "TX_UNVERIFIED");
      assertEquals((await peer.ledger.balance()).balance, "1000");
      peer.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "verifier: a shard reads its other peers' frames while a batch's signatures are checked",
  opts,
  async () => {
    // Locally the verifier answers on the shard's own thread: unless the shard gives the
    // runtime a turn between parts, no socket of it is read until the whole batch is done.
    const alice = await identityOnShard(0, 4);
    const carol = await identityOnShard(0, 4);
    const bob = await identityOnShard(1, 4);
    const net = await startNetwork({
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [alice.peerId]: 1_000_000 }) },
    });
    try {
      const payer = await connectPeer(net, { identity: alice });
      const bystander = await connectPeer(net, { identity: carol });
      const txs: TransferJson[] = [];
      for (let nonce = 1; nonce <= 256; nonce++) {
        const t = { network: net.network, to: bob.peerId, amount: 1n, nonce };
        txs.push(transferToJson(await signTransfer(alice, t)));
      }
      const order: string[] = [];
      const batch = payer.ledger.submit(txs).then((r) => (order.push("batch"), r));
      // The batch's frame is at the shard before the lookup's.
      await new Promise((r) => setTimeout(r, 5));
      const lookup = bystander.lookup(carol.peerId).then(() => order.push("lookup"));
      const results = await batch;
      await lookup;
      assertEquals(results.filter((r) => r.ok).length, 256);
      assertEquals(
        order,
        ["lookup", "batch"],
        "the lookup was answered while the batch was checked",
      );
      console.log("verifier: a lookup sent behind a batch of 256 was answered first");
      payer.close();
      bystander.close();
    } finally {
      await net.dispose();
    }
  },
);
