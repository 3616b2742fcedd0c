/**
 * The direct-channel transport for Deno and Node on a native WebRTC: `@roamhq/wrtc`, a binding
 * of the same libwebrtc that Chromium runs, whose npm package carries its binary for each
 * platform. Where it does not load, {@linkcode nativeTransport} says so and the werift
 * transport (WebRTC written in TypeScript) serves.
 *
 * @module
 */
import { type PeerConnectionClass, webrtcTransport } from "./browser_transport.ts";
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
    return webrtcTransport(wrtc.RTCPeerConnection);
  } catch {
    return undefined;
  }
}
