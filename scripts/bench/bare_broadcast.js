// The baseline of pubsub.fanout and scale.sockets: the least a Durable Object broadcast can
// do. One object holds every socket (hibernating); a text message from any socket is sent,
// unparsed, to every other socket. At /floor, the Worker itself accepts the socket and no
// object is involved: what the runtime alone spends on a connected WebSocket.
import { DurableObject } from "cloudflare:workers";

export class BareBroadcast extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    // Kept in memory between messages, rebuilt after a wake: the loop itself does no lookups.
    this.sockets = ctx.getWebSockets();
  }

  fetch() {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    this.sockets.push(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  // The close answered, as any object must: else the peer holds its end until it times out.
  webSocketClose(ws, code) {
    this.sockets = this.sockets.filter((s) => s !== ws);
    if (code !== 1005 && code !== 1006) ws.close(code, "");
  }

  webSocketMessage(from, message) {
    for (const ws of this.sockets) {
      if (ws !== from) ws.send(message);
    }
  }
}

export default {
  fetch(request, env) {
    if (new URL(request.url).pathname === "/floor") {
      const pair = new WebSocketPair();
      pair[1].accept();
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    return env.BARE.get(env.BARE.idFromName("bare")).fetch(request);
  },
};
