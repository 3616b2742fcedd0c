/**
 * A peer's messages to and from each other peer, over two paths: the exactly-once layer
 * stamps them and the direct upgrade policy opens channels; this room joins the two. A
 * stamped message, or an acknowledgement, goes on the pair's direct channel while one is
 * open, else by relay; what arrives on either path goes back to the exactly-once layer; a
 * lost channel's unacknowledged messages go again by relay.
 *
 * @module
 */
import type { Identity } from "../identity/identity.ts";
import {
  directAck,
  directDataHead,
  directSwarmHead,
  parseDirectMessage,
  parseSignal,
  type Stamp,
  stamped,
} from "../protocol/direct.ts";
import type { SendResult } from "./connection.ts";
import type { IceServer } from "../protocol/mod.ts";
import type { DirectTransportFactory } from "./direct/transport.ts";
import { type DirectOptions, DirectUpgrades } from "./direct/upgrades.ts";
import { RouteReporter, type RouteReporterHost } from "./direct/route_reporter.ts";

export { reportsThrough } from "./direct/route_reporter.ts";
import { type Delivery, ExactlyOnce } from "./exactly_once.ts";
import type { RelayPath } from "./relay_path.ts";

/** What the pairs are given by their peer. */
export interface PairPathsOptions {
  /** The peer's identity. */
  identity: Identity;
  /** The relay path. */
  relay: RelayPath;
  /** The direct options, with the transport in use (none: relay only). */
  direct: DirectOptions & { transport?: DirectTransportFactory };
  /** Hands a message to the application. */
  deliver(message: Delivery): void;
  /** A direct channel opened or closed. */
  changed(remote: string, open: boolean): void;
  /** A swarm message came over a direct channel. */
  swarm?(from: string, data: Uint8Array): void;
  /** A direct channel was dropped: what was asked over it and not answered goes by relay. */
  lost?(remote: string): void;
  /** Servers the network gave this peer in its welcome (its own TURN credential). */
  iceServers?(): readonly IceServer[];
  /** How the routes of its pairs are reported to the network (`route_reporter.ts`). */
  reports?: Omit<RouteReporterHost, "upgrades">;
}

/**
 * The pairs of one peer.
 *
 * @example Usage
 * ```ts
 * import { PairPaths, type PairPathsOptions } from "./pair_paths.ts";
 * // The peer makes one, over its relay path, and sends every message through it.
 * export function send(options: PairPathsOptions, to: string) {
 *   const pairs = new PairPaths(options);
 *   pairs.send(to, "hi");
 * }
 * ```
 */
export class PairPaths {
  readonly #relay: RelayPath;
  readonly #exactlyOnce: ExactlyOnce;
  readonly #upgrades: DirectUpgrades;

