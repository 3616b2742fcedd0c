/**
 * `usePresence`: who is online on a topic. The network says who joins and leaves it as a
 * whole (`$presence`), not per topic; discovery (`findPeers` with a topic) says who is
 * subscribed to one. So the list is discovery's answer, asked again on each join and
 * reconnect, and a peer that leaves is taken off at once.
 *
 * @module
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Peer } from "../client/mod.ts";
import { holdTopic } from "./_topics.ts";
import { inWords } from "./_util.ts";
import { PRESENCE_RECHECK_MS, PRESENCE_SETTLE_MS } from "./constants.ts";

/** The topic of joins and leaves. */
const PRESENCE = "$presence";

/** Options of {@linkcode usePresence}. */
export interface UsePresenceOptions {
  /** Most peers asked for; the network cuts it to `MAX_DISCOVERY_PEERS` (64). @default 64 */
  max?: number;
}

/** What {@linkcode usePresence} gives a component. */
export interface PresenceState {
  /**
   * The peer ids online and subscribed to the topic, sorted; never this peer itself
   * (discovery never lists the asker).
   */
  online: string[];
  /** Why the last question failed, in words. */
  error: string | undefined;
  /** Asks again now (a peer that subscribed after its join's answer shows then). */
  refresh(): void;
}

/**
 * Who is online on a topic, kept up to date from presence events: asked of discovery on
 * mount, on each (re)connect and `PRESENCE_SETTLE_MS` after a join anywhere on the network
 * (the joins within that wait share one question, and a joined peer not yet listed is asked
 * for once more `PRESENCE_RECHECK_MS` later); a peer that leaves is taken off at once. It
 * subscribes to `$presence` (shared with the other hooks of the peer) and does not subscribe
 * to the topic itself: pair it with `useTopic` to be listed as well.
 *
 * @example Who is in the room
 * ```ts
 * import { usePresence } from "./mod.ts";
 * import type { Peer } from "../client/mod.ts";
 * export function useRoom(peer: Peer | undefined) {
 *   const { online } = usePresence(peer, "room");
 *   return `${online.length} others here`;
 * }
 * ```
 *
 * @param peer The peer (from `useSuperpeer`); none yet: nobody listed.
 * @param topic The topic.
 * @param options `max` peers asked for.
 * @returns The peers online on the topic, the last error and `refresh`.
 */
export function usePresence(
  peer: Peer | undefined,
  topic: string,
  options: UsePresenceOptions = {},
): PresenceState {
  const max = useRef(options.max ?? 64);
  max.current = options.max ?? 64;
  const [online, setOnline] = useState<string[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const ask = useRef<() => void>(() => {});
  useEffect(() => {
    setOnline((list) => (list.length === 0 ? list : []));
    setError(undefined);
    if (!peer) return;
    let live = true;
    let known = new Set<string>();
    const show = () => live && setOnline([...known].sort());
    // Leaves heard while a question is out: its answer may still list them.
    const asking = new Set<Set<string>>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let recheck: ReturnType<typeof setTimeout> | undefined;
    // Only the answer to the latest question counts: an older one may come after it.
    let asked = 0;
    const question = async (): Promise<Set<string> | undefined> => {
      if (!live || peer.state !== "open") return undefined;
      const left = new Set<string>();
      asking.add(left);
      const n = ++asked;
      try {
        const peers = await peer.findPeers({ topic, count: max.current });
        if (n !== asked) return undefined;
        known = new Set(peers.map((p) => p.peer).filter((p) => !left.has(p)));
        if (live) setError(undefined);
        show();
        return known;
      } catch (e) {
        if (live && n === asked) setError(inWords(e));
        return undefined;
      } finally {
        asking.delete(left);
      }
    };
    ask.current = () => void question();
    // One question per wait, however many joins; once more later for a joiner not yet listed.
    const joined = new Set<string>();
    const settle = () => {
      if (timer !== undefined) return;
      timer = setTimeout(async () => {
        timer = undefined;
        const waiting = [...joined];
        joined.clear();
        const answer = await question();
        if (answer && waiting.some((p) => !answer.has(p))) {
          clearTimeout(recheck);
          recheck = setTimeout(() => void question(), PRESENCE_RECHECK_MS - PRESENCE_SETTLE_MS);
        }
      }, PRESENCE_SETTLE_MS);
    };
    const offs = [
      peer.on("open", () => void question()),
      peer.on("presence", (p) => {
        if (p.peer === peer.peerId) return;
        if (p.event === "leave") {
          for (const left of asking) left.add(p.peer);
          if (known.delete(p.peer)) show();
          return;
        }
        for (const left of asking) left.delete(p.peer);
        joined.add(p.peer);
        settle();
      }),
    ];
    const hold = holdTopic(peer, PRESENCE);
    hold.ready.catch((e) => live && setError(inWords(e)));
    void question();
    return () => {
      live = false;
      clearTimeout(timer);
      clearTimeout(recheck);
      for (const off of offs) off();
      hold.release();
      ask.current = () => {};
    };
  }, [peer, topic]);
  const refresh = useCallback(() => ask.current(), []);
  return { online, error, refresh };
}
