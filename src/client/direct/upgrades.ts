/**
 * The direct upgrade policy of a peer: when to open an authenticated direct channel to
 * another peer (after `threshold` messages, on request, or when the relay quota runs out),
 * who offers (the smaller peer id; the other asks with an `upgrade` signal), and what to do
 * when a channel opens or dies (tell the peer, which moves the pair's traffic; wait before
 * trying again). It carries no messages itself. The channel's code (the link, and the
 * transport's where it loads on use) is loaded when the first channel is tried: a peer that
 * never goes direct never downloads it.
 *
 * @module
 */
import type { Identity } from "../../identity/identity.ts";
import type { IceServer, LinkSignal } from "../../protocol/mod.ts";
import type { DirectLink } from "./link.ts";
import type { DirectTransport, DirectTransportFactory } from "./transport.ts";
import { DEFAULT_DIRECT_RETRY_MS, DEFAULT_DIRECT_THRESHOLD } from "../constants.ts";

/** Options of direct upgrades, given to `Peer` as `direct`. */
export interface DirectOptions {
  /**
   * The data channel implementation (`browserTransport()`, `weriftTransport()`). Without one
   * the peer still receives sequenced messages, but neither offers nor answers a channel.
   */
  transport?: DirectTransportFactory;
  /** Messages sent to one peer before an upgrade is tried; 0 for on request only. @default 16 */
  threshold?: number;
  /** STUN/TURN servers. @default none */
  iceServers?: IceServer[];
  /** Wait before trying again after a failure, in ms. @default 2000 */
  retryMs?: number;
}

/** What the policy is given by its peer. */
export interface UpgradesHost {
  /** This peer's identity. */
  identity: Identity;
  /** Sends a signal to a peer through the relay. */
  sendSignal(to: string, data: string): void;
  /** A channel to a peer opened (`true`) or closed after being open (`false`). */
  changed(remote: string, open: boolean): void;
  /** A channel to a peer was dropped, open or not: what it carried goes by relay now. */
  lost(remote: string): void;
  /** A message came over a channel. */
  message(from: string, data: string | Uint8Array): void;
  /** Servers the network gave this peer (its own TURN credential, in the welcome). */
  iceServers?(): readonly IceServer[];
}

interface State {
  sent: number;
  /** Sent to since the last route count (`routeCounts`). */
  touched?: boolean;
  /** The TURN bytes of its link counted so far. */
  turnSeen?: number;
  /** TURN bytes of links gone since the last count. */
  turnCarry?: number;
  link?: DirectLink;
  /** A link being made (its code loading): the signals that came meanwhile, in order. */
  starting?: { signals: { from: string; data: string }[] };
  retryAt: number;
}

/**
 * The direct upgrades of one peer.
 *
 * @example Usage
 * ```ts
 * import type { DirectTransport, DirectTransportFactory } from "./transport.ts";
 * import { DirectUpgrades, type UpgradesHost } from "./upgrades.ts";
 * // What the peer gives it, and its WebRTC: the runtime's (browserTransport) or werift's.
 * export function upgrades(host: UpgradesHost, transport: DirectTransportFactory, remote: string) {
 *   const upgrades = new DirectUpgrades(host, { transport, threshold: 16 });
 *   upgrades.counted(remote); // after each message sent to it
 *   return upgrades;
 * }
 * ```
 */
export class DirectUpgrades {
  readonly #host: UpgradesHost;
  readonly #o: DirectOptions;
  readonly #pairs = new Map<string, State>();
  /** Until when no channel goes through TURN (the network said `TURN_QUOTA_EXCEEDED`). */
  #turnOffUntil = 0;

  /**
   * @param host The peer's side.
   * @param options Transport, threshold, ICE servers.
   */
  constructor(host: UpgradesHost, options: DirectOptions) {
    this.#host = host;
    this.#o = options;
  }

  /**
   * The open, authenticated channel to a peer, if there is one.
   *
   * @param remote The peer.
   * @returns The channel, or `undefined`.
   */
  open(remote: string): DirectLink | undefined {
    const link = this.#pairs.get(remote)?.link;
    return link?.open ? link : undefined;
  }

  /**
   * Counts a message sent to a peer; past the threshold, asks for a channel.
   *
   * @param to The peer.
   */
  counted(to: string): void {
    const state = this.#state(to);
    state.sent++;
    state.touched = true;
    const threshold = this.#o.threshold ?? DEFAULT_DIRECT_THRESHOLD;
    if (threshold > 0 && state.sent >= threshold) this.upgrade(to);
  }

