// The mailbox's running counts, checked against counting the rows: after any run of puts,
// deletes (acks, the sweep) and peers seen, every count the triggers kept equals the count
// of the rows, and no count is left at zero. On SQLite itself (`node:sqlite`): the triggers are
// SQL, the same that workerd runs; the integration tests check the bounds on real workerd.
import fc from "fast-check";
import { DatabaseSync } from "node:sqlite";
import type { SqlStorage } from "cloudflare:workers";
import {
  mailboxCount,
  mailCountKey,
  openMailboxCounts,
} from "../../../../workers/super_peer/services/mailbox_counts.ts";
import { assertEquals } from "../../../support/assert.ts";

const TABLE = `
CREATE TABLE mailbox (
  mid TEXT PRIMARY KEY, recipient TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
  sender TEXT NOT NULL, notify INTEGER NOT NULL, expires INTEGER NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0, address TEXT NOT NULL DEFAULT '',
  seen INTEGER NOT NULL DEFAULT 1
);`;

/** The part of a Durable Object's `SqlStorage` the counts use, over `node:sqlite`. */
function storage(db: DatabaseSync): SqlStorage {
  const exec = (sql: string, ...args: (string | number)[]) => {
    if (!/^\s*SELECT/i.test(sql)) {
      if (args.length) db.prepare(sql).run(...args);
      else db.exec(sql);
      return { one: () => undefined, toArray: () => [] };
    }
    const rows = db.prepare(sql).all(...args);
    return { one: () => rows[0], toArray: () => rows };
  };
  return { exec } as unknown as SqlStorage;
}

type Op =
  | { op: "put"; kind: "mail" | "notice"; r: number; s: number; a: number; seen: boolean }
  | { op: "delete"; pick: number }
  | { op: "seen"; r: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("put" as const),
    kind: fc.constantFrom("mail" as const, "mail" as const, "notice" as const),
    r: fc.nat(4),
    s: fc.nat(4),
    a: fc.nat(3),
    seen: fc.boolean(),
  }),
  fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ op: fc.constant("seen" as const), r: fc.nat(4) }),
);

let mid = 0;
function apply(db: DatabaseSync, o: Op): void {
  if (o.op === "put") {
    // Address 0 stands for '' (relayed from another shard): never counted per address.
    const address = o.a === 0 ? "" : `198.51.100.${o.a}`;
    db.prepare(
      "INSERT INTO mailbox (mid, recipient, kind, body, sender, notify, expires, address, seen) VALUES (?, ?, ?, '', ?, 0, 0, ?, ?)",
    ).run(
      `m${mid++}`,
      `r${o.r}`,
      o.kind,
      o.kind === "mail" ? `s${o.s}` : "",
      address,
      o.seen ? 1 : 0,
    );
  } else if (o.op === "delete") {
    const rows = db.prepare("SELECT mid FROM mailbox ORDER BY mid").all() as { mid: string }[];
    if (rows.length) {
      db.prepare("DELETE FROM mailbox WHERE mid = ?").run(rows[o.pick % rows.length].mid);
    }
  } else {
    db.prepare("UPDATE mailbox SET seen = 1 WHERE recipient = ? AND kind = 'mail' AND seen = 0")
      .run(`r${o.r}`);
  }
}

/** Every count, as counting the rows gives it. */
function counted(db: DatabaseSync): Map<string, number> {
  const n = (where: string, ...args: string[]) =>
    (db.prepare(`SELECT count(*) AS n FROM mailbox WHERE ${where}`).get(...args) as { n: number })
      .n;
  const out = new Map<string, number>([
    ["mail", n("kind = 'mail'")],
    ["unseen", n("kind = 'mail' AND seen = 0")],
    ["notice", n("kind = 'notice'")],
  ]);
  for (let i = 0; i <= 4; i++) {
    out.set(mailCountKey("recipient", `r${i}`), n("kind = 'mail' AND recipient = ?", `r${i}`));
    out.set(mailCountKey("sender", `s${i}`), n("kind = 'mail' AND sender = ?", `s${i}`));
    for (let j = 0; j <= 4; j++) {
      out.set(
        mailCountKey("pair", `s${i}`, `r${j}`),
        n("kind = 'mail' AND sender = ? AND recipient = ?", `s${i}`, `r${j}`),
      );
    }
  }
  for (let a = 1; a <= 3; a++) {
    const address = `198.51.100.${a}`;
    out.set(mailCountKey("address", address), n("kind = 'mail' AND address = ?", address));
  }
  return out;
}

function check(db: DatabaseSync, sql: SqlStorage): void {
  for (const [key, n] of counted(db)) assertEquals(mailboxCount(sql, key), n, key);
  const zeros = db.prepare(
    "SELECT count(*) AS n FROM mailbox_counts WHERE n <= 0 AND key LIKE '% %'",
  )
    .get() as { n: number };
  assertEquals(zeros.n, 0, "a count left at zero");
}

Deno.test("mailbox counts: the triggers' counts equal counting the rows", () => {
  fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
    const db = new DatabaseSync(":memory:");
    db.exec(TABLE);
    const sql = storage(db);
    openMailboxCounts(sql);
    for (const o of ops) apply(db, o);
    check(db, sql);
    db.close();
  }));
});

Deno.test("mailbox counts: a mailbox stored before the counts is counted once", () => {
  fc.assert(
    fc.property(
      fc.array(op, { maxLength: 40 }),
      fc.array(op, { maxLength: 40 }),
      (before, after) => {
        const db = new DatabaseSync(":memory:");
        db.exec(TABLE);
        for (const o of before) apply(db, o);
        const sql = storage(db);
        openMailboxCounts(sql);
        check(db, sql);
        // Opened again (the object woke): nothing is counted twice.
        openMailboxCounts(sql);
        for (const o of after) apply(db, o);
        check(db, sql);
        db.close();
      },
    ),
  );
});
