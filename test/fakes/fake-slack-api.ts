import { createServer, type IncomingMessage, type Server } from "node:http";

export interface RecordedCall {
  method: string;
  /** When the fake received it (ms since the epoch). */
  at: number;
  token: string | undefined;
  /** Form or JSON fields; JSON-encoded form fields (blocks, view) are decoded. */
  body: Record<string, unknown>;
}

export interface FakeUser {
  id: string;
  name: string;
  realName?: string;
  locale?: string;
  tz?: string;
}

function decodeForm(raw: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    try {
      out[key] = value.startsWith("{") || value.startsWith("[") ? JSON.parse(value) : value;
    } catch {
      out[key] = value;
    }
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (!raw) return {};
  return (req.headers["content-type"] ?? "").includes("application/json") ? (JSON.parse(raw) as Record<string, unknown>) : decodeForm(raw);
}

/**
 * A stand-in for slack.com on loopback, speaking the Web API's shapes: POST /api/<method>
 * with a bearer token, `{ ok, error }` answers, real error codes (invalid_auth,
 * channel_not_found, ratelimited with Retry-After). It also serves response_url posts at
 * /response/<id>. Everything the bot sends is recorded for assertions.
 */
export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  readonly responses: { path: string; body: Record<string, unknown> }[] = [];
  readonly users = new Map<string, FakeUser>();
  /** Method name -> answer to use once instead of the normal one (e.g. a 429). */
  readonly overrides = new Map<string, { status: number; headers?: Record<string, string>; body: unknown }[]>();
  /** Messages the bot posted, per channel (a user id's DM is "D" + the user id), oldest first. */
  readonly channels = new Map<string, { ts: string; text: unknown; thread_ts?: unknown; metadata?: unknown }[]>();
  private server: Server | undefined;
  private messageCounter = 1_700_000_000;
  port = 0;

  constructor(readonly botToken: string) {}

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  addUser(user: FakeUser): void {
    this.users.set(user.id, user);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      readBody(req)
        .then((body) => {
          const url = new URL(req.url ?? "/", "http://localhost");
          if (url.pathname.startsWith("/response/")) {
            this.responses.push({ path: url.pathname, body });
            res.writeHead(200, { "content-type": "text/plain" }).end("ok");
            return;
          }
          const method = url.pathname.replace(/^\/api\//, "");
          const token = (req.headers.authorization ?? "").replace(/^Bearer /, "") || (typeof body.token === "string" ? body.token : undefined);
          this.calls.push({ method, at: Date.now(), token, body });
          const override = this.overrides.get(method)?.shift();
          if (override) {
            res.writeHead(override.status, { "content-type": "application/json", ...override.headers }).end(JSON.stringify(override.body));
            return;
          }
          const answer = token === this.botToken ? this.answer(method, body) : { ok: false, error: "invalid_auth" };
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
        })
        .catch(() => res.writeHead(400).end());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    // The Web API client keeps connections alive; close them or close() waits for ever.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Slack answers a post to a user id in the bot's DM channel with that user. */
  channelOf(destination: string): string {
    return /^[UW]/.test(destination) ? `D${destination}` : destination;
  }

  private answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://acme-sales.slack.com/", team: "Acme Sales", user: "crm", team_id: "T0001", user_id: "UBOT", bot_id: "BBOT" };
      case "users.info": {
        const user = this.users.get(String(body.user));
        if (!user) return { ok: false, error: "user_not_found" };
        return {
          ok: true,
          user: {
            id: user.id, name: user.name, real_name: user.realName ?? user.name, tz: user.tz ?? "Asia/Shanghai",
            ...(body.include_locale ? { locale: user.locale ?? "en-US" } : {}),
            profile: { real_name: user.realName ?? user.name, display_name: user.realName ?? user.name },
          },
        };
      }
      case "chat.getPermalink":
        return { ok: true, channel: body.channel, permalink: `https://acme-sales.slack.com/archives/${String(body.channel)}/p${String(body.message_ts).replace(".", "")}` };
      case "views.open":
        if (!body.trigger_id) return { ok: false, error: "invalid_trigger_id" };
        return { ok: true, view: { id: `V${this.messageCounter++}`, ...(body.view as object) } };
      case "chat.postMessage": {
        if (!body.channel) return { ok: false, error: "channel_not_found" };
        const channel = this.channelOf(body.channel as string);
        const ts = `${this.messageCounter++}.000100`;
        const list = this.channels.get(channel) ?? [];
        list.push({ ts, text: body.text, ...(body.thread_ts ? { thread_ts: body.thread_ts } : {}), ...(body.metadata ? { metadata: body.metadata } : {}) });
        this.channels.set(channel, list);
        return { ok: true, channel, ts };
      }
      case "chat.postEphemeral":
        if (!body.channel) return { ok: false, error: "channel_not_found" };
        return { ok: true, channel: body.channel, message_ts: `${this.messageCounter++}.000100` };
      case "conversations.open":
        if (!body.users) return { ok: false, error: "users_list_not_supplied" };
        return { ok: true, channel: { id: this.channelOf(body.users as string) } };
      case "conversations.replies": {
        const all = this.channels.get(String(body.channel)) ?? [];
        const parent = all.find((m) => m.ts === body.ts);
        if (!parent) return { ok: false, error: "thread_not_found" };
        const messages = [parent, ...all.filter((m) => m.thread_ts === body.ts && m.ts !== body.ts)];
        return { ok: true, messages: messages.map((m) => (body.include_all_metadata ? m : { ts: m.ts, text: m.text, thread_ts: m.thread_ts })), has_more: false };
      }
      case "conversations.history": {
        // Thread replies are not part of a channel's history, as on Slack.
        const messages = [...(this.channels.get(String(body.channel)) ?? [])].filter((m) => !m.thread_ts || m.thread_ts === m.ts).reverse().slice(0, Number(body.limit ?? 100));
        // Metadata is returned only when asked for, as on Slack.
        return { ok: true, messages: messages.map((m) => (body.include_all_metadata ? m : { ts: m.ts, text: m.text })), has_more: false };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}
