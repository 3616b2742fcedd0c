/**
 * The command line's grammar: its commands, their arguments and options, and a parser that
 * answers wrong input with one line saying what is wrong and what would be right.
 *
 * @module
 */

/** Wrong input: one line for the person, exit code 2. */
export class UsageError extends Error {
  /** @param message What is wrong, and what would be right. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Options every command takes. */
const GLOBAL_OPTIONS = {
  url: "string",
  identity: "string",
  json: "boolean",
  "connect-timeout": "string",
  invitation: "string",
  help: "boolean",
} as const;

/** One command: its arguments, its own options, and what it does. */
export interface CommandSpec {
  /** Arguments, as shown in the usage (`<name>` required, `[name]` optional, `...` more). */
  args: string;
  /** Required arguments. */
  min: number;
  /** Most arguments (Infinity: the rest is text). */
  max: number;
  /** Options besides the global ones. */
  options: Record<string, "string" | "boolean">;
  /** What it does, one line. */
  help: string;
}

/** Every command. */
export const COMMANDS: Record<string, CommandSpec> = {
  id: { args: "", min: 0, max: 0, options: {}, help: "create (first run) or show your peer id" },
  listen: {
    args: "[topic...]",
    min: 0,
    max: Infinity,
    options: {},
    help: "print everything for you: messages, mail (then acknowledged), topics",
  },
  sub: {
    args: "<topic...>",
    min: 1,
    max: Infinity,
    options: {},
    help: "subscribe to topics ($presence: joins and leaves) and listen",
  },
  send: {
    args: "<peer-id> <text...>",
    min: 2,
    max: Infinity,
    options: { mailbox: "boolean" },
    help: "send a message (--mailbox: mailed if the peer is offline)",
  },
  mail: {
    args: "<peer-id> <text...>",
    min: 2,
    max: Infinity,
    options: {},
    help: "leave a message in a peer's mailbox",
  },
  pub: {
    args: "<topic> <text...>",
    min: 2,
    max: Infinity,
    options: {},
    help: "publish a message on a topic",
  },
  peers: {
    args: "",
    min: 0,
    max: 0,
    options: { topic: "string", count: "string" },
    help: "online peers at random (--topic T: its subscribers; --count N, 1 to 64)",
  },
  lookup: {
    args: "<peer-id>",
    min: 1,
    max: 1,
    options: {},
    help: "whether a peer is online, and its home shard",
  },
  balance: {
    args: "[account]",
    min: 0,
    max: 1,
    options: {},
    help: "an account's balance and nonce (yours by default)",
  },
  faucet: {
    args: "[account]",
    min: 0,
    max: 1,
    options: {},
    help: "money from a development network's faucet (to you by default)",
  },
  transfer: {
    args: "<peer-id> <amount>",
    min: 2,
    max: 2,
    options: { "no-wait": "boolean" },
    help: "pay from your account, and wait for its block (--no-wait: do not)",
  },
  share: {
    args: "<file>",
    min: 1,
    max: 1,
    options: { "relay-only": "boolean" },
    help: "share a file: prints its content id, seeds until Ctrl-C (--relay-only: no WebRTC)",
  },
  fetch: {
    args: "<content-id>",
    min: 1,
    max: 1,
    options: { out: "string", range: "string", "relay-only": "boolean" },
    help: "fetch content (--out FILE, resumed if interrupted; --range first-last byte)",
  },
  providers: {
    args: "<content-id>",
    min: 1,
    max: 1,
    options: {},
    help: "who serves a content, and how much of it",
  },
  invite: {
    args: "<peer-id|*>",
    min: 1,
    max: 1,
    options: { hours: "string" },
    help: "sign an invitation to a closed network (--hours N, default 168; * for anyone)",
  },
  witness: {
    args: "[shard...]",
    min: 0,
    max: Infinity,
    options: { name: "string", state: "string" },
    help:
      "cosign shards' checkpoints (all by default), report forks, until Ctrl-C (--name N, --state FILE)",
  },
  verify: {
    args: "<tx-hash>",
    min: 1,
    max: 1,
    options: {},
    help: "find a transfer by its hash and check its proof offline",
  },
};

/** A parsed command line. */
export interface CommandLine {
  /** The command, or `help`. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** Options given, by name. */
  options: Record<string, string | boolean>;
}

/**
 * Parses the command line. A token that looks like a negative number is an argument, so that
 * `transfer B -5` says what is wrong with the amount, not with an option.
 *
 * @example Usage
 * ```ts
 * import { parseCommandLine } from "./args.ts";
 * const line = parseCommandLine(["--json", "peers", "--count", "3"]);
 * console.assert(line.command === "peers" && line.options.count === "3");
 * ```
 *
 * @param argv The arguments.
 * @returns The command line.
 * @throws {UsageError} For an unknown command or option, a missing value, or the wrong number
 *   of arguments.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const options: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  let command: string | undefined;
  let rest = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (rest || !token.startsWith("-") || token === "-" || /^-\d/.test(token)) {
      if (command === undefined) command = token;
      else positionals.push(token);
      continue;
    }
    if (token === "--") {
      rest = true;
      continue;
    }
    if (token === "-h") {
      options.help = true;
      continue;
    }
    const [name, inline] = token.replace(/^--?/, "").split(/=(.*)/s, 2);
    const type = optionType(command, name);
    if (!type) throw new UsageError(unknownOption(command, token));
    if (type === "boolean") {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      options[name] = true;
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("--"))) {
        throw new UsageError(`option --${name} needs a value: --${name} <value>`);
      }
      options[name] = value;
    }
  }
  if (command === undefined || command === "help") return { command: "help", args: [], options };
  const spec = COMMANDS[command];
  if (!spec) {
    throw new UsageError(
      `unknown command "${command}"; commands: ${Object.keys(COMMANDS).join(", ")}`,
    );
  }
  if (options.help) return { command: "help", args: [command], options };
  if (positionals.length < spec.min || positionals.length > spec.max) {
    const count = positionals.length < spec.min ? "too few" : "too many";
    throw new UsageError(
      `${command}: ${count} arguments; usage: deno task peer ${command} ${spec.args}`.trim(),
    );
  }
  return { command, args: positionals, options };
}

function optionType(command: string | undefined, name: string): string | undefined {
  if (Object.hasOwn(GLOBAL_OPTIONS, name)) {
    return GLOBAL_OPTIONS[name as keyof typeof GLOBAL_OPTIONS];
  }
  const spec = command === undefined ? undefined : COMMANDS[command];
  return spec && Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
}

function unknownOption(command: string | undefined, token: string): string {
  const own = command && COMMANDS[command] ? Object.keys(COMMANDS[command].options) : [];
  const all = [...own, ...Object.keys(GLOBAL_OPTIONS)].map((o) => `--${o}`).join(", ");
  return `unknown option ${token}${command ? ` for ${command}` : ""}; options: ${all}`;
}

/**
 * The usage text.
 *
 * @example Usage
 * ```ts
 * import { usage } from "./args.ts";
 * console.assert(usage().includes("transfer <peer-id> <amount>"));
 * ```
 *
 * @param command One command, for its own line only.
 * @returns The text.
 */
export function usage(command?: string): string {
  // The widest usage sets the column, so that no usage runs into its help.
  const shown = (name: string, spec: CommandSpec) => `${name} ${spec.args}`.trim();
  const width = Math.max(24, ...Object.entries(COMMANDS).map(([n, c]) => shown(n, c).length)) + 2;
  const line = (name: string, spec: CommandSpec) =>
    `  ${shown(name, spec).padEnd(width)}${spec.help}`;
  if (command && COMMANDS[command]) {
    return `usage: deno task peer [options] ${command} ${COMMANDS[command].args}\n${
      line(command, COMMANDS[command])
    }`;
  }
  return [
    "usage: deno task peer [options] <command> [arguments]",
    "",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, spec]) => line(name, spec)),
    "",
    "options:",
    "  --url URL                 the network (default $SUPERPEER_URL or ws://127.0.0.1:8787)",
    "  --identity FILE           your identity (default $SUPERPEER_IDENTITY or",
    "                            ~/.superpeer/identity.json, made on first use, mode 0600;",
    "                            its marks beside it: identity.marks.json)",
    "  --json                    one JSON object per line, for scripts",
    "  --connect-timeout MS      give up on a network that does not answer (default 10000)",
    "  --invitation TOKEN        your invitation to a closed network (default",
    "                            $SUPERPEER_INVITATION; `invite` makes one)",
    "",
    "exit codes: 0 done, 1 refused by the network, 2 wrong input, 3 network unreachable",
  ].join("\n");
}
