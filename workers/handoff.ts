/**
 * The hand-off of a peer's socket from the edge to its home super-peer: the edge, which has
 * checked the hello, says who connects in headers of a fresh request; the home reads them. Both
 * sides live here so that the one cannot drift from the other.
 *
 * @module
 */
import type { IceServer } from "../src/protocol/mod.ts";

/** Headers by which the edge tells a super-peer who connects; the edge overwrites them. */
const HEADERS = {
  peer: "x-superpeer-peer",
  nonce: "x-superpeer-nonce",
  ts: "x-superpeer-ts",
  address: "x-superpeer-address",
  batch: "x-superpeer-batch",
  turn: "x-superpeer-turn",
} as const;

/** The path of the hand-off at the super-peer. */
const PATH = "/connect";

/** Who connects, as the edge found it. */
export interface Handoff {
  /** The peer id the hello proved. */
  peer: string;
  /** The hello's nonce, claimed once at the peer's home. */
  nonce: string;
  /** The hello's timestamp, ms since the epoch. */
  ts: number;
  /** The client's address, as the edge keys its limits. */
  address: string;
  /** Whether the peer asked for batch frames. */
  batch: boolean;
  /** The peer's own TURN server entry, minted by the edge, for its welcome. */
  turn?: IceServer;
}

/**
 * The request the edge hands to the peer's home: nothing the client sent besides the upgrade
 * reaches the super-peer.
 *
 * @param who Who connects.
 * @returns The request.
 *
 * @example Usage
 * ```ts
 * import { handoffRequest, readHandoff } from "./handoff.ts";
 * const who = { peer: "p", nonce: "n", ts: 1, address: "203.0.113.9", batch: true };
 * console.assert(readHandoff(handoffRequest(who))?.address === "203.0.113.9");
 * ```
 */
export function handoffRequest(who: Handoff): Request {
  return new Request(`https://super-peer${PATH}`, {
    headers: {
      upgrade: "websocket",
      [HEADERS.peer]: who.peer,
      [HEADERS.nonce]: who.nonce,
      [HEADERS.ts]: String(who.ts),
      [HEADERS.address]: who.address,
      [HEADERS.batch]: who.batch ? "1" : "0",
      ...(who.turn ? { [HEADERS.turn]: JSON.stringify(who.turn) } : {}),
    },
  });
}

/**
 * Reads a hand-off at the super-peer.
 *
 * @param request The request that reached the super-peer.
 * @returns Who connects, or `undefined` if the request is no hand-off from the edge.
 *
 * @example Usage
 * ```ts
 * import { readHandoff } from "./handoff.ts";
 * console.assert(readHandoff(new Request("https://super-peer/other")) === undefined);
 * ```
 */
export function readHandoff(request: Request): Handoff | undefined {
  const h = request.headers;
  if (new URL(request.url).pathname !== PATH || h.get("upgrade") !== "websocket") return undefined;
  return {
    peer: h.get(HEADERS.peer) ?? "",
    nonce: h.get(HEADERS.nonce) ?? "",
    ts: Number(h.get(HEADERS.ts)),
    address: h.get(HEADERS.address) ?? "",
    batch: h.get(HEADERS.batch) === "1",
    ...(h.has(HEADERS.turn) ? { turn: JSON.parse(h.get(HEADERS.turn)!) as IceServer } : {}),
  };
}
