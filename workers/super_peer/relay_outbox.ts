/**
 * The outbox of one relay pass: the frames a batch (from a peer here, or from another shard)
 * has for the peers connected here, held until the pass ends and then sent per destination,
 * as one batch frame to a peer that asked for batches. Order per destination is kept.
 *
 * @module
 */
import type { Sessions } from "./sessions.ts";

/** What one destination gets at the end of the pass. */
interface Held {
  frames: Uint8Array[];
  tags: number[];
}

/**
 * Frames held for the peers connected here over one pass.
 *
 * @example Usage
 * ```ts
 * import { RelayOutbox } from "./relay_outbox.ts";
 * import type { Sessions } from "./sessions.ts";
 * export function pass(sessions: Sessions, to: string, frames: Uint8Array[]): number[] {
 *   const outbox = new RelayOutbox(sessions);
 *   frames.forEach((f, i) => outbox.add(to, f, i));
 *   return outbox.flush(); // the frames whose socket died meanwhile
 * }
 * ```
 */
export class RelayOutbox {
  readonly #sessions: Sessions;
  readonly #held = new Map<string, Held>();

  /** @param sessions The sessions the frames go out by. */
  constructor(sessions: Sessions) {
    this.#sessions = sessions;
  }

  /**
   * Holds a frame for a peer connected here.
   *
   * @param peer The destination.
   * @param frame The DELIVER frame.
   * @param tag What `flush` names the frame by if it cannot go out after all.
   * @returns `false` when the peer is not connected here (nothing held).
   */
  add(peer: string, frame: Uint8Array, tag: number): boolean {
    if (!this.#sessions.has(peer)) return false;
    const held = this.#held.get(peer);
    if (held) {
      held.frames.push(frame);
      held.tags.push(tag);
    } else this.#held.set(peer, { frames: [frame], tags: [tag] });
    return true;
  }

  /**
   * Sends what is held, one destination at a time.
   *
   * @param whole A batch whose frames, rewritten in place, are exactly what one destination
   *   got: it goes out as it is, with no copy.
   * @returns The tags of frames whose socket died during the pass.
   */
  flush(whole?: { bytes: Uint8Array; frames: Uint8Array[] }): number[] {
    const failed: number[] = [];
    for (const [peer, { frames, tags }] of this.#held) {
      const packed = whole && sameFrames(frames, whole.frames) ? whole.bytes : undefined;
      if (!this.#sessions.sendFrames(peer, frames, packed)) failed.push(...tags);
    }
    this.#held.clear();
    return failed;
  }
}

function sameFrames(a: Uint8Array[], b: Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
