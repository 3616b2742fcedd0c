/**
 * Direct channels outside the browser. {@linkcode nativeTransport} runs on `@roamhq/wrtc`, a
 * binding of the same libwebrtc that Chromium runs, whose npm package carries its binary for
 * each platform; {@linkcode directTransport} picks, at run time, the fastest implementation
 * that loads: the runtime's own WebRTC (a browser's), then the native binding, then werift
 * (WebRTC written in TypeScript, about a sixth of the native speed; `docs/BENCHMARKS.md`).
 *
 * For Deno and Node: in Node, install the one wanted beside the package (`npm install
 * @roamhq/wrtc`, or `npm install werift`); in Deno the native binding needs `--allow-ffi`, and
 * without it the choice falls to werift. A page needs neither (the root's `browserTransport()`),
 * and a browser's bundler would look for werift here.
 *
 * @module
 */
import {
  browserTransport,
  type PeerConnectionClass,
  webrtcTransport,
} from "./browser_transport.ts";
import type { DirectTransportFactory } from "./transport.ts";

/**
 * A transport factory on the native binding, or `undefined` where it does not load.
 *
 * @example Usage
 * ```ts
 * import { nativeTransport } from "./native_transport.ts";
 * import { weriftTransport } from "./werift_transport.ts";
 * export const transport = async () => await nativeTransport() ?? weriftTransport();
 * ```
 *
 * @returns The factory, or `undefined`.
 */
export async function nativeTransport(): Promise<DirectTransportFactory | undefined> {
  try {
    const wrtc = (await import("@roamhq/wrtc")).default as {
      RTCPeerConnection: PeerConnectionClass;
    };
    return typeof wrtc?.RTCPeerConnection === "function"
      ? webrtcTransport(wrtc.RTCPeerConnection)
      : undefined;
  } catch {
    return undefined; // not installed, no binary for this platform, or no permission to load it
  }
}

/** Which implementation {@linkcode directTransport} chose. */
export type TransportImplementation = "browser" | "native" | "werift";

/** A transport factory that says which implementation it runs on. */
export type ChosenTransport = DirectTransportFactory & {
  /** The implementation chosen. */
  readonly implementation: TransportImplementation;
};

function chosen(factory: DirectTransportFactory, implementation: TransportImplementation) {
  return Object.assign((...a: Parameters<DirectTransportFactory>) => factory(...a), {
    implementation,
  }) as ChosenTransport;
}

/**
 * The fastest direct-channel transport that loads here: the runtime's own `RTCPeerConnection`,
 * else the native binding, else werift; `undefined` where none loads (the peer then stays on
 * the relay, which reaches every peer).
 *
 * @example Usage
 * ```ts ignore
 * import { Identity, Peer } from "superpeer";
 * import { directTransport } from "superpeer/native";
 * const transport = await directTransport();
 * console.log(`direct channels on ${transport?.implementation ?? "nothing: relay only"}`);
 * const peer = new Peer({
 *   url: "wss://network.example/v1/ws",
 *   identity: await Identity.generate(),
 *   direct: { transport },
 * });
 * ```
 *
 * @returns The factory, naming its implementation, or `undefined`.
 */
export async function directTransport(): Promise<ChosenTransport | undefined> {
  const browser = browserTransport();
  if (browser) return chosen(browser, "browser");
  const native = await nativeTransport();
  if (native) return chosen(native, "native");
  try {
    const { weriftTransport } = await import("./werift_transport.ts");
    return chosen(weriftTransport(), "werift");
  } catch {
    return undefined;
  }
}
