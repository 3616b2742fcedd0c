/**
 * React hooks for a superpeer client: `superpeer/react`. React (18 or later) is the
 * application's own; the package's root never imports it.
 *
 * - {@linkcode useSuperpeer}: a component's peer, its status and last error in words;
 *   connected on mount, closed on unmount, made anew only when its URL, identity, network id
 *   or `key` changes (an options object new each render does not reconnect).
 * - {@linkcode useMessages}: the messages delivered, bounded, optionally of one sender; `send`.
 * - {@linkcode useTopic}: a topic subscribed while mounted, its publishes, bounded; `publish`.
 * - {@linkcode usePresence}: who is online on a topic, from presence events and discovery.
 * - {@linkcode useLedger}: the balance, fresh on payments in and after own transfers;
 *   `transfer`, what is under way and how the last one went.
 *
 * Every hook but `useSuperpeer` takes the peer it gave, `undefined` until there is one.
 *
 * @example A chat room
 * ```ts
 * import { useMessages, usePresence, useSuperpeer, useTopic } from "./mod.ts";
 * import type { Identity } from "../identity/mod.ts";
 * export function useRoom(identity: Identity | undefined) {
 *   const { peer, status } = useSuperpeer({ url: "wss://example.net", identity });
 *   const room = useTopic(peer, "room");
 *   const { online } = usePresence(peer, "room");
 *   const direct = useMessages(peer);
 *   return { status, said: room.messages, say: room.publish, online, direct: direct.messages };
 * }
 * ```
 *
 * @module
 */
export { DEFAULT_MAX_MESSAGES, PRESENCE_RECHECK_MS, PRESENCE_SETTLE_MS } from "./constants.ts";
export {
  type SuperpeerState,
  type SuperpeerStatus,
  useSuperpeer,
  type UseSuperpeerOptions,
} from "./use_superpeer.ts";
export { type MessagesState, useMessages, type UseMessagesOptions } from "./use_messages.ts";
export { type TopicState, useTopic, type UseTopicOptions } from "./use_topic.ts";
export { type PresenceState, usePresence, type UsePresenceOptions } from "./use_presence.ts";
export { type LedgerState, useLedger } from "./use_ledger.ts";
