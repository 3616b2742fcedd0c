/**
 * TURN credentials for one peer from Cloudflare's TURN service: the edge asks the network's
 * TURN key (`TURN_KEY_ID`, with its API token `TURN_KEY_API_TOKEN`) for a credential that lives
 * `TURN_CREDENTIAL_TTL_MS`, one per hello, and hands it to the peer's welcome. The user name is
 * the service's own (not the peer id): each peer still gets its own, never shared and never in
 * the public facts. Where the service does not answer in time, or answers what is not a TURN
 * server, the peer connects without one (its pairs keep direct channels and the relay).
 *
 * @module
 */
import type { IceServer } from "../../src/protocol/mod.ts";
import type { TurnConfig } from "../config.ts";
import { logEvent } from "../log.ts";

/** How long the edge waits for a credential before the hello goes on without one, in ms. */
export const TURN_MINT_TIMEOUT_MS = 2_000;

type KeyConfig = Extract<TurnConfig, { keyId: string }>;

// What may travel to a peer: TURN URLs and credentials of printable ASCII (they cross a header).
const PRINTABLE = /^[\x21-\x7e]{1,512}$/;

/**
 * The TURN server entry of one answer of `generate-ice-servers`, if it holds one.
 *
 * @example Usage
 * ```ts
 * import { turnEntryOf } from "./cloudflare_turn.ts";
 * const entry = turnEntryOf({ iceServers: [
 *   { urls: ["stun:stun.cloudflare.com:3478"] },
 *   { urls: ["turn:turn.cloudflare.com:3478?transport=udp"], username: "u", credential: "c" },
 * ] });
 * console.assert(entry?.username === "u");
 * ```
 *
 * @param body The answer's JSON.
 * @returns Its first entry with a user name and credential, its `turn:`/`turns:` URLs only.
 */
export function turnEntryOf(body: unknown): IceServer | undefined {
  const servers = (body as { iceServers?: unknown })?.iceServers;
  if (!Array.isArray(servers)) return undefined;
  for (const s of servers as Record<string, unknown>[]) {
    const { username, credential } = s ?? {};
    if (typeof username !== "string" || typeof credential !== "string") continue;
    if (!PRINTABLE.test(username) || !PRINTABLE.test(credential)) continue;
    const urls = [s.urls].flat().filter((u): u is string =>
      typeof u === "string" && /^turns?:/.test(u) && PRINTABLE.test(u)
    );
    if (urls.length > 0) return { urls, username, credential };
  }
  return undefined;
}

/**
 * A TURN server entry for one peer, minted by the network's TURN key.
 *
 * @example Usage
 * ```ts ignore
 * const entry = await cloudflareTurnServer(config.turn, 3_600_000);
 * ```
 *
 * @param turn The key and where it mints.
 * @param ttlMs How long the credential lives.
 * @param fetcher The fetch to use. @default fetch
 * @returns The entry, or `undefined` where none could be had in time.
 */
export async function cloudflareTurnServer(
  turn: KeyConfig,
  ttlMs: number,
  fetcher: typeof fetch = fetch,
): Promise<IceServer | undefined> {
  const url = `${turn.api}/${encodeURIComponent(turn.keyId)}/credentials/generate-ice-servers`;
  try {
    const answer = await fetcher(url, {
      method: "POST",
      headers: { authorization: `Bearer ${turn.token}`, "content-type": "application/json" },
      body: JSON.stringify({ ttl: Math.max(1, Math.round(ttlMs / 1000)) }),
      signal: AbortSignal.timeout(TURN_MINT_TIMEOUT_MS),
    });
    const entry = answer.ok ? turnEntryOf(await answer.json()) : undefined;
    if (!entry) logEvent("edge.turn_mint", { status: answer.status }, "warn");
    return entry;
  } catch (error) {
    logEvent("edge.turn_mint", { error: String(error) }, "warn");
    return undefined;
  }
}
