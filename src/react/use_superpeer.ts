/**
 * `useSuperpeer`: a component's peer, connected on mount, closed on unmount, and made anew
 * only when what it is changes: its URL, identity, network id or a `key` of the caller's.
 *
 * @module
 */
import { useEffect, useRef, useState } from "react";
import { Peer, type PeerOptions } from "../client/mod.ts";
import type { Identity } from "../identity/mod.ts";
import type { Welcome } from "../protocol/mod.ts";
import { inWords } from "./_util.ts";

/** Where a peer stands: reaching the network (a reconnect too), welcomed, or stopped. */
export type SuperpeerStatus = "connecting" | "connected" | "closed";

/** Options of {@linkcode useSuperpeer}: a peer's options, and when to make one. */
export interface UseSuperpeerOptions extends Omit<PeerOptions, "identity"> {
  /**
   * Who the peer is. `undefined` or `null` while it is being loaded or made: no peer until it
   * is there. Keep the same `Identity` across renders (state, a ref, a memo): its peer id is
   * part of what makes a new peer.
   */
  identity: Identity | undefined | null;
  /** `false`: no peer (the one there is closes). @default true */
  enabled?: boolean;
  /**
   * More of what makes a new peer, besides URL, identity and network id: change it to apply
   * options that are otherwise read once, when the peer is made (`seal`, `reconnect`, …).
   * @default ""
   */
  key?: string;
}

/** What {@linkcode useSuperpeer} gives a component. */
export interface SuperpeerState {
  /**
   * The peer, from the first render after mount on; hand it to the other hooks. It takes
   * sends, subscriptions and publishes while still connecting (they leave on the welcome).
   */
  peer: Peer | undefined;
  /** Where it stands. `closed` also while there is no identity, or when not enabled. */
  status: SuperpeerStatus;
  /** The welcome of the current connection, while connected. */
  welcome: Welcome | undefined;
  /**
   * The last error, in words (a refusal says its code in parentheses): a failed connect, a
   * close for good with a reason, an error reply no request waited for. Cleared on the next
   * welcome.
   */
  error: string | undefined;
}

const NONE: SuperpeerState = {
  peer: undefined,
  status: "closed",
  welcome: undefined,
  error: undefined,
};

/**
 * What makes a new peer: URL, peer id, network id and the caller's key; `""` for no peer.
 * The options object itself is not part of it, so that an object literal written in the
 * render, new each time, does not reconnect.
 */
function identityOf(o: UseSuperpeerOptions): string {
  if (!o.identity || o.enabled === false) return "";
  return JSON.stringify([o.url, o.identity.peerId, o.network ?? "", o.key ?? ""]);
}

/**
 * A peer for a component: made and connected on mount, closed on unmount, made anew when
 * its URL, identity, network id or `key` changes, and kept across every other render. The
 * other options are read when the peer is made; a change to them alone is not applied (give
 * a new `key` to apply it).
 *
 * @example A peer per signed-in user
 * ```ts
 * import { useSuperpeer } from "./mod.ts";
 * import type { Identity } from "../identity/mod.ts";
 * export function useChat(identity: Identity | undefined) {
 *   // A new object each render: the peer stays the same all the same.
 *   const { peer, status, error } = useSuperpeer({ url: "wss://example.net", identity });
 *   return { peer, online: status === "connected", error };
 * }
 * ```
 *
 * @param options The peer's options; `identity` and `url` are required.
 * @returns The peer, its status, its welcome and its last error in words.
 */
export function useSuperpeer(options: UseSuperpeerOptions): SuperpeerState {
  // The options of the render that makes a peer, whatever object they came in.
  const latest = useRef(options);
  latest.current = options;
  const id = identityOf(options);
  const [state, setState] = useState<SuperpeerState>(NONE);
  useEffect(() => {
    if (id === "") return void setState(NONE);
    const { enabled: _enabled, key: _key, identity, ...rest } = latest.current;
    let peer: Peer;
    try {
      peer = new Peer({ ...rest, identity: identity! });
    } catch (error) {
      return void setState({ ...NONE, error: inWords(error) });
    }
    // Updates of a peer that is no longer this component's are dropped.
    const update = (change: (s: SuperpeerState) => Partial<SuperpeerState>) =>
      setState((s) => (s.peer === peer ? { ...s, ...change(s) } : s));
    setState({ peer, status: "connecting", welcome: undefined, error: undefined });
    const offs = [
      peer.on(
        "open",
        (welcome) => update(() => ({ status: "connected", welcome, error: undefined })),
      ),
      peer.on("reconnecting", () => update(() => ({ status: "connecting", welcome: undefined }))),
      peer.on("close", (d) =>
        update((s) => ({
          status: "closed",
          welcome: undefined,
          error: d.error ? inWords(d.error) : s.error,
        }))),
      peer.on("error", (m) => update(() => ({ error: inWords(m) }))),
    ];
    // Connects after this turn: React's strict mode unmounts and mounts again at once, and
    // the peer of that first mount is then closed before it sends a hello.
    let stopped = false;
    queueMicrotask(() => {
      if (stopped) return;
      peer.connect().catch((error) => update(() => ({ status: "closed", error: inWords(error) })));
    });
    return () => {
      stopped = true;
      for (const off of offs) off();
      peer.close();
    };
  }, [id]);
  return state;
}
