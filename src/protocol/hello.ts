/**
 * The signed hello that opens a connection. It travels in the query string of the
 * WebSocket upgrade (`GET /v1/connect?network=…&peer=…&ts=…&nonce=…&sig=…`), because a
 * browser cannot set headers on a WebSocket, and because the edge must refuse a bad hello
 * before any super-peer is woken.
 *
 * The signature covers the UTF-8 bytes of six lines joined by `\n`: `superpeer-hello-v2`,
 * network id, origin, peer id, timestamp (decimal ms since the epoch), nonce. The origin is the
 * network's URL as the client was given it (`helloOrigin`), so a server the client dialed cannot
 * present its hello to another network, nor to the same network under another origin.
 *
 * @module
 */
import { base64urlnopad } from "../encoding/mod.ts";
import { type Identity, verifySignature } from "../identity/identity.ts";
import { isPeerId } from "../identity/peer_id.ts";
import type { ErrorCode } from "./errors.ts";
import { DEFAULT_LIMITS } from "./limits.ts";

/** The first line of the signed bytes; binds the signature to this purpose and version. */
export const HELLO_CONTEXT = "superpeer-hello-v2";
/** Random bytes in a hello nonce (sent as 22 base64url characters). */
export const HELLO_NONCE_BYTES = 16;
/** What a network id looks like. */
export const NETWORK_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A hello, as sent in the query string. */
export interface Hello {
  /** The network id. */
  network: string;
  /** The origin of the URL the client dialed (`helloOrigin`): `http(s)://host[:port]`. */
  origin: string;
  /** The connecting peer's id. */
  peer: string;
  /** Milliseconds since the epoch when it was signed. */
  ts: number;
  /** 16 random bytes, base64url without padding. */
  nonce: string;
  /** Ed25519 signature of the signed bytes, base64url without padding. */
  sig: string;
}

/** The outcome of checking a hello. */
export type HelloCheck =
  | { ok: true; hello: Hello }
  | { ok: false; code: ErrorCode; status: 400 | 401; message: string };

const encoder = new TextEncoder();

/** Longest origin a hello may carry. */
const MAX_ORIGIN_CHARS = 256;

/**
 * The origin a hello signs for a network URL: the WHATWG origin of the URL with `ws:` read as
 * `http:` and `wss:` as `https:` (host in lower case, default port left out).
 *
 * @param url The network's URL as the client was given it (`ws:`, `wss:`, `http:`, `https:`).
 * @returns `http://host[:port]` or `https://host[:port]`.
 * @throws {TypeError} If the URL does not parse or is not one of those schemes.
 *
 * @example Usage
 * ```ts
 * import { helloOrigin } from "./hello.ts";
 * console.assert(helloOrigin("wss://Net.Example:443/v1/connect") === "https://net.example");
 * console.assert(helloOrigin("ws://127.0.0.1:8787") === "http://127.0.0.1:8787");
 * ```
 */
export function helloOrigin(url: string): string {
  const u = new URL(url);
  if (u.protocol === "ws:") u.protocol = "http:";
  else if (u.protocol === "wss:") u.protocol = "https:";
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new TypeError(`A network URL is ws:, wss:, http: or https:, not "${u.protocol}"`);
  }
  return u.origin;
}

/**
 * Returns the bytes a hello's signature covers.
 *
 * @param hello The hello's fields (the signature is not needed).
 * @returns The signed bytes.
 *
 * @example Usage
 * ```ts
 * import { helloSignedBytes } from "./hello.ts";
 * const bytes = helloSignedBytes({
 *   network: "dev",
 *   origin: "http://127.0.0.1:8787",
 *   peer: "p",
 *   ts: 1,
 *   nonce: "n",
 * });
 * const text = new TextDecoder().decode(bytes);
 * console.assert(text === "superpeer-hello-v2\ndev\nhttp://127.0.0.1:8787\np\n1\nn");
 * ```
 */
export function helloSignedBytes(hello: Omit<Hello, "sig">): Uint8Array {
  return encoder.encode(
    [HELLO_CONTEXT, hello.network, hello.origin, hello.peer, String(hello.ts), hello.nonce]
      .join("\n"),
  );
}

/**
 * Makes a fresh signed hello.
 *
 * @param identity The connecting peer.
 * @param network The network id.
 * @param url The network's URL as the client was given it; its origin is signed.
 * @param now The timestamp to sign, in ms since the epoch.
 * @returns The hello.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { signHello } from "./hello.ts";
 * const hello = await signHello(await Identity.generate(), "dev", "ws://127.0.0.1:8787");
 * console.assert(hello.nonce.length === 22 && hello.origin === "http://127.0.0.1:8787");
 * ```
 */
export async function signHello(
  identity: Identity,
  network: string,
  url: string,
  now: number = Date.now(),
): Promise<Hello> {
  const nonce = base64urlnopad.encode(crypto.getRandomValues(new Uint8Array(HELLO_NONCE_BYTES)));
  const origin = helloOrigin(url);
  const fields = { network, origin, peer: identity.peerId, ts: Math.floor(now), nonce };
  const sig = base64urlnopad.encode(await identity.sign(helloSignedBytes(fields)));
  return { ...fields, sig };
}

