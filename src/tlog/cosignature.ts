/**
 * Cosignatures (C2SP `tlog-cosignature`, `cosignature/v1`): a witness's statement that it
 * checked a checkpoint consistent with every earlier one it saw of that log. The witness signs
 * `cosignature/v1\ntime <seconds>\n` followed by the checkpoint's text, with a key of type
 * 0x04, and the line it adds to the checkpoint's note carries the time as 8 bytes (big-endian
 * seconds since the epoch) before the 64-byte Ed25519 signature.
 *
 * @module
 */
import {
  NOTE_TYPE_COSIGNATURE,
  type NoteKey,
  noteKeyId,
  type NoteSignature,
  type NoteSigner,
  signatureLine,
  verifyEd25519,
} from "./note.ts";

const encoder = new TextEncoder();

/** The bytes a cosignature signs. */
function cosigned(checkpoint: string, time: number): Uint8Array {
  return encoder.encode(`cosignature/v1\ntime ${time}\n${checkpoint}`);
}

/**
 * A witness's cosignature line for a checkpoint.
 *
 * @param checkpoint The checkpoint's text (the note's text, not its signatures).
 * @param witness The witness's key.
 * @param time When it cosigns, in whole seconds since the epoch.
 * @returns The signature line, to add to the checkpoint's note.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { cosign } from "./cosignature.ts";
 * const w = await Identity.generate();
 * const signer = { name: "w", publicKey: w.publicKey, sign: (b: Uint8Array) => w.sign(b) };
 * const line = await cosign("log\n1\n" + "A".repeat(43) + "=\n", signer, 1_700_000_000);
 * console.assert(line.startsWith("\u2014 w "));
 * ```
 */
export async function cosign(
  checkpoint: string,
  witness: NoteSigner,
  time: number,
): Promise<string> {
  if (!Number.isSafeInteger(time) || time < 0) throw new TypeError("Bad cosignature time");
  const sig = await witness.sign(cosigned(checkpoint, time));
  const bytes = new Uint8Array(8 + sig.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(time));
  bytes.set(sig, 8);
  const id = noteKeyId(witness.name, NOTE_TYPE_COSIGNATURE, witness.publicKey);
  return signatureLine(witness.name, id, bytes);
}

/**
 * Checks one signature line of a checkpoint's note as a witness's cosignature.
 *
 * @param checkpoint The checkpoint's text.
 * @param line The line, as `splitNote` or `openNote` read it.
 * @param key The witness's key (type 0x04).
 * @returns The time it cosigned at, or `undefined` if the line is not its valid cosignature.
 *
 * @example Usage
 * ```ts
 * import { verifyCosignature } from "./cosignature.ts";
 * import { noteKey } from "./note.ts";
 * const key = noteKey("w", new Uint8Array(32), 4);
 * const line = { name: "w", id: key.id, bytes: new Uint8Array(72) };
 * console.assert(await verifyCosignature("log\n", line, key) === undefined);
 * ```
 */
export async function verifyCosignature(
  checkpoint: string,
  line: NoteSignature,
  key: NoteKey,
): Promise<number | undefined> {
  if (key.type !== NOTE_TYPE_COSIGNATURE || line.name !== key.name || line.id !== key.id) {
    return undefined;
  }
  if (line.bytes.length !== 72) return undefined;
  const time = new DataView(line.bytes.buffer, line.bytes.byteOffset).getBigUint64(0);
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const ok = await verifyEd25519(
    key.publicKey,
    line.bytes.slice(8),
    cosigned(checkpoint, Number(time)),
  );
  return ok ? Number(time) : undefined;
}
