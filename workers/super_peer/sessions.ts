/**
 * The sessions of one super-peer: the hibernating sockets of the peers homed here, each
 * tagged with its peer id and carrying its attachment through hibernation; nonce replay; one
 * session per peer (a newer one replaces the older); and sending to a peer by id.
 *
 * @module
 */
import { logEvent } from "../log.ts";
import type { DurableObjectState } from "cloudflare:workers";
import { base64urlnopad } from "../../src/encoding/mod.ts";
import {
  CLOSE_CODES,
  errorReply,
  type IceServer,
  packBatches,
  PROTOCOL_VERSION,
  type Refusal,
  type RefusalAbout,
  type RelayStats,
  type Welcome,
} from "../../src/protocol/mod.ts";
import { placesBySlot } from "../../src/routing/mod.ts";
import type { NetworkConfig } from "../config.ts";
import type { HelloRefusal } from "../rpc.ts";
import type { Handoff } from "../handoff.ts";
import { HelloNonces } from "./hello_nonces.ts";

/** What each socket carries through hibernation. */
interface Attachment {
  peer: string;
  session: string;
  since: number;
  /** The client address it connected from, whose gate counts it. */
  address: string;
  /** Whether it asked for batch frames. */
  batch?: boolean;
}

/**
 * A peer's session as the relay and the control dispatch use it; rebuilt lazily after a wake.
 * Its limits are not here: they belong to the peer (`admission.ts`).
 */
export interface Session extends Attachment {
  /** The peer id as ASCII bytes, written into every frame this peer sends. */
  peerBytes: Uint8Array;
  /** The destination of this peer's last frame. */
  lastTo?: { id: string; bytes: Uint8Array; home: number; version: number };
  /** When this peer last sent a frame (keepalives are timed by the runtime). */
  lastFrame: number;
  /** Closed by the super-peer: what still arrives on it is dropped unread. */
  closed?: boolean;
}

/**
 * The sessions of one super-peer.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import type { NetworkConfig } from "../config.ts";
 * import { emptyStats } from "./relay.ts";
 * import { Sessions } from "./sessions.ts";
 * export function accept(ctx: DurableObjectState, config: NetworkConfig, peer: string, nonce: string) {
 *   const sessions = new Sessions(ctx, config, 0, emptyStats());
 *   const who = { peer, nonce, ts: Date.now(), address: "203.0.113.9", batch: false };
 *   return sessions.accept(who); // the 101, or a refusal
 * }
 * ```
 */
export class Sessions {
  readonly #ctx: DurableObjectState;
  readonly #config: NetworkConfig;
  readonly #shard: number;
  readonly #stats: RelayStats;
  readonly #sockets = new Map<string, WebSocket>();
  readonly #state = new WeakMap<WebSocket, Session>();
  readonly #nonces: HelloNonces;

