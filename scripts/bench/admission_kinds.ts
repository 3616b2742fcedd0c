/**
 * The request kinds the admission benchmark measures: how each is built (before the clock),
 * how its answers are counted, and its price, computed by the functions the server charges
 * with (`requestPrice`, `transferPrice`, the `COST_*` limits), never written twice.
 *
 * @module
 */
import {
  ackIdItems,
  type ControlRequest,
  DEFAULT_LIMITS,
  encodeBatch,
  encodeFrame,
  FRAME_SEND,
} from "../../src/protocol/mod.ts";
import { Bitfield } from "../../src/swarm/bitfield.ts";
import { pieceCount } from "../../src/swarm/content_id.ts";
import {
  json,
  type Kind,
  type KindContext,
  type PerItem,
  price,
  randomAccount,
  randomHex,
  range,
  relayPrice,
  signFor,
} from "./admission_kind_base.ts";
import { HTTP_KINDS } from "./admission_kinds_http.ts";
import { LOG_KINDS } from "./admission_kinds_log.ts";

export type { Kind, KindContext } from "./admission_kind_base.ts";

const L = DEFAULT_LIMITS;
/** Payload of a relayed frame, of a mail and of a publish. */
const PAYLOAD = "x".repeat(64);
/** The most ids a `mail.ack` may carry (its schema's bound). */
export const MAX_ACK_IDS = 1_024;

function textKind(
  name: string,
  what: string,
  sample: ControlRequest,
  reply: string | undefined,
  build: (ctx: KindContext, lane: number, i: number) => unknown,
  items = 1,
): Kind {
  return {
    name,
    what,
    items,
    price: price(sample),
    socket: {
      counting: reply ? { binary: false, reply } : { binary: false, silent: true },
      build: (ctx, lane, n) => Promise.resolve(range(n).map((i) => json(build(ctx, lane, i)))),
    },
  };
}

function relayKind(
  name: string,
  what: string,
  options: { signal?: boolean; mailbox?: boolean; batch?: number; spread?: boolean } = {},
): Kind {
  const frames = options.batch ?? 1;
  const cost = relayPrice(options);
  let seq = 0;
  const frame = (ctx: KindContext, lane: number) =>
    encodeFrame(
      FRAME_SEND,
      options.spread ? randomAccount() : options.mailbox ? ctx.offline : ctx.selves[lane],
      seq = (seq + 1) % 0xffff_ffff,
      options.signal ? '{"t":"ice","candidate":"x"}' : PAYLOAD,
      options,
    );
  return {
    name,
    what,
    items: frames,
    price: cost,
    socket: {
      counting: options.mailbox ? { binary: true, silent: true } : { binary: true },
      answers: frames,
      build: (ctx, lane, n) =>
        Promise.resolve(
          range(n).map(() =>
            options.batch === undefined
              ? frame(ctx, lane)
              : encodeBatch(range(frames).map(() => frame(ctx, lane)))
          ),
        ),
    },
  };
}

const content = (size: number) => `${randomHex(32)}.${size}`;
/** The largest content: its `have` bitfield is the largest a `provide` carries. */
const BIGGEST = L.MAX_CONTENT_BYTES;
const FULL_HAVE = new Bitfield(pieceCount(BIGGEST), true).encode();

/**
 * Every kind measured, in report order.
 *
 * @example Usage
 * ```ts
 * import { KINDS } from "./admission_kinds.ts";
 * console.assert(KINDS.some((k) => k.name === "lookup"));
 * ```
 */
