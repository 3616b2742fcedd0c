import { base64urlnopad } from "../../src/encoding/mod.ts";
import { type Account, balanceProof, stateRoot, verifyBalanceProof } from "../../src/ledger/mod.ts";
import { decodeSparseProof } from "../../src/merkle/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

const accounts: [string, Account][] = Array.from(
  { length: 300 },
  (_, i) => [`acct-${i}`, { balance: BigInt(i * 1000), nonce: i % 7 }],
);

Deno.test("verifyBalanceProof: present and absent accounts, checked with the root alone", () => {
  const root = stateRoot(accounts);
  const p = balanceProof(accounts, "acct-42");
  assertEquals([p.balance, p.nonce], ["42000", 0]);
  const shown = verifyBalanceProof(root, JSON.parse(JSON.stringify(p)));
  assert(shown.ok && shown.present && shown.balance === 42000n && shown.nonce === 0);
  const none = balanceProof(accounts, "nobody");
  assertEquals([none.balance, none.nonce], [null, null]);
  const absent = verifyBalanceProof(root, none);
  assert(absent.ok && !absent.present);
});

Deno.test("verifyBalanceProof refuses a forged balance, a hidden account, another root", () => {
  const root = stateRoot(accounts);
  const p = balanceProof(accounts, "acct-42");
  for (
    const forged of [{ ...p, balance: "42001" }, { ...p, nonce: 1 }, { ...p, account: "acct-43" }]
  ) {
    const r = verifyBalanceProof(root, forged);
    assert(!r.ok, JSON.stringify(forged).slice(0, 60));
  }
  // The account exists: its proof cannot say it does not.
  assert(!verifyBalanceProof(root, { ...p, balance: null, nonce: null }).ok);
  // Nor can another account's absence proof be passed off as this one's.
  assert(!verifyBalanceProof(root, { ...balanceProof(accounts, "nobody"), account: "acct-42" }).ok);
  // One transfer later the root moved: yesterday's proof does not hold against it.
  const later = accounts.map(([id, a]): [string, Account] =>
    id === "acct-42" ? [id, { balance: a.balance - 1n, nonce: a.nonce + 1 }] : [id, a]
  );
  assert(!verifyBalanceProof(stateRoot(later), p).ok);
  for (const junk of [null, {}, { account: "a", balance: "1", nonce: 1, proof: "!" }]) {
    assert(!verifyBalanceProof(root, junk as never).ok);
  }
  assert(!verifyBalanceProof(root, { ...p, balance: "-1" }).ok);
  assert(!verifyBalanceProof(root, { ...p, balance: "01" }).ok);
});

Deno.test("a balance proof among 100,000 accounts is well under 1 KiB", () => {
  const many: [string, Account][] = Array.from(
    { length: 100_000 },
    (_, i) => [`peer-${i}`, { balance: 1n, nonce: 0 }],
  );
  const p = balanceProof(many, "peer-777");
  const bytes = base64urlnopad.decode(p.proof).length;
  assert(bytes <= 1024, `${bytes} bytes`);
  assert(decodeSparseProof(base64urlnopad.decode(p.proof))!.siblings.length >= 16);
  assert(verifyBalanceProof(stateRoot(many), p).ok);
});
