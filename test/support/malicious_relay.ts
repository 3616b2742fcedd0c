/**
 * A malicious relay for tests: a WebSocket proxy on loopback between peers and a local network,
 * as a super-peer broken into would sit. Every frame in either direction passes the test's
 * policy, which may let it through, drop it, rewrite it, repeat it, hold it back or put frames of
 * its own in its place; the relay also keeps every hello it carried, to replay them. Plain HTTP
 * (`/v1/network`, the GET that explains a failed upgrade) is passed through.
 *
 * The network must take hellos signed for the relay's origin (`NETWORK_ORIGINS`): peers that dial
 * the relay sign for it, as they would for a super-peer they were given.
 *
 * @module
 */

/** A frame as the WebSocket carries it. */
export type Frame = string | Uint8Array;

/** One peer's connection through the relay. */
export interface Link {
  /** The peer id its hello named. */
  readonly peer: string;
  /** The connect URL it dialed the relay with (its hello in the query string). */
  readonly hello: string;
  /** Sends a frame to the peer as if the network had. */
  toPeer(frame: Frame): void;
  /** Sends a frame to the network as if the peer had. */
  toNetwork(frame: Frame): void;
}

/**
 * What the relay does with a frame: `undefined` passes it, a list sends those frames instead
 * (`[]` drops it).
 */
export type Policy = (frame: Frame, link: Link) => Frame[] | undefined;

/** A running malicious relay. */
export interface MaliciousRelay {
  /** The URL peers dial (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** The links made so far, oldest first. */
  readonly links: Link[];
  /** Frames from the network to a peer. */
  down: Policy;
  /** Frames from a peer to the network. */
  up: Policy;
  /**
   * Whether peers are carried to the network at all. `false`: a rogue server, which accepts
   * each peer, keeps its hello and dials no one. @default true
   */
  forward: boolean;
  /** Stops listening and closes every link. */
  close(): Promise<void>;
}

const pass: Policy = () => undefined;

/**
 * Starts a relay on a loopback port of its own; `upstream` may be set once the network is up.
 *
 * @param upstream The network's URL, or a function giving it when the first peer dials.
 * @returns The relay.
 *
 * @example Usage
 * ```ts ignore
 * const relay = await startMaliciousRelay(() => net.url);
 * relay.down = (frame) => typeof frame === "string" ? undefined : []; // drops binary frames
 * ```
 */
export function startMaliciousRelay(upstream: string | (() => string)): Promise<MaliciousRelay> {
  const target = () => typeof upstream === "string" ? upstream : upstream();
  const sockets = new Set<WebSocket>();
  const links: Link[] = [];
  const relay: MaliciousRelay = {
    url: "",
    links,
    down: pass,
    up: pass,
    forward: true,
    async close() {
      for (const ws of sockets) ws.close();
      await server.shutdown();
    },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const to = new URL(url.pathname + url.search, target());
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return fetch(to, { method: req.method, headers: req.headers, body: req.body });
    }
    to.protocol = to.protocol === "https:" ? "wss:" : "ws:";
    const { socket: client, response } = Deno.upgradeWebSocket(req);
    if (!relay.forward) {
      sockets.add(client);
      links.push({
        peer: url.searchParams.get("peer") ?? "",
        hello: req.url,
        toPeer() {},
        toNetwork() {},
      });
      return response;
    }
    const network = new WebSocket(to);
    network.binaryType = "arraybuffer";
    sockets.add(client).add(network);
    const early: Frame[] = [];
    const link: Link = {
      peer: url.searchParams.get("peer") ?? "",
      hello: req.url,
      toPeer: (frame) => client.readyState === WebSocket.OPEN && client.send(frame),
      toNetwork: (frame) => {
        if (network.readyState === WebSocket.OPEN) network.send(frame);
        else if (network.readyState === WebSocket.CONNECTING) early.push(frame);
      },
    };
    links.push(link);
    const read = (data: unknown): Frame =>
      typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer);
    network.onopen = () => {
      for (const frame of early.splice(0)) network.send(frame);
    };
    network.onmessage = (e) => {
      const frame = read(e.data);
      for (const out of relay.down(frame, link) ?? [frame]) link.toPeer(out);
    };
    client.onmessage = (e) => {
      const frame = read(e.data);
      for (const out of relay.up(frame, link) ?? [frame]) link.toNetwork(out);
    };
    // A close on either side closes the other, with the same code where it may be sent on.
    const closeCode = (code: number) =>
      code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
    network.onclose = (e) => {
      sockets.delete(network);
      if (client.readyState <= WebSocket.OPEN) client.close(closeCode(e.code), e.reason);
    };
    client.onclose = (e) => {
      sockets.delete(client);
      if (network.readyState <= WebSocket.OPEN) network.close(closeCode(e.code), e.reason);
    };
    network.onerror = () => {};
    client.onerror = () => {};
    return response;
  });
  (relay as { url: string }).url = `http://127.0.0.1:${server.addr.port}`;
  return Promise.resolve(relay);
}
