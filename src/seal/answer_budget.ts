/**
 * What a peer sends without its application asking, budgeted: a kind 5 answer ("no such
 * session"), a kind 6 ("I do not seal"), a hello made again after a kind 5, and the accept
 * that answers a hello. Anyone can send a peer junk that would make it answer, and the
 * network charges what a peer sends to that peer, so unbounded answers let an attacker spend
 * its victim's budget (see `seal_bounds.ts`). Each remote has a small token bucket of
 * answers and one of hellos; all remotes share one more bucket of answers, so that many
 * attackers, or one with many peer ids, get no more; what is over is dropped silently.
 *
 * @module
 */
import { Lru } from "./lru.ts";
import {
  SEAL_ANSWER_BURST,
  SEAL_ANSWER_TOTAL_BURST,
  SEAL_ANSWERS_PER_SECOND,
  SEAL_ANSWERS_TOTAL_PER_SECOND,
  SEAL_BUDGET_PEERS,
  SEAL_HELLO_BURST,
  SEAL_HELLOS_PER_SECOND,
  SEAL_UNKNOWN_ANSWER_INTERVAL_MS,
} from "./seal_bounds.ts";

// Tokens, filled continuously up to a burst; a new bucket is full.
interface Bucket {
  tokens: number;
  at: number;
}

function fill(bucket: Bucket, perSecond: number, burst: number, now: number): Bucket {
  if (now > bucket.at) {
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perSecond / 1_000);
    bucket.at = now;
  }
  return bucket;
}

// One remote's budgets, and the unknown sessions it was told of lately (when, by id): only
// what was answered is kept, so the bucket bounds it (burst + rate × interval).
interface RemoteBudget {
  answers: Bucket;
  hellos: Bucket;
  told: Map<string, number>;
}

/** Options of an {@linkcode AnswerBudget}. */
export interface AnswerBudgetOptions {
  /** Remotes whose budgets are kept. @default {SEAL_BUDGET_PEERS} */
  peers?: number;
}

/**
 * The budgets of automatic answers and of hellos, per remote and in all.
 *
 * @example A flood of junk, answered a burst's worth
 * ```ts
 * import { AnswerBudget } from "./answer_budget.ts";
 * import { SEAL_ANSWER_BURST } from "./seal_bounds.ts";
 * const budget = new AnswerBudget();
 * let answered = 0;
 * for (let i = 0; i < 1_000; i++) if (budget.unknownSession("attacker", `id${i}`, 0)) answered++;
 * console.assert(answered === SEAL_ANSWER_BURST);
 * ```
 */
export class AnswerBudget {
  readonly #remotes: Lru<string, RemoteBudget>;
  #total: Bucket | undefined;

  /**
   * Makes the budgets, every bucket full.
   *
   * @param options The cap on remotes kept.
   */
  constructor(options: AnswerBudgetOptions = {}) {
    this.#remotes = new Lru(options.peers ?? SEAL_BUDGET_PEERS);
  }

  /** How many remotes have budgets kept (at most the cap). */
  get size(): number {
    return this.#remotes.size;
  }

  /**
   * Whether to answer a data message under a session this peer does not hold with kind 5:
   * once per session id and remote within `SEAL_UNKNOWN_ANSWER_INTERVAL_MS`, within the
   * remote's and the total answer budgets. Takes a token if so.
   *
   * @param remote The sender the relay names.
   * @param id The session id it named, hex.
   * @param now The clock, in ms.
   * @returns Whether to answer.
   */
  unknownSession(remote: string, id: string, now: number): boolean {
    const budget = this.#remote(remote, now);
    for (const [old, at] of budget.told) {
      if (now - at < SEAL_UNKNOWN_ANSWER_INTERVAL_MS) break; // in the order they were told
      budget.told.delete(old);
    }
    if (budget.told.has(id) || !this.#answer(budget, now)) return false;
    budget.told.set(id, now);
    return true;
  }

  /**
   * Whether to send a remote another automatic answer (kind 6, a hello made again after a
   * kind 5), within its and the total answer budgets. Takes a token if so.
   *
   * @param remote The remote.
   * @param now The clock, in ms.
   * @returns Whether to send it.
   */
  answer(remote: string, now: number): boolean {
    return this.#answer(this.#remote(remote, now), now);
  }

  /**
   * Whether to take a hello from a remote (check it, and answer it if it verifies), within
   * its hello budget. Takes a token if so: a junk hello costs a token as an honest one does,
   * so a flood of them costs at most the bucket's worth of X25519.
   *
   * @param remote The sender the relay names.
   * @param now The clock, in ms.
   * @returns Whether to take it.
   */
  hello(remote: string, now: number): boolean {
    const hellos = fill(
      this.#remote(remote, now).hellos,
      SEAL_HELLOS_PER_SECOND,
      SEAL_HELLO_BURST,
      now,
    );
    if (hellos.tokens < 1) return false;
    hellos.tokens--;
    return true;
  }

  #remote(remote: string, now: number): RemoteBudget {
    let budget = this.#remotes.get(remote);
    if (!budget) {
      budget = {
        answers: { tokens: SEAL_ANSWER_BURST, at: now },
        hellos: { tokens: SEAL_HELLO_BURST, at: now },
        told: new Map(),
      };
      this.#remotes.set(remote, budget);
    }
    return budget;
  }

  // A token from the remote's bucket and one from the total, or none from either.
  #answer(budget: RemoteBudget, now: number): boolean {
    const mine = fill(budget.answers, SEAL_ANSWERS_PER_SECOND, SEAL_ANSWER_BURST, now);
    this.#total ??= { tokens: SEAL_ANSWER_TOTAL_BURST, at: now };
    const total = fill(this.#total, SEAL_ANSWERS_TOTAL_PER_SECOND, SEAL_ANSWER_TOTAL_BURST, now);
    if (mine.tokens < 1 || total.tokens < 1) return false;
    mine.tokens--;
    total.tokens--;
    return true;
  }
}
