/**
 * End-to-end sealing (`docs/PROTOCOL.md` section 13), for those who speak the protocol
 * without `Peer`: the sealing state machine of one peer ({@linkcode Sealer}, given a
 * {@linkcode SealerHost} to act through), the byte layouts of sealed payloads, the X25519
 * keys that follow from peer ids, mail sealed to an offline peer's identity, and signed and
 * sealed topic messages. A `Peer` does all of this itself.
 *
 * @example A message sealed and opened
 * ```ts
 * import { identitySealKey, MailReplays, openMail, sealMail } from "./mod.ts";
 * import { Identity } from "../identity/mod.ts";
 * const [a, b] = [await Identity.generate(), await Identity.generate()];
 * const la = { peerId: a.peerId, secret: await identitySealKey(a) };
 * const lb = { peerId: b.peerId, secret: await identitySealKey(b) };
 * const mail = (await sealMail(la, b.peerId, 0, new Uint8Array([7]), 1000))!;
 * const opened = await openMail(lb, a.peerId, mail, 2000, new MailReplays(60_000));
 * console.assert(opened.ok && opened.payload[0] === 7);
 * ```
 *
 * @module
 */
export { Sealer } from "./sealer.ts";
export * from "./seal_bounds.ts";
export type * from "./sealer_host.ts";
export {
  ACCEPT_BYTES,
  COUNTER_BYTES,
  DATA_OVERHEAD,
  HELLO_BYTES,
  ID_BYTES,
  KEY_BYTES,
  MAIL_OVERHEAD,
  SEAL_ACCEPT,
  SEAL_DATA,
  SEAL_HELLO,
  SEAL_MAIL,
  SEAL_OVERHEAD,
  SEAL_UNKNOWN_SESSION,
  SEAL_UNSUPPORTED,
  TAG_BYTES,
} from "./envelope.ts";
export { type LocalKeys, SEAL_CONTEXT } from "./handshake.ts";
export { identitySealKey, sealPublicKey, sealSecretKey, X25519, type X25519Ops } from "./keys.ts";
export { AnswerBudget, type AnswerBudgetOptions } from "./answer_budget.ts";
export { IdentityMail, MailReplays, openMail, sealMail } from "./mail.ts";
export type { SealerKeys } from "./handshaker.ts";
export { SealedBefore } from "./sealed_before.ts";
export { type Opened, type OpenFailureCode, SEAL_REPLAY_WINDOW } from "./session.ts";
export * from "./topic.ts";
export { SEAL_CONSTANTS, type SealConstant } from "./seal_table.ts";
