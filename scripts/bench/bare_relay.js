// The baseline of relay.same_shard: the least a Durable Object relay can do. Two hibernating
// sockets, "a" and "b"; every message from one is sent to the other, unparsed. With `obj` and
// `to`, the two sockets live on two objects and a message crosses by one RPC call: the
// least a relay across two objects can do (the baseline of cross-shard latency).
import { DurableObject } from "cloudflare:workers";

export class BareRelay extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sockets = new Map();
    this.roles = new WeakMap();
    this.to = undefined;
    for (const ws of ctx.getWebSockets()) this.#remember(ctx.getTags(ws)[0], ws);
  }

  #remember(role, ws) {
    this.sockets.set(role, ws);
    this.roles.set(ws, role);
  }

  fetch(request) {
    const params = new URL(request.url).searchParams;
    const role = params.get("role");
    this.to = params.get("to") ?? this.to;
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [role]);
    this.#remember(role, pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  webSocketMessage(ws, message) {
    const other = this.roles.get(ws) === "a" ? "b" : "a";
    const here = this.sockets.get(other);
    if (here) return here.send(message);
    if (this.to) this.env.BARE.get(this.env.BARE.idFromName(this.to)).deliver(other, message);
  }

  deliver(role, message) {
    this.sockets.get(role)?.send(message);
  }
}

export default {
  fetch(request, env) {
    const obj = new URL(request.url).searchParams.get("obj") ?? "bare";
    return env.BARE.get(env.BARE.idFromName(obj)).fetch(request);
  },
};
