import { Requests } from "../../src/client/requests.ts";
import { MAX_REQUESTS_IN_FLIGHT } from "../../src/client/constants.ts";
import {
  DEFAULT_LIMITS,
  type Limits,
  type ProtocolError,
  requestPrice,
} from "../../src/protocol/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

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

Deno.test("requests: a caller that keeps its order gets the refusal and its retryAfter", async () => {
  const sent: string[] = [];
  const requests = new Requests((text) => sent.push(text) > 0);
  const answer = requests.request({ t: "lookup", peer: "p" }, 5_000, false);
  requests.refuse(refusal(1, 20));
  const error = await answer.then(() => undefined, (e: ProtocolError) => e);
  assertEquals([error?.code, error?.retryAfter], ["RATE_LIMITED", 20]);
  await new Promise((r) => setTimeout(r, 60));
  assertEquals(sent.length, 1, "not sent again");
});

/** A fake network end that answers each request at once, unless told to hold. */
function network(limits?: () => Limits) {
  const sent: number[] = [];
  const requests = new Requests((text) => sent.push(JSON.parse(text).id) > 0, limits);
  const answer = (id: number) =>
    requests.answer({ t: "lookup.result", id, online: false } as never);
  return { sent, requests, answer };
}

Deno.test("requests: a burst leaves at most MAX_REQUESTS_IN_FLIGHT at once, in order", async () => {
  const { sent, requests, answer } = network();
  const all = Array.from({ length: 50 }, () => requests.request({ t: "lookup", peer: "p" }));
  assertEquals(sent, Array.from({ length: MAX_REQUESTS_IN_FLIGHT }, (_, i) => i + 1));
  answer(1);
  answer(2);
  assertEquals(sent.length, MAX_REQUESTS_IN_FLIGHT + 2, "one more per answer");
  for (let id = 3; id <= 50; id++) answer(id);
  assertEquals(sent, Array.from({ length: 50 }, (_, i) => i + 1));
  await Promise.all(all);
  assertEquals(requests.pending, 0);
});

Deno.test("requests: after RATE_LIMITED nothing leaves until the wait, then one at a time", async () => {
  const { sent, requests, answer } = network();
  const all = Array.from({ length: 5 }, () => requests.request({ t: "lookup", peer: "p" }));
  assertEquals(sent.length, 5);
  requests.refuse(refusal(3, 30));
  answer(4); // sent before the refusal: says nothing of what the network takes now
  answer(5);
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(sent.length, 5, "nothing during the wait");
  await new Promise((r) => setTimeout(r, 40));
  assertEquals(sent, [1, 2, 3, 4, 5, 3], "then the refused one, alone");
  answer(1);
  answer(2);
  answer(3);
  await Promise.all(all);
  const more = Array.from({ length: 4 }, () => requests.request({ t: "lookup", peer: "p" }));
  assertEquals(sent.slice(6), [6, 7], "its answer opened the window to two");
  for (const id of [6, 7, 8, 9]) answer(id);
  await Promise.all(more);
});

Deno.test("requests: with the network's limits, requests are paced by their price", async () => {
  const limits = { ...DEFAULT_LIMITS, RATE_LIMIT_FRAMES_PER_SECOND: 1_000 };
  const price = requestPrice({ t: "lookup", id: 1, peer: "p" }, limits);
  const burst = 10 * price;
  const { sent, requests, answer } = network(() => ({ ...limits, RATE_LIMIT_BURST_FRAMES: burst }));
  const all = Array.from({ length: 12 }, () => requests.request({ t: "lookup", peer: "p" }));
  // 90% of the burst at once; the rest at 90% of the rate (price / 0.9 ms each).
  assertEquals(sent.length, 9);
  for (const id of sent) answer(id);
  await new Promise((r) => setTimeout(r, Math.ceil(price / 0.9) + 15));
  assert(sent.length >= 10 && sent.length < 12, `${sent.length} sent`);
  await new Promise((r) => setTimeout(r, 3 * price));
  for (let id = 10; id <= 12; id++) answer(id);
  await Promise.all(all);
});

Deno.test("requests: after HOME_MOVED the unanswered go again, in order, once welcomed", async () => {
  const sent: string[] = [];
  let connected = true;
  const requests = new Requests((text) => connected && sent.push(text) > 0);
  const first = requests.request({ t: "lookup", peer: "a" }, 5_000);
  const second = requests.request({ t: "lookup", peer: "b" }, 5_000);
  requests.answer({ t: "lookup.result", id: 1, online: false } as never);
  assertEquals((await first as { t: string }).t, "lookup.result");
  // The home moved with the second unanswered; a third is asked before the next welcome.
  connected = false;
  requests.requeue();
  const third = requests.request({ t: "lookup", peer: "c" }, 5_000);
  assertEquals(sent.length, 2, "nothing leaves, and nothing is refused, until the welcome");
  connected = true;
  requests.resume();
  assertEquals(sent.slice(2).map((t) => [JSON.parse(t).id, JSON.parse(t).peer]), [[2, "b"], [
    3,
    "c",
  ]]);
  requests.answer({ t: "lookup.result", id: 2, online: true } as never);
  requests.answer({ t: "lookup.result", id: 3, online: true } as never);
  assertEquals([(await second as { t: string }).t, (await third as { t: string }).t], [
    "lookup.result",
    "lookup.result",
  ]);
  assertEquals(requests.pending, 0);
});
