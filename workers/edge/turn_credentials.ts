/**
 * TURN credentials for one peer, in the TURN REST scheme that coturn (`use-auth-secret`) and
 * other servers accept: the user name is `<expiry>:<peer id>` (expiry in seconds since the
 * epoch), the password `base64(HMAC-SHA1(secret, user name))`. The TURN server checks the MAC
 * with the same secret and refuses a name whose expiry has passed, so a credential is bound to
 * the peer it was made for and lives `TURN_CREDENTIAL_TTL_MS`; no list of users is kept
 * anywhere. A super-peer gives each peer its own in the welcome, never in the public
 * `GET /v1/network`.
 *
 * @module
 */
import type { IceServer } from "../../src/protocol/mod.ts";
import type { TurnConfig } from "../config.ts";

const encoder = new TextEncoder();

/**
 * The TURN server entry for one peer, valid for `ttlMs` from `now`.
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
 * const entry = await turnServerFor({ secret: "s", urls: ["turn:127.0.0.1:3478"] }, "peer", 60_000, 0);
 * console.assert(entry.username === "60:peer");
 * ```
 */
export async function turnServerFor(
  turn: Extract<TurnConfig, { secret: string }>,
  peerId: string,
  ttlMs: number,
  now = Date.now(),
): Promise<IceServer> {
  const username = `${Math.floor((now + ttlMs) / 1000)}:${peerId}`;
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
