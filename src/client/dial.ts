/**
 * The first steps of dialing a network over HTTP: its network id, and why an upgrade failed.
 *
 * @module
 */
import { type ErrorCode, ProtocolError } from "../protocol/errors.ts";
import { fetchFrom, httpUrl } from "./_util.ts";

/** Refusals of a hello that a fresh attempt would meet again: the peer stops on them. */
const FINAL_HELLO_CODES: ReadonlySet<string> = new Set([
  "HELLO_MALFORMED",
  "HELLO_BAD_SIGNATURE",
  "HELLO_WRONG_NETWORK",
  "HELLO_WRONG_ORIGIN",
  "HELLO_STALE",
  "ADMISSION_REFUSED",
  "INVITATION_INVALID",
]);

/**
 * Reads a network's id from `GET /v1/network`.
 *
 * @example Usage
 * ```ts
 * import { fetchNetworkId } from "./dial.ts";
 * const answer = () => Promise.resolve(Response.json({ network: "dev" }));
 * console.assert(await fetchNetworkId(answer, "ws://127.0.0.1:8787") === "dev");
 * ```
 *
 * @param fetchFn The fetch function.
 * @param base The network's URL.
 * @returns The network id.
 * @throws {ProtocolError} `UNREACHABLE` if nothing answers; an `Error` naming the URL if
 *   what answers is not a superpeer network.
 */
export async function fetchNetworkId(fetchFn: typeof fetch, base: string): Promise<string> {
  const url = new URL("/v1/network", httpUrl(base));
  const res = await fetchFrom(fetchFn, url);
  const body = await res.json().catch(() => ({})) as { network?: unknown };
  if (!res.ok || typeof body.network !== "string") {
    throw new Error(`${url} answered HTTP ${res.status} with no network id`);
  }
  return body.network;
}

/**
 * A browser hides why an upgrade failed, so this asks the same URL over plain HTTP: a hello
 * the network refuses (4xx with a code) is final; anything else is worth another attempt.
 *
 * @example Usage
 * ```ts
 * import { diagnoseUpgrade } from "./dial.ts";
 * const stale = () =>
 *   Promise.resolve(Response.json({ code: "HELLO_STALE", message: "clock" }, { status: 401 }));
 * const { refusal } = await diagnoseUpgrade(stale, "ws://127.0.0.1:8787/v1/connect");
 * console.assert(refusal?.code === "HELLO_STALE");
 * ```
 *
 * @param fetchFn The fetch function.
 * @param url The connect URL that failed.
 * @returns The final refusal, if it is one, what went wrong in words, and the wait a 429 asked for.
 */
export async function diagnoseUpgrade(
  fetchFn: typeof fetch,
  url: string,
): Promise<{ refusal?: ProtocolError; why: string; retryAfter?: number }> {
  try {
    const res = await fetchFn(httpUrl(url));
    const body = await res.json().catch(() => ({})) as {
      code?: string;
      message?: string;
      retryAfter?: number;
    };
    // Only a hello that no fresh attempt would fix is final. A used nonce was this attempt's,
    // claimed by a home that then dropped the socket; 426 says the hello is fine and the
    // upgrade failed on the way (a restart); 429 asks for a wait.
    if (FINAL_HELLO_CODES.has(body.code ?? "")) {
      const message = body.message ?? `Connect refused with HTTP ${res.status}`;
      return { refusal: new ProtocolError(body.code as ErrorCode, message), why: message };
    }
    const why = `the WebSocket upgrade failed (HTTP ${res.status}${
      body.code ? ` ${body.code}` : ""
    })`;
    // A wait the network asked for is kept: reconnecting sooner would only be refused again.
    const wait = res.status === 429 && typeof body.retryAfter === "number"
      ? body.retryAfter
      : undefined;
    return wait === undefined ? { why } : { why, retryAfter: wait };
  } catch (error) {
    // Unreachable: try again later.
    return { why: error instanceof Error ? error.message : String(error) };
  }
}
