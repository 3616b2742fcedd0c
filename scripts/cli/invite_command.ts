/**
 * The command line's `invite`: an invitation to a closed network, signed by your identity.
 *
 * @module
 */
import { ANYONE, type NetworkInfo, ProtocolError, signInvitation } from "../../src/protocol/mod.ts";
import { type Context, peerIdArg, wholeArg } from "./context.ts";

/** Longest an invitation the command line makes may run: a year. */
const MAX_INVITE_HOURS = 8_760;

/**
 * `invite`: signs an invitation for one peer (or `*`, whoever holds it) to the network at the
 * context's URL, valid for some hours, and prints the token to hand over. It admits only on a
 * network whose `INVITE_KEYS` lists your peer id; the line says so when it does not.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { invite } from "./invite_command.ts";
 * export const guest = (c: Context, id: string) => invite(c, id, "24"); // prints the token
 * ```
 *
 * @param c The context.
 * @param invitee The peer id, or `*`.
 * @param hours How long it admits, as given. @default "168"
 */
export async function invite(c: Context, invitee: string, hours = "168"): Promise<void> {
  if (invitee !== ANYONE) peerIdArg("invite", invitee);
  const ms = wholeArg("--hours", hours, 1, MAX_INVITE_HOURS) * 3_600_000;
  const url = c.api("/v1/network");
  const info = await fetch(url).then(
    (r) => r.json() as Promise<NetworkInfo>,
    () => {
      throw new ProtocolError("UNREACHABLE", `Cannot reach ${url.origin}: is the network up?`);
    },
  );
  const { identity } = await c.identity();
  const expires = Date.now() + ms;
  const token = await signInvitation(identity, info.network, invitee, expires);
  const who = invitee === ANYONE ? "whoever holds it" : invitee;
  c.out.note(
    info.admission?.invitations
      ? `admits ${who} to ${info.network} until ${new Date(expires).toISOString()}, ` +
        `if INVITE_KEYS lists ${identity.peerId}`
      : `${info.network} takes no invitations yet: its operator adds ${identity.peerId} ` +
        "to INVITE_KEYS",
  );
  c.out.result(token, { invitation: token, invitee, expires, inviter: identity.peerId });
}
