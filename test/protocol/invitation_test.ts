import { Identity } from "../../src/identity/identity.ts";
import { checkInvitation, signInvitation } from "../../src/protocol/invitation.ts";
import { assert, assertEquals } from "../support/assert.ts";

const HOUR = 3_600_000;

Deno.test("checkInvitation() admits its invitee, and says why it admits nobody else", async () => {
  const [op, guest, other, stranger] = await Promise.all(
    Array.from({ length: 4 }, () => Identity.generate()),
  );
  const now = Date.now();
  const token = await signInvitation(op, "net-a", guest.peerId, now + HOUR);
  const expect = { network: "net-a", peer: guest.peerId, keys: [op.peerId], now };
  const good = await checkInvitation(token, expect);
  assert(good.ok);
  assertEquals(good.invitation, { inviter: op.peerId, invitee: guest.peerId, expires: now + HOUR });
  const [inviter, invitee, expires, sig] = token.split(".");
  const flipped = sig[0] === "A" ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
  const cases: [string, string, Partial<typeof expect>, RegExp][] = [
    ["another peer", token, { peer: other.peerId }, /is for peer/],
    ["another network", token, { network: "net-b" }, /does not verify/],
    ["an unlisted key", token, { keys: [stranger.peerId] }, /does not list/],
    ["expired", token, { now: now + HOUR }, /expired at/],
    ["a later expiry", [inviter, invitee, String(now + 2 * HOUR), sig].join("."), {}, /verify/],
    ["an altered signature", [inviter, invitee, expires, flipped].join("."), {}, /verify/],
    ["junk", "a.b", {}, /not a token/],
    ["a huge expiry", [inviter, invitee, "9".repeat(17), sig].join("."), {}, /no time/],
  ];
  for (const [what, t, change, why] of cases) {
    const check = await checkInvitation(t, { ...expect, ...change });
    assert(!check.ok && why.test(check.message), `${what}: ${JSON.stringify(check)}`);
  }
});

Deno.test("signInvitation() with * admits whoever holds it, on its network only", async () => {
  const [op, anyone] = await Promise.all([Identity.generate(), Identity.generate()]);
  const token = await signInvitation(op, "net-a", "*", Date.now() + HOUR);
  const expect = { network: "net-a", peer: anyone.peerId, keys: [op.peerId], now: Date.now() };
  assert((await checkInvitation(token, expect)).ok);
  assert(!(await checkInvitation(token, { ...expect, network: "net-b" })).ok);
  let threw = false;
  await signInvitation(op, "net-a", "someone", 1).catch(() => threw = true);
  assert(threw, "an invitee that is no peer id is refused");
});
