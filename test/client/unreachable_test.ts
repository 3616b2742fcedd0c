// A network that cannot be reached is reported, naming its URL, instead of a peer that
// retries forever; a URL that is not one fails at once.
import { Identity, ProtocolError } from "../../mod.ts";
import { Peer } from "../../src/client/mod.ts";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";

/** A loopback port where nothing listens (it was free a moment ago). */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("a URL without a scheme, or of another kind, is refused at once", async () => {
  const identity = await Identity.generate();
  for (const url of ["localhost:8787", "127.0.0.1:8787", "ftp://127.0.0.1", "", "ws//x"]) {
    let error: unknown;
    try {
      new Peer({ url, identity });
    } catch (e) {
      error = e;
    }
    assert(error instanceof TypeError, `${url}: ${error}`);
    assert(error.message.includes(`"${url}"`), error.message);
  }
});

Deno.test("a first connection that never comes ends with UNREACHABLE naming the URL", async () => {
  const identity = await Identity.generate();
  const url = `ws://127.0.0.1:${closedPort()}`;
  const peer = new Peer({
    url,
    identity,
    firstConnectTimeoutMs: 600,
    reconnect: { minDelayMs: 20, maxDelayMs: 100 },
  });
  let attempts = 0;
  peer.addEventListener("reconnecting", () => attempts++);
  const closed = new Promise<CustomEvent>((r) =>
    peer.addEventListener("close", (e) => r(e as CustomEvent))
  );
  const error = await assertRejects(peer.connect());
  assert(error instanceof ProtocolError, String(error));
  assertEquals(error.code, "UNREACHABLE");
  assert(error.message.includes(url), error.message);
  assert(attempts >= 1, "it tried again before giving up");
  assertEquals((await closed).detail.code, 4000);
  assertEquals(peer.state, "closed");
});

Deno.test("an HTTP call to a network that cannot be reached names the URL", async () => {
  const identity = await Identity.generate();
  const url = `http://127.0.0.1:${closedPort()}`;
  const peer = new Peer({ url, identity });
  const error = await assertRejects(peer.ledger.balance(identity.peerId));
  assert(error instanceof ProtocolError, String(error));
  assertEquals(error.code, "UNREACHABLE");
  assert(error.message.includes(`${url}/v1/accounts/`), error.message);
});
