/**
 * What the command line prints: a line for a person, or one JSON object per line with
 * `--json`; errors as one line on stderr with the exit code that names their kind.
 *
 * @module
 */
import { ProtocolError } from "../../mod.ts";
import { UsageError } from "./args.ts";

/** Exit codes, as documented. */
export const EXIT = { DONE: 0, REFUSED: 1, USAGE: 2, UNREACHABLE: 3 } as const;

/** A refusal by the network, to report with exit code 1. */
export class Refused extends Error {
  /**
   * @param code The network's code.
   * @param message What it said.
   */
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = "Refused";
  }
}

/**
 * The clock time of a moment, as a person reads it (local time).
 *
 * @example Usage
 * ```ts
 * import { clock } from "./output.ts";
 * console.assert(/^\d\d:\d\d:\d\d$/.test(clock(Date.now())));
 * ```
 *
 * @param ms Milliseconds since the epoch.
 * @returns `HH:MM:SS`.
 */
export function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

/**
 * Text data as is; bytes as their size and first bytes in hex.
 *
 * @example Usage
 * ```ts
 * import { shown } from "./output.ts";
 * console.assert(shown(new Uint8Array([1, 2])) === "<2 bytes: 0102>");
 * ```
 *
 * @param data The data.
 * @returns A printable form.
 */
export function shown(data: string | Uint8Array): string {
  if (typeof data === "string") return data;
  const hex = [...data.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `<${data.length} bytes: ${hex}${data.length > 16 ? "…" : ""}>`;
}

/**
 * Prints results and notes, for a person or for a script.
 *
 * @example Usage
 * ```ts
 * import { Output } from "./output.ts";
 * const out = new Output(false);
 * out.result("sent", { ok: true });
 * ```
 */
export class Output {
  /** @param json One JSON object per line instead of text. */
  constructor(readonly json: boolean) {}

  /**
   * A result: the text on stdout, or the object as one JSON line.
   *
   * @param text For a person.
   * @param value For a script.
   */
  result(text: string, value: Record<string, unknown>): void {
    console.log(this.json ? JSON.stringify(value, bigints) : text);
  }

  /**
   * A note on what is happening (connecting, reconnected), on stderr; JSON lines carry it as
   * `{"note": …}`.
   *
   * @param text The note.
   */
  note(text: string): void {
    console.error(this.json ? JSON.stringify({ note: text }) : text);
  }

  /**
   * Reports an error as one line on stderr and returns its exit code: wrong input 2, the
   * network unreachable 3, a refusal by the network (or anything else) 1.
   *
   * @param error The error.
   * @returns The exit code.
   */
  fail(error: unknown): number {
    const code = error instanceof UsageError || error instanceof TypeError
      ? EXIT.USAGE
      : error instanceof ProtocolError && error.code === "UNREACHABLE"
      ? EXIT.UNREACHABLE
      : EXIT.REFUSED;
    const networkCode = error instanceof ProtocolError || error instanceof Refused
      ? error.code
      : undefined;
    const message = error instanceof Error ? error.message : String(error);
    if (this.json) {
      console.error(JSON.stringify({ ok: false, code: networkCode ?? errorKind(code), message }));
    } else {
      const refused = code === EXIT.REFUSED && networkCode !== undefined;
      const prefix = refused ? `refused: ${networkCode}: ` : "";
      console.error(`${prefix}${message}${hint(networkCode)}`.replace(/\s*\n\s*/g, " "));
    }
    return code;
  }
}

// What the person can do about a refusal, where the command line has the means.
function hint(code: string | undefined): string {
  if (code === "ADMISSION_REFUSED") {
    return "; with an invitation: --invitation TOKEN or $SUPERPEER_INVITATION";
  }
  if (code === "INVITATION_INVALID") {
    return "; ask for a new one (deno task peer invite makes them)";
  }
  return "";
}

function errorKind(code: number): string {
  return code === EXIT.USAGE ? "USAGE" : code === EXIT.UNREACHABLE ? "UNREACHABLE" : "ERROR";
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
