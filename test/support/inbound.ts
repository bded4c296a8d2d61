import pg from "pg";

/**
 * The webhook answers once a push is stored; a worker records it just after. Tests that look at
 * what a push did wait for that here: until no customer message is waiting in the bot's database.
 */
const databases = new Map<string, string>();

/** startBot says where the bot under test (by its base URL) keeps its rows, when it runs a worker. */
export function rememberBotDatabase(base: string, databaseUrl: string): void {
  databases.set(base, databaseUrl);
}

/** The database of a bot started by startBot (its base URL), if it records messages itself. */
export function botDatabase(base: string): string | undefined {
  return databases.get(base);
}

/** Waits until every customer message taken by the webhook was recorded (or throws after `timeoutMs`). */
export async function waitForInbound(databaseUrl: string, timeoutMs = 10_000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ n: number; errors: string | null }>("SELECT count(*)::int AS n, max(last_error) AS errors FROM inbound_messages");
      if (rows[0]!.n === 0) return;
      if (Date.now() > until) throw new Error(`${rows[0]!.n} customer messages still waiting to be recorded after ${timeoutMs} ms (last error: ${rows[0]!.errors ?? "none"})`);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  } finally {
    await client.end();
  }
}

/** A push's answer, returned once what the push did is recorded (when the bot records it itself). */
export async function recordedAfter(base: string, res: Response): Promise<Response> {
  const database = databases.get(base);
  if (res.ok && database) await waitForInbound(database);
  return res;
}
