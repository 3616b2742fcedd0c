/**
 * `useMessages`: the messages delivered to a peer, as a bounded list a component renders,
 * and a send that waits for no peer.
 *
 * @module
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Peer, PeerMessage, SendResult } from "../client/mod.ts";
import { appendBounded } from "./_util.ts";
import { DEFAULT_MAX_MESSAGES } from "./constants.ts";

/** Options of {@linkcode useMessages}. */
export interface UseMessagesOptions {
  /** Most messages kept, the oldest dropped first. @default DEFAULT_MAX_MESSAGES (100) */
  max?: number;
  /** Only the messages of this sender (a peer id). @default every sender */
  from?: string;
}

/** What {@linkcode useMessages} gives a component. */
export interface MessagesState {
  /** The messages delivered since mount (or since the peer or `from` changed), oldest first. */
  messages: PeerMessage[];
  /**
   * Sends to a peer, as `peer.send` does; `"dropped"` while there is no peer yet.
   *
   * @param to The destination's peer id.
   * @param data Text, or bytes.
   * @param options `mailbox: true` to leave it in the mailbox of an offline destination.
   * @returns `"sent"`, `"queued"` or `"dropped"`.
   */
  send(to: string, data: string | Uint8Array, options?: { mailbox?: boolean }): SendResult;
  /** Empties the list. */
  clear(): void;
}

/**
 * The messages delivered to a peer from mount on, newest last, at most `max` of them.
 *
 * @example An inbox
 * ```ts
 * import { useMessages } from "./mod.ts";
 * import type { Peer } from "../client/mod.ts";
 * export function useInbox(peer: Peer | undefined, friend: string) {
 *   const { messages, send } = useMessages(peer, { from: friend, max: 50 });
 *   return { lines: messages.map((m) => String(m.data)), reply: (text: string) => send(friend, text) };
 * }
 * ```
 *
 * @param peer The peer (from `useSuperpeer`); none yet: an empty list.
 * @param options `max` kept, and `from` to keep one sender's only.
 * @returns The messages, `send` and `clear`.
 */
export function useMessages(
  peer: Peer | undefined,
  options: UseMessagesOptions = {},
): MessagesState {
  const { from } = options;
  // Read when a message comes: a new `max` cuts the next append, and does not listen anew.
  const max = useRef(options.max ?? DEFAULT_MAX_MESSAGES);
  max.current = options.max ?? DEFAULT_MAX_MESSAGES;
  const [messages, setMessages] = useState<PeerMessage[]>([]);
  useEffect(() => {
    // Another peer or sender: another list (the same array when already empty, so no render).
    setMessages((list) => (list.length === 0 ? list : []));
    if (!peer) return;
    return peer.on("message", (m) => {
      if (from === undefined || m.from === from) {
        setMessages((list) => appendBounded(list, m, max.current));
      }
    });
  }, [peer, from]);
  const send = useCallback(
    (to: string, data: string | Uint8Array, o?: { mailbox?: boolean }): SendResult =>
      peer ? peer.send(to, data, o) : "dropped",
    [peer],
  );
  const clear = useCallback(() => setMessages([]), []);
  return { messages, send, clear };
}
