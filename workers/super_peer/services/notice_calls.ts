/**
 * How a mailbox tells senders what became of their mail: the notices of one acknowledgement
 * (or one expiry sweep) grouped by the senders' homes, so that a full `mail.ack` costs a call
 * per home, not one per id.
 *
 * @module
 */
import type { MailNotice } from "../../../src/protocol/mod.ts";
import type { SenderNotice } from "../../rpc.ts";

/** What became of one message, for its sender. */
export interface Told {
  /** The message's sender. */
  sender: string;
  /** The message's id. */
  ref: string;
  /** Its recipient. */
  to: string;
  /** Delivered (acknowledged), or expired unread. */
  status: MailNotice["status"];
}

/**
 * Notices sent to one home in one call and stored there in one write: those of a full
 * `mail.ack` in at most 4 calls per home, and a shard's expired mail (any count) in writes
 * short enough not to hold the home's other answers long.
 */
export const NOTICES_PER_CALL = 256;

/**
 * Groups notices by their senders' homes, in calls of at most `NOTICES_PER_CALL`, in order.
 *
 * @example Usage
 * ```ts
 * import { noticeCalls } from "./notice_calls.ts";
 * const calls = noticeCalls(
 *   [{ sender: "a", ref: "m1", to: "b", status: "delivered" }],
 *   () => 3,
 * );
 * console.assert(calls.get(3)![0][0].notice.ref === "m1");
 * ```
 *
 * @param told What became of each message.
 * @param homeOf A sender's home shard.
 * @param ts When (ms since the epoch). @default now
 * @returns Each home's calls.
 */
export function noticeCalls(
  told: Told[],
  homeOf: (sender: string) => number,
  ts: number = Date.now(),
): Map<number, SenderNotice[][]> {
  const calls = new Map<number, SenderNotice[][]>();
  for (const { sender, ref, to, status } of told) {
    const home = homeOf(sender);
    const batches = calls.get(home) ?? calls.set(home, [[]]).get(home)!;
    if (batches.at(-1)!.length === NOTICES_PER_CALL) batches.push([]);
    batches.at(-1)!.push({ sender, notice: { ref, to, status, ts } });
  }
  return calls;
}
