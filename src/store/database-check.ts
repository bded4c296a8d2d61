import pg from "pg";

/**
 * What a first connection to DATABASE_URL says, in words an operator can act on. A wrong
 * password or a missing database never heals by waiting, so the caller stops; a server that
 * does not answer may be starting, so a long-running process can wait for it.
 */
export type DatabaseProblem =
  | { kind: "refused" | "unknown-host" | "timeout" | "other"; lasting: false; message: string }
  | { kind: "auth" | "missing-database" | "bad-url"; lasting: true; message: string };

/** Host, port, user and database of a URL, never its password. */
function describe(url: string): { where: string; user: string; database: string } | undefined {
  try {
    const u = new URL(url);
    return {
      where: `${u.hostname || "localhost"}:${u.port || "5432"}`,
      user: decodeURIComponent(u.username) || "(default user)",
      database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "(default database)",
    };
  } catch {
    return undefined;
  }
}

export function explainDatabaseError(url: string, error: unknown): DatabaseProblem {
  const target = describe(url);
  if (!target) return { kind: "bad-url", lasting: true, message: "DATABASE_URL is not a valid URL (expected postgresql://user:password@host:5432/database)." };
  const { where, user, database } = target;
  const e = error as { code?: string; message?: string };
  switch (e?.code) {
    case "ECONNREFUSED":
      return { kind: "refused", lasting: false, message: `DATABASE_URL: nothing accepts connections at ${where} (connection refused). Is Postgres running there?` };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { kind: "unknown-host", lasting: false, message: `DATABASE_URL: the host in ${where} cannot be found (${e.code}).` };
    case "ETIMEDOUT":
      return { kind: "timeout", lasting: false, message: `DATABASE_URL: Postgres at ${where} did not answer in time.` };
    case "28P01":
    case "28000":
      return { kind: "auth", lasting: true, message: `DATABASE_URL: Postgres at ${where} refused user "${user}" (${e.message ?? "authentication failed"}). Check the user and password.` };
    case "3D000":
      return { kind: "missing-database", lasting: true, message: `DATABASE_URL: the database "${database}" does not exist at ${where}. Create it (createdb ${database}) or name another one.` };
    default:
      if (/timeout/i.test(e?.message ?? "")) return { kind: "timeout", lasting: false, message: `DATABASE_URL: Postgres at ${where} did not answer in time.` };
      return { kind: "other", lasting: false, message: `DATABASE_URL: could not connect to Postgres at ${where}: ${e?.message ?? String(error)}` };
  }
}

/** Connects once and disconnects: undefined when the database answers. */
export async function checkDatabase(url: string, timeoutMs = 5_000): Promise<DatabaseProblem | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // An error after connect (the server going away) must not be an unhandled 'error' event.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return explainDatabaseError(url, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
