/**
 * Whether an open direct channel still reaches the other side. A channel whose path is lost
 * (a NAT dropped its mapping, a phone left its Wi-Fi) closes by itself only when WebRTC's
 * consent check gives up, 30 s later; until then what is sent on it is lost and waits for
 * its resend. A side that heard nothing for {@linkcode DIRECT_KEEPALIVE_MS} asks a ping, which
 * the other answers from its message handler; a ping left unanswered, with nothing else
 * heard, for {@linkcode DIRECT_SILENCE_MS} ends the channel.
 *
 * Silence is counted from the ping, not from the last message: a tab whose timers the browser
 * slowed to one a minute would otherwise find a minute of silence at every tick.
 *
 * @module
 */
import { DIRECT_KEEPALIVE_MS, DIRECT_SILENCE_MS } from "../constants.ts";

/**
 * The keepalive of one channel: `heard` on every message, `tick` from a timer.
 *
 * @example Usage
 * ```ts
 * import { Liveness } from "./liveness.ts";
 * let now = 0;
 * const pings: number[] = [];
 * const live = new Liveness(() => pings.push(now), () => now);
 * now = 1_500;
 * console.assert(live.tick() === "alive" && pings.length === 1);
 * now = 7_000;
 * console.assert(live.tick() === "lost");
 * ```
 */
export class Liveness {
  readonly #ping: () => void;
  readonly #now: () => number;
  #heardAt: number;
  #pingAt: number | undefined;

  /**
   * @param ping Sends a ping.
   * @param now The clock, in ms.
   */
  constructor(ping: () => void, now: () => number = Date.now) {
    this.#ping = ping;
    this.#now = now;
    this.#heardAt = now();
  }

  /** Something came from the other side. */
  heard(): void {
    this.#heardAt = this.#now();
    this.#pingAt = undefined;
  }

  /**
   * Checks the channel: pings when it was quiet, says `lost` when a ping went unanswered.
   *
   * @returns `lost` if the channel should be closed, else `alive`.
   */
  tick(): "alive" | "lost" {
    const now = this.#now();
    if (this.#pingAt !== undefined) {
      return now - this.#pingAt >= DIRECT_SILENCE_MS ? "lost" : "alive";
    }
    if (now - this.#heardAt >= DIRECT_KEEPALIVE_MS) {
      this.#pingAt = now;
      this.#ping();
    }
    return "alive";
  }
}
