/**
 * Who serves which content. A content's home (`shardOf(root)`, the root in hex) keeps one
 * record per providing peer: how many pieces it has and until when the record holds
 * (`PROVIDER_TTL_MS`, renewed by every `provide`). A peer's own home keeps which contents it
 * provides, bounded by `MAX_PROVIDES_PER_PEER`, and drops them all at their homes when the
 * peer is gone past the presence timeout. A `providers` query answers a random sample of the
 * live records. Bounded per root and per shard; expired records go at the sweep.
 *
 * @module
 */
import { isPeerId } from "../../../src/identity/mod.ts";
import type { ControlReplies, ControlRequests, Refusal } from "../../../src/protocol/mod.ts";
import { Bitfield, parseContentId } from "../../../src/swarm/mod.ts";
import type { ProviderAnswer, ProviderOp } from "../../rpc.ts";
import type { ServiceHost } from "./service_host.ts";
import type { SlotMover } from "../slot_moves.ts";
import { providerMover, rootKey } from "./provider_moves.ts";

export type { ProviderAnswer, ProviderOp };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS provider (root TEXT NOT NULL, peer TEXT NOT NULL,
  pieces INTEGER NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (root, peer));
CREATE INDEX IF NOT EXISTS provider_expires ON provider (expires);
CREATE TABLE IF NOT EXISTS provider_away (root TEXT NOT NULL, peer TEXT NOT NULL,
  PRIMARY KEY (root, peer));
CREATE TABLE IF NOT EXISTS providing (peer TEXT NOT NULL, root TEXT NOT NULL,
  expires INTEGER NOT NULL, PRIMARY KEY (peer, root));
