import { createServer, type Server } from "node:http";

export interface SentCustomerMessage {
  token: string;
  touser: string;
  msgtype: string;
  content: string;
}

export interface SentTemplateMessage {
  touser: string;
  templateId: string;
  data: Record<string, { value: string }>;
  clientMsgId: string | undefined;
}

/** What the next send answers instead of success: an errcode body, or a bare HTTP status. */
export type ScriptedAnswer = { errcode: number; errmsg: string } | { status: number };

/**
 * A stand-in for api.weixin.qq.com on loopback: the access-token endpoint and the
 * customer-service send, with WeChat's answer shapes. Tokens issued count up (TOKEN-1, TOKEN-2
 * ...); a send with a token other than the newest answers 40001 like WeChat does after a
 * refresh. `script` queues answers for the next sends; `refuse(openId, …)` answers every send to
 * one user so (45015 for a closed window, say). Template messages (`message/template/send`) are
 * kept in `templates`; like WeChat, a repeated client_msg_id sends nothing new.
 */
export class FakeWechatApi {
  readonly sent: SentCustomerMessage[] = [];
  readonly templates: SentTemplateMessage[] = [];
  /** Template ids the account has; a send with another answers 40037. */
  readonly templateIds = new Set<string>();
  tokensIssued = 0;
  script: ScriptedAnswer[] = [];
  private readonly refusals = new Map<string, ScriptedAnswer>();
  private server: Server | undefined;
  private base = "";

  get url(): string {
    return this.base;
  }

  refuse(openId: string, answer: ScriptedAnswer | undefined): void {
    if (answer) this.refusals.set(openId, answer);
    else this.refusals.delete(openId);
  }

  sentTo(openId: string): string[] {
    return this.sent.filter((s) => s.touser === openId).map((s) => s.content);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        if (url.pathname === "/cgi-bin/token") {
          if (url.searchParams.get("grant_type") !== "client_credential" || !url.searchParams.get("appid")) {
            return res.end(JSON.stringify({ errcode: 40002, errmsg: "invalid grant_type" }));
          }
          return res.end(JSON.stringify({ access_token: `TOKEN-${++this.tokensIssued}`, expires_in: 7200 }));
        }
        if (url.pathname !== "/cgi-bin/message/custom/send" && url.pathname !== "/cgi-bin/message/template/send") return res.writeHead(404).end(JSON.stringify({ errcode: 404, errmsg: "not found" }));
        const token = url.searchParams.get("access_token") ?? "";
        if (token !== `TOKEN-${this.tokensIssued}`) return res.end(JSON.stringify({ errcode: 40001, errmsg: "invalid credential, access_token is invalid or not latest" }));
        if (url.pathname === "/cgi-bin/message/template/send") return res.end(JSON.stringify(this.template(raw)));
        let body: { touser?: string; msgtype?: string; text?: { content?: string } };
        try {
          body = JSON.parse(raw) as typeof body;
        } catch {
          return res.end(JSON.stringify({ errcode: 47001, errmsg: "data format error" }));
        }
        const next = this.refusals.get(body.touser ?? "") ?? this.script.shift();
        if (next && "status" in next) return res.writeHead(next.status).end("{}");
        if (next && next.errcode !== 0) return res.end(JSON.stringify(next));
        this.sent.push({ token, touser: body.touser ?? "", msgtype: body.msgtype ?? "", content: body.text?.content ?? "" });
        res.end(JSON.stringify({ errcode: 0, errmsg: "ok" }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  }

  private template(raw: string): { errcode: number; errmsg: string; msgid?: number } {
    let body: { touser?: string; template_id?: string; data?: Record<string, { value: string }>; client_msg_id?: string };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return { errcode: 47001, errmsg: "data format error" };
    }
    if (!body.template_id || !this.templateIds.has(body.template_id)) return { errcode: 40037, errmsg: "invalid template_id" };
    if (!body.touser) return { errcode: 40003, errmsg: "invalid openid" };
    const repeated = body.client_msg_id !== undefined && this.templates.some((m) => m.clientMsgId === body.client_msg_id && m.touser === body.touser);
    if (!repeated) this.templates.push({ touser: body.touser, templateId: body.template_id, data: body.data ?? {}, clientMsgId: body.client_msg_id });
    return { errcode: 0, errmsg: "ok", msgid: this.templates.length };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
