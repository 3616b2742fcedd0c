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
): TopicMessage | PresenceMessage | BlockMessage {
  if (p.topic.startsWith(BLOCKS_TOPIC_PREFIX)) {
    // Published by the shard itself, never by a peer (the topic is reserved).
    return { t: "block", header: JSON.parse(p.data) as BlockHeaderJson };
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
