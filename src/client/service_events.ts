/**
 * What the network services hand the application, and the options of a topic.
 *
 * @module
 */
import type { PresenceMessage } from "../protocol/mod.ts";

/** A topic message as the application sees it. */
export interface TopicEvent {
  /** The topic. */
  topic: string;
  /** The publisher. */
  from: string;
  /** The publisher's number; rises with each of its publishes. */
  n: number;
  /** Text, or bytes. */
  data: string | Uint8Array;
  /** Whether it came sealed with the topic's key (readable by its members only). */
  sealed: boolean;
}

/** A mailbox message as the application sees it. */
export interface MailEvent {
  /** The message's id. */
  mid: string;
  /** Its sender. */
  from: string;
  /** When the network took it, ms since the epoch. */
  ts: number;
  /** Text, or bytes. */
  data: string | Uint8Array;
  /**
   * Whether it came sealed to this peer by its sender. `false`: it came in clear (taken only
   * under `seal: "preferred"` or `false`), and anyone on the path could have written it.
   */
  sealed: boolean;
}

/**
 * A presence event (a join or a leave on `$presence`) as the application sees it: the network's
 * word, which no peer signs or seals, so never sealed.
 */
export interface PresenceEvent extends PresenceMessage {
  /** Always `false`: the network says who joined and left, and nobody seals that. */
  sealed: false;
}

/** Options of a subscription or a publish. */
export interface TopicOptions {
  /**
   * The secret the topic's members share (bytes or a passphrase): what is published on it
   * is sealed, readable by members only, and what comes on it must open with it. Kept for
   * the topic until set again (`null` forgets it). See `docs/PROTOCOL.md` section 13.
   */
  key?: string | Uint8Array | null;
}
