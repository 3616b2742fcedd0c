/**
 * A bystander's round trips for the admission benchmark's floods: one request to its answer,
 * capped, and a run of them at a steady pace.
 *
 * @module
 */

/** Between a lookup's answer and the next lookup: `COST_REQUEST` each, well within its limits. */
export const LOOKUP_GAP_MS = 5;
/** A round trip or a welcome longer than this is counted as this, in ms. */
export const CAP_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One round trip: sends `message` and waits for the answer `answers` recognises. One that does
 * not come back within the cap counts as the cap.
 *
 * @example Usage
 * ```ts ignore
 * const ms = await roundTrip(ws, "echo", () => true);
 * ```
 *
 * @param ws The socket.
 * @param message What to send.
 * @param answers Whether a message heard is the answer.
 * @returns Milliseconds to the answer, or the cap.
 */
export async function roundTrip(
  ws: WebSocket,
  message: string,
  answers: (data: unknown) => boolean,
): Promise<number> {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  await new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CAP_MS);
    ws.onmessage = (e) => answers(e.data) && resolve();
    ws.send(message);
  });
  clearTimeout(timer);
  return performance.now() - t0;
}

let lookupId = 1_000_000_000;

/**
 * A `lookup` of the bystander itself, to its answer.
 *
 * @example Usage
 * ```ts ignore
 * const ms = await lookupTrip(ws, identity.peerId);
 * ```
 *
 * @param bystander Its socket.
 * @param self Its peer id.
 * @returns Milliseconds to the answer, or the cap.
 */
export function lookupTrip(bystander: WebSocket, self: string): Promise<number> {
  const id = ++lookupId;
  const reply = `{"t":"lookup.result","id":${id},`;
  return roundTrip(
    bystander,
    JSON.stringify({ t: "lookup", id, peer: self }),
    (data) => typeof data === "string" && data.startsWith(reply),
  );
}

/**
 * Round trips one after another, `LOOKUP_GAP_MS` apart, for `ms`.
 *
 * @example Usage
 * ```ts ignore
 * const trips = await tripsFor(1_500, () => lookupTrip(ws, identity.peerId));
 * ```
 *
 * @param ms How long.
 * @param trip One round trip.
 * @returns Each one's milliseconds.
 */
export async function tripsFor(ms: number, trip: () => Promise<number>): Promise<number[]> {
  const trips: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    trips.push(await trip());
    await sleep(LOOKUP_GAP_MS);
  }
  return trips;
}
