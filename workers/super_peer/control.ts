/**
 * Control dispatch: a peer's text frames. Each is bounded, parsed and checked against the
 * protocol's control map (`src/protocol/control_map.ts`), then handed to the handler of its
 * type: the ledger's here, the swarm's and the network services' in `services/`. Every refusal is a reply
 * that carries the request's `id`.
 *
 * @module
 */
import {
  blocksTopic,
  type ControlReplies,
  type ControlRequest,
  overUtf8Bytes,
  type Refusal,
  requestIdOf,
  requestPrice,
} from "../../src/protocol/mod.ts";
import { parseControlRequest } from "../../src/protocol/control_parse.ts";
import type { NetworkConfig } from "../config.ts";
import type { RouteReports } from "./route_reports.ts";
import type { Admission, Payer } from "./admission.ts";
import type { LedgerApi } from "../ledger_routing.ts";
import { LedgerRouter } from "../ledger_routing.ts";
import type { AckType, ServiceAnswer, Services } from "./services/dispatch.ts";
import type { Sessions } from "./sessions.ts";
import type { Shards } from "../shards.ts";
import { EvidenceDesk } from "./ledger/evidence_desk.ts";

type LedgerType = "tx" | "account" | "blocks" | "cosign" | "evidence" | "log";

/** A room's answer as the dispatch sends it: a reply, or the refusal as it is. */
function replyOf(answer: { t: string } | Refusal): { ok: true; reply: unknown } | Refusal {
  return "code" in answer ? answer : { ok: true, reply: answer };
}

/**
 * The control dispatch of one super-peer.
 *
 * @example Usage
 * ```ts
 * import type { Payer } from "./admission.ts";
 * import { Control } from "./control.ts";
 * export async function onText(
 *   o: ConstructorParameters<typeof Control>[0],
 *   ws: WebSocket,
 *   payer: Payer,
 *   text: string,
 * ) {
 *   const control = new Control(o);
 *   await control.onText(ws, payer, text); // answered on the socket: a reply, or a refusal
 * }
 * ```
 */
export class Control {
  readonly #config: NetworkConfig;
  readonly #sessions: Sessions;
  readonly #services: Services;
  readonly #router: LedgerRouter;
  readonly #admission: Admission;
  readonly #routes: RouteReports;
  readonly #evidence: EvidenceDesk;
  /** Each peer's last `tx` request still running: the next one starts once it is done. */
  readonly #lastTx = new Map<string, Promise<unknown>>();
  /** The requests of each peer read and not yet answered. */
  readonly #inFlight = new Map<string, Set<Promise<unknown>>>();

