/**
 * `useTopic`: a topic a component shows: subscribed on mount, unsubscribed on unmount, its
 * publishes as a bounded list, and a publish.
 *
 * @module
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Peer, TopicEvent, TopicOptions } from "../client/mod.ts";
import { holdTopic } from "./_topics.ts";
import { appendBounded, inWords } from "./_util.ts";
import { DEFAULT_MAX_MESSAGES } from "./constants.ts";

/** Options of {@linkcode useTopic}. */
export interface UseTopicOptions extends TopicOptions {
  /** Most publishes kept, the oldest dropped first. @default DEFAULT_MAX_MESSAGES (100) */
  max?: number;
}

/** What {@linkcode useTopic} gives a component. */
export interface TopicState {
  /** The publishes received on the topic since mount (or since it changed), oldest first. */
  messages: TopicEvent[];
  /**
   * Whether the subscription is made: the topic's home took it, or the peer, not connected
   * yet, keeps it to make on its welcome.
   */
  subscribed: boolean;
  /** Why the subscription or the last publish failed, in words. */
  error: string | undefined;
  /**
   * Publishes on the topic (with its `key`, if given); resolves with the publish's number
   * once the topic's home took it.
   *
   * @param data Text, or bytes.
   * @returns The publisher's number for it.
   */
  publish(data: string | Uint8Array): Promise<number>;
}

/**
 * A topic for a component: subscribed on mount and unsubscribed on unmount or when the topic
 * changes. Components of one peer share the subscription: the last one to unmount ends it.
 * A subscription made with `peer.subscribe` outside the hooks is ended all the same.
 *
 * @example A news feed
 * ```ts
 * import { useTopic } from "./mod.ts";
 * import type { Peer } from "../client/mod.ts";
 * export function useNews(peer: Peer | undefined) {
 *   const { messages, publish, error } = useTopic(peer, "news", { max: 20 });
 *   return { headlines: messages.map((m) => `${m.from}: ${m.data}`), post: publish, error };
 * }
 * ```
 *
 * @param peer The peer (from `useSuperpeer`); none yet: nothing subscribed.
 * @param topic The topic.
 * @param options `max` kept, and the topic's `key` if it is sealed for its members.
 * @returns The publishes, whether subscribed, the last error and `publish`.
 */
export function useTopic(
  peer: Peer | undefined,
  topic: string,
  options: UseTopicOptions = {},
): TopicState {
  // Read when used: a key of bytes, new each render, does not subscribe anew.
  const latest = useRef(options);
  latest.current = options;
  const [messages, setMessages] = useState<TopicEvent[]>([]);
  const [subscribed, setSubscribed] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    setMessages((list) => (list.length === 0 ? list : []));
    setSubscribed(false);
    setError(undefined);
    if (!peer) return;
    let live = true;
    const off = peer.on("topic", (m) => {
      if (m.topic !== topic) return;
      const max = latest.current.max ?? DEFAULT_MAX_MESSAGES;
      setMessages((list) => appendBounded(list, m, max));
    });
    const key = latest.current.key;
    const hold = holdTopic(peer, topic, key === undefined ? {} : { key });
    hold.ready.then(
      () => live && setSubscribed(true),
      (e) => live && setError(inWords(e)),
    );
    return () => {
      live = false;
      off();
      hold.release();
    };
  }, [peer, topic]);
  const publish = useCallback(async (data: string | Uint8Array): Promise<number> => {
    if (!peer) throw new TypeError(`Cannot publish on ${topic}: no peer yet`);
    const key = latest.current.key;
    try {
      return await peer.publish(topic, data, key === undefined ? {} : { key });
    } catch (e) {
      setError(inWords(e));
      throw e;
    }
  }, [peer, topic]);
  return { messages, subscribed, error, publish };
}
