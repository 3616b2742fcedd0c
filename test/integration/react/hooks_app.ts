// The page of hooks_test.ts: a React app on all five hooks, bundled by the test with esbuild.
// What the hooks give is drawn in the DOM, where the test reads it; the test drives the app
// through `globalThis.hooks`. Written with createElement, not JSX, so that it needs no JSX
// settings of its own.
import { createElement as h, type ReactNode, useEffect, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { Identity, type Peer } from "../../../mod.ts";
import {
  useLedger,
  useMessages,
  usePresence,
  useSuperpeer,
  useTopic,
} from "../../../src/react/mod.ts";

/** What the test hands the page before the app starts. */
interface Config {
  url: string;
  network: string;
  topic: string;
}

/** What the page hands the test. */
export interface Hooks {
  sockets: number;
  renders: number;
  rerender(): void;
  showTopic(shown: boolean): void;
  unmount(): void;
  send(to: string, text: string): string;
  transfer(to: string, amount: number): Promise<boolean>;
}

const g = globalThis as unknown as { hooksConfig: Config; hooks: Hooks };
const config = g.hooksConfig;

// Counts the sockets the peers open: one per connect.
class CountedSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    hooks.sockets++;
  }
}

const hooks: Hooks = g.hooks = {
  sockets: 0,
  renders: 0,
  rerender: () => {},
  showTopic: () => {},
  unmount: () => {},
  send: () => "no app",
  transfer: () => Promise.resolve(false),
};

const list = (id: string, items: { key: string; text: string }[]): ReactNode =>
  h("ul", { id }, items.map((i) => h("li", { key: i.key }, i.text)));

function Topic(props: { peer: Peer | undefined }) {
  const topic = useTopic(props.peer, config.topic, { max: 3 });
  return h(
    "section",
    null,
    h("p", { id: "subscribed" }, String(topic.subscribed)),
    list(
      "publishes",
      topic.messages.map((m) => ({ key: `${m.from}${m.n}`, text: String(m.data) })),
    ),
    h("button", { id: "publish", onClick: () => void topic.publish("from react") }, "publish"),
  );
}

function App(props: { identity: Identity | undefined; tick: number; topic: boolean }) {
  hooks.renders++;
  // A new options object, and a new reconnect object in it, on every render: on purpose.
  const { peer, status, error } = useSuperpeer({
    url: config.url.replace("http:", "ws:"),
    identity: props.identity,
    network: config.network,
    WebSocket: CountedSocket,
    reconnect: { minDelayMs: 50, maxDelayMs: 500 },
  });
  const inbox = useMessages(peer, { max: 2 });
  const fromSelf = useMessages(peer, { from: props.identity?.peerId ?? "nobody" });
  const presence = usePresence(peer, config.topic);
  const ledger = useLedger(peer);
  const send = useRef(inbox.send);
  send.current = inbox.send;
  const transfer = useRef(ledger.transfer);
  transfer.current = ledger.transfer;
  useEffect(() => {
    hooks.send = (to, text) => send.current(to, text);
    hooks.transfer = (to, amount) => transfer.current(to, amount).then((r) => r.ok);
  }, []);
  return h(
    "main",
    null,
    h("p", { id: "status" }, status),
    h("p", { id: "error" }, error ?? ""),
    h("p", { id: "peer-id" }, peer?.peerId ?? ""),
    h("p", { id: "tick" }, String(props.tick)),
    list("inbox", inbox.messages.map((m) => ({ key: `${m.from}${m.seq}`, text: String(m.data) }))),
    list("from-self", fromSelf.messages.map((m) => ({ key: String(m.seq), text: String(m.data) }))),
    list("online", presence.online.map((p) => ({ key: p, text: p }))),
    h("p", { id: "balance" }, ledger.balance === undefined ? "" : String(ledger.balance)),
    h("p", { id: "pending" }, String(ledger.pending)),
    h("p", { id: "last" }, ledger.last ? (ledger.last.ok ? "ok" : ledger.last.code) : ""),
    props.topic ? h(Topic, { peer }) : null,
  );
}

function Root() {
  const [identity, setIdentity] = useState<Identity | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const [topic, setTopic] = useState(true);
  useEffect(() => {
    // The peer waits for its identity: made after the first render.
    Identity.generate().then(setIdentity);
    hooks.rerender = () => setTick((t) => t + 1);
    hooks.showTopic = setTopic;
  }, []);
  return h(App, { identity, tick, topic });
}

const root = createRoot(document.getElementById("app")!);
hooks.unmount = () => root.unmount();
root.render(h(Root));