  /**
   * @param ctx The object's state.
   * @param config The network's config.
   * @param shard This object's shard.
   * @param stats The counters refusals are counted in.
   */
  constructor(ctx: DurableObjectState, config: NetworkConfig, shard: number, stats: RelayStats) {
    this.#ctx = ctx;
    this.#config = config;
    this.#shard = shard;
    this.#stats = stats;
    this.#nonces = new HelloNonces(ctx.storage.sql);
    // After a wake, each peer's newest socket is its session.
    const sockets = ctx.getWebSockets();
    for (const ws of sockets) {
      const a = ws.deserializeAttachment() as Attachment | null;
      const current = a && this.#sockets.get(a.peer);
      if (a && (!current || this.#attachment(current).since < a.since)) {
        this.#sockets.set(a.peer, ws);
      }
    }
    // A start is a first wake, a wake from hibernation or a restart: the sockets it found tell.
    logEvent("shard.start", { shard, sockets: sockets.length, peers: this.#sockets.size });
  }

  /** How many peers are connected. */
  get size(): number {
    return this.#sockets.size;
  }

  /** The peers connected now. */
  peers(): Iterable<string> {
    return this.#sockets.keys();
  }

  /**
   * Whether a peer is connected here now.
   *
   * @param peer The peer.
   * @returns Whether it is.
   */
  has(peer: string): boolean {
    return this.#sockets.has(peer);
  }

  /** The client address a peer connected here came from; `undefined` if it is not here. */
  addressOf(peer: string): string | undefined {
    const ws = this.#sockets.get(peer);
    return ws ? this.of(ws).address : undefined;
  }

  /**
   * Whether a hello's nonce was used already (for a client asking why its upgrade failed).
   *
   * @param nonce The nonce.
   * @returns `HELLO_REPLAYED` if it was, else `null`.
   */
  nonceRefusal(nonce: string): HelloRefusal | null {
    return this.#nonces.refusal(nonce);
  }

  /**
   * Accepts a peer's socket, already authenticated by the edge: the nonce is claimed, an older
   * session of the same peer closed, the welcome sent.
   *
   * @param who Who the edge found connects: the peer, its hello's nonce and timestamp, the
   *   client's address, whether it asked for batch frames.
   * @param turn The peer's own TURN server, for its welcome.
   * @returns The upgrade answer, or a refusal (`HELLO_REPLAYED`).
   */
  accept(who: Handoff, turn?: IceServer): Response | Refusal {
    const { peer, nonce, ts, address, batch } = who;
    const { limits } = this.#config;
    const now = Date.now();
    const replayed = this.#nonces.claim(
      nonce,
      ts + limits.HELLO_MAX_AGE_MS + limits.MAX_CLOCK_SKEW_MS,
    );
    if (replayed) return { ok: false, code: replayed.code, message: replayed.message };
    for (const old of this.#ctx.getWebSockets(peer)) {
      this.forget(old);
      close(old, CLOSE_CODES.SESSION_REPLACED, "Replaced by a newer session");
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.#ctx.acceptWebSocket(server, [peer]);
    const attachment: Attachment = {
      peer,
      session: base64urlnopad.encode(crypto.getRandomValues(new Uint8Array(12))),
      since: now,
      address,
      ...(batch ? { batch } : {}),
    };
    server.serializeAttachment(attachment);
    this.#sockets.set(peer, server);
    // Its own TURN server first (a stack may take only the first), then the network's STUN.
    const iceServers = [...(turn ? [turn] : []), ...this.#config.iceServers];
    const welcome: Welcome = {
      t: "welcome",
      protocol: PROTOCOL_VERSION,
      network: this.#config.network,
      peer,
      session: attachment.session,
      shard: this.#shard,
      shards: this.#config.placement.shards,
      // The map this shard follows (it adopted every version the keeper published to it).
      ...(placesBySlot(this.#config.shards) ? { mapVersion: this.#config.placement.version } : {}),
      limits,
      ...(batch ? { batch } : {}),
      ...(iceServers.length > 0 ? { iceServers } : {}),
    };
    server.send(JSON.stringify(welcome));
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * A socket's session, rebuilt from its attachment after a wake.
   *
   * @param ws The socket.
   * @returns Its session.
   */
  of(ws: WebSocket): Session {
    let state = this.#state.get(ws);
    if (!state) {
      const attachment = ws.deserializeAttachment() as Attachment;
      state = {
        ...attachment,
        peerBytes: new TextEncoder().encode(attachment.peer),
        lastFrame: Date.now(),
      };
      this.#state.set(ws, state);
    }
    return state;
  }

  /**
   * Stops reading a peer's frames (its home is moving): what comes now is dropped unread.
   *
   * @param peer The peer.
   */
  stopReading(peer: string): void {
    const ws = this.#sockets.get(peer);
    if (ws) this.of(ws).closed = true;
  }

  /**
   * When a socket last sent anything: a frame, or a keepalive (answered by the runtime, which
   * keeps the time of the last one).
   *
   * @param ws The socket.
   * @returns Milliseconds since the epoch.
   */
  lastHeard(ws: WebSocket): number {
    const ping = this.#ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
    return Math.max(ping, this.#state.get(ws)?.lastFrame ?? this.#attachment(ws).since);
  }

  /**
   * When a peer connected here last sent anything; 0 if it is not here.
   *
   * @param peer The peer.
   * @returns Milliseconds since the epoch.
   */
  lastHeardOf(peer: string): number {
    const ws = this.#sockets.get(peer);
    return ws ? this.lastHeard(ws) : 0;
  }

  /**
   * Sends a frame or a text to a peer connected here.
   *
   * @param peer The peer.
   * @param data The frame or text.
   * @returns Whether it went out (`false`: not connected, or its socket just died).
   */
  send(peer: string, data: string | Uint8Array): boolean {
    const ws = this.#sockets.get(peer);
    if (!ws) return false;
    try {
      ws.send(data);
      return true;
    } catch {
      this.forget(ws);
      return false;
    }
  }

  /**
   * Sends a peer connected here several binary frames, in order: as batch frames if it asked
   * for them, else one message each.
   *
   * @param peer The peer.
   * @param frames The frames.
   * @param packed The same frames already packed as one batch, to send as it is.
   * @returns Whether they went out (`false`: not connected, or its socket just died).
   */
  sendFrames(peer: string, frames: Uint8Array[], packed?: Uint8Array): boolean {
    const ws = this.#sockets.get(peer);
    if (!ws) return false;
    const { limits } = this.#config;
    try {
      if (frames.length === 1) ws.send(frames[0]);
      else if (!this.of(ws).batch) { for (const f of frames) ws.send(f); }
      else if (packed) ws.send(packed);
      else {
        for (const m of packBatches(frames, limits.MAX_BATCH_FRAMES, limits.MAX_BATCH_BYTES)) {
          ws.send(m);
        }
      }
      return true;
    } catch {
      this.forget(ws);
      return false;
    }
  }

  /**
   * Sends a refusal to a socket, naming what it refuses.
   *
   * @param ws The socket.
   * @param refused The refusal.
   * @param about The refused frame or request.
   */
  refuse(ws: WebSocket, refused: Refusal, about?: RefusalAbout): void {
    this.#stats.refused++;
    const byCode = this.#stats.refusals;
    byCode[refused.code] = (byCode[refused.code] ?? 0) + 1;
    try {
      ws.send(errorReply(refused, about));
    } catch {
      // The sender is gone; nobody to tell.
    }
  }

  /**
   * Sends a refusal to a peer connected here, if it still is.
   *
   * @param peer The peer.
   * @param refused The refusal.
   * @param about The refused frame or request.
   */
  refusePeer(peer: string, refused: Refusal, about?: RefusalAbout): void {
    const ws = this.#sockets.get(peer);
    if (ws) this.refuse(ws, refused, about);
  }

  /**
   * Drops a socket.
   *
   * @param ws The socket.
   * @returns Its peer, if it was that peer's current socket.
   */
  forget(ws: WebSocket): string | undefined {
    return this.forgetSession(ws)?.peer;
  }

  /**
   * Drops a socket, and says whose it was and where it came from.
   *
   * @param ws The socket.
   * @returns Its peer and address, if it was that peer's current socket.
   */
  forgetSession(ws: WebSocket): { peer: string; address: string } | undefined {
    const a = this.#attachment(ws);
    if (a?.peer === undefined || this.#sockets.get(a.peer) !== ws) return undefined;
    this.#sockets.delete(a.peer);
    return { peer: a.peer, address: a.address ?? "" };
  }

  /**
   * Closes a peer's current socket, if it has one.
   *
   * @param peer The peer.
   * @param code The close code.
   * @param reason The reason.
   * @returns Its peer and address, if it had a socket.
   */
  closePeer(
    peer: string,
    code: number,
    reason: string,
  ): { peer: string; address: string } | undefined {
    const ws = this.#sockets.get(peer);
    return ws ? this.close(ws, code, reason) : undefined;
  }

  /**
   * Closes a socket the super-peer gave up on, and drops it.
   *
   * @param ws The socket.
   * @param code The close code.
   * @param reason The reason.
   * @returns Its peer and address, if it was that peer's current socket.
   */
  close(
    ws: WebSocket,
    code: number,
    reason: string,
  ): { peer: string; address: string } | undefined {
    const gone = this.forgetSession(ws);
    const state = this.#state.get(ws);
    if (state) state.closed = true;
    close(ws, code, reason);
    if (code === CLOSE_CODES.FLOODING || code === CLOSE_CODES.PRESENCE_TIMEOUT) {
      logEvent("socket.refused", { shard: this.#shard, peer: gone?.peer, code, reason }, "warn");
    }
    return gone;
  }

  #attachment(ws: WebSocket): Attachment {
    return this.#state.get(ws) ?? ws.deserializeAttachment() as Attachment;
  }
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing.
  }
}
