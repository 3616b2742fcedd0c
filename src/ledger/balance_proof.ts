/**
 * Balance proofs: a shard's accounts as a sparse Merkle tree (`superpeer/merkle`, `sparse.ts`),
 * whose root (the state root) a checkpoint will carry, so that a peer can prove what an account
 * holds, or that the shard holds no such account, to anyone who has the root and nothing else.
 *
 * An account's key in the tree is `SHA-256(id)` (the id's UTF-8 bytes) and its value
 * `SHA-256("<balance>\n<nonce>\n")` (both in decimal). A proof travels as JSON: the account, its
 * balance and nonce (or `null` for none), and the tree proof's compact bytes in base64url.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { base64urlnopad } from "../encoding/mod.ts";
import {
  decodeSparseProof,
  encodeSparseProof,
  type SparseLeaf,
  type SparseProof,
  sparseProof,
  sparseRoot,
  verifySparseProof,
} from "../merkle/mod.ts";
import type { Account } from "./storage.ts";

const encoder = new TextEncoder();

export type { BalanceProof } from "../protocol/log_wire.ts";
import type { BalanceProof } from "../protocol/log_wire.ts";

/** What a balance proof shows. */
export type BalanceShown =
  | { ok: true; account: string; present: true; balance: bigint; nonce: number }
  | { ok: true; account: string; present: false }
  | { ok: false; message: string };

/**
 * An account's leaf in the state tree.
 *
 * @param id The account id.
 * @param account Its state.
 * @returns The leaf.
 *
 * @example Usage
 * ```ts
 * import { accountLeaf } from "./balance_proof.ts";
 * console.assert(accountLeaf("a", { balance: 5n, nonce: 1 }).key.length === 32);
 * ```
 */
export function accountLeaf(id: string, account: Account): SparseLeaf {
  return {
    key: sha256(encoder.encode(id)),
    value: sha256(encoder.encode(`${account.balance}\n${account.nonce}\n`)),
  };
}

/**
 * The state root of a set of accounts.
 *
 * @param accounts The accounts, by id.
 * @returns The root.
 *
 * @example Usage
 * ```ts
 * import { stateRoot } from "./balance_proof.ts";
 * console.assert(stateRoot([["a", { balance: 5n, nonce: 1 }]]).length === 32);
 * ```
 */
export function stateRoot(accounts: Iterable<readonly [string, Account]>): Uint8Array {
  return sparseRoot([...accounts].map(([id, a]) => accountLeaf(id, a)));
}

/**
 * The proof of one account's state (or of its absence) among a set of accounts.
 *
 * @param accounts The accounts, by id.
 * @param id The account to prove.
 * @returns The proof.
 *
 * @example Usage
 * ```ts
 * import { balanceProof, stateRoot, verifyBalanceProof } from "./balance_proof.ts";
 * const accounts: [string, { balance: bigint; nonce: number }][] = [["a", { balance: 5n, nonce: 1 }]];
 * const shown = verifyBalanceProof(stateRoot(accounts), balanceProof(accounts, "a"));
 * console.assert(shown.ok && shown.present && shown.balance === 5n);
 * ```
 */
export function balanceProof(
  accounts: Iterable<readonly [string, Account]>,
  id: string,
): BalanceProof {
  const list = [...accounts];
  const leaves = list.map(([i, a]) => accountLeaf(i, a));
  const found = list.find(([i]) => i === id)?.[1];
  return balanceProofFrom(id, found, sparseProof(leaves, sha256(encoder.encode(id))));
}

/**
 * A balance proof from the state tree's proof for the account's key (a tree kept by parts,
 * `SparseState`, proves a key as the whole tree would).
 *
 * @param id The account.
 * @param account Its state, or `undefined` if the shard holds no such account.
 * @param proof The tree's proof for `SHA-256(id)`.
 * @returns The balance proof.
 *
 * @example Usage
 * ```ts
 * import { balanceProofFrom } from "./balance_proof.ts";
 * console.assert(balanceProofFrom("a", undefined, { siblings: [] }).balance === null);
 * ```
 */
export function balanceProofFrom(
  id: string,
  account: Account | undefined,
  proof: SparseProof,
): BalanceProof {
  const bytes = base64urlnopad.encode(encodeSparseProof(proof));
  return account
    ? { account: id, balance: String(account.balance), nonce: account.nonce, proof: bytes }
    : { account: id, balance: null, nonce: null, proof: bytes };
}

/**
 * Checks a balance proof against a state root, offline.
 *
 * @param root The state root (from a checkpoint the reader believes).
 * @param p The proof, as received (anything).
 * @returns The account's state, its absence, or why the proof shows nothing.
 *
 * @example Usage
 * ```ts
 * import { verifyBalanceProof } from "./balance_proof.ts";
 * console.assert(!verifyBalanceProof(new Uint8Array(32), { account: "a" } as never).ok);
 * ```
 */
export function verifyBalanceProof(root: Uint8Array, p: BalanceProof): BalanceShown {
  const no = (message: string): BalanceShown => ({ ok: false, message });
  if (typeof p !== "object" || p === null || typeof p.account !== "string") {
    return no("Not a balance proof");
  }
  let bytes: Uint8Array;
  try {
    bytes = base64urlnopad.decode(String(p.proof));
  } catch {
    return no("The proof is not base64url");
  }
  const proof = decodeSparseProof(bytes);
  if (!proof) return no("The proof's bytes are not a tree proof");
  const key = sha256(encoder.encode(p.account));
  if (p.balance === null && p.nonce === null) {
    return verifySparseProof(root, key, undefined, proof)
      ? { ok: true, account: p.account, present: false }
      : no("The proof does not show the account absent under this root");
  }
  if (typeof p.balance !== "string" || !/^(0|[1-9][0-9]*)$/.test(p.balance)) {
    return no("A balance is a decimal string");
  }
  if (!Number.isSafeInteger(p.nonce) || (p.nonce as number) < 0) return no("Bad nonce");
  const account = { balance: BigInt(p.balance), nonce: p.nonce as number };
  const leaf = accountLeaf(p.account, account);
  return verifySparseProof(root, key, leaf.value, proof)
    ? { ok: true, account: p.account, present: true, ...account }
    : no("The proof does not show this state under this root");
}
