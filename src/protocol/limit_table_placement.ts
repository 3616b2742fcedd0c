/**
 * The limits of placement (the slot map and its versions), a part of `limit_table.ts` kept
 * apart for size.
 *
 * @module
 */
import type { LimitRow } from "./limit_row.ts";

/**
 * The placement rows of the limit table.
 *
 * @example Usage
 * ```ts
 * import { PLACEMENT_LIMITS } from "./limit_table_placement.ts";
 * console.assert(PLACEMENT_LIMITS.MAP_REFRESH_MS.value === 10_000);
 * ```
 */
export const PLACEMENT_LIMITS = {
  /** How long an edge follows the slot map it last read before it reads it again. */
  MAP_REFRESH_MS: {
    value: 10_000,
    unit: "ms",
    description:
      "How long an edge isolate serves and routes by the slot map it last read from the map's keeper (shard 0) before it reads it again, so that the keeper is asked at most once per interval per isolate. A hello routed by an older map meanwhile is answered `MOVED` by the shard that gave the slot away, with the newer map, and the edge adopts it and hands the socket to the new home at once.",
  },
  /** How long a shard waits for a moving peer's requests under way before it sends it away. */
  MOVE_DRAIN_MS: {
    value: 5_000,
    unit: "ms",
    description:
      "When a growth moves a peer's slot, its old home stops reading the peer's frames, answers the requests it had already read, then closes the socket `4004` (`HOME_MOVED`): this long at most. A request not answered by then may have been carried out; one read after the stop never was, and the client sends it again at the new home.",
  },
  /** How long a peer's TURN credential lives. */
  TURN_CREDENTIAL_TTL_MS: {
    value: 3_600_000,
    unit: "ms",
    description:
      "Where the network has TURN servers (`TURN_SECRET`, `TURN_URLS`), each welcome carries `iceServers` with a TURN credential made for that peer alone (TURN REST: the user name `<expiry>:<peer id>`, the password an HMAC of it with the secret the servers share); with Cloudflare's TURN service (`TURN_KEY_ID`), one the service minted for that hello. With servers of its own, the expiry is the end of the period of this length after the current one: a credential lives one to two periods, and every hello of a peer within one period gets the same user name, so that the TURN server's cap of allocations per user name holds the peer however often it reconnects; Cloudflare's credentials live this long from the hello. The public `GET /v1/network` never carries one.",
  },
  /** How long a growth's keeper rests after each call, against how long the call took. */
  GROWTH_REST_RATIO: {
    value: 3,
    unit: "ratio",
    description:
      "After each call of a growth (a phase of a step at a shard, the new map pushed to one), the map's keeper waits this many times as long as the call took before the next one: a growth takes at most a quarter of the time of the shards it works with, and their peers' frames are read between its calls. The rests fall inside a step's pause too: work keyed in its slots waits about 1 + this ratio times as long as the step's own calls take (a median of 65 to 104 ms on two machines, `docs/BENCHMARKS.md`; a step whose slots hold megabytes of mail is copied in pages and pauses longer). The shards that take no part in a step are told its map when the step's source has moved its last slot and at the end, not at each step; meanwhile a frame or request they send by the older map is answered `MOVED` or forwarded by the old home.",
  },
} as const satisfies Record<string, LimitRow>;
