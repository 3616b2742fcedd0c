/**
 * Invitations to a closed network: a statement, signed by a key the network's operator lists
 * (`INVITE_KEYS`), that one peer (or anyone holding it, for `*`) may connect until a time. It
 * travels beside the hello (`invite=` in the connect URL) and the edge checks it before any
 * super-peer wakes.
 *
 * The signature covers the UTF-8 bytes of five lines joined by `\n`: `superpeer-invite-v1`,
 * network id, inviter's peer id, invitee (a peer id or `*`), expiry (decimal ms since the
 * epoch). The token is those last four and the signature, base64url, joined by `.`:
 * `<inviter>.<invitee>.<expires>.<sig>` (peer ids are base58, which has no `.`).
 *
 * @module
 */
import { base64urlnopad } from "../encoding/mod.ts";
import { type Identity, verifySignature } from "../identity/identity.ts";
import { isPeerId } from "../identity/peer_id.ts";

/** The first line of the signed bytes; binds the signature to this purpose and version. */
export const INVITATION_CONTEXT = "superpeer-invite-v1";

/** The invitee of an invitation that admits whoever holds it. */
export const ANYONE = "*";

/** An invitation, as its token carries it. */
export interface Invitation {
  /** The peer id of the key that signed it; the network must list it in `INVITE_KEYS`. */
  inviter: string;
  /** The peer it admits, or `*` for whoever holds the token. */
  invitee: string;
  /** When it stops admitting, ms since the epoch. */
  expires: number;
}

/** The outcome of checking an invitation: the invitation, or why it admits nobody. */
export type InvitationCheck =
  | { ok: true; invitation: Invitation }
  | { ok: false; message: string };

const encoder = new TextEncoder();

function signedBytes(network: string, invitation: Invitation): Uint8Array {
  const { inviter, invitee, expires } = invitation;
  return encoder.encode(
    [INVITATION_CONTEXT, network, inviter, invitee, String(expires)].join("\n"),
  );
}

/**
 * Signs an invitation to a network.
 *
 * @param inviter The inviting key (its peer id must be in the network's `INVITE_KEYS`).
 * @param network The network id (`GET /v1/network` says it).
 * @param invitee The peer id it admits, or `*` for whoever holds the token.
 * @param expires When it stops admitting, ms since the epoch.
 * @returns The token to hand the invitee (`PeerOptions.invitation`).
 * @throws {TypeError} If the invitee is neither a peer id nor `*`, or the expiry is no time.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { checkInvitation, signInvitation } from "./invitation.ts";
 * const operator = await Identity.generate();
 * const guest = await Identity.generate();
 * const token = await signInvitation(operator, "dev", guest.peerId, Date.now() + 3_600_000);
 * const check = await checkInvitation(token, {
 *   network: "dev",
 *   peer: guest.peerId,
 *   keys: [operator.peerId],
 *   now: Date.now(),
 * });
 * console.assert(check.ok);
 * ```
 */
export async function signInvitation(
  inviter: Identity,
  network: string,
  invitee: string,
  expires: number,
): Promise<string> {
  if (invitee !== ANYONE && !isPeerId(invitee)) {
    throw new TypeError(`An invitee is a peer id or "*", not "${String(invitee).slice(0, 64)}"`);
  }
  if (!Number.isSafeInteger(expires) || expires <= 0) {
    throw new TypeError(`An invitation's expiry is ms since the epoch, not ${expires}`);
  }
  const invitation = { inviter: inviter.peerId, invitee, expires };
  const sig = await inviter.sign(signedBytes(network, invitation));
  return [inviter.peerId, invitee, String(expires), base64urlnopad.encode(sig)].join(".");
}

/**
 * Checks an invitation: shape, inviter listed, invitee, expiry, then the signature (cheap
 * checks first, so that junk costs no verification).
 *
 * @param token The token as the peer sent it.
 * @param expect The network id, the connecting peer, the inviting keys the network lists, and
 *   the checker's clock.
 * @returns The invitation, or why it admits nobody, in words.
 *
 * @example Usage
 * ```ts
 * import { checkInvitation } from "./invitation.ts";
 * const check = await checkInvitation("junk", { network: "dev", peer: "p", keys: [], now: 0 });
 * console.assert(!check.ok);
 * ```
 */
export async function checkInvitation(
  token: string,
  expect: { network: string; peer: string; keys: readonly string[]; now: number },
): Promise<InvitationCheck> {
  const parts = token.split(".");
  const refused = (message: string): InvitationCheck => ({ ok: false, message });
  if (parts.length !== 4) return refused("The invitation is not a token this network made");
  const [inviter, invitee, expiresText, sigText] = parts;
  if (!isPeerId(inviter) || (invitee !== ANYONE && !isPeerId(invitee))) {
    return refused("The invitation names no inviter or invitee");
  }
  if (!/^[0-9]{1,16}$/.test(expiresText)) return refused("The invitation's expiry is no time");
  if (!expect.keys.includes(inviter)) {
    return refused(`The invitation is signed by ${inviter}, a key this network does not list`);
  }
  if (invitee !== ANYONE && invitee !== expect.peer) {
    return refused(`The invitation is for peer ${invitee}, not for ${expect.peer}`);
  }
  const expires = Number(expiresText);
  if (expires <= expect.now) {
    return refused(`The invitation expired at ${new Date(expires).toISOString()}`);
  }
  let sig: Uint8Array;
  try {
    sig = base64urlnopad.decode(sigText);
  } catch {
    return refused("The invitation's signature is not base64url");
  }
  const invitation = { inviter, invitee, expires };
  if (
    sig.length !== 64 ||
    !await verifySignature(inviter, sig, signedBytes(expect.network, invitation))
  ) {
    return refused("The invitation's signature does not verify (another network's, or altered)");
  }
  return { ok: true, invitation };
}
