import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { XMLParser } from "fast-xml-parser";
import pg from "pg";

/**
 * The floor for WeChat ingest: the least a correct webhook can do on this machine. A bare
 * node:http server and a raw pg pool: it checks the signature, parses the XML (no entities, a
 * size limit), does one INSERT … ON CONFLICT DO NOTHING keyed by MsgId, and answers "success".
 * No framework, no Prisma, no queue: what the bot's webhook is measured against.
 */
export interface WebhookFloor {
  port: number;
  close(): Promise<void>;
}

const parser = new XMLParser({ processEntities: false, parseTagValue: false, ignoreDeclaration: true });

export async function startWechatWebhookFloor(options: { databaseUrl: string; token: string; poolMax?: number }): Promise<WebhookFloor> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolMax ?? 20 });
  await pool.query(`CREATE TABLE IF NOT EXISTS floor_inbound (msg_id text PRIMARY KEY, sender text NOT NULL, payload text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    });
    req.on("end", () => {
      void (async () => {
        const q = new URL(req.url ?? "/", "http://localhost").searchParams;
        const expected = createHash("sha1").update([options.token, q.get("timestamp") ?? "", q.get("nonce") ?? ""].sort().join("")).digest();
        const given = Buffer.from(q.get("signature") ?? "", "hex");
        if (size > 64 * 1024) return void res.writeHead(413).end();
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return void res.writeHead(401).end();
        const fields = (parser.parse(Buffer.concat(chunks).toString("utf8")) as { xml?: Record<string, string> }).xml;
        if (!fields?.FromUserName || !fields.MsgType) return void res.writeHead(400).end();
        const id = fields.MsgId ?? `${fields.FromUserName}:${fields.CreateTime}:${fields.Event ?? ""}`;
        try {
          await pool.query("INSERT INTO floor_inbound (msg_id, sender, payload) VALUES ($1, $2, $3) ON CONFLICT (msg_id) DO NOTHING", [id, fields.FromUserName, JSON.stringify(fields)]);
        } catch {
          return void res.writeHead(503).end("try again");
        }
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("success");
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
