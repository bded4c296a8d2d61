import pg from "pg";

/**
 * The floor for reminders: the least a correct firer can do on this machine. A timer, one
 * conditional UPDATE that claims what is due (PENDING -> FIRED, so a second firer gets nothing)
 * and returns each rep's Slack id, then one chat.postMessage per reminder. No queue, no outbox,
 * no Prisma, no rendering beyond the text: what the bot's reminder path is measured against.
 */
export interface ReminderFirer {
  /** Reminders claimed and posted so far. */
  posted(): number;
  /** POSTs that failed and were tried again. */
  failures(): number;
  close(): Promise<void>;
}

export async function startReminderFirer(options: { databaseUrl: string; slackApiUrl: string; botToken: string; tickMs?: number; poolMax?: number }): Promise<ReminderFirer> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolMax ?? 4 });
  const tickMs = options.tickMs ?? 20;
  let posted = 0;
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();

  let failures = 0;
  const post = async (channel: string, text: string): Promise<void> => {
    // A refused or broken POST is tried again, as any correct firer must (the row is taken).
    for (let attempt = 1; ; attempt++) {
      try {
        await postOnce(channel, text);
        return;
      } catch (error) {
        failures++;
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  };
  const postOnce = async (channel: string, text: string): Promise<void> => {
    const response = await fetch(`${options.slackApiUrl.replace(/\/$/, "")}/chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${options.botToken}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ channel, text }),
    });
    const body = (await response.json()) as { ok?: boolean; error?: string };
    if (!body.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
    posted++;
  };

  const tick = async (): Promise<void> => {
    const { rows } = await pool.query<{ channel: string; text: string }>(
      `WITH due AS (
         UPDATE reminders SET status = 'FIRED', fired_at = now(), updated_at = now()
         WHERE id IN (SELECT id FROM reminders WHERE status = 'PENDING' AND due_at <= now() ORDER BY due_at LIMIT 500 FOR UPDATE SKIP LOCKED)
         RETURNING user_id, text)
       SELECT u.external_id AS channel, d.text FROM due d JOIN users u ON u.id = d.user_id`,
    );
    for (const r of rows) {
      const p = post(r.channel, r.text).catch(() => undefined).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      const started = Date.now();
      await tick().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (Date.now() - started))));
    }
  };
  const running = loop();

  return {
    posted: () => posted,
    failures: () => failures,
    async close() {
      stopped = true;
      await running;
      await Promise.all(inFlight);
      await pool.end();
    },
  };
}