  /** @param o What the dispatch works with; `ledger` is this shard's own ledger calls. */
  constructor(o: {
    config: NetworkConfig;
    shard: number;
    sessions: Sessions;
    shards: Shards;
    services: Services;
    ledger: LedgerApi;
    admission: Admission;
    routes: RouteReports;
  }) {
    this.#admission = o.admission;
    this.#routes = o.routes;
    this.#config = o.config;
    this.#sessions = o.sessions;
    this.#services = o.services;
    this.#evidence = new EvidenceDesk(o.config, (p) => o.services.pubsub.publish(p));
    this.#router = new LedgerRouter(o.shards, o.config.placement, {
      shard: o.shard,
      api: o.ledger,
    });
  }

  /**
   * Answers one text frame of a peer.
   *
   * @param ws The peer's socket.
   * @param payer The peer, and the client address it connected from.
   * @param text The frame.
   */
  async onText(ws: WebSocket, payer: Payer, text: string): Promise<void> {
    const { peer } = payer;
    const { limits } = this.#config;
    const max = limits.MAX_CONTROL_FRAME_BYTES;
    // Admission first: any text costs COST_REQUEST, before it is even parsed.
    // Refused unread, it is named by the id found at either end, so that its sender's
    // request is answered and not left to time out.
    const over = this.#admission.charge(payer, limits.COST_REQUEST, text.length);
    if (over) return this.#sessions.refuse(ws, over, { id: requestIdOf(text) });
    if (overUtf8Bytes(text, max)) {
      return this.#sessions.refuse(ws, {
        ok: false,
        code: "FRAME_TOO_LARGE",
        message: `Text frame is over ${max} bytes`,
      }, { id: requestIdOf(text) });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.#sessions.refuse(ws, {
        ok: false,
        code: "BAD_FRAME",
        message: "Text frame is not JSON",
      });
    }
    const parsed = parseControlRequest(value);
    if (!parsed.ok) {
      const { id, ...refused } = parsed;
      return this.#sessions.refuse(ws, refused, { id });
    }
    const m = parsed.request;
    // The dear requests pay the rest of their cost before any work is done for them. An
    // acknowledgement of what others sent the peer is its automatic answer, which they paid
    // for: that part is free, given back at once if `COST_REQUEST` covered more than the rest.
    const isAck = m.t === "mail.ack" || m.t === "topic.ack";
    const extra = this.#extraCost(m) - (isAck ? this.#services.answered(peer, m) : 0);
    if (extra < 0) this.#admission.giveBack(payer, -extra);
    const refused = extra > 0
      ? this.#admission.charge(payer, extra, 0, false, extra + limits.COST_REQUEST)
      : null;
    if (refused) {
      this.#admission.giveBackToAddress(payer, limits.COST_REQUEST);
      return this.#sessions.refuse(ws, refused, { id: "id" in m ? m.id : undefined });
    }
    if (m.t === "mail.ack" || m.t === "topic.ack") return await this.#services.acknowledge(peer, m);
    const answer = await this.#underWay(peer, this.#answer(peer, m));
    if (answer === null) return;
    if (!answer.ok) {
      return this.#sessions.refuse(ws, answer, { id: "id" in m ? m.id : undefined });
    }
    try {
      ws.send(JSON.stringify(answer.reply));
    } catch {
      // The peer left before its answer was ready.
    }
  }

  /**
   * Settles once the requests of `peers` already read are answered, or after `ms`: a peer sent
   * away gets its answers first (`Arrivals.release`).
   *
   * @param peers The peers.
   * @param ms The most to wait.
   */
  async answered(peers: readonly string[], ms: number): Promise<void> {
    const work = peers.flatMap((p) => [...this.#inFlight.get(p) ?? []]);
    if (work.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const out = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
    await Promise.race([Promise.allSettled(work), out]);
    clearTimeout(timer);
  }

  // A request read and being answered, counted until its answer is ready.
  #underWay<T>(peer: string, work: Promise<T>): Promise<T> {
    const set = this.#inFlight.get(peer) ?? new Set<Promise<unknown>>();
    this.#inFlight.set(peer, set);
    set.add(work);
    const done = () => {
      set.delete(work);
      if (set.size === 0 && this.#inFlight.get(peer) === set) this.#inFlight.delete(peer);
    };
    work.then(done, done);
    return work;
  }

  // Every text paid COST_REQUEST before it was parsed; the rest of its price is paid here.
  #extraCost(m: ControlRequest): number {
    return requestPrice(m, this.#config.limits) - this.#config.limits.COST_REQUEST;
  }

  async #answer(
    peer: string,
    m: Exclude<ControlRequest, { t: AckType }>,
  ): Promise<{ ok: true; reply: unknown } | Refusal | null> {
    switch (m.t) {
      case "tx":
      case "account":
      case "blocks":
      case "cosign":
      case "evidence":
      case "log": {
        return replyOf(await this.#ledgerRequest(peer, m));
      }
      // The swarm's requests: one dispatch, here, to the providers' room.
      case "provide":
        return replyOf(await this.#services.providers.provide(peer, m));
      case "unprovide":
        return replyOf(await this.#services.providers.unprovide(peer, m));
      case "providers":
        return replyOf(await this.#services.providers.providers(peer, m));
      case "routes":
        return replyOf(this.#routes.report(peer, m));
      default: {
        const answer: ServiceAnswer = await this.#services.handle(peer, m);
        return answer === null ? null : replyOf(answer);
      }
    }
  }

  async #ledgerRequest(
    peer: string,
    m: Extract<ControlRequest, { t: LedgerType }>,
  ): Promise<ControlReplies[LedgerType] | Refusal> {
    const { limits } = this.#config;
    switch (m.t) {
      case "tx": {
        if (m.txs.length > limits.MAX_TX_BATCH) {
          return {
            ok: false,
            code: "TX_BATCH_TOO_LARGE",
            message: `A batch holds at most ${limits.MAX_TX_BATCH} transfers`,
          };
        }
        const results = await this.#inOrder(peer, () => this.#router.submit(m.txs));
        return { t: "tx.result", id: m.id, results };
      }
      case "blocks": {
        const shards = this.#config.placement.shards;
        if (m.shard >= shards) {
          return { ok: false, code: "BAD_REQUEST", message: `No shard ${m.shard}` };
        }
        // Watching is subscribing to the shard's block topic: kept in storage, resumed with
        // the peer's other subscriptions, and counted among them.
        const refused = await this.#services.subscribe(peer, blocksTopic(m.shard));
        if (refused) return refused;
        const head = await this.#router.block(m.shard, "head");
        return { t: "blocks.result", id: m.id, shard: m.shard, head };
      }
      case "account": {
        const account = await this.#router.account(m.account);
        return { t: "account.result", id: m.id, account };
      }
      case "cosign": {
        if (m.shard >= this.#config.placement.shards) {
          return { ok: false, code: "BAD_REQUEST", message: `No shard ${m.shard}` };
        }
        const r = await this.#router.cosign(m.shard, peer, m.height, m.cosignature);
        if ("ok" in r) return r;
        return { t: "cosign.result", id: m.id, shard: m.shard, height: m.height, kept: r.kept };
      }
      case "evidence":
        return await this.#evidence.report(peer, m.id, m.evidence);
      case "log": {
        if (m.shard >= this.#config.placement.shards) {
          return { ok: false, code: "BAD_REQUEST", message: `No shard ${m.shard}` };
        }
        const answer = await this.#router.log(m.shard, m.ask);
        if ("ok" in answer && answer.ok === false) return answer;
        const read = answer as unknown as ControlReplies["log"]["answer"];
        return { t: "log.result", id: m.id, answer: read };
      }
    }
  }

  // A peer's `tx` requests are applied in the order it sent them: a batch that spends the
  // nonces after another's is checked once that one is applied, not beside it, where its first
  // nonce would read as a gap. The budget bounds how many wait (its burst over `COST_TX`).
  async #inOrder<T>(peer: string, work: () => Promise<T>): Promise<T> {
    const before = this.#lastTx.get(peer);
    const run = before ? before.then(work, work) : work();
    const done = run.catch(() => {});
    this.#lastTx.set(peer, done);
    try {
      return await run;
    } finally {
      if (this.#lastTx.get(peer) === done) this.#lastTx.delete(peer);
    }
  }
}
