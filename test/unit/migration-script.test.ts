import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { splitSqlScript } from "../../prisma/migration-script.js";

describe("splitting a migration into statements", () => {
  it("keeps a PL/pgSQL body whole, whatever semicolons it holds", () => {
    const script = `CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'no; never'; END IF;
  RETURN NEW;
END
$$;
CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;
SELECT 1`;
    expect(splitSqlScript(script)).toEqual([
      script.slice(0, script.indexOf("$$;") + 2),
      "CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$",
      "SELECT 1",
    ]);
  });

  it("does not cut at a semicolon in a comment or a string, or mistake a parameter for a body", () => {
    expect(splitSqlScript("-- a note; with a semicolon and a row's apostrophe\nSELECT 'a;b', \"we;ird\", E'it\\'s;' FROM t; /* block; /* nested; */ still */ SELECT $1::int; SELECT a$b FROM x")).toEqual([
      "-- a note; with a semicolon and a row's apostrophe\nSELECT 'a;b', \"we;ird\", E'it\\'s;' FROM t",
      "/* block; /* nested; */ still */ SELECT $1::int",
      "SELECT a$b FROM x",
    ]);
    expect(splitSqlScript("SELECT 'it''s; fine'; SELECT 2;\n\n")).toEqual(["SELECT 'it''s; fine'", "SELECT 2"]);
  });

  it("cuts every migration of the repository where Postgres would: as split(\";\") did for those without such semicolons", () => {
    const dir = "prisma/migrations";
    for (const name of readdirSync(dir).filter((d) => !d.endsWith(".toml"))) {
      const script = readFileSync(join(dir, name, "migration.sql"), "utf8");
      const statements = splitSqlScript(script);
      expect(statements.length, name).toBeGreaterThan(0);
      // Each statement ends where the script has a semicolon, and together they are the script.
      expect(statements.join(";").replace(/\s+/g, ""), name).toBe(script.replace(/;\s*$/, "").replace(/\s+/g, "").replace(/;+/g, ";"));
      if (!/\$\$|--[^\n]*;|'[^'\n]*;[^'\n]*'/.test(script)) expect(statements, name).toEqual(script.split(";").map((s) => s.trim()).filter(Boolean));
    }
  });
});
