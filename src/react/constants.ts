/**
 * The bounds and delays of the React hooks, named so that a user can read and set them.
 *
 * @module
 */

/**
 * Most messages `useMessages` and publishes `useTopic` keep, newest last: a component that
 * runs for hours holds a bounded list, the oldest dropped first. Set another with `max`.
 */
export const DEFAULT_MAX_MESSAGES = 100;

/**
 * How long `usePresence` waits after a join before it asks who is on the topic: a peer that
 * joins the network subscribes a moment later, and every join within this wait shares one
 * discovery request.
 */
export const PRESENCE_SETTLE_MS = 300;

/**
 * When `usePresence` asks once more after a join whose peer the first answer did not list (it
 * may have subscribed after that answer left); a peer that subscribes later still is found on
 * the next join, reconnect or `refresh()`.
 */
export const PRESENCE_RECHECK_MS = 1_500;
