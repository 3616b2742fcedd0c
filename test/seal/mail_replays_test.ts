// Sealed mail taken once: no input, a mail dated far ahead included, makes the recipient
// forget the mail it opened.
import { Identity } from "../../src/identity/mod.ts";
import { identitySealKey } from "../../src/seal/keys.ts";
import { MailReplays, openMail, sealMail } from "../../src/seal/mail.ts";
import { SEAL_MAIL_MAX_AGE_MS, SEAL_MAIL_MAX_SKEW_MS } from "../../src/seal/seal_bounds.ts";
import { assert, assertEquals } from "../support/assert.ts";

const DAY = 24 * 3_600_000;

async function parties() {
  const [a, b] = await Promise.all([Identity.generate(), Identity.generate()]);
  const sender = { peerId: a.peerId, secret: await identitySealKey(a) };
  const recipient = { peerId: b.peerId, secret: await identitySealKey(b) };
  const replays = new MailReplays(SEAL_MAIL_MAX_AGE_MS);
  const seal = async (text: string, at: number) =>
    (await sealMail(sender, b.peerId, 0, new TextEncoder().encode(text), at))!;
  const open = async (mail: Uint8Array | Promise<Uint8Array>, now: number) =>
    openMail(recipient, a.peerId, await mail, now, replays);
  return { seal, open };
}

Deno.test("mail replays: a mail dated ahead of the clock is refused", async () => {
  const { seal, open } = await parties();
  const now = 1_000 * DAY;
  const ahead = await open(seal("from the future", now + SEAL_MAIL_MAX_SKEW_MS + 1_000), now);
  assertEquals([ahead.ok, !ahead.ok && ahead.code], [false, "SEAL_REPLAYED"]);
  // Within the skew, clocks that differ a little: taken.
  assert((await open(seal("a little ahead", now + SEAL_MAIL_MAX_SKEW_MS / 2), now)).ok);
});

Deno.test("mail replays: no mail, however dated, makes the recipient forget one it took", async () => {
  const { seal, open } = await parties();
  const now = 1_000 * DAY;
  const pay = await seal("PAY BOB 100", now);
  assert((await open(pay, now)).ok);
  // A mail dated eight days ahead (refused), then one within the skew: neither flushes.
  await open(seal("flush", now + 8 * DAY), now + 1);
  assert((await open(seal("flush again", now + SEAL_MAIL_MAX_SKEW_MS), now + 2)).ok);
  const again = await open(pay, now + 3);
  assertEquals([again.ok, !again.ok && again.code], [false, "SEAL_REPLAYED"]);
});

Deno.test("mail replays: a key is forgotten by the clock, once its mail is too old anyway", () => {
  const replays = new MailReplays(60_000);
  assert(replays.take("a", 0, 0));
  assert(!replays.take("a", 0, 59_000), "within the age: remembered");
  assert(replays.take("b", 61_000, 61_000));
  assert(replays.take("a", 0, 61_000), "forgotten: openMail refuses it by its age first");
});
