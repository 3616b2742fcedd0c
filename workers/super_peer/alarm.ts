/**
 * One alarm per super-peer serves every room that needs a wake-up (the ledger's blocks and
 * receipts, the presence sweep, mail expiry): each asks to be woken by some time, and the
 * alarm is kept at the earliest of those times.
 *
 * @module
 */
import type { DurableObjectStorage } from "cloudflare:workers";

/**
 * The alarm of one super-peer.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import { AlarmScheduler } from "./alarm.ts";
 * export async function soon(ctx: DurableObjectState) {
 *   const alarm = new AlarmScheduler(ctx.storage);
 *   await alarm.wakeBy(Date.now() + 1_000);
 * }
 * ```
 */
export class AlarmScheduler {
  readonly #storage: DurableObjectStorage;
  /** When the alarm is set for, as far as this object knows (only it sets it). */
  #at: number | undefined;

  /** @param storage The object's storage, which holds the alarm. */
  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /**
   * Makes sure the alarm fires by `at`. Cheap when an earlier alarm is known to be set: the
   * hot paths call it after every write.
   *
   * @param at Milliseconds since the epoch.
   */
  async wakeBy(at: number): Promise<void> {
    if (this.#at !== undefined && this.#at <= at) return;
    const current = await this.#storage.getAlarm();
    if (current !== null && current <= at) {
      this.#at = current;
      return;
    }
    this.#at = at;
    await this.#storage.setAlarm(at);
  }

  /** The alarm fired: no alarm is set until a room asks again. */
  fired(): void {
    this.#at = undefined;
  }
}