`;

/**
 * The provider records of one super-peer: at contents' homes, and for its own peers.
 *
 * @example Usage
 * ```ts
 * import type { ServiceHost } from "./service_host.ts";
 * import { Providers } from "./providers.ts";
 * export async function provide(host: ServiceHost, peer: string, root: string) {
 *   const providers = new Providers(host);
 *   return await providers.provide(peer, { t: "provide", id: 1, root });
 * }
 * ```
 */
export class Providers {
  readonly #host: ServiceHost;

  /** @param host The super-peer. */
  constructor(host: ServiceHost) {
    this.#host = host;
    host.ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * A peer provides a content (all of it, or the pieces of `have`), at the peer's home: kept
   * here per peer and recorded at the content's home.
   *
   * @param peer The peer.
   * @param m The request.
   * @returns The answer, or a refusal.
   */
  async provide(
    peer: string,
    m: ControlRequests["provide"],
  ): Promise<ControlReplies["provide"] | Refusal> {
    const { limits } = this.#host.config;
    const parsed = parseContentId(m.root, limits.MAX_CONTENT_BYTES);
    if (!parsed.ok) return parsed;
    const root = parsed.id.text;
    const sql = this.#host.ctx.storage.sql;
    const have = m.have === undefined
      ? new Bitfield(parsed.id.pieces, true)
      : Bitfield.decode(m.have, parsed.id.pieces);
    if (!have) {
      return {
        ok: false,
        code: "BAD_REQUEST",
        message: `"have" is not a bitfield of ${parsed.id.pieces} pieces in base64url`,
      };
    }
    // Checked and recorded here at once, with the object's other writes (`WRITE_GROUP_MS`),
    // so that a request queued meanwhile counts against the bound; taken back if the content's
    // home refuses.
    // A peer whose slot is on the move keeps its list once the move is done.
    await this.#host.holder(peer);
    const reserved = await this.#host.track(
      this.#host.writes.write(() => this.#reserve(peer, root)),
    );
    if (!reserved.ok) return reserved;
    const takeBack = () =>
      this.#host.writes.write(() => {
        sql.exec("DELETE FROM providing WHERE peer = ? AND root = ?", peer, root);
      });
    let answer: ProviderAnswer;
    try {
      answer = await this.#atHome({ op: "provide", root, peer, pieces: have.count });
    } catch (e) {
      if (!reserved.known) await takeBack();
      throw e;
    }
    if (!answer.ok) {
      if (!reserved.known) await takeBack();
      return answer;
    }
    const { expires } = answer as { expires: number };
    return { t: "provide.result", id: m.id, root, expires };
  }

  // A peer's record of what it provides, made or renewed if its bound allows.
  #reserve(peer: string, root: string): { ok: true; known: boolean } | Refusal {
    const { limits } = this.#host.config;
    const sql = this.#host.ctx.storage.sql;
    const now = Date.now();
    // Records that lapsed (not said again in time) no longer count.
    sql.exec("DELETE FROM providing WHERE peer = ? AND expires <= ?", peer, now);
    const known = sql.exec("SELECT 1 FROM providing WHERE peer = ? AND root = ?", peer, root)
      .toArray().length > 0;
    const count = sql.exec<{ n: number }>(
      "SELECT count(*) AS n FROM providing WHERE peer = ?",
      peer,
    ).one().n;
    if (!known && count >= limits.MAX_PROVIDES_PER_PEER) {
      return {
        ok: false,
        code: "RESOURCE_LIMIT_EXCEEDED",
        message: `A peer provides at most ${limits.MAX_PROVIDES_PER_PEER} contents at once`,
      };
    }
    // The content's home keeps its own record for the same time from its answer on.
    const expires = now + limits.PROVIDER_TTL_MS;
    sql.exec("INSERT OR REPLACE INTO providing VALUES (?, ?, ?)", peer, root, expires);
    return { ok: true, known };
  }

  /**
   * A peer no longer provides a content, at the peer's home.
   *
   * @param peer The peer.
   * @param m The request.
   * @returns The answer, or a refusal.
   */
  async unprovide(
    peer: string,
    m: ControlRequests["unprovide"],
  ): Promise<ControlReplies["unprovide"] | Refusal> {
    const parsed = parseContentId(m.root, this.#host.config.limits.MAX_CONTENT_BYTES);
    if (!parsed.ok) return parsed;
    const root = parsed.id.text;
    await this.#host.writes.write(() => {
      this.#host.ctx.storage.sql.exec(
        "DELETE FROM providing WHERE peer = ? AND root = ?",
        peer,
        root,
      );
    });
    await this.#atHome({ op: "unprovide", root, peer });
    return { t: "unprovide.result", id: m.id, root };
  }

  /**
   * Up to `count` providers of a content, sampled at its home, each with its own home.
   *
   * @param peer The asking peer (left out of the sample).
   * @param m The request.
   * @returns The answer, or a refusal.
   */
  async providers(
    peer: string,
    m: ControlRequests["providers"],
  ): Promise<ControlReplies["providers"] | Refusal> {
    const { limits, placement } = this.#host.config;
    const parsed = parseContentId(m.root, limits.MAX_CONTENT_BYTES);
    if (!parsed.ok) return parsed;
    const root = parsed.id.text;
    const count = Math.min(
      m.count ?? limits.MAX_PROVIDERS_PER_QUERY,
      limits.MAX_PROVIDERS_PER_QUERY,
    );
    const answer = await this.#atHome({ op: "sample", root, count, asker: peer });
    if (!answer.ok) return answer;
    const providers = (answer as { providers: { peer: string; pieces: number }[] }).providers
      .map((p) => ({ ...p, shard: placement.home(p.peer) }));
    return { t: "providers.result", id: m.id, root, providers };
  }

  /**
   * At a content's home: records, drops or samples providers.
   *
   * @param o What is asked.
   * @param moved Forwarded by the shard the content's slot moved from: answered here.
   * @returns The answer.
   */
  async atHome(o: ProviderOp, moved = false): Promise<ProviderAnswer> {
    // A content whose slot moved is served where it went (once, by a shard that knew).
    const holder = moved ? this.#host.shard() : await this.#host.holder(rootKey(o.root));
    if (holder !== this.#host.shard()) {
      return await this.#host.call(holder, (s) => s.swarmHome(o, true), 2);
    }
    // A sample reads what was acknowledged; the rest write, with the object's other writes.
    if (o.op === "sample") return this.#atHomeNow(o);
    return await this.#host.track(this.#host.writes.write(() => this.#atHomeNow(o)));
  }

  /** The providers' part in a slot move (`provider_moves.ts`). @returns The mover. */
  slotMover(): SlotMover {
    return providerMover(this.#host.ctx.storage.sql);
  }

  #atHomeNow(o: ProviderOp): ProviderAnswer {
    const { limits } = this.#host.config;
    const sql = this.#host.ctx.storage.sql;
    const now = Date.now();
    switch (o.op) {
      case "provide": {
        if (!isPeerId(o.peer)) return { ok: false, code: "BAD_REQUEST", message: "Not a peer id" };
        const expires = now + limits.PROVIDER_TTL_MS;
        const renewed = sql.exec(
          "UPDATE provider SET pieces = ?, expires = ? WHERE root = ? AND peer = ? RETURNING 1",
          o.pieces,
          expires,
          o.root,
          o.peer,
        ).toArray().length > 0;
        if (renewed) return { ok: true, expires };
        // A new record: room is made from expired ones first, never from live ones.
        sql.exec("DELETE FROM provider WHERE root = ? AND expires <= ?", o.root, now);
        const count = (where: string, ...args: string[]) =>
          sql.exec<{ n: number }>(`SELECT count(*) AS n FROM provider${where}`, ...args).one().n;
        if (count(" WHERE root = ?", o.root) >= limits.MAX_PROVIDERS_PER_ROOT) {
          return {
            ok: false,
            code: "RESOURCE_LIMIT_EXCEEDED",
            message: `This content has ${limits.MAX_PROVIDERS_PER_ROOT} providers already`,
          };
        }
        if (count("") >= limits.MAX_PROVIDER_RECORDS_PER_SHARD) {
          this.sweep();
          if (count("") >= limits.MAX_PROVIDER_RECORDS_PER_SHARD) {
            return {
              ok: false,
              code: "RESOURCE_LIMIT_EXCEEDED",
              message: `This shard holds ${limits.MAX_PROVIDER_RECORDS_PER_SHARD} provider records`,
            };
          }
        }
        sql.exec("INSERT INTO provider VALUES (?, ?, ?, ?)", o.root, o.peer, o.pieces, expires);
        return { ok: true, expires };
      }
      case "unprovide":
        sql.exec("DELETE FROM provider WHERE root = ? AND peer = ?", o.root, o.peer);
        sql.exec("DELETE FROM provider_away WHERE root = ? AND peer = ?", o.root, o.peer);
        return { ok: true, expires: now };
      case "away":
        // Its peer's socket closed: not offered until it is back (or its record goes).
        if (o.away) sql.exec("INSERT OR IGNORE INTO provider_away VALUES (?, ?)", o.root, o.peer);
        else sql.exec("DELETE FROM provider_away WHERE root = ? AND peer = ?", o.root, o.peer);
        return { ok: true, expires: now };
      case "sample": {
        const providers = sql.exec<{ peer: string; pieces: number }>(
          `SELECT peer, pieces FROM provider WHERE root = ? AND expires > ? AND peer != ?
            AND peer NOT IN (SELECT peer FROM provider_away WHERE root = provider.root)
            ORDER BY random() LIMIT ?`,
          o.root,
          now,
          o.asker,
          o.count,
        ).toArray();
        return { ok: true, providers };
      }
    }
  }

  /**
   * A peer is gone past the presence timeout: its records go at their contents' homes.
   *
   * @param peer The peer.
   */
  async forget(peer: string): Promise<void> {
    const sql = this.#host.ctx.storage.sql;
    const roots = await this.#host.writes.write(() =>
      sql.exec<{ root: string }>("DELETE FROM providing WHERE peer = ? RETURNING root", peer)
        .toArray().map((r) => r.root)
    );
    for (const root of roots) {
      await this.#atHome({ op: "unprovide", root, peer }).catch(() => {});
    }
  }

  /**
   * A peer's socket closed, or it is back: its records are hidden, or offered again, at their
   * contents' homes (a sample offers only providers one can reach now).
   *
   * @param peer The peer.
   * @param away Whether it left.
   */
  async away(peer: string, away: boolean): Promise<void> {
    const roots = this.#host.ctx.storage.sql.exec<{ root: string }>(
      "SELECT root FROM providing WHERE peer = ?",
      peer,
    ).toArray().map((r) => r.root);
    await Promise.all(
      roots.map((root) => this.#atHome({ op: "away", root, peer, away }).catch(() => {})),
    );
  }

  /** Deletes expired records. */
  sweep(): void {
    const sql = this.#host.ctx.storage.sql;
    sql.exec("DELETE FROM provider WHERE expires <= ?", Date.now());
    sql.exec("DELETE FROM providing WHERE expires <= ?", Date.now());
    sql.exec(
      "DELETE FROM provider_away WHERE NOT EXISTS (SELECT 1 FROM provider p WHERE p.root = provider_away.root AND p.peer = provider_away.peer)",
    );
  }

  async #atHome(o: ProviderOp): Promise<ProviderAnswer> {
    const home = this.#host.config.placement.home(rootKey(o.root));
    if (home === this.#host.shard()) return await this.atHome(o);
    return await this.#host.call(home, (s) => s.swarmHome(o), 2);
  }
}