  /**
   * Asks for a direct channel to a peer now. The peer with the smaller id makes the offer; the
   * other asks it to.
   *
   * @param to The peer.
   */
  upgrade(to: string): void {
    const state = this.#state(to);
    if (!this.#o.transport || state.link || state.starting || Date.now() < state.retryAt) return;
    if (this.#host.identity.peerId < to) this.#start(to, state, "offerer");
    else {
      state.retryAt = Date.now() + (this.#o.retryMs ?? DEFAULT_DIRECT_RETRY_MS);
      this.#host.sendSignal(to, JSON.stringify({ t: "upgrade" }));
    }
  }

  /**
   * Asks for a direct channel to every given peer (the relay quota ran out).
   *
   * @param peers The peers.
   */
  upgradeAll(peers: Iterable<string>): void {
    for (const remote of peers) this.upgrade(remote);
  }

  /**
   * Takes a signal about channels from a peer.
   *
   * @param from The peer.
   * @param signal The signal.
   * @param raw Its text, handed to the link.
   */
  signal(from: string, signal: LinkSignal | { t: "upgrade" }, raw: string): void {
    if (!this.#o.transport) return;
    const state = this.#state(from);
    if (signal.t === "upgrade") {
      if (!state.link && !state.starting && this.#host.identity.peerId < from) {
        this.#start(from, state, "offerer");
      }
      return;
    }
    if (signal.t === "offer") {
      // A new offer replaces whatever half-open link there was.
      if (state.link && !state.link.open) this.#drop(from, state);
      if (state.starting) state.starting.signals = [];
      else if (!state.link) this.#start(from, state, "answerer");
    }
    if (state.starting) state.starting.signals.push({ from, data: raw });
    else state.link?.handleSignal({ from, data: raw });
  }

  /**
   * Closes the channel to a peer, as if it had failed.
   *
   * @param remote The peer.
   */
  closeLink(remote: string): void {
    this.#pairs.get(remote)?.link?.close();
  }

  /** Closes every channel. */
  close(): void {
    for (const [remote, state] of this.#pairs) {
      if (state.link || state.starting) this.#drop(remote, state);
    }
  }

  /**
   * The pairs sent to since the last count, and those with a channel, by route; and the TURN
   * bytes their channels moved since the last count (what `routes` reports).
   *
   * @returns The counts.
   */
  async routeCounts(): Promise<{ direct: number; turn: number; relay: number; turnBytes: number }> {
    const counts = { direct: 0, turn: 0, relay: 0, turnBytes: 0 };
    for (const state of this.#pairs.values()) {
      counts.turnBytes += state.turnCarry ?? 0;
      state.turnCarry = 0;
      const link = state.link?.open ? state.link : undefined;
      const touched = state.touched;
      state.touched = false;
      if (!link) {
        if (touched) counts.relay++;
        continue;
      }
      const path = await link.path();
      // A channel whose statistics do not say is direct, as `route` says.
      if (path?.route === "turn") counts.turn++;
      else counts.direct++;
      // Only what this end's own TURN allocation carried is its TURN use.
      if (path?.localRelay) {
        counts.turnBytes += Math.max(0, path.bytes - (state.turnSeen ?? 0));
        state.turnSeen = path.bytes;
      }
    }
    return counts;
  }

  /**
   * Uses no TURN server of its own until `until`: channels through its own allocations close
   * (their traffic goes back to the relay, or through the other side's TURN server, which that
   * side pays for), and new ones are offered no TURN server.
   *
   * @param until Ms since the epoch.
   */
  async turnOff(until: number): Promise<void> {
    this.#turnOffUntil = Math.max(this.#turnOffUntil, until);
    for (const state of this.#pairs.values()) {
      const link = state.link;
      if (link?.open && (await link.path())?.localRelay) link.close();
    }
  }

  // The application's servers, then those the network gave this peer for this connection;
  // no TURN server while TURN is off.
  #iceServers(): IceServer[] {
    const all = [...(this.#o.iceServers ?? []), ...(this.#host.iceServers?.() ?? [])];
    if (Date.now() >= this.#turnOffUntil) return all;
    return all.flatMap((server) => {
      const urls = [server.urls].flat().filter((u) => !/^turns?:/i.test(u));
      return urls.length > 0 ? [{ ...server, urls }] : [];
    });
  }

  #start(remote: string, state: State, role: "offerer" | "answerer"): void {
    const starting: NonNullable<State["starting"]> = { signals: [] };
    state.starting = starting;
    // A factory that throws fails this try like one whose channel does not open.
    const made = new Promise<DirectTransport>((made) =>
      made(this.#o.transport!({ iceServers: this.#iceServers() }))
    );
    Promise.all([import("./link.ts"), made]).then(([{ DirectLink }, transport]) => {
      if (state.starting !== starting) return transport.close(); // dropped meanwhile
      state.starting = undefined;
      this.#begin(
        remote,
        state,
        new DirectLink({
          sendSignal: (to, data) => this.#host.sendSignal(to, data),
          identity: this.#host.identity,
          remote,
          role,
          transport,
          message: (data) => this.#host.message(remote, data),
        }),
      );
      for (const s of starting.signals) state.link?.handleSignal(s);
    }).catch(() => {
      // Its code did not load (a page offline a moment), or the link could not be made:
      // tried again after the wait; a transport made meanwhile is closed.
      made.then((t) => t.close(), () => {});
      if (state.starting === starting) this.#drop(remote, state);
    });
  }

  #begin(remote: string, state: State, link: DirectLink): void {
    state.link = link;
    state.turnSeen = 0;
    link.addEventListener("close", () => {
      if (state.link === link) this.#drop(remote, state);
    });
    link.connect().then(
      () => this.#host.changed(remote, true),
      () => {
        if (state.link === link) this.#drop(remote, state);
      },
    );
  }

  /** Forgets a link; the peer sends what it carried and was not acknowledged by relay. */
  #drop(remote: string, state: State): void {
    const link = state.link;
    const wasOpen = link?.open ?? false;
    // What its own TURN allocation moved since the last count, read as it closes.
    const seen = state.turnSeen ?? 0;
    state.turnSeen = 0;
    if (link) {
      void link.path().then((path) => {
        if (path?.localRelay) {
          state.turnCarry = (state.turnCarry ?? 0) + Math.max(0, path.bytes - seen);
        }
      });
    }
    state.link = undefined;
    state.starting = undefined;
    state.retryAt = Date.now() + (this.#o.retryMs ?? DEFAULT_DIRECT_RETRY_MS);
    state.sent = 0;
    link?.close();
    this.#host.lost(remote);
    if (wasOpen) this.#host.changed(remote, false);
  }

  #state(remote: string): State {
    let state = this.#pairs.get(remote);
    if (!state) {
      state = { sent: 0, retryAt: 0 };
      this.#pairs.set(remote, state);
    }
    return state;
  }
}
