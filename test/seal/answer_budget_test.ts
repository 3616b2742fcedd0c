// The budgets of what a peer sends unasked: per remote, per session id, in all, and bounded
// in memory however many remotes write.
import { assert, assertEquals } from "../support/assert.ts";
import { AnswerBudget } from "../../src/seal/answer_budget.ts";
import {
  SEAL_ANSWER_BURST,
  SEAL_ANSWER_TOTAL_BURST,
  SEAL_ANSWERS_PER_SECOND,
  SEAL_ANSWERS_TOTAL_PER_SECOND,
  SEAL_BUDGET_PEERS,
  SEAL_HELLO_BURST,
  SEAL_HELLOS_PER_SECOND,
  SEAL_UNKNOWN_ANSWER_INTERVAL_MS,
} from "../../src/seal/seal_bounds.ts";

const randomId = () => crypto.getRandomValues(new Uint8Array(8)).join(".");

function count(n: number, answer: (i: number) => boolean): number {
  let answered = 0;
  for (let i = 0; i < n; i++) if (answer(i)) answered++;
  return answered;
}

Deno.test("AnswerBudget: random unknown sessions from one remote get a burst, then the rate", () => {
  const budget = new AnswerBudget();
  assertEquals(
    count(10_000, () => budget.unknownSession("attacker", randomId(), 0)),
    SEAL_ANSWER_BURST,
  );
  // Ten seconds on: what the bucket refilled, up to a burst, and no more.
  const later = count(10_000, () => budget.unknownSession("attacker", randomId(), 10_000));
  assertEquals(later, Math.min(SEAL_ANSWER_BURST, 10 * SEAL_ANSWERS_PER_SECOND));
  // Over 100 s, one frame every 10 ms: the burst and the rate, not the 10,000 frames.
  const slow = new AnswerBudget();
  const spread = count(10_000, (i) => slow.unknownSession("attacker", randomId(), i * 10));
  assert(spread <= SEAL_ANSWER_BURST + 100 * SEAL_ANSWERS_PER_SECOND, `${spread} answers`);
  assert(spread >= 100 * SEAL_ANSWERS_PER_SECOND, `${spread} answers: the rate is kept`);
});

Deno.test("AnswerBudget: one unknown session id is answered once per interval", () => {
  const budget = new AnswerBudget();
  const id = randomId();
  assertEquals(count(100, () => budget.unknownSession("peer", id, 0)), 1);
  const justBefore = SEAL_UNKNOWN_ANSWER_INTERVAL_MS - 1;
  assertEquals(count(100, () => budget.unknownSession("peer", id, justBefore)), 0);
  assertEquals(count(100, () => budget.unknownSession("peer", id, justBefore + 1)), 1);
  // Another remote naming the same id has its own.
  assertEquals(count(100, () => budget.unknownSession("other", id, 0)), 1);
});

Deno.test("AnswerBudget: a remote's other answers share its bucket; hellos have their own", () => {
  const budget = new AnswerBudget();
  assertEquals(count(100, () => budget.answer("peer", 0)), SEAL_ANSWER_BURST);
  assert(!budget.unknownSession("peer", randomId(), 0), "the bucket is empty");
  assertEquals(count(100, () => budget.hello("peer", 0)), SEAL_HELLO_BURST);
  assertEquals(
    count(100, () => budget.hello("peer", 60_000)),
    Math.min(SEAL_HELLO_BURST, 60 * SEAL_HELLOS_PER_SECOND),
  );
});

Deno.test("AnswerBudget: many remotes get the total's burst and rate, not a burst each", () => {
  const budget = new AnswerBudget();
  const remotes = 10 * SEAL_ANSWER_TOTAL_BURST;
  assertEquals(count(remotes, (i) => budget.answer(`remote${i}`, 0)), SEAL_ANSWER_TOTAL_BURST);
  const later = count(remotes, (i) => budget.answer(`remote${i}`, 1_000));
  assertEquals(later, SEAL_ANSWERS_TOTAL_PER_SECOND);
});

Deno.test("AnswerBudget: the remotes kept stay under the cap, however many write", () => {
  const budget = new AnswerBudget();
  for (let i = 0; i < 3 * SEAL_BUDGET_PEERS; i++) {
    budget.unknownSession(`remote${i}`, randomId(), i);
    budget.hello(`remote${i}`, i);
    assert(budget.size <= SEAL_BUDGET_PEERS, `${budget.size} remotes kept`);
  }
  assertEquals(budget.size, SEAL_BUDGET_PEERS);
  const small = new AnswerBudget({ peers: 8 });
  for (let i = 0; i < 1_000; i++) small.answer(`remote${i}`, i);
  assertEquals(small.size, 8);
});
