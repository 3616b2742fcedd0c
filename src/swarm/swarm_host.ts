/**
 * What the swarm's peer half (`peer_swarm.ts`, `fetch_run.ts`) is given by the peer that
 * wires it in: a way to send swarm messages, a way to ask the network (provide, unprovide,
 * providers), and whether the connection is open. The swarm knows no client: any peer that
 * gives it these can share and fetch.
 *
 * @example A host that is offline: nothing is sent, every request fails
 * ```ts
 * import type { SwarmHost } from "./swarm_host.ts";
 * import { PeerSwarm } from "./peer_swarm.ts";
 * const offline: SwarmHost = {
 *   sendSwarm: () => "dropped",
 *   request: () => Promise.reject(new Error("offline")),
 *   connected: false,
 * };
 * const swarm = new PeerSwarm(offline);
 * console.assert(swarm.uploaded === 0);
 * swarm.close();
 * ```
 *
 * @module
 */
import type { ControlReplies, ControlRequests } from "../protocol/mod.ts";
import type { ContentSource, Path } from "./seeder.ts";

/** What the swarm needs of the peer. */
export interface SwarmHost {
  /**
   * Sends a swarm message to a peer: over its direct channel if open, else by relay; by relay
   * whatever is open when `via` says so.
   */
  sendSwarm(to: string, bytes: Uint8Array, via?: Path): "sent" | "queued" | "dropped";
  /** Sends a control request (without its `id`) and resolves with its answer. */
  request<T extends "provide" | "unprovide" | "providers">(
    m: Omit<ControlRequests[T], "id"> & { t: T },
  ): Promise<ControlReplies[T]>;
  /** Whether the connection is open. */
  readonly connected: boolean;
}

/** What a fetch needs of the peer's swarm. */
export interface FetchHost {
  /** Sends a swarm message to a peer. */
  sendSwarm(to: string, bytes: Uint8Array): "sent" | "queued" | "dropped";
  /** Asks the content's home for providers. */
  request(
    m: Omit<ControlRequests["providers"], "id"> & { t: "providers" },
  ): Promise<ControlReplies["providers"]>;
  /** Serves what the fetch holds, and says so at the content's home. */
  serve(source: ContentSource): Promise<void>;
}
