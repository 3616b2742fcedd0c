/**
 * Private helpers of the client, not exported from the package.
 *
 * @module
 */

import { base64urlnopad } from "../encoding/mod.ts";
import { ProtocolError } from "../protocol/errors.ts";

// Node's socket error codes, in words.
const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the host's name did not resolve",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

/**
 * Fetches, naming the URL when it cannot be reached at all.
 *
 * @param fetchFn The fetch function.
 * @param url The URL.
 * @param init The request options.
 * @returns The response.
 * @throws {ProtocolError} `UNREACHABLE`, naming the URL, if the request failed.
 */
export async function fetchFrom(
  fetchFn: typeof fetch,
  url: URL | string,
  init?: RequestInit,
): Promise<Response> {
  try {
    return await fetchFn(url, init);
  } catch (error) {
    // The runtime's own words are in the cause, not in "fetch failed": Deno's "… Connection
    // refused (os error 111)", Node's code (ECONNREFUSED) beside "connect ECONNREFUSED
    // 127.0.0.1:8787", whose last part is only the port.
    const cause = (error as { cause?: { message?: string; code?: string } })?.cause;
    const last = cause?.code
      ? SOCKET_ERRORS[cause.code] ?? cause.code
      : cause?.message?.match(/[^:]*\(os error \d+\)|[^:]*$/)?.[0]?.trim();
    const why = last || (error instanceof Error ? error.message : String(error));
    throw new ProtocolError("UNREACHABLE", `Cannot reach ${url}: ${why}`, { cause: error });
  }
}

/**
 * The network URL over HTTP, for the HTTP API and for diagnosing a failed upgrade.
 *
 * @param url A `ws(s):` or `http(s):` URL.
 * @returns The same URL as `http(s):`.
 */
export function httpUrl(url: string): string {
  const u = new URL(url);
  if (u.protocol === "ws:") u.protocol = "http:";
  else if (u.protocol === "wss:") u.protocol = "https:";
  return u.toString();
}

/**
 * Text or bytes as a JSON message carries them: text as it is, bytes as base64url with `bin`.
 *
 * @example Usage
 * ```ts
 * import { fromWire, toWire } from "./_util.ts";
 * console.assert(toWire(new Uint8Array([1])).bin === true);
 * console.assert(fromWire(toWire("hi")) === "hi");
 * ```
 *
 * @param data Text, or bytes.
 * @returns The `data` field, and `bin` for bytes.
 */
export function toWire(data: string | Uint8Array): { data: string; bin?: boolean } {
  return typeof data === "string" ? { data } : { data: base64urlnopad.encode(data), bin: true };
}

/**
 * The text or bytes of a JSON message's `data` (the other way of {@linkcode toWire}).
 *
 * @example Usage
 * ```ts
 * import { fromWire } from "./_util.ts";
 * console.assert((fromWire({ data: "AQ", bin: true }) as Uint8Array)[0] === 1);
 * ```
 *
 * @param m The message's `data` and `bin`.
 * @returns Text, or bytes.
 * @throws {Error} If `bin` and `data` is not base64url.
 */
export function fromWire(m: { data: string; bin?: boolean }): string | Uint8Array {
  return m.bin ? base64urlnopad.decode(m.data) : m.data;
}

/**
 * A promise with its resolve and reject, whose rejection is never unhandled (a peer closed
 * before anyone waited on it must not raise one).
 *
 * @returns The promise and its two functions.
 */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * The error of a payload too large to seal (made only when one is: a send builds no text).
 *
 * @example Usage
 * ```ts
 * import { payloadTooLarge } from "./_util.ts";
 * console.assert(payloadTooLarge("p", 10, 5) instanceof RangeError);
 * ```
 *
 * @param to The peer it was for.
 * @param bytes Its size.
 * @param limit The most a sealed payload may be.
 * @returns The error to throw.
 */
export function payloadTooLarge(to: string, bytes: number, limit: number): RangeError {
  return new RangeError(
    `Cannot send to "${to}": payload is ${bytes} bytes, sealed limit is ${limit}`,
  );
}
