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

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(bytes: Buffer, contentType: string): Record<string, unknown> {
  const raw = bytes.toString("utf8");
  if (!raw) return {};
  return contentType.includes("application/json") ? (JSON.parse(raw) as Record<string, unknown>) : decodeForm(raw);
}

/**
 * A file through Slack's external upload: reserved by files.getUploadURLExternal, its bytes
 * POSTed to the upload URL, shared by files.completeUploadExternal.
 */
export interface FakeFile {
  id: string;
  filename: string;
  /** The length announced when the upload URL was asked for. */
  length: number;
  altText?: string;
  /** What arrived at the upload URL. */
  bytes?: Buffer;
  /** Set when files.completeUploadExternal shared it. */
  title?: string;
  channel?: string;
  thread?: string;
  initialComment?: string;
}

/**
 * A stand-in for slack.com on loopback, speaking the Web API's shapes: POST /api/<method>
 * with a bearer token, `{ ok, error }` answers, real error codes (invalid_auth,
 * channel_not_found, ratelimited with Retry-After). It also serves response_url posts at
 * /response/<id>. Everything the bot sends is recorded for assertions.
 */
export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  /** Home tabs the bot published (views.publish), oldest first. */
  readonly homeViews: { user: string; view: Record<string, unknown>; at: number }[] = [];
  readonly responses: { path: string; body: Record<string, unknown> }[] = [];
  readonly users = new Map<string, FakeUser>();
  /**
   * Method name -> answer to use once instead of the normal one (e.g. a 429), for the next call,
   * or for the next call whose arguments `when` picks (other messages may be on their way).
   */
  readonly overrides = new Map<string, { status: number; headers?: Record<string, string>; body: unknown; when?: (args: Record<string, unknown>) => boolean }[]>();
  /** Messages the bot posted, per channel (a user id's DM is "D" + the user id), oldest first. */
  readonly channels = new Map<string, { ts: string; text: unknown; thread_ts?: unknown; metadata?: unknown }[]>();
  /** Every file the bot reserved an upload URL for, by id. */
  readonly files = new Map<string, FakeFile>();
  /** Files shared into a conversation (files.completeUploadExternal succeeded), in that order. */
  readonly uploads: FakeFile[] = [];
  /**
   * Channels the bot is not a member of: posting there still works (chat:write.public), but
   * sharing a file answers not_in_channel, as on Slack.
   */
  readonly notInChannel = new Set<string>();
  /** Channels that do not exist (deleted, or never were): sharing a file and conversations.info answer channel_not_found. */
  readonly unknownChannels = new Set<string>();
  /**
   * Slack Connect channels, shared with other organisations: conversations.info says
   * `is_ext_shared: true` for them. Every other channel id is an ordinary internal channel.
   */
  readonly externallyShared = new Set<string>();
  /** Channel names conversations.info answers with, by id (otherwise the id in lower case). */
  readonly channelNames = new Map<string, string>();
  /**
   * Files people shared (imports): files.info describes them, and their bytes are served at
   * url_private_download only with the bot token as a bearer (as on Slack; 403 otherwise).
   */
  readonly hosted = new Map<string, { name: string; mimetype: string; bytes: Buffer }>();
  /** Downloads of hosted files, with the token they came with. */
  readonly downloads: { id: string; token: string | undefined }[] = [];
  /** Messages the bot changed with chat.update, in order. */
  readonly updates: { channel: string; ts: string; text: unknown }[] = [];
  private server: Server | undefined;
  private messageCounter = 1_700_000_000;
  private fileCounter = 1;
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
      readRaw(req)
        .then(async (raw) => {
          const url = new URL(req.url ?? "/", "http://localhost");
          if (url.pathname.startsWith("/files-pri/")) {
            const id = url.pathname.slice("/files-pri/".length).split("/")[0] ?? "";
            const token = (req.headers.authorization ?? "").replace(/^Bearer /, "") || undefined;
            this.downloads.push({ id, token });
            const file = this.hosted.get(id);
            if (token !== this.botToken || !file) {
              res.writeHead(token !== this.botToken ? 403 : 404, { "content-type": "text/html" }).end("<html>login</html>");
              return;
            }
            res.writeHead(200, { "content-type": file.mimetype, "content-length": String(file.bytes.length) }).end(file.bytes);
            return;
          }
          if (url.pathname.startsWith("/upload/")) {
            const answer = await this.receiveUpload(url.pathname.slice("/upload/".length), raw, req.headers["content-type"] ?? "");
            res.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.text);
            return;
          }
          const body = parseBody(raw, req.headers["content-type"] ?? "");
          if (url.pathname.startsWith("/response/")) {
            this.responses.push({ path: url.pathname, body });
            res.writeHead(200, { "content-type": "text/plain" }).end("ok");
            return;
          }
          const method = url.pathname.replace(/^\/api\//, "");
          const token = (req.headers.authorization ?? "").replace(/^Bearer /, "") || (typeof body.token === "string" ? body.token : undefined);
          this.calls.push({ method, at: Date.now(), token, body });
          const pending = this.overrides.get(method) ?? [];
          const index = pending.findIndex((o) => !o.when || o.when(body));
          const override = index >= 0 ? pending.splice(index, 1)[0] : undefined;
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

  /**
   * The upload URL's side: Slack takes the bytes raw or as multipart/form-data (the Web API
   * client sends one multipart field), answers 200 "OK - <bytes>", and anything else non-200.
   */
  private async receiveUpload(id: string, raw: Buffer, contentType: string): Promise<{ status: number; text: string }> {
    const file = this.files.get(id);
    if (!file || file.title !== undefined) return { status: 404, text: "upload not found" };
    let bytes = raw;
    if (contentType.startsWith("multipart/form-data")) {
      const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
      const part = [...form.values()].find((v) => typeof v !== "string");
      if (part === undefined || typeof part === "string") return { status: 400, text: "no file in the form" };
      bytes = Buffer.from(await (part as Blob).arrayBuffer());
    }
    if (bytes.length !== file.length) return { status: 400, text: `length mismatch: announced ${file.length}, received ${bytes.length}` };
    file.bytes = bytes;
    return { status: 200, text: `OK - ${bytes.length}` };
  }

  private completeUpload(body: Record<string, unknown>): Record<string, unknown> {
    const files = body.files;
    if (!Array.isArray(files) || files.length === 0 || !files.every((f): f is { id: string; title?: string } => typeof f === "object" && f !== null && typeof (f as { id?: unknown }).id === "string")) {
      return { ok: false, error: "invalid_arguments" };
    }
    // Unknown ids, files whose bytes never arrived, and files already shared are all gone for Slack.
    const found = files.map((f) => this.files.get(f.id));
    if (found.some((f) => !f || !f.bytes || f.title !== undefined)) return { ok: false, error: "file_not_found" };
    const channel = typeof body.channel_id === "string" && body.channel_id ? body.channel_id : undefined;
    if (body.thread_ts && !channel) return { ok: false, error: "invalid_arguments" };
    if (channel && this.unknownChannels.has(channel)) return { ok: false, error: "channel_not_found" };
    if (channel && this.notInChannel.has(channel)) return { ok: false, error: "not_in_channel" };
    const shared = found.map((file, i) => {
      const f = file!;
      f.title = files[i]!.title ?? f.filename;
      if (channel) f.channel = this.channelOf(channel);
      if (typeof body.thread_ts === "string") f.thread = body.thread_ts;
      if (typeof body.initial_comment === "string") f.initialComment = body.initial_comment;
      this.uploads.push(f);
      return { id: f.id, title: f.title };
    });
    return { ok: true, files: shared };
  }

  /** Hosts a file as if a person had shared it; returns its id (use sharedFile for the event's `files` entry). */
  hostFile(name: string, bytes: Buffer, mimetype = name.endsWith(".xlsx") ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv"): string {
    const id = `FH${String(this.fileCounter++).padStart(7, "0")}`;
    this.hosted.set(id, { name, mimetype, bytes });
    return id;
  }

  /** A hosted file as Slack describes it in a message's `files` and in files.info. */
  sharedFile(id: string): Record<string, unknown> {
    const file = this.hosted.get(id)!;
    return {
      id, name: file.name, title: file.name, mimetype: file.mimetype, filetype: file.name.split(".").pop(), size: file.bytes.length, mode: "hosted",
      url_private: `http://127.0.0.1:${this.port}/files-pri/${id}/${encodeURIComponent(file.name)}`,
      url_private_download: `http://127.0.0.1:${this.port}/files-pri/${id}/download/${encodeURIComponent(file.name)}`,
    };
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
      case "views.publish": {
        // The Home tab: each publish replaces the user's view; every one is kept for assertions.
        const view = body.view as { type?: string } | undefined;
        if (typeof body.user_id !== "string" || !body.user_id) return { ok: false, error: "invalid_arguments" };
        if (view?.type !== "home") return { ok: false, error: "invalid_arguments" };
        if (Array.isArray((view as { blocks?: unknown }).blocks) && (view as { blocks: unknown[] }).blocks.length > 100) return { ok: false, error: "invalid_blocks" };
        this.homeViews.push({ user: body.user_id, view: body.view as Record<string, unknown>, at: Date.now() });
        return { ok: true, view: { id: `V${this.messageCounter++}`, ...(body.view as object) } };
      }
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
      case "conversations.info": {
        const id = typeof body.channel === "string" ? body.channel : "";
        if (!id || this.unknownChannels.has(id)) return { ok: false, error: "channel_not_found" };
        const external = this.externallyShared.has(id);
        return {
          ok: true,
          channel: {
            id, name: this.channelNames.get(id) ?? id.toLowerCase(), is_channel: id.startsWith("C"), is_group: id.startsWith("G"), is_im: id.startsWith("D"),
            is_private: !id.startsWith("C"), is_shared: external, is_ext_shared: external, is_org_shared: false, is_pending_ext_shared: false,
          },
        };
      }
      case "files.info": {
        const file = this.hosted.get(String(body.file));
        return file ? { ok: true, file: this.sharedFile(String(body.file)) } : { ok: false, error: "file_not_found" };
      }
      case "chat.update":
        if (!body.channel || !body.ts) return { ok: false, error: "cant_update_message" };
        this.updates.push({ channel: body.channel as string, ts: body.ts as string, text: body.text });
        return { ok: true, channel: body.channel, ts: body.ts };
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
      case "files.getUploadURLExternal": {
        const length = Number(body.length);
        if (typeof body.filename !== "string" || !body.filename || body.length === undefined || !Number.isInteger(length) || length < 0) return { ok: false, error: "invalid_arguments" };
        if (length === 0) return { ok: false, error: "missing_argument" };
        const alt = body.alt_txt ?? body.alt_text;
        if (typeof alt === "string" && alt.length > 1000) return { ok: false, error: "alt_txt_too_large" };
        const id = `F${String(this.fileCounter++).padStart(8, "0")}`;
        this.files.set(id, { id, filename: body.filename, length, ...(typeof alt === "string" ? { altText: alt } : {}) });
        return { ok: true, upload_url: `http://127.0.0.1:${this.port}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal":
        return this.completeUpload(body);
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
