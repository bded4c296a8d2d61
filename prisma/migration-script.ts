import { PrismaPg } from "@prisma/adapter-pg";

/**
 * Splits a migration script into its statements at the semicolons that end them, and only
 * those: not at one inside a quoted string ('…', "…"), a dollar-quoted body ($$…$$, $fn$…$fn$,
 * as every PL/pgSQL function and trigger has) or a comment (-- … and block comments). Text is
 * kept as written (comments included), trimmed, empty statements dropped: for a script without
 * such semicolons this is exactly what `script.split(";")` gave.
 */
export function splitSqlScript(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  while (i < n) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === "-" && next === "-") {
      const end = script.indexOf("\n", i + 2);
      i = end < 0 ? n : end + 1;
    } else if (c === "/" && next === "*") {
      // Block comments nest in Postgres.
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (script[i] === "/" && script[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (script[i] === "*" && script[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === "'" || c === '"') {
      // A doubled quote inside is the quote itself: the scan goes on after it as a new string.
      // In an E'…' string a backslash escapes the character after it.
      const escapes = c === "'" && i > 0 && /[Ee]/.test(script[i - 1]!) && (i < 2 || !/[A-Za-z0-9_]/.test(script[i - 2]!));
      i++;
      while (i < n && script[i] !== c) i += escapes && script[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "$") {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(i, i + 64))?.[0];
      // "$1" (a parameter) or "a$b" (part of a name) open no body.
      const partOfWord = i > 0 && /[A-Za-z0-9_]/.test(script[i - 1]!);
      if (tag && !partOfWord) {
        const end = script.indexOf(tag, i + tag.length);
        i = end < 0 ? n : end + tag.length;
      } else i++;
    } else if (c === ";") {
      statements.push(script.slice(start, i));
      start = ++i;
    } else i++;
  }
  statements.push(script.slice(start));
  return statements.map((s) => s.trim()).filter((s) => s.length > 0);
}

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;

/**
 * Workaround for `@prisma/adapter-pg` 6.19: its `executeScript`, which runs every migration,
 * cuts the script at every semicolon (`script.split(";")`), so a function or trigger body in
 * PL/pgSQL, or a semicolon in a comment or string, breaks the migration ("unterminated
 * dollar-quoted string"). This adapter runs the same statements one after another, cut where
 * Postgres would cut them (splitSqlScript). Used by prisma.config.ts only; remove once the
 * adapter splits scripts correctly.
 */
export class StatementSplittingPg extends PrismaPg {
  override async connect(): Promise<Adapter> {
    return splitScripts(await super.connect());
  }

  override async connectToShadowDb(): Promise<Adapter> {
    return splitScripts(await super.connectToShadowDb());
  }
}

function splitScripts(adapter: Adapter): Adapter {
  adapter.executeScript = async (script: string) => {
    for (const sql of splitSqlScript(script)) await adapter.executeRaw({ sql, args: [], argTypes: [] });
  };
  return adapter;
}
