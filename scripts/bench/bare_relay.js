// The baseline of relay.same_shard: the least a Durable Object relay can do. Two hibernating
// sockets, "a" and "b"; every message from one is sent to the other, unparsed.
import { DurableObject } from "cloudflare:workers";

export class BareRelay extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sockets = new Map();
    this.roles = new WeakMap();
    for (const ws of ctx.getWebSockets()) this.#remember(ctx.getTags(ws)[0], ws);
  }

  #remember(role, ws) {
    this.sockets.set(role, ws);
    this.roles.set(ws, role);
  }

  fetch(request) {
    const role = new URL(request.url).searchParams.get("role");
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [role]);
    this.#remember(role, pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  webSocketMessage(ws, message) {
    const role = this.roles.get(ws);
    this.sockets.get(role === "a" ? "b" : "a")?.send(message);
  }
}

export default {
  fetch(request, env) {
    return env.BARE.get(env.BARE.idFromName("bare")).fetch(request);
  },
};
