/**
 * Subscriptions shared by the components of one peer: the first component on a topic
 * subscribes, the last to leave unsubscribes. Without the count, one component unmounting
 * would end the subscription another still shows.
 *
 * @module
 */
import type { Peer, TopicOptions } from "../client/mod.ts";

const holders = new WeakMap<Peer, Map<string, number>>();

/** A hold on a topic: whether its subscription was made, and how to let go of it. */
export interface TopicHold {
  /** Settles once the subscription is made (at once while the peer is not connected yet). */
  ready: Promise<void>;
  /** Lets go; the last hold on the topic unsubscribes. */
  release(): void;
}

/**
 * Holds a topic for a component.
 *
 * @param peer The peer.
 * @param topic The topic.
 * @param options The topic's key, if it is sealed for its members.
 * @returns The hold.
 */
export function holdTopic(peer: Peer, topic: string, options?: TopicOptions): TopicHold {
  let counts = holders.get(peer);
  if (!counts) holders.set(peer, counts = new Map());
  const held = counts.get(topic) ?? 0;
  counts.set(topic, held + 1);
  // A second holder subscribes too: the peer keeps one subscription, and the key it brings.
  const ready = peer.subscribe(topic, options);
  let released = false;
  return {
    ready,
    release() {
      if (released) return;
      released = true;
      const left = (counts.get(topic) ?? 1) - 1;
      if (left > 0) return void counts.set(topic, left);
      counts.delete(topic);
      // A closed peer has no subscription left to end.
      if (peer.state !== "closed") peer.unsubscribe(topic).catch(() => {});
    },
  };
}
