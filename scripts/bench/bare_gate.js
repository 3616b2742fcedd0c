// The storage gate benchmark's object: what a Durable Object's writes cost the replies of a
// socket that writes nothing. A message from the socket tagged "by" (the bystander) is sent
// back at once. A flooder's message is answered "ok" after: nothing (`read`), one SQLite row
// written in its own event (`write`: the runtime commits each event's writes, and holds every
// reply the object sends meanwhile until the commit is durable), or one row written with the
// others of the last `GROUP_MS` in one event (`group`: one commit for many writes, each "ok"
// sent after it, so an answer still means the row is durable).
import { DurableObject } from "cloudflare:workers";

const GROUP_MS = 25;

export class BareGate extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS row (k INTEGER PRIMARY KEY, v TEXT)");
    this.waiting = [];
    this.timer = undefined;
  }

  fetch(request) {
    const role = new URL(request.url).searchParams.get("role") ?? "flood";
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [role]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  webSocketMessage(ws, message) {
    if (message === "write") {
      this.ctx.storage.sql.exec("INSERT INTO row (v) VALUES (?)", "x".repeat(64));
      ws.send("ok");
    } else if (message === "group") {
      this.waiting.push(ws);
      this.timer ??= setTimeout(() => this.flush(), GROUP_MS);
    } else if (message === "read") {
      ws.send("ok");
    } else {
      ws.send(message);
    }
  }

  flush() {
    const batch = this.waiting;
    this.waiting = [];
    this.timer = undefined;
    for (let i = 0; i < batch.length; i++) {
      this.ctx.storage.sql.exec("INSERT INTO row (v) VALUES (?)", "x".repeat(64));
    }
    for (const ws of batch) {
      try {
        ws.send("ok");
      } catch {
        // Closed meanwhile.
      }
    }
  }
}

export default {
  fetch(request, env) {
    return env.BARE_GATE.get(env.BARE_GATE.idFromName("gate")).fetch(request);
  },
};
