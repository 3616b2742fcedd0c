/**
 * Signed transfers: the one JSON form, the canonical bytes that are signed and hashed, and
 * the checks that need no state (shape, amount, network, signature).
 *
 * Canonical bytes (big-endian): the tag `superpeer-tx-v1`, the network id (1-byte length,
 * ASCII), `from` and `to` as their 34 decoded peer-id bytes, amount as uint64, nonce as
 * uint64. The transfer's hash is the SHA-256 of these bytes, in hex.
 *
 * @module
 */
import { base64urlnopad, hex } from "../encoding/mod.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { type Identity, verifySignature } from "../identity/identity.ts";
import type { ErrorCode } from "../protocol/errors.ts";
import type { TransferJson } from "../protocol/ledger_wire.ts";
import type { Refusal } from "../protocol/refusal.ts";
import { DEFAULT_LIMITS } from "../protocol/limits.ts";
import { NETWORK_ID_PATTERN } from "../protocol/hello.ts";
import { ByteWriter, isAccountId } from "./_codec.ts";

/** Domain tag of a transfer's signed bytes. */
export const TRANSFER_TAG = "superpeer-tx-v1";

/** A transfer's fields, before signing. */
export interface TransferFields {
  /** The network id; binds the signature to one network. */
  network: string;
  /** The paying account (a peer id). */
  from: string;
  /** The receiving account (a peer id). */
  to: string;
  /** The amount, a positive whole number. */
  amount: bigint;
  /** The paying account's next nonce: 1 for its first transfer, then 2, 3, … */
  nonce: number;
}

/** A signed transfer. */
export interface Transfer extends TransferFields {
  /** Ed25519 signature of the canonical bytes by `from`, base64url without padding. */
  sig: string;
}

/**
 * The canonical bytes of a transfer, which its signature covers.
 *
 * @param t The fields.
 * @returns The bytes.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { transferBytes } from "./transfer.ts";
 * const [from, to] = [(await Identity.generate()).peerId, (await Identity.generate()).peerId];
 * const bytes = transferBytes({ network: "dev", from, to, amount: 5n, nonce: 1 });
 * console.assert(bytes.length === 15 + 1 + 3 + 34 + 34 + 8 + 8);
 * ```
 */
export function transferBytes(t: TransferFields): Uint8Array {
  return new ByteWriter().tag(TRANSFER_TAG).shortString(t.network).peer(t.from).peer(t.to)
    .u64(t.amount).u64(t.nonce).finish();
}

/**
 * A transfer's hash: hex SHA-256 of its canonical bytes.
 *
 * @param t The fields.
 * @returns 64 hex characters.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { signTransfer, transferHash } from "./transfer.ts";
 * const me = await Identity.generate();
 * const t = await signTransfer(me, { network: "dev", to: me.peerId, amount: 5n, nonce: 1 });
 * console.assert(/^[0-9a-f]{64}$/.test(transferHash(t)));
 * ```
 */
export function transferHash(t: TransferFields): string {
  return hex.encode(sha256(transferBytes(t)));
}

/**
 * Signs a transfer.
 *
 * @param identity The paying account's identity; `from` is its peer id.
 * @param fields Everything but `from`.
 * @returns The signed transfer.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { signTransfer } from "./transfer.ts";
 * const me = await Identity.generate();
 * const you = await Identity.generate();
 * const t = await signTransfer(me, { network: "dev", to: you.peerId, amount: 5n, nonce: 1 });
 * console.assert(t.sig.length === 86);
 * ```
 */
export async function signTransfer(
  identity: Identity,
  fields: Omit<TransferFields, "from">,
): Promise<Transfer> {
  const t = { ...fields, from: identity.peerId };
  return { ...t, sig: base64urlnopad.encode(await identity.sign(transferBytes(t))) };
}

/**
 * Checks a transfer's signature against its `from` account.
 *
 * @param t The transfer.
 * @returns Whether it verifies.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { signTransfer, verifyTransfer } from "./transfer.ts";
 * const me = await Identity.generate();
 * const t = await signTransfer(me, { network: "dev", to: me.peerId, amount: 5n, nonce: 1 });
 * console.assert(await verifyTransfer(t));
 * console.assert(!await verifyTransfer({ ...t, amount: 6n }));
 * ```
 */
export async function verifyTransfer(t: Transfer): Promise<boolean> {
  let sig: Uint8Array;
  let bytes: Uint8Array;
  try {
    sig = base64urlnopad.decode(t.sig);
    // Throws for an account that is no peer id (a weak key among them): signed by no one.
    bytes = transferBytes(t);
  } catch {
    return false;
  }
  return await verifySignature(t.from, sig, bytes);
}