export const KINDS: Kind[] = [
  relayKind("relay.plain", "binary SEND of 64 bytes, to a peer here"),
  relayKind("relay.signal", "signaling SEND, to a peer here", { signal: true }),
  {
    ...relayKind("relay.mailed", "SEND of 64 bytes to an offline peer's mailbox", {
      mailbox: true,
    }),
    cheaperCaseOf: "relay.mailed.spread",
  },
  relayKind(
    "relay.mailed.spread",
    "SEND of 64 bytes to a mailbox, a new recipient on any shard each time (as a flood sends)",
    { mailbox: true, spread: true },
  ),
  relayKind("relay.batch.1", "batch message of 1 frame", { batch: 1 }),
  relayKind(
    `relay.batch.${L.MAX_BATCH_FRAMES}`,
    `batch message of ${L.MAX_BATCH_FRAMES} frames`,
    { batch: L.MAX_BATCH_FRAMES },
  ),
  {
    name: "tx.1",
    what: "`tx`, 1 signed transfer (applied)",
    items: 1,
    price: price({ t: "tx", id: 0, txs: [null] }),
    socket: {
      counting: { binary: false, reply: "tx.result" },
      build: async (ctx, lane, n) =>
        (await signFor(ctx, lane, n)).map((t, i) => json({ t: "tx", id: i, txs: [t] })),
    },
  },
  {
    name: `tx.${L.MAX_TX_BATCH}`,
    what: `\`tx\`, ${L.MAX_TX_BATCH} signed transfers (applied)`,
    items: L.MAX_TX_BATCH,
    price: price({ t: "tx", id: 0, txs: Array(L.MAX_TX_BATCH).fill(null) }),
    socket: {
      counting: { binary: false, reply: "tx.result" },
      build: async (ctx, lane, n) => {
        const out: string[] = [];
        for (let i = 0; i < n; i++) {
          out.push(json({ t: "tx", id: i, txs: await signFor(ctx, lane, L.MAX_TX_BATCH) }));
        }
        return out;
      },
    },
  },
  textKind(
    "account",
    "`account` of an account here",
    { t: "account", id: 0, account: "" },
    "account.result",
    (ctx, _l, i) => ({ t: "account", id: i, account: ctx.recipient }),
  ),
  textKind(
    "blocks",
    "`blocks` of the shard (watch, head)",
    { t: "blocks", id: 0, shard: 0 },
    "blocks.result",
    (_c, _l, i) => ({ t: "blocks", id: i, shard: 0 }),
  ),
  textKind(
    "sub",
    "`sub` to a new topic",
    { t: "sub", id: 0, topic: "" },
    "sub.result",
    (ctx, lane, i) => {
      const topic = `bench/${ctx.phase}/${lane}/${i}`;
      (ctx.topics[lane] ??= []).push(topic);
      return { t: "sub", id: i, topic };
    },
  ),
  {
    ...textKind(
      "unsub",
      "`unsub` of a topic subscribed to",
      {
        t: "unsub",
        id: 0,
        topic: "",
      },
      "unsub.result",
      () => null,
    ),
    socket: {
      counting: { binary: false, reply: "unsub.result" },
      // As many as the last `sub` phase subscribed to, whatever `n`.
      build: (ctx, lane) => {
        const topics = ctx.topics[lane] ?? [];
        ctx.topics[lane] = [];
        return Promise.resolve(topics.map((topic, i) => json({ t: "unsub", id: i, topic })));
      },
    },
  },
  textKind(
    "pub",
    "`pub` of 64 bytes on a topic with one subscriber",
    { t: "pub", id: 0, topic: "", n: 1, data: "" },
    "pub.result",
    (ctx, lane, i) => ({
      t: "pub",
      id: i,
      topic: ctx.pubTopic,
      n: ctx.pubN[lane] = (ctx.pubN[lane] ?? 0) + 1,
      data: PAYLOAD,
    }),
  ),
  textKind(
    "topic.ack",
    "`topic.ack` (no answer)",
    { t: "topic.ack", seq: 0 },
    undefined,
    (_c, _l, i) => ({ t: "topic.ack", seq: i }),
  ),
  textKind(
    "peers",
    `\`peers\`, count ${L.MAX_DISCOVERY_PEERS}, peers on every shard`,
    { t: "peers", id: 0, count: 1 },
    "peers.result",
    (_c, _l, i) => ({ t: "peers", id: i, count: L.MAX_DISCOVERY_PEERS }),
  ),
  textKind(
    "routes",
    "`routes`: a report of 6 pairs and 1,000 TURN bytes",
    { t: "routes", id: 0, direct: 0, turn: 0, relay: 0, turnBytes: 0 },
    "routes.result",
    (_c, _l, i) => ({ t: "routes", id: i, direct: 3, turn: 1, relay: 2, turnBytes: 1_000 }),
  ),
  textKind(
    "lookup",
    "`lookup` of a peer here",
    { t: "lookup", id: 0, peer: "" },
    "lookup.result",
    (ctx, _l, i) => ({ t: "lookup", id: i, peer: ctx.selves[0] }),
  ),
  {
    ...textKind(
      "mail",
      "`mail` of 64 bytes to an offline peer here (stored)",
      { t: "mail", id: 0, to: "", data: "" },
      "mail.result",
      (ctx, _l, i) => ({ t: "mail", id: i, to: ctx.offline, data: PAYLOAD }),
    ),
    cheaperCaseOf: "mail.spread",
  },
  textKind(
    "mail.spread",
    "`mail` of 64 bytes, a new recipient on any shard each time (as a flood sends)",
    { t: "mail", id: 0, to: "", data: "" },
    "mail.result",
    (_ctx, _l, i) => ({ t: "mail", id: i, to: randomAccount(), data: PAYLOAD }),
  ),
  textKind(
    "mail.ack.1",
    "`mail.ack` of 1 id (no answer)",
    { t: "mail.ack", mids: [""] },
    undefined,
    () => ({ t: "mail.ack", mids: [randomHex(16)] }),
  ),
  textKind(
    `mail.ack.${MAX_ACK_IDS}`,
    `\`mail.ack\` of ${MAX_ACK_IDS} ids (no answer)`,
    { t: "mail.ack", mids: Array(MAX_ACK_IDS).fill("") },
    undefined,
    () => ({ t: "mail.ack", mids: range(MAX_ACK_IDS).map(() => randomHex(16)) }),
    ackIdItems(MAX_ACK_IDS),
  ),
  textKind(
    "provide",
    "`provide` of a new content (all pieces)",
    { t: "provide", id: 0, root: "" },
    "provide.result",
    (ctx, lane, i) => {
      const root = content(1_000_000);
      (ctx.roots[lane] ??= []).push(root);
      return { t: "provide", id: i, root };
    },
  ),
  textKind(
    "provide.have",
    `\`provide\` of a new ${BIGGEST}-byte content with a full \`have\` (${FULL_HAVE.length} chars)`,
    { t: "provide", id: 0, root: "", have: FULL_HAVE },
    "provide.result",
    (ctx, lane, i) => {
      const root = content(BIGGEST);
      (ctx.roots[lane] ??= []).push(root);
      return { t: "provide", id: i, root, have: FULL_HAVE };
    },
  ),
  {
    ...textKind(
      "unprovide",
      "`unprovide` of a content provided",
      {
        t: "unprovide",
        id: 0,
        root: "",
      },
      "unprovide.result",
      () => null,
    ),
    socket: {
      counting: { binary: false, reply: "unprovide.result" },
      build: (ctx, lane) => {
        const roots = ctx.roots[lane] ?? [];
        ctx.roots[lane] = [];
        return Promise.resolve(roots.map((root, i) => json({ t: "unprovide", id: i, root })));
      },
    },
  },
  textKind(
    "providers",
    `\`providers\` of a content with a provider, count ${L.MAX_PROVIDERS_PER_QUERY}`,
    { t: "providers", id: 0, root: "", count: 1 },
    "providers.result",
    (ctx, _l, i) => ({
      t: "providers",
      id: i,
      root: ctx.providedRoot,
      count: L.MAX_PROVIDERS_PER_QUERY,
    }),
  ),
  {
    name: "junk",
    what: "text that is not JSON (refused `BAD_FRAME`)",
    items: 1,
    price: L.COST_REQUEST,
    socket: {
      counting: { binary: false, reply: "error" },
      build: (_c, _l, n) => Promise.resolve(range(n).map(() => "not json at all")),
    },
  },
  {
    name: "unknown",
    what: "JSON of an unknown `t` (refused `UNKNOWN_FRAME_TYPE`)",
    items: 1,
    price: L.COST_REQUEST,
    socket: {
      counting: { binary: false, reply: "error" },
      build: (_c, _l, n) => Promise.resolve(range(n).map((i) => json({ t: "nope", id: i }))),
    },
  },
  ...HTTP_KINDS,
  ...LOG_KINDS,
];

