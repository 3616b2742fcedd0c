/**
 * The peers that have sealed with this one, remembered for the life of the process after
 * their sealing state is gone (a forged "no such session" drops sessions; the peer table
 * forgets the least recently used). From such a peer, "I do not seal", silence to a hello
 * and anything in clear are a relay's downgrade: refused whatever the policy.
 *
 * @module
 */
import { SEAL_STICKY_PEERS } from "./seal_bounds.ts";

/**
 * A bounded set of peer ids; past its bound the least recently sealed is forgotten first.
 *
 * @example Usage
 * ```ts
 * import { SealedBefore } from "./sealed_before.ts";
 * const sealed = new SealedBefore(2);
 * sealed.add("a");
 * sealed.add("b");
 * sealed.add("c");
 * console.assert(!sealed.has("a") && sealed.has("c"));
 * ```
 */
export class SealedBefore {
  readonly #max: number;
  readonly #peers = new Set<string>();
  /** Called when a peer is added that was not in the set (to save the set). */
  changed?: () => void;

  /**
   * Makes an empty set.
   *
   * @param max How many peers to remember. @default SEAL_STICKY_PEERS
   */
  constructor(max: number = SEAL_STICKY_PEERS) {
    this.#max = max;
  }

  /**
   * A peer has sealed with this one (again).
   *
   * @param peer The peer.
   */
  add(peer: string): void {
    const known = this.#peers.delete(peer);
    this.#peers.add(peer);
    if (this.#peers.size > this.#max) this.#peers.delete(this.#peers.values().next().value!);
    if (!known) this.changed?.();
  }

  /**
   * The peers, least recently sealed first: what a restart restores with `add`.
   *
   * @returns Their ids.
   */
  entries(): string[] {
    return [...this.#peers];
  }

  /**
   * Whether a peer has sealed with this one.
   *
   * @param peer The peer.
   * @returns Whether it has.
   */
  has(peer: string): boolean {
    return this.#peers.has(peer);
  }
}
