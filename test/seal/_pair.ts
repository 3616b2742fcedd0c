// Two sealers wired to each other through a relay the test controls, which may alter, repeat
// or re-address what it carries.
import { Identity } from "../../src/identity/mod.ts";
import { identitySealKey } from "../../src/seal/keys.ts";
import { type SealCode, Sealer, type SealerHost } from "../../src/seal/sealer.ts";

/** What the relay carries. */
export type Wire = { from: string; to: string; bytes: Uint8Array };

/**
 * Two sealers wired through a relay the test drives.
 *
 * @param policy Their policy.
 * @param batchBytes With it, they seal what a turn sends to one peer as batches this big.
 */
export async function pair(policy: "required" | "preferred" = "required", batchBytes?: number) {
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => Identity.generate()));
  const wire: Wire[] = [];
  const got = new Map<string, string[]>();
  const errors: { peer: string; code: SealCode }[] = [];
  const clear: string[] = [];
  const host = (me: string): SealerHost => ({
    sendSealed: (to, bytes) => (wire.push({ from: me, to, bytes: bytes.slice() }), "sent"),
    sendClear: (to) => void clear.push(to),
    deliver: (from, _flags, payload) => {
      got.set(me, [...got.get(me) ?? [], `${from}:${new TextDecoder().decode(payload)}`]);
    },
    refused: (peer, code) => void errors.push({ peer, code }),
  });
  const make = (id: Identity) =>
    new Sealer({ peerId: id.peerId, secret: identitySealKey(id) }, host(id.peerId), {
      policy,
      batchBytes: batchBytes === undefined ? undefined : () => batchBytes,
    });
  const sealers = new Map([[a.peerId, make(a)], [b.peerId, make(b)]]);
  // A restart: the peer's sealer is made anew, with no session.
  const restart = (id: Identity) => {
    const fresh = make(id);
    sealers.set(id.peerId, fresh);
    return fresh;
  };
  // Carries everything on the wire, in order, until nothing is left on it, and nothing is
  // still being sealed or opened (the AEAD is asynchronous).
  const relay = async (tamper?: (w: Wire) => Wire[]) => {
    for (;;) {
      await Promise.all([...sealers.values()].map((s) => s.idle()));
      if (wire.length === 0) return;
      while (wire.length > 0) {
        for (const w of tamper ? tamper(wire.shift()!) : [wire.shift()!]) {
          sealers.get(w.to)?.receive(w.from, w.bytes, 0);
        }
      }
    }
  };
  const text = (s: string) => new TextEncoder().encode(s);
  return { a, b, c, sealers, wire, got, errors, clear, relay, restart, text };
}
