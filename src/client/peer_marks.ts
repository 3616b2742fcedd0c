/**
 * A peer's marks and their keeping: what it loads before it connects and saves shortly after
 * each change (and on close), so that a restart of the client neither forgets who sealed with
 * it nor takes again mail or publishes it took before.
 *
 * @module
 */
import { MailReplays } from "../seal/mail.ts";
import { MARKS_SAVE_DELAY_MS, SEAL_MAIL_MAX_AGE_MS } from "../seal/seal_bounds.ts";
import { SealedBefore } from "../seal/sealed_before.ts";
import { indexedDbMarks, type MarksSnapshot, type MarksStore } from "./marks_store.ts";
import { TopicMarks } from "./topic_marks.ts";

/**
 * The store a peer keeps its marks in when its options name none: IndexedDB where there is
 * one (browsers), else none (marks in memory; Deno and Node name a file with `fileMarks`).
 *
 * @example Usage
 * ```ts
 * import { defaultMarksStore } from "./peer_marks.ts";
 * console.assert(defaultMarksStore() === undefined); // Deno has no IndexedDB
 * ```
 *
 * @returns The store, or `undefined`.
 */
export function defaultMarksStore(): MarksStore | undefined {
  return (globalThis as { indexedDB?: unknown }).indexedDB ? indexedDbMarks() : undefined;
}

/**
 * One peer's marks: the sealer's (peers that sealed, mail taken) and the services' (topic
 * numbers), loaded once and saved when they change.
 *
 * @example Usage
 * ```ts
 * import { PeerMarks } from "./peer_marks.ts";
 * import { fileMarks } from "./marks_store.ts";
 * const store = fileMarks(`${await Deno.makeTempDir()}/m.json`);
 * const marks = new PeerMarks("me", store);
 * await marks.load();
 * marks.sealedBefore.add("friend");
 * await marks.flush();
 * const again = new PeerMarks("me", store);
 * await again.load();
 * console.assert(again.sealedBefore.has("friend"));
 * ```
 */
export class PeerMarks {
  /** Peers that sealed with this one. */
  readonly sealedBefore: SealedBefore = new SealedBefore();
  /** Keys of sealed mail taken. */
  readonly mail: MailReplays;
  /** The last number taken per topic publisher. */
  readonly topics: TopicMarks = new TopicMarks();
  readonly #peer: string;
  readonly #store: MarksStore | undefined;
  #loaded: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #dirty = false;
  #saving: Promise<void> = Promise.resolve();

  /**
   * Makes a peer's marks, empty until {@linkcode PeerMarks.load}.
   *
   * @param peer The peer's id (a store keeps one peer's marks under it).
   * @param store Where they are kept; `false`: in memory only. @default defaultMarksStore()
   * @param mailMaxAgeMs Sealed mail older than this is refused, so is remembered no longer.
   */
  constructor(peer: string, store?: MarksStore | false, mailMaxAgeMs = SEAL_MAIL_MAX_AGE_MS) {
    this.#peer = peer;
    this.#store = store === false ? undefined : store ?? defaultMarksStore();
    this.mail = new MailReplays(mailMaxAgeMs);
    const changed = () => this.#changed();
    this.sealedBefore.changed = this.mail.changed = this.topics.changed = changed;
  }

  /**
   * Loads what was saved, once; a store that fails to load leaves the marks empty (the peer
   * still connects: marks narrow what a relay can replay, they are not needed to talk).
   *
   * @returns When loaded.
   */
  load(): Promise<void> {
    return this.#loaded ??= (async () => {
      const saved = await this.#store?.load(this.#peer).catch(() => undefined);
      if (!saved) return;
      for (const peer of saved.sealedBefore) this.sealedBefore.add(peer);
      this.mail.restore(saved.mail as [string, number][], Date.now());
      this.topics.restore(saved.topics as [string, number][]);
      this.#dirty = false;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    })();
  }

  /**
   * Saves now if anything changed since the last save.
   *
   * @returns When saved (a failed save is dropped: the next change tries again).
   */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const store = this.#store;
    if (!store || !this.#dirty) return this.#saving;
    this.#dirty = false;
    const marks: MarksSnapshot = {
      peer: this.#peer,
      sealedBefore: this.sealedBefore.entries(),
      mail: this.mail.entries(),
      topics: this.topics.entries(),
    };
    return this.#saving = this.#saving.then(() => store.save(marks)).catch(() => {});
  }

  #changed(): void {
    this.#dirty = true;
    if (!this.#store || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => void this.flush(), MARKS_SAVE_DELAY_MS);
  }
}