/**
 * Puts a hello into the query string of a connect URL.
 *
 * @param base The network's URL (`ws:`, `wss:`, `http:` or `https:`); its path is replaced.
 * @param hello The hello.
 * @param options `batch: true` asks the network to send this peer batch frames (`batch=1`,
 *   section 5 of `docs/PROTOCOL.md`); `invitation` carries an invitation to a closed network
 *   (`invite=`, `invitation.ts`). Neither is part of what the hello signs.
 * @returns The `ws:`/`wss:` URL of `/v1/connect` carrying the hello.
 *
 * @example Usage
 * ```ts
 * import { connectUrl } from "./hello.ts";
 * const url = connectUrl("http://127.0.0.1:8787", {
 *   network: "dev",
 *   origin: "http://127.0.0.1:8787",
 *   peer: "p",
 *   ts: 1,
 *   nonce: "n",
 *   sig: "s",
 * });
 * console.assert(url.startsWith("ws://127.0.0.1:8787/v1/connect?"));
 * ```
 */
export function connectUrl(
  base: string,
  hello: Hello,
  options: { batch?: boolean; invitation?: string } = {},
): string {
  const url = new URL(base);
  url.protocol = url.protocol === "https:" || url.protocol === "wss:" ? "wss:" : "ws:";
  url.pathname = "/v1/connect";
  url.search = new URLSearchParams({
    network: hello.network,
    origin: hello.origin,
    peer: hello.peer,
    ts: String(hello.ts),
    nonce: hello.nonce,
    sig: hello.sig,
    ...(options.batch ? { batch: "1" } : {}),
    ...(options.invitation ? { invite: options.invitation } : {}),
  }).toString();
  return url.toString();
}

/**
 * Checks a hello taken from a query string: shape, network, origin, timestamp window,
 * signature. Cheap checks come first so that junk costs no signature verification.
 *
 * @param params The query parameters.
 * @param expect The network id, the origins this network answers on (the request's own, or
 *   the configured list), and the checker's clock.
 * @returns The hello, or a refusal with a code and HTTP status.
 *
 * @example Usage
 * ```ts
 * import { checkHello } from "./hello.ts";
 * const r = await checkHello(new URLSearchParams(), {
 *   network: "dev",
 *   origins: ["http://127.0.0.1:8787"],
 *   now: Date.now(),
 * });
 * console.assert(!r.ok && r.code === "HELLO_MALFORMED");
 * ```
 */
export async function checkHello(
  params: URLSearchParams,
  expect: {
    network: string;
    origins: readonly string[];
    now: number;
    maxAgeMs?: number;
    maxSkewMs?: number;
  },
): Promise<HelloCheck> {
  const network = params.get("network") ?? "";
  const origin = params.get("origin");
  const peer = params.get("peer") ?? "";
  const tsText = params.get("ts") ?? "";
  const nonce = params.get("nonce") ?? "";
  const sigText = params.get("sig") ?? "";
  const malformed = (message: string): HelloCheck => ({
    ok: false,
    code: "HELLO_MALFORMED",
    status: 400,
    message,
  });
  if (!NETWORK_ID_PATTERN.test(network)) return malformed('Hello field "network" is malformed');
  if (origin === null) {
    return malformed(
      `Hello field "origin" is missing: this network speaks hello v2 (${HELLO_CONTEXT}), ` +
        "which signs the origin the client dialed",
    );
  }
  if (origin.length > MAX_ORIGIN_CHARS || !/^https?:\/\/[^/?#\s]+$/.test(origin)) {
    return malformed('Hello field "origin" is not an http(s) origin');
  }
  if (!isPeerId(peer)) return malformed('Hello field "peer" is not a peer id');
  if (!/^[0-9]{1,16}$/.test(tsText)) return malformed('Hello field "ts" is not a timestamp');
  if (!/^[A-Za-z0-9_-]{22}$/.test(nonce)) {
    return malformed('Hello field "nonce" is not 16 base64url bytes');
  }
  let sig: Uint8Array;
  try {
    sig = base64urlnopad.decode(sigText);
  } catch {
    return malformed('Hello field "sig" is not base64url');
  }
  if (sig.length !== 64) return malformed('Hello field "sig" is not 64 bytes');
  if (network !== expect.network) {
    return {
      ok: false,
      code: "HELLO_WRONG_NETWORK",
      status: 401,
      message: `Hello is for network "${network}", this is "${expect.network}"`,
    };
  }
  if (!expect.origins.includes(origin)) {
    return {
      ok: false,
      code: "HELLO_WRONG_ORIGIN",
      status: 401,
      message: `Hello was signed for ${origin}; this network answers on ${
        expect.origins.join(", ")
      }`,
    };
  }
  const ts = Number(tsText);
  const age = expect.now - ts;
  if (
    age > (expect.maxAgeMs ?? DEFAULT_LIMITS.HELLO_MAX_AGE_MS) ||
    -age > (expect.maxSkewMs ?? DEFAULT_LIMITS.MAX_CLOCK_SKEW_MS)
  ) {
    return {
      ok: false,
      code: "HELLO_STALE",
      status: 401,
      message: `Hello timestamp is ${age} ms from the network's clock`,
    };
  }
  const hello: Hello = { network, origin, peer, ts, nonce, sig: sigText };
  if (!await verifySignature(peer, sig, helloSignedBytes(hello))) {
    return {
      ok: false,
      code: "HELLO_BAD_SIGNATURE",
      status: 401,
      message: `Hello signature does not verify for peer "${peer}"`,
    };
  }
  return { ok: true, hello };
}