/**
 * The kinds priced per item: each measured at one item and at the most.
 *
 * @example Usage
 * ```ts
 * import { PER_ITEM } from "./admission_kinds.ts";
 * console.assert(PER_ITEM.every((p) => p.one !== p.max));
 * ```
 */
export const PER_ITEM: PerItem[] = [
  {
    name: "tx.per_transfer",
    what: "each transfer of a `tx`",
    one: "tx.1",
    max: `tx.${L.MAX_TX_BATCH}`,
    limit: "COST_PER_TRANSFER",
  },
  {
    name: "http.tx.per_transfer",
    what: "each transfer of a `POST /v1/tx`",
    one: "http.tx.1",
    max: `http.tx.${L.MAX_TX_BATCH}`,
    limit: "COST_PER_TRANSFER",
  },
  {
    name: "mail.ack.per_4_ids",
    what: "each 4 ids of a `mail.ack` (ids that name nothing stored: the ids a peer pays for)",
    one: "mail.ack.1",
    max: `mail.ack.${MAX_ACK_IDS}`,
    limit: "COST_MAIL_ACK_IDS",
  },
  {
    name: "relay.batch.per_frame",
    what: "each frame of a batch message",
    one: "relay.batch.1",
    max: `relay.batch.${L.MAX_BATCH_FRAMES}`,
    limit: "COST_BATCH_ENTRY",
  },
];
