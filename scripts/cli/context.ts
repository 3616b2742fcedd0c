/**
 * What every command gets: where the network is, whose identity, how to print, and a checked
 * reading of its arguments.
 *
 * @module
 */
import {
  checkNetworkUrl,
  CLOSE_CODES,
  type CloseDetail,
  fileMarks,
  type Identity,
  isPeerId,
  Peer,
  type PeerOptions,
  ProtocolError,
} from "../../mod.ts";
import { DEFAULT_LIMITS, isTopic } from "../../src/protocol/mod.ts";
import { UsageError } from "./args.ts";
import { loadOrCreateIdentity } from "./identity_file.ts";
import { clock, Output, Refused } from "./output.ts";

/** How long the command line waits for a network that does not answer, by default. */
export const CLI_CONNECT_TIMEOUT_MS = 10_000;
/** How long a command that is stopping waits for its peer to close and save its marks, in ms. */
export const CLOSE_WAIT_MS = 2_000;

let exiting = false;

/**
 * Ends the process once the peer has closed and saved its marks (at most
 * {@linkcode CLOSE_WAIT_MS}); a second call, as a second Ctrl-C, does not wait.
 *
 * @example Usage
 * ```ts ignore
 * Deno.addSignalListener("SIGINT", () => void closeAndExit(peer, 0));
 * ```
 *
 * @param peer The command's peer.
 * @param code The exit code.
 * @returns Never: the process ends.
 */
export async function closeAndExit(peer: Peer, code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((r) => timer = setTimeout(r, CLOSE_WAIT_MS));
    await Promise.race([peer.close(), late]);
    clearTimeout(timer);
  }
  Deno.exit(code);
}

/** A command's setting. */
export class Context {
  readonly out: Output;

  /**
   * @param url The network's URL.
   * @param identityPath The identity file.
   * @param json Whether to print JSON lines.
   * @param connectTimeoutMs How long the first connection may take.
   * @param invitation An invitation to a closed network, sent with every hello.
   */
  constructor(
    readonly url: string,
    readonly identityPath: string,
    json: boolean,
    readonly connectTimeoutMs: number,
    readonly invitation?: string,
  ) {
    this.out = new Output(json);
    checkNetworkUrl(url);
  }

  /**
   * A route of the network's HTTP API.
   *
   * @param path The route, e.g. `/v1/faucet`.
   * @returns Its URL, `http(s):` for the network's `ws(s):`.
   */
  api(path: string): URL {
    return new URL(path, this.url.replace(/^ws/, "http"));
  }

  /** The identity, made on first use. */
  async identity(): Promise<{ identity: Identity; created: boolean }> {
    return await loadOrCreateIdentity(this.identityPath);
  }

  /**
   * A peer of this identity, not connected yet (listeners go on before `connect`).
   *
   * @param direct Whether it opens direct channels (WebRTC) to the peers it talks to.
   * @returns The peer.
   */
  async peer(direct = false, more: Partial<PeerOptions> = {}): Promise<Peer> {
    const { identity } = await this.identity();
    // WebRTC is loaded only by the commands that move bytes. On a network on this machine,
    // werift keeps its candidates on loopback; elsewhere the fastest that loads serves (the
    // native binding of libwebrtc, else werift).
    const transport = !direct
      ? undefined
      : isLoopback(this.url)
      ? (await import("../../src/client/direct/werift_transport.ts")).weriftTransport({
        hostAddresses: ["127.0.0.1"],
      })
      : await (await import("../../src/client/direct/native_transport.ts")).directTransport();
    return new Peer({
      url: this.url,
      identity,
      // Beside the identity: who sealed with it, and what it took, across runs.
      marks: fileMarks(this.identityPath.replace(/(\.json)?$/, ".marks.json")),
      firstConnectTimeoutMs: this.connectTimeoutMs,
      ...(this.invitation ? { invitation: this.invitation } : {}),
      ...(transport ? { direct: { transport } } : {}),
      ...more,
    });
  }

