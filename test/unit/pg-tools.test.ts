import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultBackupName, pgDumpArguments } from "../../src/cli/backup.js";
import { formatBytes, formatCounts } from "../../src/cli/database-census.js";
import { PgToolError, childEnvironment, conninfoValue, findPgTool, libpqConnection, parseToolVersion } from "../../src/cli/pg-tools.js";
import { parseRestoreArgs } from "../../src/cli/restore.js";
import { CliUsageError } from "../../src/cli/types.js";

describe("the connection handed to pg_dump and pg_restore", () => {
  const url = "postgresql://crm%40ops:s3cr%2Ft%40pw@db.internal:6543/crm_prod?sslmode=verify-full&sslrootcert=/etc/ca.pem&schema=public&connection_limit=5";

  it("travels in libpq's environment variables, the password decoded, Prisma's own parameters left out", () => {
    const connection = libpqConnection(url);
    expect(connection.env).toEqual({
      PGHOST: "db.internal", PGPORT: "6543", PGUSER: "crm@ops", PGPASSWORD: "s3cr/t@pw", PGDATABASE: "crm_prod", PGSSLMODE: "verify-full", PGSSLROOTCERT: "/etc/ca.pem",
    });
    expect(connection.where).toBe("db.internal:6543/crm_prod");
  });

  it("never puts the password on the command line, and the messages never name it", () => {
    const connection = libpqConnection(url);
    const args = pgDumpArguments("/backups/crm.dump", "00000003-0000001B-1");
    expect(args.join(" ")).not.toContain("s3cr");
    expect(args.join(" ")).not.toContain("db.internal");
    expect(args).toEqual(["--format=custom", "--file=/backups/crm.dump", "--snapshot=00000003-0000001B-1", "--no-password", "--lock-wait-timeout=120s"]);
    expect(connection.where).not.toContain("s3cr");
  });

  it("replaces the shell's libpq variables with the URL's, and keeps the others (a password file, a service)", () => {
    const env = childEnvironment(libpqConnection("postgresql://crm@127.0.0.1/crm"), { PATH: "/usr/bin", PGHOST: "elsewhere", PGHOSTADDR: "10.0.0.9", PGPASSWORD: "from-shell", PGPASSFILE: "/home/crm/.pgpass", PGSSLMODE: "disable" });
    expect(env).toEqual({ PATH: "/usr/bin", PGHOST: "127.0.0.1", PGUSER: "crm", PGDATABASE: "crm", PGPASSWORD: "from-shell", PGPASSFILE: "/home/crm/.pgpass" });
    // A URL with a password wins over the shell's.
    expect(childEnvironment(libpqConnection("postgresql://crm:mine@127.0.0.1/crm"), { PGPASSWORD: "from-shell" }).PGPASSWORD).toBe("mine");
  });

  it("takes a socket directory as host, and refuses what is no postgres URL or names no database", () => {
    expect(libpqConnection("postgresql:///crm?host=/var/run/postgresql").env).toMatchObject({ PGHOST: "/var/run/postgresql", PGDATABASE: "crm" });
    expect(() => libpqConnection("mysql://x@y/z")).toThrow(PgToolError);
    expect(() => libpqConnection("postgresql://crm@127.0.0.1:5432/")).toThrow("names no database");
  });

  it("quotes a database name for --dbname", () => {
    expect(conninfoValue("crm")).toBe("'crm'");
    expect(conninfoValue("it's \\ odd")).toBe("'it\\'s \\\\ odd'");
  });
});

describe("the arguments of backup and restore", () => {
  it("names a backup after the database and the UTC time, under backups/", () => {
    expect(defaultBackupName("crm", new Date("2026-12-07T18:05:01.123Z"))).toBe("backups/crm-crm-20261207T180501Z.dump");
    expect(defaultBackupName("../etc/passwd", new Date("2026-12-07T18:05:01Z"))).toBe("backups/crm-_etc_passwd-20261207T180501Z.dump");
  });

  it("reads restore's file and --into in either form, and says what is missing or wrong", () => {
    expect(parseRestoreArgs(["a.dump"])).toEqual({ file: "a.dump" });
    expect(parseRestoreArgs(["a.dump", "--into", "postgresql://crm@h/x"])).toEqual({ file: "a.dump", into: "postgresql://crm@h/x" });
    expect(parseRestoreArgs(["--into=postgres://crm@h/x", "a.dump"])).toEqual({ file: "a.dump", into: "postgres://crm@h/x" });
    expect(() => parseRestoreArgs([])).toThrow(CliUsageError);
    expect(() => parseRestoreArgs(["a.dump", "--into"])).toThrow("--into needs a database URL");
    expect(() => parseRestoreArgs(["a.dump", "--into", "crm_restored"])).toThrow("--into must be a postgresql:// URL");
    expect(() => parseRestoreArgs(["a.dump", "b.dump"])).toThrow("Give one backup file, not 2.");
    expect(() => parseRestoreArgs(["a.dump", "--force"])).toThrow("Unknown option --force");
  });

  it("prints sizes and counts readably", () => {
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(443_811)).toBe("433 KiB");
    expect(formatBytes(5 * 1024 ** 3)).toBe("5.0 GiB");
    expect(formatCounts(new Map([["customers", 65], ["interaction_hours", 17_481]]))).toEqual(["  customers              65", "  interaction_hours  17,481"]);
  });
});

describe("finding pg_dump", () => {
  let root: string;
  let savedPath: string | undefined;

  /** A directory with a stand-in pg_dump that reports this version. */
  async function fakeBin(name: string, version: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir);
    const tool = join(dir, "pg_dump");
    await writeFile(tool, `#!/bin/sh\necho "pg_dump (PostgreSQL) ${version}"\n`);
    await chmod(tool, 0o755);
    return dir;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "crm-pg-tools-"));
    savedPath = process.env.PATH;
  });
  afterAll(async () => {
    process.env.PATH = savedPath;
    await rm(root, { recursive: true, force: true });
  });

  it("reads the major version from --version", () => {
    expect(parseToolVersion("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)")).toEqual({ major: 15, version: "15.20" });
    expect(parseToolVersion("pg_restore (PostgreSQL) 17beta2")).toEqual({ major: 17, version: "17beta2" });
    expect(parseToolVersion("something else")).toBeUndefined();
  });

  it("picks the newest that is at least the server's version, and explains when only older ones exist", async () => {
    const old = await fakeBin("v12", "12.19");
    const mid = await fakeBin("v16", "16.4");
    const newest = await fakeBin("v98", "98.1");
    process.env.PATH = [old, mid, newest].join(":");
    expect(await findPgTool("pg_dump", 16, undefined)).toMatchObject({ path: join(newest, "pg_dump"), major: 98 });
    // PG_BIN_DIR alone counts when it is set.
    expect(await findPgTool("pg_dump", 16, mid)).toMatchObject({ path: join(mid, "pg_dump"), major: 16 });
    await expect(findPgTool("pg_dump", 16, old)).rejects.toThrow("the database server runs PostgreSQL 16, but the only pg_dump found in PG_BIN_DIR");
    await expect(findPgTool("pg_dump", 99, undefined)).rejects.toThrow(/server runs PostgreSQL 99, but .*98\.1 at .*v98\/pg_dump/);
    await expect(findPgTool("pg_dump", 15, join(root, "nowhere"))).rejects.toThrow("pg_dump was not found in PG_BIN_DIR");
  });
});