/**
 * The JSON form of a transfer.
 *
 * @param t The transfer.
 * @returns Its JSON form.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { signTransfer, transferToJson } from "./transfer.ts";
 * const me = await Identity.generate();
 * const t = await signTransfer(me, { network: "dev", to: me.peerId, amount: 5n, nonce: 1 });
 * console.assert(transferToJson(t).amount === "5");
 * ```
 */
export function transferToJson(t: Transfer): TransferJson {
  return {
    network: t.network,
    from: t.from,
    to: t.to,
    amount: String(t.amount),
    nonce: t.nonce,
    sig: t.sig,
  };
}

/**
 * The transfer of a JSON form that was already checked (as stored by a shard).
 *
 * @param j The JSON form.
 * @returns The transfer.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { signTransfer, transferFromJson, transferToJson } from "./transfer.ts";
 * const me = await Identity.generate();
 * const t = await signTransfer(me, { network: "dev", to: me.peerId, amount: 5n, nonce: 1 });
 * console.assert(transferFromJson(transferToJson(t)).amount === 5n);
 * ```
 */
export function transferFromJson(j: TransferJson): Transfer {
  return { ...j, amount: BigInt(j.amount) };
}

/**
 * Parses the JSON form of a transfer, refusing with a code what is not one. The amount is a
 * decimal string (a JSON number is `TX_MALFORMED`: one transfer has one JSON form); it must
 * be a whole number from 1 to `maxAmount`.
 *
 * @param value Parsed JSON.
 * @param maxAmount The largest amount allowed.
 * @returns The transfer, or a refusal.
 *
 * @example Usage
 * ```ts
 * import { parseTransfer } from "./transfer.ts";
 * const r = parseTransfer({ amount: "0" });
 * console.assert(!r.ok && r.code === "TX_MALFORMED");
 * ```
 */
export function parseTransfer(
  value: unknown,
  maxAmount: number = DEFAULT_LIMITS.MAX_TRANSFER_AMOUNT,
): { ok: true; transfer: Transfer } | Refusal {
  const bad = (code: ErrorCode, message: string): Refusal => ({ ok: false, code, message });
  if (typeof value !== "object" || value === null) {
    return bad("TX_MALFORMED", "Transfer is not an object");
  }
  const v = value as Record<string, unknown>;
  if (typeof v.network !== "string" || !NETWORK_ID_PATTERN.test(v.network)) {
    return bad("TX_MALFORMED", 'Transfer field "network" is malformed');
  }
  if (!isAccountId(v.from)) return bad("TX_MALFORMED", 'Transfer field "from" is not a peer id');
  if (!isAccountId(v.to)) return bad("TX_MALFORMED", 'Transfer field "to" is not a peer id');
  // Paying oneself moves nothing and would only use up a nonce.
  if (v.to === v.from) return bad("TX_TO_SELF", "A transfer pays another account, not its payer");
  if (typeof v.nonce !== "number" || !Number.isSafeInteger(v.nonce) || v.nonce < 1) {
    return bad("TX_MALFORMED", 'Transfer field "nonce" is not a whole number from 1');
  }
  if (typeof v.sig !== "string" || !canonicalSig(v.sig)) {
    return bad("TX_MALFORMED", 'Transfer field "sig" is not 64 bytes in canonical base64url');
  }
  if (typeof v.amount !== "string") {
    return bad("TX_MALFORMED", 'Transfer field "amount" is not a decimal string');
  }
  // One decimal form per amount: no leading zeros, so that one transfer has one JSON form.
  if (!/^(0|-?[1-9][0-9]{0,29})$/.test(v.amount)) {
    return bad(
      "TX_BAD_AMOUNT",
      `Transfer amount ${JSON.stringify(v.amount)} is not a whole number`,
    );
  }
  const amount = BigInt(v.amount);
  if (amount < 1n || amount > BigInt(maxAmount)) {
    return bad("TX_BAD_AMOUNT", `Transfer amount ${amount} is outside 1..${maxAmount}`);
  }
  return {
    ok: true,
    transfer: { network: v.network, from: v.from, to: v.to, amount, nonce: v.nonce, sig: v.sig },
  };
}

// 86 base64url characters hold 516 bits for 512: the last one's 4 spare bits must be 0, so that
// one signature has one spelling (and decoding never throws later).
function canonicalSig(sig: string): boolean {
  if (!/^[A-Za-z0-9_-]{86}$/.test(sig)) return false;
  try {
    base64urlnopad.decode(sig);
    return true;
  } catch {
    return false;
  }
}
