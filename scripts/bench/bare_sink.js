// The floor of the admission benchmark's floods: the least a Durable Object can do with a
// flood. Hibernating sockets under `/bare`; a message from the socket tagged "by" (the
// bystander) is sent back unparsed, every other one is dropped unread. It closes no one:
// it shows what each flooded frame costs an object before any code of its own runs.
import { DurableObject } from "cloudflare:workers";

export class BareSink extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.bystanders = new WeakSet();
    for (const ws of ctx.getWebSockets("by")) this.bystanders.add(ws);
  }

  fetch(request) {
    const role = new URL(request.url).searchParams.get("role") ?? "flood";
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [role]);
    if (role === "by") this.bystanders.add(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  webSocketMessage(ws, message) {
    if (this.bystanders.has(ws)) ws.send(message);
  }
}

export default {
  fetch(request, env) {
    return env.BARE_SINK.get(env.BARE_SINK.idFromName("sink")).fetch(request);
  },
};
