/**
 * What a shard answers about its log (`LogAsk`): each ask's numbers checked, then read from the
 * shard's log; a refusal with its code for anything the log does not hold.
 *
 * @module
 */
import type {
  BalanceAnswer,
  CheckpointAnswer,
  ConsistencyAnswer,
  InclusionAnswer,
  LogAsk,
  TileAnswer,
} from "../protocol/log_wire.ts";
import { type Refusal, refusal } from "../protocol/refusal.ts";
import { isAccountId } from "./_codec.ts";
import type { ShardLog } from "./shard_log.ts";

/** The widest hash tile: 256 hashes (C2SP `tlog-tiles`). */
export const TILE_WIDTH = 256;

/** Any answer about a shard's log. */
export type LogAnswer =
  | CheckpointAnswer
  | ConsistencyAnswer
  | InclusionAnswer
  | BalanceAnswer
  | TileAnswer
  | Refusal;

/**
 * Answers an ask about a shard's log.
 *
 * @param log The shard's log.
 * @param shard The shard.
 * @param ask The ask, as received (its numbers are checked here).
 * @param cosignatures The witnesses' lines kept for a block's checkpoint, added to the latest.
 * @returns The answer, or a refusal: `BAD_REQUEST` (not an ask), `CHECKPOINT_NOT_FOUND`,
 *   `LOG_RANGE`.
 *
 * @example Usage
 * ```ts
 * import { MemoryLedgerStorage } from "./storage.ts";
 * import { ShardLog } from "./shard_log.ts";
 * import { answerLog } from "./log_answers.ts";
 * const log = new ShardLog(new MemoryLedgerStorage(), "superpeer/dev/0");
 * const answer = answerLog(log, 0, { kind: "checkpoint" });
 * console.assert("code" in answer && answer.code === "CHECKPOINT_NOT_FOUND");
 * ```
 */
export function answerLog(
  log: ShardLog,
  shard: number,
  ask: LogAsk,
  cosignatures: (height: number) => string[] = () => [],
): LogAnswer {
  const bad = (what: string) => refusal("BAD_REQUEST", what);
  const out = (message: string) => refusal("LOG_RANGE", message);
  switch (ask?.kind) {
    case "checkpoint": {
      if (ask.height !== undefined && !count(ask.height, 1)) {
        return bad("A height is a whole number from 1");
      }
      const found = log.checkpoint(ask.height);
      if (!found) {
        const which = ask.height === undefined ? "yet" : `at height ${ask.height}`;
        return refusal("CHECKPOINT_NOT_FOUND", `Shard ${shard} has no checkpoint ${which}`);
      }
      const { height, checkpoint: c } = found;
      // The latest carries the witnesses' cosignatures kept so far; a block's own, asked by its
      // height, is served as signed and never changes.
      const note = ask.height === undefined ? c.note + cosignatures(height).join("") : c.note;
      return { shard, height, size: c.size, state: c.state, checkpoint: note };
    }
    case "consistency": {
      if (!count(ask.from, 0) || !count(ask.to, 0)) return bad("Sizes are whole numbers");
      const proof = log.consistency(ask.from, ask.to);
      if (!proof) return out(`No proof from ${ask.from} to ${ask.to}: the log holds ${log.size}`);
      return {
        shard,
        from: ask.from,
        to: ask.to,
        fromRoot: log.root(ask.from)!,
        toRoot: log.root(ask.to)!,
        proof,
      };
    }
    case "inclusion": {
      if (!count(ask.index, 0) || !count(ask.size, 1)) {
        return bad(
          "An index is a whole number, and a size one from 1: a log of no entry has no proof",
        );
      }
      const proof = log.inclusion(ask.index, ask.size);
      if (!proof) {
        return out(`No entry ${ask.index} in a tree of ${ask.size}: the log holds ${log.size}`);
      }
      return { shard, index: ask.index, size: ask.size, proof };
    }
    case "balance": {
      if (typeof ask.account !== "string" || !isAccountId(ask.account)) {
        return bad("Not an account id");
      }
      const found = log.balance(ask.account);
      if (!found) {
        return refusal(
          "CHECKPOINT_NOT_FOUND",
          `Shard ${shard} has no state root yet: one is sealed a block interval after this ask`,
        );
      }
      // With the witnesses' cosignatures kept so far, for a client's quorum.
      const checkpoint = found.checkpoint + cosignatures(found.height).join("");
      return { shard, checkpoint, proof: found.proof };
    }
    case "tile": {
      if (!count(ask.level, 0) || ask.level > 7 || !count(ask.index, 0)) {
        return bad("A tile's level is from 0 to 7, its index a whole number");
      }
      if (!count(ask.width, 1) || ask.width > TILE_WIDTH) {
        return bad("A tile's width is from 1 to 256");
      }
      const tile = log.tile(ask.level, ask.index, ask.width);
      if (!tile) {
        return out(`The log holds no tile ${ask.level}/${ask.index} of width ${ask.width}`);
      }
      return { tile };
    }
    default:
      return bad("Not an ask of the log");
  }
}

function count(n: unknown, min: number): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= min;
}
