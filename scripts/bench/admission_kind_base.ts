/**
 * What the admission benchmark's request kinds share: the context their builders carry
 * between phases, the shape of a kind, and the helpers that build requests.
 *
 * @module
 */
import { type Identity, peerIdFromPublicKey } from "../../src/identity/mod.ts";
import { signTransfer, transferToJson } from "../../src/ledger/mod.ts";
import {
  type ControlRequest,
  DEFAULT_LIMITS,
  type LimitName,
  requestPrice,
} from "../../src/protocol/mod.ts";
import type { Counting, HttpCall } from "./admission_drive.ts";

const L = DEFAULT_LIMITS;

/** What the builders share: the network, the peers, and state carried between phases. */
export interface KindContext {
  /** `http://127.0.0.1:PORT` */
  url: string;
  network: string;
  /** Sockets (and HTTP lanes) a phase is sent from. */
  lanes: number;
  /** Each socket's own peer id (relayed frames go back to their sender). */
  selves: string[];
  /** Each socket's identity (it cosigns the measured shard's checkpoints). */
  identities: Identity[];
  /** A peer homed on the measured shard that is never online (mail goes to its mailbox). */
  offline: string;
  /** Funded accounts homed on the measured shard; lane `j` owns those with `i % lanes === j`. */
  senders: Identity[];
  /** The next nonce of each sender, by index. */
  nonces: number[];
  /** Where transfers go: an account on the measured shard. */
  recipient: string;
  /** Counts phases, so that topics and content ids are new in each. */
  phase: number;
  /** Topics each socket subscribed to in the last `sub` phase (the `unsub` phase ends them). */
  topics: string[][];
  /** Contents each socket provided in the last `provide` phase (`unprovide` ends them). */
  roots: string[][];
  /** A content with a provider, for `providers`. */
  providedRoot: string;
  /** The topic `pub` publishes on (it has one subscriber). */
  pubTopic: string;
  /** The last publish number of each socket. */
  pubN: number[];
  /** Hashes of transfers applied over HTTP (for `GET /v1/tx/:hash`). */
  applied: string[];
}

/** One kind of request. */
export interface Kind {
  /** Entry-friendly name, e.g. `tx.256`. */
  name: string;
  /** What it is, for the report. */
  what: string;
  /** Items it carries (1 for a request priced whole). */
  items: number;
  /** Its price in units. */
  price: number;
  /**
   * The kind whose case sets this one's price: the same request, dearer there (mail to a new
   * recipient on any shard, as a flood sends, against mail to one peer here). Its row has no
   * target: one price cannot follow two costs, and it follows the dearer.
   */
  cheaperCaseOf?: string;
  /** A request sent on a socket: how it is counted and built. */
  socket?: {
    counting: Counting;
    /** Answers each message brings (frames of a batch). @default 1 */
    answers?: number;
    build(ctx: KindContext, lane: number, n: number): Promise<(string | Uint8Array)[]>;
  };
  /** An HTTP request: built per lane. */
  http?: {
    build(ctx: KindContext, lane: number, n: number): Promise<HttpCall[]>;
    onBody?(ctx: KindContext, body: string): void;
  };
}

/** A kind priced per item, measured at one item and at the most, and its price per item. */
export interface PerItem {
  /** Entry-friendly name of the derived row. */
  name: string;
  what: string;
  one: string;
  max: string;
  /** The limit that prices each item. */
  limit: LimitName;
}

/**
 * What a control request costs, by the server's own function and the default limits.
 *
 * @example Usage
 * ```ts
 * import { price } from "./admission_kind_base.ts";
 * console.assert(price({ t: "lookup", id: 0, peer: "" }) > 0);
 * ```
 */
export const price = (m: ControlRequest): number => requestPrice(m, L);

/**
 * The price of a relayed message, as the relay charges it (`#onBatch`): a frame alone pays its
 * own price (`COST_RELAY_FRAME`, a mailed one `COST_MAIL`); a batch message pays
 * `COST_BATCH` once and each entry `COST_BATCH_ENTRY` (a mailed entry `COST_MAIL`).
 *
 * @example Usage
 * ```ts
 * import { relayPrice } from "./admission_kind_base.ts";
 * console.assert(relayPrice({ batch: 256 }) > relayPrice({}));
 * ```
 */
export const relayPrice = (options: { mailbox?: boolean; batch?: number }): number => {
  const entry = options.mailbox ? L.COST_MAIL : L.COST_BATCH_ENTRY;
  return options.batch === undefined
    ? options.mailbox ? L.COST_MAIL : L.COST_RELAY_FRAME
    : L.COST_BATCH + options.batch * entry;
};

/**
 * Small builders' helpers: JSON text, random hex, a random account nobody holds, `0..n-1`.
 *
 * @example Usage
 * ```ts
 * import { json, range } from "./admission_kind_base.ts";
 * console.assert(json(range(2)) === "[0,1]");
 * ```
 */
export const json = (m: unknown): string => JSON.stringify(m);
/** Random bytes as hex. @example `randomHex(16)` */
export const randomHex = (bytes: number): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0"))
    .join("");
/** An account id of random key bytes. @example `randomAccount()` */
export const randomAccount = (): string =>
  peerIdFromPublicKey(crypto.getRandomValues(new Uint8Array(32)));
/** `0..n-1`. @example `range(3) // [0, 1, 2]` */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * Signs `count` transfers for a lane, each sender's nonces in order, cycling the lane's senders.
 *
 * @example Usage
 * ```ts ignore
 * const txs = await signFor(ctx, 0, 256);
 * ```
 *
 * @param ctx The builders' context.
 * @param lane The lane (it owns the senders `i % lanes === lane`).
 * @param count Transfers.
 * @returns The transfers, as JSON values.
 */
export async function signFor(ctx: KindContext, lane: number, count: number): Promise<unknown[]> {
  const own = range(ctx.senders.length).filter((i) => i % ctx.lanes === lane);
  const out: unknown[] = [];
  for (let k = 0; k < count; k++) {
    const i = own[k % own.length];
    const nonce = ++ctx.nonces[i];
    out.push(transferToJson(
      await signTransfer(ctx.senders[i], {
        network: ctx.network,
        to: ctx.recipient,
        amount: 1n,
        nonce,
      }),
    ));
  }
  return out;
}
