/**
 * Signatures checked away from the sequencer. A shard orders transfers one at a time on one
 * thread, and the Ed25519 check was most of each transfer's time there; it needs no state, so
 * stateless code checks it first (the edge for HTTP, a verifier Worker for a peer's socket),
 * in parallel, and hands the shard a verdict per transfer: its hash, its block leaf's hash and
 * whether its signature verified. The verdicts travel with a MAC over them and the transfers'
 * JSON, under a key derived from the network's secret, which only the network's own code holds:
 * a shard applies a transfer only with a verdict that the MAC binds to it (and then hashes
 * nothing itself), so a transfer that reached it by any other path is refused (`TX_UNVERIFIED`).
 *
 * @module
 */
import { base64urlnopad, hex } from "@scure/base";
import { sha256 } from "@noble/hashes/sha2.js";
import { verifySignature } from "../identity/identity.ts";
import { parseTransfer, transferBytes } from "./transfer.ts";
import { transferLeaf } from "./block.ts";
import { leafHash } from "../merkle/tree.ts";
import type { Verdict } from "./verdict.ts";

export type { Verdict } from "./verdict.ts";

/** Verdicts for a batch, with the MAC that vouches for them. */
export interface SealedVerdicts {
  /** One per transfer, in the batch's order. */
  readonly verdicts: readonly Verdict[];
  /** Base64url HMAC-SHA256 over the transfers and their verdicts (`verdictBytes`). */
  readonly mac: string;
}

/**
 * Checks the signatures of a batch of transfers, in their JSON form. Stateless: it reads no
 * account, so it runs anywhere and in parallel.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { signTransfer, transferToJson } from "./transfer.ts";
 * import { verifyTransfers } from "./verdicts.ts";
 * const [a, b] = [await Identity.generate(), await Identity.generate()];
 * const t = await signTransfer(a, { network: "n", to: b.peerId, amount: 5n, nonce: 1 });
 * const [v] = await verifyTransfers([transferToJson(t)], 1_000_000);
 * console.assert(v.ok && v.hash !== null);
 * ```
 *
 * @param values Transfers, parsed JSON.
 * @param maxAmount The largest amount of one transfer.
 * @returns One verdict each.
 */
export async function verifyTransfers(
  values: readonly unknown[],
  maxAmount: number,
): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (const value of values) {
    const parsed = parseTransfer(value, maxAmount);
    if (!parsed.ok) {
      out.push({ hash: null, leaf: null, ok: false });
      continue;
    }
    const t = parsed.transfer;
    const bytes = transferBytes(t);
    const sig = base64urlnopad.decode(t.sig);
    const ok = await verifySignature(t.from, sig, bytes);
    const leaf = hex.encode(leafHash(transferLeaf(bytes, sig)));
    out.push({ hash: hex.encode(sha256(bytes)), leaf, ok });
  }
  return out;
}

/**
 * The key verdicts are vouched for with: HKDF-SHA256 of the network's secret, bound to the
 * network's id.
 *
 * @example Usage
 * ```ts
 * import { verdictKey } from "./verdicts.ts";
 * const key = await verdictKey("a secret", "my-network");
 * console.assert(key.algorithm.name === "HMAC");
 * ```
 *
 * @param secret The network's secret.
 * @param network The network's id.
 * @returns An HMAC-SHA256 key.
 */
export async function verdictKey(secret: string, network: string): Promise<CryptoKey> {
  const utf8 = new TextEncoder();
  const base = await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, [
    "deriveKey",
  ]);
  return await crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: utf8.encode("superpeer verdicts v1"),
      info: utf8.encode(network),
    },
    base,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

/**
 * What the MAC covers: each transfer's JSON as handed over (one line: JSON has no raw line
 * breaks), then its verdict's hashes (or `-`) and `1` or `0`.
 */
function verdictBytes(
  txs: readonly unknown[],
  verdicts: readonly Verdict[],
): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(
    verdicts.map((v, i) =>
      `${JSON.stringify(txs[i]) ?? "-"}\n${v.hash ?? "-"} ${v.leaf ?? "-"} ${v.ok ? 1 : 0}\n`
    ).join(""),
  );
}

/**
 * Vouches for verdicts: what the network's own code does once the signatures were checked.
 *
 * @example Usage
 * ```ts
 * import { openVerdicts, sealVerdicts, verdictKey } from "./verdicts.ts";
 * const key = await verdictKey("a secret", "my-network");
 * const txs = [{ from: "a payer" }];
 * const sealed = await sealVerdicts(key, txs, [{ hash: "ab".repeat(32), leaf: null, ok: true }]);
 * console.assert(await openVerdicts(key, txs, sealed) !== null);
 * ```
 *
 * @param key The verdicts' key.
 * @param txs The transfers, as they will be handed to the shard.
 * @param verdicts Their verdicts.
 * @returns The verdicts with their MAC.
 */
export async function sealVerdicts(
  key: CryptoKey,
  txs: readonly unknown[],
  verdicts: readonly Verdict[],
): Promise<SealedVerdicts> {
  const bytes = verdictBytes(txs, verdicts);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes));
  return { verdicts, mac: base64urlnopad.encode(mac) };
}

/**
 * Checks the MAC of verdicts a shard was handed with its transfers.
 *
 * @example Usage
 * ```ts
 * import { openVerdicts, sealVerdicts, verdictKey } from "./verdicts.ts";
 * const key = await verdictKey("a secret", "my-network");
 * const txs = [{ from: "a payer" }];
 * const sealed = await sealVerdicts(key, txs, [{ hash: "ab".repeat(32), leaf: null, ok: false }]);
 * const forged = { ...sealed, verdicts: [{ hash: "ab".repeat(32), leaf: null, ok: true }] };
 * console.assert(await openVerdicts(key, txs, forged) === null);
 * console.assert(await openVerdicts(key, [{ from: "another" }], sealed) === null);
 * ```
 *
 * @param key The verdicts' key.
 * @param txs The transfers handed over with them.
 * @param sealed What was handed over (any shape: it came over a call).
 * @returns One verdict per transfer, or `null` if their MAC does not hold for these transfers.
 */
export async function openVerdicts(
  key: CryptoKey,
  txs: readonly unknown[],
  sealed: unknown,
): Promise<Verdict[] | null> {
  if (typeof sealed !== "object" || sealed === null) return null;
  const { verdicts, mac } = sealed as Partial<SealedVerdicts>;
  if (!Array.isArray(verdicts) || typeof mac !== "string") return null;
  if (verdicts.length !== txs.length) return null;
  const hex64 = (h: unknown) => h === null || (typeof h === "string" && /^[0-9a-f]{64}$/.test(h));
  const fine = verdicts.every((v: Partial<Verdict>) =>
    typeof v === "object" && v !== null && typeof v.ok === "boolean" && hex64(v.hash) &&
    hex64(v.leaf)
  );
  if (!fine) return null;
  let tag: Uint8Array<ArrayBuffer>;
  try {
    tag = Uint8Array.from(base64urlnopad.decode(mac));
  } catch {
    return null;
  }
  const holds = await crypto.subtle.verify("HMAC", key, tag, verdictBytes(txs, verdicts));
  return holds ? verdicts : null;
}
