// The client's route reports: nothing to report sends nothing; a report refused
// `TURN_QUOTA_EXCEEDED` turns TURN off until the window ends and is told to the application;
// while TURN is off, a new channel is offered no TURN server.
import { Identity } from "../../../mod.ts";
import { ProtocolError } from "../../../src/protocol/errors.ts";
import type { IceServer } from "../../../src/protocol/mod.ts";
import { RouteReporter } from "../../../src/client/direct/route_reporter.ts";
import { DirectUpgrades } from "../../../src/client/direct/upgrades.ts";
import type { DirectTransport } from "../../../src/client/direct/transport.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const counts = (turnBytes: number, relay = 0) => ({ direct: 0, turn: 0, relay, turnBytes });

Deno.test("route reports: nothing new sends nothing; counts go capped, bytes are kept", async () => {
  const sent: unknown[] = [];
  let next = counts(0);
  let fail: ProtocolError | undefined;
  const told: string[] = [];
  const reporter = new RouteReporter({
    upgrades: { routeCounts: () => Promise.resolve(next), turnOff: () => Promise.resolve() },
    report: (c) => {
      if (fail) return Promise.reject(fail);
      sent.push(c);
      return Promise.resolve({ t: "routes.result", id: 1, turnLeft: 1, windowEnds: 2 });
    },
    everyMs: () => 1_000,
    maxPairs: () => 4,
    refused: (e) => told.push(e.code),
  });
  await reporter.reportNow();
  assertEquals(sent, [], "no pairs: nothing sent");
  next = counts(500, 2);
  await reporter.reportNow();
  next = counts(0, 2);
  await reporter.reportNow(); // the same pairs, no TURN bytes: nothing wakes the home
  next = counts(0, 9);
  await reporter.reportNow();
  assertEquals(sent, [counts(500, 2), counts(0, 4)], "the second unsent; a count capped");
  // Not connected: its bytes go with the next report, and the application hears nothing.
  fail = new ProtocolError("OVERLOADED", "not connected");
  next = counts(300, 4);
  await reporter.reportNow();
  fail = undefined;
  next = counts(200, 4);
  await reporter.reportNow();
  assertEquals(sent.at(-1), counts(500, 4));
  assertEquals(told, []);
  // A network older than reports answers UNKNOWN_FRAME_TYPE: it is told no more, quietly.
  fail = new ProtocolError("UNKNOWN_FRAME_TYPE", "no such request");
  next = counts(1, 4);
  await reporter.reportNow();
  reporter.start();
  assertEquals(told, []);
});

Deno.test("route reports: past the TURN quota, TURN is off until the window ends", async () => {
  const off: number[] = [];
  const told: string[] = [];
  const reporter = new RouteReporter({
    upgrades: {
      routeCounts: () => Promise.resolve(counts(9_000)),
      turnOff: (until) => (off.push(until), Promise.resolve()),
    },
    report: () =>
      Promise.reject(new ProtocolError("TURN_QUOTA_EXCEEDED", "used up", { retryAfter: 60_000 })),
    everyMs: () => 1_000,
    maxPairs: () => 1_024,
    refused: (e) => told.push(e.code),
  });
  const before = Date.now();
  await reporter.reportNow();
  assertEquals(told, ["TURN_QUOTA_EXCEEDED"]);
  assertEquals(off.length, 1);
  assert(off[0] >= before + 60_000 && off[0] <= Date.now() + 60_000, `until ${off[0]}`);
  assertEquals(told, ["TURN_QUOTA_EXCEEDED"]);
});

Deno.test("route reports: while TURN is off, a new channel is offered no TURN server", async () => {
  const offered: IceServer[][] = [];
  const transport = (o: { iceServers?: IceServer[] }) => {
    offered.push(o.iceServers ?? []);
    return Promise.reject(new Error("no channel here")) as Promise<DirectTransport>;
  };
  const servers: IceServer[] = [
    { urls: ["turn:198.51.100.1:3478", "stun:198.51.100.1:3478"], username: "u", credential: "c" },
    { urls: "turns:198.51.100.1:5349", username: "u", credential: "c" },
  ];
  const identity = await Identity.generate();
  const upgrades = new DirectUpgrades({
    identity,
    sendSignal: () => {},
    changed: () => {},
    lost: () => {},
    message: () => {},
    iceServers: () => servers,
  }, { transport, retryMs: 0 });
  const remote = "z".repeat(60); // after any peer id: this side offers
  upgrades.upgrade(remote);
  await new Promise((r) => setTimeout(r, 20));
  await upgrades.turnOff(Date.now() + 60_000);
  upgrades.upgrade(remote);
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(offered.length, 2);
  assertEquals(offered[0], servers);
  assertEquals(offered[1], [{ ...servers[0], urls: ["stun:198.51.100.1:3478"] }]);
  upgrades.close();
});
