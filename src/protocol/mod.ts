/**
 * Protocol v1: the one place that knows the bytes and shapes on the wire. See
 * `docs/PROTOCOL.md`.
 *
 * @example Usage
 * ```ts
 * import { decodeFrame, encodeFrame, FRAME_SEND } from "./mod.ts";
 * console.assert(decodeFrame(encodeFrame(FRAME_SEND, "abc", 1, "hi")).ok);
 * ```
 *
 * @module
 */
export * from "./batch_frame.ts";
export * from "./control_map.ts";
export * from "./direct.ts";
export * from "./errors.ts";
export * from "./frame_header.ts";
export * from "./frames.ts";
export * from "./hello.ts";
export * from "./http.ts";
export * from "./invitation.ts";
export * from "./ledger_wire.ts";
export * from "./log_wire.ts";
export * from "./limits.ts";
export * from "./prices.ts";
export * from "./messages.ts";
export * from "./refusal.ts";
export * from "./request_id.ts";
export * from "./service_messages.ts";
export * from "./metrics.ts";
export * from "./capacity.ts";
