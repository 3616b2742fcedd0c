/**
 * The live part of the network page: the `$stats` summary the network publishes every
 * interval (pushed over the page's own WebSocket, never polled), drawn as totals and a table
 * of the busiest shards; and each shard's latest block header, fetched when its height
 * changes and checked in the page against the shard's key.
 *
 * @module
 */
import { type BlockHeaderJson, type NetworkKeys, verifyBlockHeader } from "../../mod.ts";
import {
  busiestResource,
  type NetworkSummary,
  type ShardLoad,
  type StatsAnswer,
} from "../protocol/mod.ts";
import { byId, fill, h } from "./dom.ts";
import { SHARD_COLUMNS } from "./shard_columns.ts";

/** What the view shows of a shard's latest block. */
interface HeadCheck {
  height: number;
  ok: boolean | undefined;
}

const number = new Intl.NumberFormat("en");

function age(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1_000));
  return s < 60 ? `${s} s ago` : s < 3_600 ? `${Math.round(s / 60)} min ago` : "over an hour ago";
}

function bytes(n: number): string {
  return n < 1e6
    ? `${number.format(Math.round(n / 1e3))} kB`
    : `${number.format(Math.round(n / 1e6))} MB`;
}

// Each route's share of the pairs the connected peers reported (`routes`), short enough for
// its card.
function routeShares(r: NetworkSummary["totals"]["routes"] | undefined): string {
  const all = r ? r.direct + r.turn + r.relay : 0;
  if (!r || all === 0) return "none reported";
  const pct = (n: number) => Math.round((100 * n) / all);
  return `${pct(r.direct)}/${pct(r.turn)}/${pct(r.relay)}%`;
}

function turnUse(t: NetworkSummary["totals"]): string {
  if (!t.turnPeers) return t.turnBytes ? `${bytes(t.turnBytes)} (0)` : "none";
  return `${bytes(t.turnBytes)} (${number.format(t.turnPeers)})`;
}

/**
 * Draws the network's summaries as they come.
 *
 * @example Usage
 * ```ts
 * import { NetworkView } from "./network_view.ts";
 * import type { NetworkKeys } from "../../mod.ts";
 * export const view = (keys: NetworkKeys) => new NetworkView(keys, "http://127.0.0.1:8787");
 * ```
 */
export class NetworkView {
  readonly #keys: NetworkKeys;
  readonly #base: string;
  readonly #heads = new Map<number, HeadCheck>();
  #last: NetworkSummary | undefined;

  /**
   * @param keys The network's id and shard keys, to check headers with.
   * @param base The network's HTTP base URL.
   */
  constructor(keys: NetworkKeys, base: string) {
    this.#keys = keys;
    this.#base = base;
  }

  /** The last summary drawn. */
  get last(): NetworkSummary | undefined {
    return this.#last;
  }

  /**
   * Draws a summary, and checks the headers of blocks it has not seen.
   *
   * @param s The summary from `$stats`.
   */
  show(s: NetworkSummary): void {
    this.#last = s;
    const t = s.totals;
    const direct = t.directOffers === 0
      ? "none tried"
      : `${
        Math.round((100 * t.directAnswers) / t.directOffers)
      }% (${t.directAnswers} of ${t.directOffers})`;
    const figure = (id: string, value: string | number) =>
      fill(byId(id), typeof value === "number" ? number.format(value) : value);
    figure("f-peers", t.peers);
    figure("f-rate", number.format(Math.round(s.framesPerSecond)));
    figure("f-direct", direct);
    figure("f-routes", routeShares(t.routes));
    figure("f-turn", turnUse(t));
    // The details a card has no room for, on hover and to assistive technology.
    const r = t.routes;
    byId("f-routes").title = r ? `${r.direct + r.turn + r.relay} pairs reported` : "";
    byId("f-turn").title = t.turnPeers
      ? `at most ${bytes(t.turnPeerMaxBytes)} by one peer in its quota window`
      : "";
    figure("f-mail", t.mailWaiting);
    figure("f-subs", t.subscriptions);
    figure("f-backlog", t.topicBacklog);
    figure("f-blocks", t.blocksSealed);
    figure("f-shards", `${s.answered} of ${s.shards}`);
    fill(byId("f-updated"), `figures of ${new Date(s.at).toLocaleTimeString()}`);
    fill(byId("shard-rows"), ...s.rows.map((r) => this.#row(r)));
    for (const r of s.rows) this.#check(r);
  }

  #row(r: StatsAnswer & { load?: ShardLoad }): HTMLTableRowElement {
    const check = this.#heads.get(r.shard);
    const verdict = !r.head
      ? "—"
      : check?.height !== r.head.height || check.ok === undefined
      ? "checking…"
      : check.ok
      ? "✓ signed"
      : "✗ bad signature";
    const verdictClass = check?.ok === false ? "bad" : "good";
    // In the columns' order; each cell carries its heading for the stacked phone layout.
    const values: (string | number)[] = [
      r.peers,
      number.format(r.framesIn),
      number.format(r.delivered),
      r.mailWaiting,
      r.subscriptions,
      loadText(r.load),
      r.head?.height ?? "—",
      r.head
        ? `${r.head.entries} ${r.head.entries === 1 ? "entry" : "entries"}, ${
          age(r.head.timestamp)
        }`
        : "no block yet",
      verdict,
    ];
    return h(
      "tr",
      { "data-shard": r.shard, role: "row" },
      h("th", { scope: "row", role: "rowheader" }, r.shard),
      ...SHARD_COLUMNS.map(({ key, label }, i) =>
        h("td", {
          role: "cell",
          "data-label": label,
          "data-figure": key || undefined,
          class: key === "header" ? verdictClass : key === "" ? "wide" : undefined,
        }, values[i])
      ),
    );
  }

  // A header is fetched once per new height, and checked against the shard's key here.
  #check(r: StatsAnswer): void {
    if (!r.head) return;
    const known = this.#heads.get(r.shard);
    if (known?.height === r.head.height) return;
    const entry: HeadCheck = { height: r.head.height, ok: undefined };
    this.#heads.set(r.shard, entry);
    fetch(new URL(`/v1/shards/${r.shard}/head`, this.#base))
      .then((res) => res.json() as Promise<{ head: BlockHeaderJson | null }>)
      .then(async ({ head }) => {
        entry.ok = head !== null && await verifyBlockHeader(head, this.#keys);
        entry.height = head?.height ?? entry.height;
      })
      .catch(() => entry.ok = false)
      .finally(() => {
        if (this.#last) fill(byId("shard-rows"), ...this.#last.rows.map((x) => this.#row(x)));
      });
  }
}

// The shard's busiest resource against its capacity (`docs/OPERATIONS.md`, "Capacity"): what
// an operator watches to know when to grow. A share too small for two decimals reads "<0.01%",
// so that a shard with a few peers does not read as idle.
function loadText(load: ShardLoad | undefined): string {
  if (!load) return "—";
  const { resource, share } = busiestResource(load);
  const percent = share * 100;
  const shown = percent === 0
    ? "0"
    : percent < 0.01
    ? "<0.01"
    : percent < 10
    ? percent.toFixed(2)
    : percent.toFixed(0);
  return `${shown}% ${resource}`;
}