  /** @param o The identity, the relay path, the direct options and the callbacks. */
  constructor(o: PairPathsOptions) {
    this.#relay = o.relay;
    const signal = (to: string, data: string) => o.relay.send(to, data, { signal: true });
    this.#exactlyOnce = new ExactlyOnce({
      transmit: (to, stamp, data, text) => this.#transmit(to, stamp, data, text),
      acknowledge: (from, epoch, upTo) => {
        // Over the direct channel while it lives, so the relay carries nothing for this pair.
        const link = this.#upgrades.open(from);
        if (link) link.send(directAck(epoch, upTo));
        else signal(from, JSON.stringify({ t: "ack", epoch, upTo }));
      },
      deliver: o.deliver,
      // A peer that restarted cannot hold the channel of its earlier run: one still open here
      // is dead and would swallow what is sent on it until its timeout, so it goes now.
      restarted: (from, via) => {
        if (via === "relay") this.#upgrades.closeLink(from);
      },
    });
    this.#upgrades = new DirectUpgrades({
      identity: o.identity,
      sendSignal: (to, data) => void signal(to, data),
      changed: (remote, open) => {
        // A peer that only answers channels, or only serves pieces, has routes to report too.
        if (open) this.#reporter?.start();
        o.changed(remote, open);
      },
      lost: (remote) => {
        this.#exactlyOnce.replay(remote);
        o.lost?.(remote);
      },
      message: (from, data) => this.#fromDirect(from, data),
      iceServers: () => o.iceServers?.() ?? [],
    }, o.direct);
    this.#swarm = o.swarm;
    // Only a peer that can open channels has routes to report.
    if (o.reports && o.direct.transport) {
      this.#reporter = new RouteReporter({ ...o.reports, upgrades: this.#upgrades });
    }
  }

  readonly #reporter: RouteReporter | undefined;

  readonly #swarm: PairPathsOptions["swarm"];

  /**
   * Sends a swarm message: on the pair's direct channel while one is open, else as a relay
   * frame with the swarm flag. It counts towards an upgrade like any message, so a busy
   * exchange of pieces moves off the relay.
   *
   * @param to The peer.
   * @param bytes The swarm message.
   * @param relayOnly By relay even if a channel is open (an answer to what came by relay).
   * @returns What became of it.
   */
  sendSwarm(to: string, bytes: Uint8Array, relayOnly = false): SendResult {
    const link = relayOnly ? undefined : this.#upgrades.open(to);
    this.#upgrades.counted(to);
    this.#reporter?.start();
    try {
      if (link) {
        link.sendJoined(directSwarmHead(), bytes);
        return "sent";
      }
    } catch {
      // Closing as it was used: the relay carries it.
    }
    return this.#relay.send(to, bytes, { swarm: true });
  }

  /**
   * Sends a message to a peer exactly once, and counts it towards an upgrade.
   *
   * @param to The peer.
   * @param data Text, or bytes.
   * @returns What became of it.
   */
  send(to: string, data: string | Uint8Array): SendResult {
    const result = this.#exactlyOnce.send(to, data);
    if (result !== "dropped") this.#upgrades.counted(to);
    this.#reporter?.start();
    return result;
  }

  /**
   * Takes a stamped message that came by relay.
   *
   * @param from The sender.
   * @param stamp Its stamp.
   * @param data The message.
   * @param text Whether it is text.
   * @param sealed Whether it came sealed.
   */
  fromRelay(from: string, stamp: Stamp, data: Uint8Array, text: boolean, sealed: boolean): void {
    this.#exactlyOnce.receive(from, stamp, data, text, "relay", sealed);
  }

  /**
   * Takes a signal that came by relay: an acknowledgement, or one about channels.
   *
   * @param from The sender.
   * @param data The signal.
   */
  signal(from: string, data: string | Uint8Array): void {
    const signal = parseSignal(data);
    if (signal?.t === "ack") this.#exactlyOnce.acknowledged(from, signal.epoch, signal.upTo);
    else if (signal) this.#upgrades.signal(from, signal, data as string);
  }

  /** @returns The direct upgrade policy (upgrade, open, closeLink). */
  get upgrades(): DirectUpgrades {
    return this.#upgrades;
  }

  /** Asks for a direct channel to every peer of a pair (the relay quota ran out). */
  upgradeAll(): void {
    this.#upgrades.upgradeAll(this.#exactlyOnce.peers());
  }

  /** Closes every channel and stops every timer. */
  close(): void {
    this.#reporter?.close();
    this.#upgrades.close();
    this.#exactlyOnce.close();
  }

  #transmit(to: string, stamp: Stamp, data: Uint8Array, text: boolean): SendResult {
    const link = this.#upgrades.open(to);
    if (link) {
      link.sendJoined(directDataHead(stamp, text), data);
      return "sent";
    }
    return this.#relay.send(to, stamped(stamp, data), { sequenced: true, text });
  }

  #fromDirect(from: string, data: string | Uint8Array): void {
    if (typeof data === "string") return;
    const m = parseDirectMessage(data);
    if (m?.t === "ack") this.#exactlyOnce.acknowledged(from, m.epoch, m.upTo);
    else if (m?.t === "swarm") this.#swarm?.(from, m.data);
    else if (m) this.#exactlyOnce.receive(from, m.stamp, m.data, m.text, "direct", true);
  }
}
