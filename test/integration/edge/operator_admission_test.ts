// A closed network on workerd, through an operator's Worker with an admission hook: listed and
// invited peers connect and talk; the others are refused at once with a code that says why
// (and the client stops, as it does for a bad hello); the hook adds members, bans, and fails
// closed; a refused hello wakes no super-peer; the command line makes and uses invitations.
import { Identity, type PeerMessage, ProtocolError } from "../../../mod.ts";
import type { PeerOptions } from "../../../src/client/mod.ts";
import {
  connectUrl,
  type NetworkInfo,
  signHello,
  signInvitation,
} from "../../../src/protocol/mod.ts";
import {
  bundleWorker,
  type LocalNetwork,
  ROOT,
  startNetwork,
  TEST_ADDRESS_HEADER,
} from "../../../scripts/local_network.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { connectPeer, take } from "../../support/peers.ts";
import { runCli } from "../../support/cli.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const HOUR = 3_600_000;

/** Connects, or says the refusal's code. */
async function tryConnect(net: LocalNetwork, options: Partial<PeerOptions>): Promise<string> {
  try {
    (await connectPeer(net, { firstConnectTimeoutMs: 8_000, ...options })).close();
    return "connected";
  } catch (error) {
    return error instanceof ProtocolError ? `${error.code}: ${error.message}` : String(error);
  }
}

/** A hello asked over plain HTTP from one client address: the status and code it gets. */
async function hello(net: LocalNetwork, who: Identity, address: string): Promise<string> {
  const url = connectUrl(net.url, await signHello(who, net.network, net.url)).replace(
    /^ws/,
    "http",
  );
  const res = await fetch(url, { headers: { [TEST_ADDRESS_HEADER]: address } });
  return `${res.status} ${(await res.json()).code}`;
}

Deno.test(
  "operator admission: a closed network with a hook, refused before any shard wakes",
  opts,
  async () => {
    const ids = await Promise.all(Array.from({ length: 9 }, () => Identity.generate()));
    const [op, member, guest, stranger, hookMember, banned, throws, hangs, holder] = ids;
    const dir = await Deno.makeTempDir();
    const opFile = `${dir}/operator.json`;
    await Deno.writeTextFile(opFile, JSON.stringify(op));
    const net = await startNetwork({
      shards: 2,
      scriptPath: await bundleWorker(
        `${ROOT}test/support/admission_worker.ts`,
        `${ROOT}.build/test/admission_worker.js`,
      ),
      vars: {
        ADMISSION_ALLOW: member.peerId,
        INVITE_KEYS: op.peerId,
        TEST_HOOK_MEMBERS: hookMember.peerId,
        TEST_HOOK_BANNED: banned.peerId,
        TEST_HOOK_THROWS: throws.peerId,
        TEST_HOOK_HANGS: hangs.peerId,
      },
      // Six hellos spend an address's bucket: a refused peer that reached the gate would
      // shut the member out below.
      limits: {
        ADDRESS_HELLO_BURST: 6,
        ADDRESS_HELLOS_PER_MINUTE: 1,
        ADMISSION_HOOK_TIMEOUT_MS: 300,
      },
    });
    try {
      const info: NetworkInfo = await (await fetch(`${net.url}/v1/network`)).json();
      assertEquals(info.admission, { mode: "closed", invitations: true });

      // The command line signs an invitation with the operator's identity.
      const made = await runCli([
        "--url",
        net.url,
        "--identity",
        opFile,
        "--json",
        "invite",
        guest.peerId,
        "--hours",
        "2",
      ]);
      assertEquals(made.code, 0, made.err);
      const { invitation, expires } = JSON.parse(made.out);
      assert(Math.abs(expires - Date.now() - 2 * HOUR) < 60_000, `expires ${expires}`);

      // Listed and invited peers connect and talk.
      const a = await connectPeer(net, { identity: member });
      const g = await connectPeer(net, { identity: guest, invitation });
      const heard = g.messages()[Symbol.asyncIterator]();
      a.send(guest.peerId, "welcome in");
      const [got] = await take(heard, 1) as PeerMessage[];
      assertEquals(got.data, "welcome in");

      // The others, each told why, at once (the client does not retry a final refusal).
      const anyone = await signInvitation(op, net.network, "*", Date.now() + HOUR);
      const expired = await signInvitation(op, net.network, stranger.peerId, Date.now() - 1);
      const selfMade = await signInvitation(
        stranger,
        net.network,
        stranger.peerId,
        Date.now() + HOUR,
      );
      const started = Date.now();
      const outcomes = {
        stranger: await tryConnect(net, { identity: stranger }),
        "guest's invitation": await tryConnect(net, { identity: stranger, invitation }),
        expired: await tryConnect(net, { identity: stranger, invitation: expired }),
        "self-made": await tryConnect(net, { identity: stranger, invitation: selfMade }),
        "anyone's": await tryConnect(net, { identity: holder, invitation: anyone }),
        "hook's member": await tryConnect(net, { identity: hookMember }),
        banned: await tryConnect(net, { identity: banned }),
      };
      const brief = Object.fromEntries(
        Object.entries(outcomes).map(([k, v]) => [k, v.replace(/:.*/s, "")]),
      );
      assertEquals(brief, {
        stranger: "ADMISSION_REFUSED",
        "guest's invitation": "INVITATION_INVALID",
        expired: "INVITATION_INVALID",
        "self-made": "INVITATION_INVALID",
        "anyone's": "connected",
        "hook's member": "connected",
        banned: "ADMISSION_REFUSED",
      });
      assert(outcomes.stranger.includes("ask its operator for an invitation"), outcomes.stranger);
      assert(outcomes["guest's invitation"].includes(`is for peer ${guest.peerId}`));
      assert(outcomes.expired.includes("expired at"), outcomes.expired);
      assert(outcomes.banned.includes("Banned by the operator"), outcomes.banned);
      assert(Date.now() - started < 6_000, `refusals took ${Date.now() - started} ms`);

      // A hook that fails or hangs admits nobody, and says to try later (503, not final).
      assertEquals(await hello(net, throws, "198.51.100.9"), "503 ADMISSION_UNAVAILABLE");
      assertEquals(await hello(net, hangs, "198.51.100.9"), "503 ADMISSION_UNAVAILABLE");

      // Refused hellos never reach the address's gate (a super-peer): after ten of them from one
      // address, the member's hello from it still passes the gate (426: upgrade to connect).
      for (let i = 0; i < 10; i++) {
        assertEquals(await hello(net, stranger, "203.0.113.50"), "403 ADMISSION_REFUSED");
      }
      assertEquals(await hello(net, member, "203.0.113.50"), "426 UPGRADE_REQUIRED");

      // The command line: refused without its invitation (exit 1, the code said), then let in.
      const strangerFile = `${dir}/stranger.json`;
      await Deno.writeTextFile(strangerFile, JSON.stringify(stranger));
      const refused = await runCli([
        "--url",
        net.url,
        "--identity",
        strangerFile,
        "lookup",
        member.peerId,
      ]);
      assertEquals(refused.code, 1, refused.err);
      assert(refused.err.includes("ADMISSION_REFUSED"), refused.err);
      const own = await signInvitation(op, net.network, stranger.peerId, Date.now() + HOUR);
      const admitted = await runCli(
        ["--url", net.url, "--identity", strangerFile, "lookup", member.peerId],
        { SUPERPEER_INVITATION: own },
      );
      assertEquals(admitted.code, 0, admitted.err);
      assert(admitted.out.includes("online"), admitted.out);
      a.close();
      g.close();
    } finally {
      await net.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
