/**
 * Whether an open direct channel still reaches the other side. A channel whose path is lost
 * (a NAT dropped its mapping, a phone left its Wi-Fi) closes by itself only when WebRTC's
 * consent check gives up, 30 s later; until then what is sent on it is lost and waits for
 * its resend. A side that heard nothing for {@linkcode DIRECT_KEEPALIVE_MS} asks a ping, which
 * the other answers from its message handler; a ping left unanswered, with nothing else
 * heard, for {@linkcode DIRECT_SILENCE_MS} ends the channel.
 *
 * What keeps it from ending a channel that works:
 * - Silence is counted from the ping, not from the last message, and a check that itself ran
 *   late (a stalled event loop, a background tab's timers slowed to one a minute) starts the
 *   count again: only a full window of checks on time, with no answer, ends a channel.
 * - A side that only receives answers anyway (an unasked `pong`) once it has sent nothing for
 *   two checks: the other side's ping may be waiting behind megabytes it queued.
 * - Only a side that was heard to keep the keepalive (it sent a ping or a pong) can be found
 *   lost: one that does not, an older client, keeps WebRTC's own check.
 *
 * @module
 */
import { DIRECT_KEEPALIVE_MS, DIRECT_SILENCE_MS } from "../constants.ts";

/** How often the channel is checked, in ms: twice per keepalive. */
export const LIVENESS_TICK_MS: number = DIRECT_KEEPALIVE_MS / 2;
/** Checks with nothing sent after which a side that hears data answers it unasked. */
const QUIET_TICKS = 2;

/**
 * The keepalive of one channel: `heard` on every message, `tick` from a timer every
 * {@linkcode LIVENESS_TICK_MS}.
 *
 * @example Usage
 * ```ts
 * import { Liveness } from "./liveness.ts";
 * let now = 0;
 * const pings: number[] = [];
 * const live = new Liveness(() => pings.push(now), () => now);
 * live.heard(true); // its first pong: the other side keeps the keepalive
 * for (now = 500; now <= 7_000; now += 500) if (live.tick(false) === "lost") break;
 * console.assert(pings.length === 1 && now < 7_000);
 * ```
 */
export class Liveness {
  readonly #ping: () => void;
  readonly #now: () => number;
  #heardAt: number;
  #tickAt: number;
  #pingAt: number | undefined;
  #speaks = false;
  #quiet = 0;

  /**
   * @param ping Sends a ping.
   * @param now The clock, in ms.
   */
  constructor(ping: () => void, now: () => number = Date.now) {
    this.#ping = ping;
    this.#now = now;
    this.#heardAt = this.#tickAt = now();
  }

  /**
   * Something came from the other side.
   *
   * @param keepalive It was a ping or a pong: the other side keeps the keepalive.
   */
  heard(keepalive = false): void {
    this.#heardAt = this.#now();
    this.#pingAt = undefined;
    if (keepalive) this.#speaks = true;
  }

  /**
   * After data came: whether to answer it unasked, this side having sent nothing for a while.
   *
   * @returns `true` to send a `pong` now.
   */
  nudge(): boolean {
    if (this.#quiet < QUIET_TICKS) return false;
    this.#quiet = 0;
    return true;
  }

  /**
   * Checks the channel: pings when it was quiet, says `lost` when a ping went unanswered.
   *
   * @param sent Whether this side sent anything since the last check.
   * @returns `lost` if the channel should be closed, else `alive`.
   */
  tick(sent: boolean): "alive" | "lost" {
    const now = this.#now();
    const late = now - this.#tickAt > 2 * LIVENESS_TICK_MS;
    this.#tickAt = now;
    this.#quiet = sent ? 0 : this.#quiet + 1;
    if (this.#pingAt !== undefined) {
      // A late check says more about this side than about the path: count again from now.
      if (late) this.#pingAt = now;
      return this.#speaks && now - this.#pingAt >= DIRECT_SILENCE_MS ? "lost" : "alive";
    }
    if (now - this.#heardAt >= DIRECT_KEEPALIVE_MS) {
      this.#pingAt = now;
      this.#ping();
    }
    return "alive";
  }
}
