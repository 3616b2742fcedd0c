/**
 * Balance proofs at scale: a shard's state tree over 1,000,000 accounts (`stateRoot`), and the
 * proofs of some present and some absent accounts (`balanceProof`, `verifyBalanceProof`): their
 * size in bytes, how long the root takes to build from nothing, and how long a light client
 * takes to check one. Pure code in this process: no network.
 *
 * @module
 */
import type { Account } from "../../src/ledger/mod.ts";
import { balanceProof, stateRoot, verifyBalanceProof } from "../../src/ledger/mod.ts";
import { base64urlnopad } from "../../src/encoding/mod.ts";
import { median, type SectionResult } from "./common.ts";

const ACCOUNTS = 1_000_000;
const PROVED = 8;

/**
 * Runs the section.
 *
 * @example Usage
 * ```ts ignore
 * const section = await balanceProofBench(1);
 * ```
 *
 * @param rounds Rounds, each over a fresh set of accounts.
 * @param log Where progress goes.
 * @returns The samples.
 */
export function balanceProofBench(
  rounds: number,
  log: (line: string) => void = console.log,
): Promise<SectionResult> {
  const samples: Record<string, number[]> = {};
  const push = (name: string, v: number) => (samples[name] ??= []).push(v);
  for (let r = 0; r < rounds; r++) {
    const accounts: [string, Account][] = Array.from(
      { length: ACCOUNTS },
      (_, i) => [`account-${r}-${i}`, { balance: BigInt(i), nonce: i % 13 }],
    );
    const t0 = performance.now();
    const root = stateRoot(accounts);
    push("proofs.state_root_build", (performance.now() - t0) / 1_000);
    const sizes: number[] = [];
    const checks: number[] = [];
    for (let k = 0; k < PROVED; k++) {
      // Half present, half absent.
      const id = k % 2 === 0 ? `account-${r}-${(k * 104_729) % ACCOUNTS}` : `absent-${r}-${k}`;
      const p = balanceProof(accounts, id);
      sizes.push(base64urlnopad.decode(p.proof).length);
      const t = performance.now();
      const shown = verifyBalanceProof(root, p);
      checks.push((performance.now() - t) * 1_000);
      if (!shown.ok || shown.present !== (k % 2 === 0)) throw new Error(`proof of ${id} failed`);
    }
    push("proofs.balance_bytes.max", Math.max(...sizes));
    push("proofs.balance_bytes.median", median(sizes));
    push("proofs.balance_check", median(checks));
    log(
      `balance proofs, ${ACCOUNTS} accounts: root in ${
        samples["proofs.state_root_build"].at(-1)!.toFixed(1)
      } s; proof ${median(sizes)} bytes (median), ${Math.max(...sizes)} at most; check ${
        median(checks).toFixed(0)
      } µs`,
    );
  }
  return Promise.resolve({
    title: "Balance proofs",
    method:
      `Each round builds the state tree (a compact sparse Merkle tree, \`src/merkle/sparse.ts\`) of ${
        ACCOUNTS.toLocaleString("en")
      } accounts from nothing in this process, then proves ${PROVED} accounts (half of them present, half absent) and checks each proof against the root as a light client would (\`verifyBalanceProof\`). A proof's size is its compact bytes (the tree proof: sibling count, a bitmap of the non-empty siblings, those siblings, and the leaf that ends the path), before base64url; the JSON around it adds the account id, its balance and nonce.`,
    samples,
    entries: [
      {
        name: "proofs.balance_bytes.max",
        unit: "bytes",
        what: `the largest balance proof among those made, ${
          ACCOUNTS.toLocaleString("en")
        } accounts`,
        baseline: null,
        target: "<= 1024",
      },
      {
        name: "proofs.balance_bytes.median",
        unit: "bytes",
        what: "a balance proof's size, median",
        baseline: null,
      },
      {
        name: "proofs.balance_check",
        unit: "µs",
        what: "a light client's check of one proof, median",
        baseline: null,
      },
      {
        name: "proofs.state_root_build",
        unit: "s",
        what: `the state root of ${ACCOUNTS.toLocaleString("en")} accounts, built from nothing`,
        baseline: null,
      },
    ],
  });
}
