import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Deleted orders and interactions stay in their tables (Undo brings them back), so a read that
 * forgets to leave them out is silently wrong. Every read in src/store goes through the live
 * relations of src/store/live-rows.ts; this test finds the ones that do not, so forgetting fails
 * here instead of in a report. A read that needs the deleted rows too says why with a comment
 * containing `all-rows:` on its line or one of the two lines before it.
 */

const STORE = join(import.meta.dirname, "../../src/store");
const MARKER = "all-rows:";

interface Finding {
  file: string;
  line: number;
  text: string;
}

/** Raw SQL naming the tables in a FROM or JOIN (writes say UPDATE or INSERT INTO). */
const SQL_READ = /\b(?:FROM|JOIN)\s+"?(?:orders|interactions)"?(?![\w$])/gi;
/** Prisma reads of the two models. */
const PRISMA_READ = /\.(?:order|interaction)\.(?:findMany|findFirst|findFirstOrThrow|findUnique|findUniqueOrThrow|count|aggregate|groupBy)\(/g;
/** Relation reads through another model: include/select/_count of orders or interactions. */
const RELATION_READ = /\b(?:orders|interactions)\s*:\s*(?:true|\{)/g;

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** The text of a call from its opening parenthesis to the matching one. */
function callText(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return text.slice(open, i + 1);
  }
  return text.slice(open);
}

function marked(lines: readonly string[], line: number): boolean {
  return lines.slice(Math.max(0, line - 3), line).some((l) => l.includes(MARKER));
}

export function unguardedReads(file: string, text: string): Finding[] {
  const lines = text.split("\n");
  const found: Finding[] = [];
  const add = (index: number) => {
    const line = lineOf(text, index);
    const source = lines[line - 1]!.trim();
    // Prose in a comment ("read from the stats, never from orders") is no read.
    if (/^(?:\/\/|\/?\*)/.test(source)) return;
    if (!marked(lines, line)) found.push({ file, line, text: source });
  };
  for (const m of text.matchAll(SQL_READ)) add(m.index);
  for (const m of text.matchAll(PRISMA_READ)) {
    const call = callText(text, m.index + m[0].length - 1);
    if (!/\bLIVE\b|deletedAt/.test(call)) add(m.index);
  }
  for (const m of text.matchAll(RELATION_READ)) {
    const after = text.slice(m.index, m.index + 200);
    if (!/\bLIVE\b|deletedAt/.test(after.split("\n")[0]!)) add(m.index);
  }
  return found.sort((x, y) => x.line - y.line);
}

describe("reads of orders and interactions leave deleted rows out", () => {
  it("every read in src/store goes through live-rows.ts or says why it needs all rows", () => {
    const findings = readdirSync(STORE, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && f !== "live-rows.ts")
      .flatMap((f) => unguardedReads(f, readFileSync(join(STORE, f), "utf8")));
    expect(findings.map((f) => `${f.file}:${f.line}: ${f.text}`)).toEqual([]);
  });

  it("finds the reads it is there to find", () => {
    const sample = [
      "const a = db.$queryRaw`SELECT count(*) FROM orders WHERE customer_id = ${id}`;",
      "const b = await db.interaction.findMany({ where: { customerId } });",
      "const c = db.$queryRaw`SELECT 1 FROM customers c JOIN interactions i ON i.customer_id = c.id`;",
      "select: { _count: { select: { orders: true } } },",
      "const ok1 = db.$queryRaw`SELECT count(*) FROM ${liveOrders} o`;",
      "const ok2 = await db.order.findFirst({ where: { customerId, ...LIVE } });",
      "// all-rows: found by platform id",
      "const ok3 = db.$queryRaw`SELECT id FROM interactions WHERE source_id = ${x}`;",
      "await db.$executeRaw`UPDATE orders SET customer_id = ${to}`;",
      "/** Read from the maintained stats (never from orders). */",
    ].join("\n");
    expect(unguardedReads("sample.ts", sample).map((f) => f.line)).toEqual([1, 2, 3, 4]);
  });
});
