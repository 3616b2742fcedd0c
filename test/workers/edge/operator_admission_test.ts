// The operator's admission without a hook: the vars alone decide, a closed network admits its
// listed and invited peers only, and the vars are bounded and checked when the Worker starts.
import { Identity } from "../../../src/identity/identity.ts";
import { DEFAULT_LIMITS, signInvitation } from "../../../src/protocol/mod.ts";
import { type Env, networkConfig } from "../../../workers/config.ts";
import { HttpError } from "../../../workers/http_error.ts";
import { admitPeer } from "../../../workers/edge/operator_admission.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const env = (vars: Record<string, string>) =>
  ({ NETWORK_ID: "net-a", SHARD_COUNT: "1", ...vars }) as unknown as Env;

async function outcome(vars: Record<string, string>, peer: string, invite: string | null) {
  const e = env(vars);
  try {
    await admitPeer(networkConfig(e), undefined, {
      peer,
      address: "203.0.113.1",
      invite,
      request: new Request("http://127.0.0.1/v1/connect"),
      env: e,
    });
    return "admitted";
  } catch (error) {
    assert(error instanceof HttpError, String(error));
    return `${error.status} ${error.code}`;
  }
}

Deno.test("admitPeer() on a closed network: listed and invited peers only", async () => {
  const [op, member, guest, stranger] = await Promise.all(
    Array.from({ length: 4 }, () => Identity.generate()),
  );
  const closed = { ADMISSION_ALLOW: member.peerId, INVITE_KEYS: op.peerId };
  const invite = await signInvitation(op, "net-a", guest.peerId, Date.now() + 60_000);
  const own = await signInvitation(stranger, "net-a", stranger.peerId, Date.now() + 60_000);
  const table: [string, Record<string, string>, string, string | null, string][] = [
    ["open: anyone", {}, stranger.peerId, null, "admitted"],
    ["open: an invitation is ignored", {}, stranger.peerId, "junk", "admitted"],
    ["listed", closed, member.peerId, null, "admitted"],
    ["listed, with a bad invitation", closed, member.peerId, "junk", "admitted"],
    ["invited", closed, guest.peerId, invite, "admitted"],
    ["neither", closed, stranger.peerId, null, "403 ADMISSION_REFUSED"],
    ["another's invitation", closed, stranger.peerId, invite, "403 INVITATION_INVALID"],
    ["self-signed", closed, stranger.peerId, own, "403 INVITATION_INVALID"],
    [
      "too long",
      closed,
      guest.peerId,
      invite + "x".repeat(DEFAULT_LIMITS.INVITATION_MAX_CHARS),
      "403 INVITATION_INVALID",
    ],
    [
      "allow-list only: invitations ignored",
      { ADMISSION_ALLOW: member.peerId },
      guest.peerId,
      invite,
      "403 ADMISSION_REFUSED",
    ],
  ];
  for (const [what, vars, peer, token, want] of table) {
    assertEquals(await outcome(vars, peer, token), want, what);
  }
});

Deno.test("networkConfig() refuses admission vars that are no peer ids or too many", async () => {
  const id = (await Identity.generate()).peerId;
  const many = Array.from({ length: DEFAULT_LIMITS.ADMISSION_ALLOW_MAX + 1 }, () => id).join(",");
  for (
    const [vars, why] of [
      [{ ADMISSION_ALLOW: `${id},not-a-peer` }, /ADMISSION_ALLOW holds "not-a-peer"/],
      [{ ADMISSION_ALLOW: many }, /ADMISSION_ALLOW lists 101 peers, at most 100/],
      [{ INVITE_KEYS: Array(17).fill(id).join(",") }, /INVITE_KEYS lists 17 peers, at most 16/],
    ] as const
  ) {
    let message = "";
    try {
      networkConfig(env(vars));
    } catch (error) {
      message = String(error);
    }
    assert(why.test(message), message);
  }
  assertEquals(networkConfig(env({ INVITE_KEYS: ` ${id} ` })).admission?.inviteKeys, [id]);
});
