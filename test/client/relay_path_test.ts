// The relay path of a peer that does not seal: it answers sealed payloads "I do not seal"
// (kind 6) within a budget per sender, so junk cannot spend its own.
import { assertEquals } from "../support/assert.ts";
import { Identity } from "../../src/identity/mod.ts";
import { decodeFrame, DEFAULT_LIMITS, encodeFrame, FRAME_DELIVER } from "../../src/protocol/mod.ts";
import { type RelayConnection, RelayPath } from "../../src/client/relay_path.ts";
import { SEAL_DATA, SEAL_UNKNOWN_SESSION, SEAL_UNSUPPORTED } from "../../src/seal/envelope.ts";
import { SEAL_ANSWER_BURST } from "../../src/seal/seal_bounds.ts";

Deno.test("RelayPath: a peer that does not seal answers a flood of sealed junk a bucket's worth of times", async () => {
  const [me, attacker, honest] = await Promise.all([1, 2, 3].map(() => Identity.generate()));
  const sent: { to: string; kind: number }[] = [];
  const connection: RelayConnection = {
    state: "open",
    limits: DEFAULT_LIMITS,
    sendFrame: (bytes) => {
      const d = decodeFrame(bytes);
      if (d.ok) sent.push({ to: d.frame.peer, kind: d.frame.payload[0] });
      return "sent";
    },
  };
  const path = new RelayPath(connection, {
    signal: () => {},
    sequenced: () => {},
    plain: () => {},
  }, { identity: me, seal: false });
  const sealed = (from: Identity, kind: number) =>
    encodeFrame(FRAME_DELIVER, from.peerId, 0, new Uint8Array([kind, 1, 2, 3]), { sealed: true });
  for (let i = 0; i < 1_000; i++) path.receive(sealed(attacker, SEAL_DATA));
  path.receive(sealed(honest, SEAL_DATA)); // another sender has its own budget
  path.receive(sealed(honest, SEAL_UNSUPPORTED)); // a notice is never answered
  path.receive(sealed(honest, SEAL_UNKNOWN_SESSION));
  assertEquals(sent.filter((s) => s.to === attacker.peerId).length, SEAL_ANSWER_BURST);
  assertEquals(sent.filter((s) => s.to === honest.peerId).length, 1);
  assertEquals(new Set(sent.map((s) => s.kind)), new Set([SEAL_UNSUPPORTED]));
});
