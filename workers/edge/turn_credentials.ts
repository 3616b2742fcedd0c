/**
 * TURN credentials for one peer, in the TURN REST scheme that coturn (`use-auth-secret`) and
 * other servers accept: the user name is `<expiry>:<peer id>` (expiry in seconds since the
 * epoch), the password `base64(HMAC-SHA1(secret, user name))`. The TURN server checks the MAC
 * with the same secret and refuses a name whose expiry has passed, so a credential is bound to
 * the peer it was made for; no list of users is kept anywhere. The expiry is the end of the
 * period of `TURN_CREDENTIAL_TTL_MS` after the current one, so a credential lives between one
 * and two such periods, and every hello of a peer within one period gets the same user name:
 * the TURN server's cap of allocations per user name (coturn's `user-quota`) then holds a peer
 * to that many however often it reconnects. A super-peer gives each peer its own in the
 * welcome, never in the public `GET /v1/network`.
 *
 * @module
 */
import type { IceServer } from "../../src/protocol/mod.ts";
import type { TurnConfig } from "../config.ts";

const encoder = new TextEncoder();

/**
 * The TURN server entry for one peer, valid for one to two periods of `ttlMs` from `now`.
 *
 * @param turn The secret and the servers.
 * @param peerId The peer.
 * @param ttlMs How long the credential lives.
 * @param now The time, ms since the epoch.
 * @returns The entry, as an `RTCIceServer`.
 *
 * @example Usage
 * ```ts
 * import { turnServerFor } from "./turn_credentials.ts";
 * const turn = { secret: "s", urls: ["turn:127.0.0.1:3478"] };
 * const entry = await turnServerFor(turn, "peer", 60_000, 0);
 * console.assert(entry.username === "120:peer"); // the end of the next minute
 * console.assert((await turnServerFor(turn, "peer", 60_000, 59_999)).username === "120:peer");
 * ```
 */
export async function turnServerFor(
  turn: Extract<TurnConfig, { secret: string }>,
  peerId: string,
  ttlMs: number,
  now = Date.now(),
): Promise<IceServer> {
  const expiry = (Math.floor(now / ttlMs) + 2) * ttlMs;
  const username = `${Math.floor(expiry / 1000)}:${peerId}`;
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(turn.secret),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(username)));
  return { urls: [...turn.urls], username, credential: btoa(String.fromCharCode(...mac)) };
}
