import { Requests } from "../../src/client/requests.ts";
import type { ProtocolError } from "../../src/protocol/mod.ts";
import { assertEquals } from "../support/assert.ts";

function refusal(id: number, retryAfter: number) {
  return {
    t: "error" as const,
    ok: false as const,
    code: "RATE_LIMITED" as const,
    message: "slow down",
    retryAfter,
    id,
  };
}

Deno.test("requests: a request refused RATE_LIMITED is sent again after retryAfter", async () => {
  const sent: string[] = [];
  const requests = new Requests((text) => sent.push(text) > 0);
  const answer = requests.request({ t: "lookup", peer: "p" }, 5_000);
  assertEquals(requests.refuse(refusal(1, 20)), true);
  assertEquals(sent.length, 1, "not at once");
  await new Promise((r) => setTimeout(r, 60));
  assertEquals(sent, [sent[0], sent[0]], "the same request, with the same id");
  requests.answer({ t: "lookup.result", id: 1, online: false } as never);
  assertEquals((await answer as { t: string }).t, "lookup.result");
});

Deno.test("requests: a wait past the request's timeout is the caller's refusal", async () => {
  const sent: string[] = [];
  const requests = new Requests((text) => sent.push(text) > 0);
  const answer = requests.request({ t: "lookup", peer: "p" }, 1_000);
  requests.refuse(refusal(1, 5_000));
  const error = await answer.then(() => undefined, (e: ProtocolError) => e);
  assertEquals(error?.code, "RATE_LIMITED");
  assertEquals(sent.length, 1);
});
