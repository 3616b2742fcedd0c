/**
 * Which way a direct channel's packets go, read from the WebRTC statistics that browsers and
 * werift both give (`RTCPeerConnection.getStats()`): the selected candidate pair, and whether
 * either of its candidates is a TURN server's relayed address.
 *
 * @module
 */

type Stat = Record<string, unknown>;

/** Which way a channel's packets go, and the bytes its selected candidate pair moved. */
export interface ChannelPath {
  /** `direct`, or `turn` when one end's candidate is a TURN server's relayed address. */
  route: "direct" | "turn";
  /** Bytes sent and received on the selected pair, as the statistics count them. */
  bytes: number;
  /** Whether this end's own candidate is a TURN server's: its own allocation carries them. */
  localRelay: boolean;
}

/**
 * The path of a connection's selected candidate pair.
 *
 * @example Usage
 * ```ts
 * import { pathOfStats } from "./route.ts";
 * const stats = [
 *   { id: "t", type: "transport", selectedCandidatePairId: "p" },
 *   { id: "p", type: "candidate-pair", localCandidateId: "l", remoteCandidateId: "r",
 *     bytesSent: 700, bytesReceived: 300 },
 *   { id: "l", type: "local-candidate", candidateType: "relay" },
 *   { id: "r", type: "remote-candidate", candidateType: "host" },
 * ];
 * const path = pathOfStats(stats);
 * console.assert(path?.route === "turn" && path.bytes === 1_000 && path.localRelay);
 * ```
 *
 * @param stats The statistics (the values of an `RTCStatsReport`).
 * @returns The path, or `undefined` when no pair is selected yet.
 */
export function pathOfStats(stats: Iterable<Stat>): ChannelPath | undefined {
  const byId = new Map<string, Stat>();
  for (const stat of stats) byId.set(String(stat.id ?? byId.size), stat);
  const all = [...byId.values()];
  const selectedId = all.find((s) => s.type === "transport" && s.selectedCandidatePairId)
    ?.selectedCandidatePairId;
  const pair = (typeof selectedId === "string" ? byId.get(selectedId) : undefined) ??
    all.find((s) => s.type === "candidate-pair" && s.nominated && s.state === "succeeded") ??
    all.find((s) => s.type === "candidate-pair" && s.selected === true);
  if (!pair) return undefined;
  const types = [pair.localCandidateId, pair.remoteCandidateId].map((id) =>
    typeof id === "string" ? byId.get(id)?.candidateType : undefined
  );
  if (types.some((t) => t === undefined)) return undefined;
  const count = (v: unknown) => typeof v === "number" && v > 0 ? v : 0;
  return {
    route: types.includes("relay") ? "turn" : "direct",
    bytes: count(pair.bytesSent) + count(pair.bytesReceived),
    localRelay: types[0] === "relay",
  };
}

/**
 * The route of a connection's selected candidate pair.
 *
 * @example Usage
 * ```ts
 * import { routeOfStats } from "./route.ts";
 * // An RTCStatsReport's values, each with its `id`.
 * const stats = [
 *   { id: "t", type: "transport", selectedCandidatePairId: "p" },
 *   { id: "p", type: "candidate-pair", localCandidateId: "l", remoteCandidateId: "r" },
 *   { id: "l", type: "local-candidate", candidateType: "srflx" },
 *   { id: "r", type: "remote-candidate", candidateType: "relay" },
 * ];
 * console.assert(routeOfStats(stats) === "turn");
 * ```
 *
 * @param stats The statistics (the values of an `RTCStatsReport`).
 * @returns `direct` or `turn`, or `undefined` when no pair is selected yet.
 */
export function routeOfStats(stats: Iterable<Stat>): "direct" | "turn" | undefined {
  return pathOfStats(stats)?.route;
}