  /**
   * Connects, and says when a lost connection is back.
   *
   * @param peer The peer.
   * @param announce Whether to say where it connected (for a command that stays).
   */
  async connect(peer: Peer, announce = false): Promise<void> {
    let connected = false;
    let lost = false;
    peer.addEventListener("reconnecting", (e) => {
      const { attempt, delayMs, code } = (e as CustomEvent).detail;
      // Before the first welcome, `connect` reports; after, every loss is said once, and the
      // attempts now and then.
      if (!connected || (lost && (attempt & (attempt - 1)) !== 0)) return;
      const what = lost
        ? `still reconnecting (attempt ${attempt + 1})`
        : code === 0 || code === 1006
        ? "connection lost"
        : `connection closed (${code})`;
      lost = true;
      this.out.note(`${clock(Date.now())} ${what}; next try in ${delayMs} ms`);
    });
    peer.addEventListener("open", () => {
      if (lost) this.out.note(`${clock(Date.now())} reconnected`);
      connected = true;
      lost = false;
    });
    // A network that refuses connections (not started, wrong port) is said at once: the
    // client would go on trying until the connect timeout, as it does through a restart.
    const probe = this.api("/v1/network");
    await fetch(probe).then((r) => r.body?.cancel(), (error) => {
      const why = String((error as { cause?: unknown }).cause ?? error).replace(/^\w*Error: /, "");
      throw new ProtocolError("UNREACHABLE", `Cannot reach ${this.url}: ${why}`);
    });
    const welcome = await peer.connect();
    if (!announce) return;
    // One connection per identity: a second command with it (or the same identity anywhere
    // else) takes the network over from this one, which must say so rather than go quiet.
    peer.addEventListener("close", (e) => {
      if ((e as CustomEvent<CloseDetail>).detail.code !== CLOSE_CODES.SESSION_REPLACED) return;
      void closeAndExit(
        peer,
        this.out.fail(
          new Refused(
            "SESSION_REPLACED",
            `${clock(Date.now())} this identity (${peer.peerId}) connected from elsewhere ` +
              "(another command with the same --identity?); this one stopped",
          ),
        ),
      );
    });
    this.out.note(
      `connected to ${this.url} (network ${welcome.network}) as ${peer.peerId}, ` +
        `home shard ${welcome.shard} of ${welcome.shards}`,
    );
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || host.startsWith("127.");
}

/**
 * Checks a peer id argument.
 *
 * @example Usage
 * ```ts
 * import { peerIdArg } from "./context.ts";
 * try {
 *   peerIdArg("send", "bob");
 * } catch (e) {
 *   console.assert((e as Error).message.includes("not a peer id"));
 * }
 * ```
 *
 * @param command The command, for the message.
 * @param value The argument.
 * @returns It, checked.
 * @throws {UsageError} If it is not a peer id.
 */
export function peerIdArg(command: string, value: string): string {
  if (!isPeerId(value)) {
    throw new UsageError(
      `${command}: "${value}" is not a peer id (a peer id is 47 base58 characters; ` +
        "`deno task peer id` shows yours)",
    );
  }
  return value;
}

/**
 * Checks a topic argument.
 *
 * @example Usage
 * ```ts
 * import { topicArg } from "./context.ts";
 * console.assert(topicArg("pub", "news") === "news");
 * ```
 *
 * @param command The command, for the message.
 * @param value The argument.
 * @returns It, checked.
 * @throws {UsageError} If it is not a topic name.
 */
export function topicArg(command: string, value: string): string {
  const max = DEFAULT_LIMITS.MAX_TOPIC_BYTES;
  if (!isTopic(value, max)) {
    throw new UsageError(
      `${command}: "${value}" is not a topic (1 to ${max} bytes, no control characters)`,
    );
  }
  return value;
}

/**
 * Checks a whole-number argument against its range.
 *
 * @example Usage
 * ```ts
 * import { wholeArg } from "./context.ts";
 * console.assert(wholeArg("--count", "3", 1, 64) === 3);
 * ```
 *
 * @param what The argument's name, for the message.
 * @param value The argument.
 * @param min The least allowed.
 * @param max The most allowed.
 * @returns The number.
 * @throws {UsageError} If it is not a whole number in range.
 */
export function wholeArg(what: string, value: string, min: number, max: number): number {
  const n = /^[0-9]{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}
