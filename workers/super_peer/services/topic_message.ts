/**
 * The message a topic's home sends its subscribers for a publish: a topic message, or for the
 * network's own topics a presence event or a block header.
 *
 * @module
 */
import {
  type BlockHeaderJson,
  type BlockMessage,
  BLOCKS_TOPIC_PREFIX,
  type CosignedMessage,
  EVIDENCE_TOPIC,
  type EvidenceMessage,
  PRESENCE_TOPIC,
  type PresenceMessage,
  type TopicMessage,
} from "../../../src/protocol/mod.ts";
import type { Placement } from "../../../src/routing/mod.ts";
import type { Publish } from "../../rpc.ts";

/**
 * The message for a publish, made once at the topic's home and sent as the same text to every
 * subscribing shard.
 *
 * @example Usage
 * ```ts
 * import { Placement } from "../../../src/routing/mod.ts";
 * import { topicMessage } from "./topic_message.ts";
 * const m = topicMessage({ topic: "news", from: "6Mk…", n: 1, data: "hi" }, new Placement(8));
 * console.assert(m.t === "topic");
 * ```
 *
 * @param p The publish.
 * @param placement The live placement (a presence event names the peer's home).
 * @returns The message.
 */
export function topicMessage(
  p: Publish,
  placement: Placement,
): TopicMessage | PresenceMessage | BlockMessage | CosignedMessage | EvidenceMessage {
  if (p.topic.startsWith(BLOCKS_TOPIC_PREFIX)) {
    // Published by the shard itself, never by a peer (the topic is reserved): a block with its
    // checkpoint, or a witness's cosignature of one. (A bare header: one kept from before.)
    const d = JSON.parse(p.data);
    if (typeof d.cosigned === "string") {
      const shard = Number(p.topic.slice(BLOCKS_TOPIC_PREFIX.length));
      return { t: "cosigned", shard, height: p.n, witness: p.from, cosignature: d.cosigned };
    }
    if (d.header) {
      const header = d.header as BlockHeaderJson;
      return d.checkpoint
        ? { t: "block", header, checkpoint: d.checkpoint }
        : { t: "block", header };
    }
    return { t: "block", header: d as BlockHeaderJson };
  }
  if (p.topic === EVIDENCE_TOPIC) {
    // Published by the network once it checked the evidence (the topic is reserved).
    const d = JSON.parse(p.data);
    return { t: "evidence", shard: d.shard, evidence: d.evidence, from: p.from };
  }
  if (p.topic === PRESENCE_TOPIC) {
    return {
      t: "presence",
      peer: p.from,
      event: p.data === "leave" ? "leave" : "join",
      shard: placement.home(p.from),
      ts: Date.now(),
    };
  }
  return {
    t: "topic",
    topic: p.topic,
    from: p.from,
    n: p.n,
    data: p.data,
    ...(p.bin ? { bin: true } : {}),
    ...(p.sealed ? { sealed: true } : {}),
    ...(p.sig ? { sig: p.sig } : {}),
  };
}
