// A stamped message the path cannot take now is kept and sent again: `send` says "queued",
// never "dropped", for what will still arrive.
import { ExactlyOnce } from "../../src/client/exactly_once.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("exactly once: a message the path refused now is queued, and goes at the replay", () => {
  const transmitted: string[] = [];
  let pathFull = true;
  const once = new ExactlyOnce({
    transmit: (_to, _stamp, data) => {
      if (pathFull) return "dropped";
      transmitted.push(new TextDecoder().decode(data));
      return "sent";
    },
    acknowledge: () => {},
    deliver: () => {},
  });
  const to = "6MkkeuEFjxZv9Z6TWHjYRXUz3HoaCDNYdhVVPntXQkfT1d1";
  assertEquals(once.send(to, "kept"), "queued");
  pathFull = false;
  once.replay(to);
  assertEquals(transmitted, ["kept"]);
  once.close();
});
