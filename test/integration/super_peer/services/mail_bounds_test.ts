// The mailbox's storage bounds on real workerd: per sender and recipient, per sender, per
// shard. One sender cannot take another's place, and nothing stored is dropped for new mail.
import { Identity, Peer, type ProtocolError } from "../../../../mod.ts";
import { startNetwork } from "../../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../../support/peers.ts";
import { assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("mail bounds: per sender and recipient, per sender, per shard", opts, async () => {
  const net = await startNetwork({
    shards: 1,
    limits: {
      MAILBOX_MAX_MESSAGES: 4,
      MAILBOX_MAX_FROM_SENDER: 2,
      MAIL_MAX_PER_SENDER: 3,
      MAIL_MAX_PER_SHARD: 5,
    },
  });
  try {
    const [a, c, f] = await Promise.all([connectPeer(net), connectPeer(net), connectPeer(net)]);
    const [b, d, e, g] = await Promise.all(Array.from({ length: 4 }, () => Identity.generate()));
    const mail = (from: typeof a, to: Identity) =>
      from.sendMail(to.peerId, "hi").then(
        (r) => r.status,
        (err: ProtocolError) => err.code,
      );
    const outcomes = [];
    // A fills its share of B's mailbox; C's mail to B still fits.
    for (let i = 0; i < 3; i++) outcomes.push(await mail(a, b));
    for (let i = 0; i < 2; i++) outcomes.push(await mail(c, b));
    // A reaches its share of the shard.
    outcomes.push(await mail(a, d), await mail(a, e));
    // The shard holds 5: F is refused, and nothing stored went for it.
    outcomes.push(await mail(f, g));
    assertEquals(outcomes, [
      "stored",
      "stored",
      "MAILBOX_FULL",
      "stored",
      "stored",
      "stored",
      "MAILBOX_FULL",
      "MAILBOX_FULL",
    ]);
    const inbox: string[] = [];
    // Listening before connecting: the mail is handed over right after the welcome.
    const bob = new Peer({ url: net.url, identity: b });
    bob.addEventListener("mail", (ev) => inbox.push((ev as CustomEvent).detail.from));
    await bob.connect();
    await waitUntil(() => inbox.length >= 4, 10_000);
    await new Promise((r) => setTimeout(r, 200)); // and no more
    assertEquals(inbox.sort(), [a.peerId, a.peerId, c.peerId, c.peerId].sort());
    for (const p of [a, c, f, bob]) p.close();
  } finally {
    await net.dispose();
  }
});
