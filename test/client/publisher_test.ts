import { Requests } from "../../src/client/requests.ts";
import { Publisher } from "../../src/client/publisher.ts";
import { assert, assertEquals } from "../support/assert.ts";

/**
 * A topic's home as the network keeps it: each publisher's highest number, a publish at or
 * below it acknowledged as a repeat and not delivered. It refuses the publishes whose data is
 * in `refuse` once, for their sender's rate, before any work.
 */
function home(refuse: Set<string>) {
  const delivered: string[] = [];
  let last = 0;
  const requests = new Requests((text) => {
    const m = JSON.parse(text) as { id: number; n: number; data: string };
    queueMicrotask(() => {
      if (refuse.delete(m.data)) {
        requests.refuse({
          t: "error",
          ok: false,
          code: "RATE_LIMITED",
          message: "slow down",
          retryAfter: 10,
          id: m.id,
        });
        return;
      }
      if (m.n > last) [last] = [m.n, delivered.push(m.data)];
      requests.answer({ t: "pub.result", id: m.id } as never);
    });
    return true;
  });
  const publisher = new Publisher({
    connected: true,
    request: (m, timeoutMs, resend) => requests.request(m, timeoutMs, resend),
  });
  return { publisher, delivered };
}

Deno.test("publisher: a publish refused between two others is delivered, not taken as a repeat", async () => {
  const { publisher, delivered } = home(new Set(["b"]));
  const numbers = await Promise.all(["a", "b", "c"].map((d) => publisher.publish("t", d)));
  assertEquals(delivered, ["a", "c", "b"], "b went again after its wait, under a new number");
  assert(numbers[1] > numbers[2], "b's number is above c's");
  assertEquals(publisher.unacknowledged, 0);
});

Deno.test("publisher: a crowd of publishes refused in turn all arrive once", async () => {
  const all = Array.from({ length: 50 }, (_, i) => `m${i}`);
  const { publisher, delivered } = home(new Set(all.filter((_, i) => i % 3 === 1)));
  await Promise.all(all.map((d) => publisher.publish("t", d)));
  assertEquals([...delivered].sort(), [...all].sort());
});

Deno.test("publisher: a refusal past the publish's time reaches the caller", async () => {
  const requests = new Requests(() => true);
  const publisher = new Publisher({
    connected: true,
    request: (m, timeoutMs, resend) => {
      const answer = requests.request(m, timeoutMs, resend);
      queueMicrotask(() =>
        requests.refuse({
          t: "error",
          ok: false,
          code: "RATE_LIMITED",
          message: "slow down",
          retryAfter: 60_000,
          id: 1,
        })
      );
      return answer;
    },
  });
  const error = await publisher.publish("t", "x").then(() => undefined, (e) => e);
  assertEquals(error?.code, "RATE_LIMITED");
  assertEquals(publisher.unacknowledged, 0);
});
