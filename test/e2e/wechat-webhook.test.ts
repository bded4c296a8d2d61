import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptMessage } from "../../adapters/wechat/crypto.js";
import { wechatSignature } from "../../adapters/wechat/signature.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { recordedAfter } from "../support/inbound.js";
import { openIdHash, testCipher } from "../support/sealed.js";

const TOKEN = "wechat-test-token";
const APP_ID = "wx0000000000test";
const AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

let plain: BotUnderTest;
let safe: BotUnderTest;

beforeAll(async () => {
  plain = await startBotUnderTest({ env: { WECHAT_APP_ID: APP_ID, WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN } });
  safe = await startBotUnderTest({ env: { WECHAT_APP_ID: APP_ID, WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN, WECHAT_ENCODING_AES_KEY: AES_KEY } });
});
afterAll(async () => {
  await plain.stop();
  await safe.stop();
});

function textXml(from: string, msgId: string, content: string, createTime = Math.floor(Date.now() / 1000)): string {
  return `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
}

async function pushPlain(base: string, xml: string, signature?: string): Promise<Response> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  const sig = signature ?? wechatSignature(TOKEN, timestamp, nonce);
  return recordedAfter(base, await fetch(`${base}/wechat?signature=${sig}&timestamp=${timestamp}&nonce=${nonce}&openid=x`, { method: "POST", body: xml, headers: { "content-type": "text/xml" } }));
}

/** A plain-mode push under a query string the test chooses (a captured one, or one far off in time). */
async function pushPlainAt(base: string, xml: string, timestamp: string, nonce: string): Promise<Response> {
  return recordedAfter(base, await fetch(`${base}/wechat?signature=${wechatSignature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`, { method: "POST", body: xml }));
}

/** A safe-mode push: the body's Encrypt is covered by msg_signature. */
async function pushSafe(base: string, innerXml: string, timestamp = String(Math.floor(Date.now() / 1000)), nonce = String(Math.floor(Math.random() * 1e9))): Promise<Response> {
  const encrypt = encryptMessage(AES_KEY, APP_ID, innerXml);
  const body = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  return recordedAfter(base, await fetch(`${base}/wechat?signature=${wechatSignature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}&encrypt_type=aes&msg_signature=${wechatSignature(TOKEN, timestamp, nonce, encrypt)}`, { method: "POST", body }));
}

function eventXml(from: string, event: string, createTime = Math.floor(Date.now() / 1000)): string {
  return `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event></xml>`;
}

async function count(t: BotUnderTest, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await t.db.sql.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}

describe("the WeChat Official Account webhook", () => {
  it("answers the URL verification only when signed with the token", async () => {
    const timestamp = "1714036504";
    const nonce = "1514711492";
    const ok = await fetch(`${plain.base}/wechat?signature=${wechatSignature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}&echostr=4375120948345356249`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("4375120948345356249");
    const bad = await fetch(`${plain.base}/wechat?signature=deadbeef&timestamp=${timestamp}&nonce=${nonce}&echostr=1`);
    expect(bad.status).toBe(401);
  });

  it("stores a customer's message once however often WeChat delivers it, makes the sender a lead, and answers success", async () => {
    const openId = "oDemoOpenId0000000003bGY9x";
    const xml = textXml(openId, "6054768590064713728", "你好，想了解一下报价");
    const answers = await Promise.all([1, 2, 3, 4].map(() => pushPlain(plain.base, xml)));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(await a.text()).toBe("success");
    }
    expect(await count(plain, "SELECT count(*)::int AS n FROM interactions WHERE source_platform = 'wechat' AND source_id = '6054768590064713728'")).toBe(1);
    const { rows } = await plain.db.sql.query("SELECT c.name, c.stage, i.channel, i.direction, i.body FROM interactions i JOIN customers c ON c.id = i.customer_id WHERE i.source_id = '6054768590064713728'");
    expect(rows).toEqual([{ name: "WeChat user 3bGY9x", stage: "LEAD", channel: "WECHAT", direction: "INBOUND", body: "你好，想了解一下报价" }]);
    expect(await count(plain, "SELECT count(*)::int AS n FROM contacts WHERE wechat_open_id_hash = $1", [openIdHash(openId)])).toBe(1);
  });

  it("refuses a bad or missing signature, malformed XML, an entity bomb and a huge body, storing nothing", async () => {
    const before = await count(plain, "SELECT count(*)::int AS n FROM interactions");
    expect((await pushPlain(plain.base, textXml("oX", "1", "x"), "0".repeat(40))).status).toBe(401);
    expect((await fetch(`${plain.base}/wechat`, { method: "POST", body: textXml("oX", "2", "x") })).status).toBe(401);
    expect((await pushPlain(plain.base, "<xml><FromUserName>oops")).status).toBe(400);
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>`;
    expect((await pushPlain(plain.base, bomb)).status).toBe(400);
    const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>`;
    expect((await pushPlain(plain.base, xxe)).status).toBe(400);
    const huge = await pushPlain(plain.base, `<xml><Content>${"x".repeat(10 * 1024 * 1024)}</Content></xml>`).catch(() => ({ status: 413 }));
    expect(huge.status).toBe(413);
    expect(await count(plain, "SELECT count(*)::int AS n FROM interactions")).toBe(before);
  });

  it("takes safe-mode pushes checked by msg_signature and decrypted, and refuses a forged one", async () => {
    const inner = textXml("oSafeModeUser000000000aBcDeF", "7000000000000000001", "safe mode hello");
    const encrypt = encryptMessage(AES_KEY, APP_ID, inner);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = "123456";
    const body = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    const post = async (msgSignature: string) =>
      recordedAfter(safe.base, await fetch(`${safe.base}/wechat?signature=${wechatSignature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}&encrypt_type=aes&msg_signature=${msgSignature}`, { method: "POST", body }));
    const forged = await post(wechatSignature(TOKEN, timestamp, nonce)); // the plain signature does not cover the body
    expect(forged.status).toBe(401);
    const ok = await post(wechatSignature(TOKEN, timestamp, nonce, encrypt));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("success");
    const { rows } = await safe.db.sql.query("SELECT body FROM interactions WHERE source_id = '7000000000000000001'");
    expect(rows).toEqual([{ body: "safe mode hello" }]);
  });

  it("records events by sender and time, keeping the QR scene of a subscribe as the lead's source", async () => {
    const t = Math.floor(Date.now() / 1000);
    const subscribe = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[oScanUser0000000000qrScan]]></FromUserName><CreateTime>${t}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_expo2026]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket></xml>`;
    expect((await pushPlain(plain.base, subscribe)).status).toBe(200);
    expect((await pushPlain(plain.base, subscribe)).status).toBe(200);
    const { rows } = await plain.db.sql.query("SELECT c.source, i.body FROM interactions i JOIN customers c ON c.id = i.customer_id JOIN contacts k ON k.id = i.contact_id WHERE k.wechat_open_id_hash = $1", [openIdHash("oScanUser0000000000qrScan")]);
    expect(rows).toEqual([{ source: "wechat:qrscene:expo2026", body: "[event subscribe] qrscene_expo2026" }]);
  });
});

describe("replays, forged erasures, merged leads and text Postgres cannot store", () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it("refuses a signed push whose timestamp is more than 5 minutes away, either way, in plain and safe mode, storing nothing", async () => {
    for (const [i, offset] of [-301, 301, -3600].entries()) {
      const stamp = String(nowSeconds() + offset);
      const plainAnswer = await pushPlainAt(plain.base, textXml("oReplayWindowUser000000000", `71000000000000000${i}1`, "captured"), stamp, "555");
      expect(plainAnswer.status).toBe(403);
      expect(await plainAnswer.text()).toBe("");
      const safeAnswer = await pushSafe(safe.base, textXml("oReplayWindowUser000000000", `71000000000000000${i}2`, "captured"), stamp, "556");
      expect(safeAnswer.status).toBe(403);
    }
    expect(await count(plain, "SELECT count(*)::int AS n FROM interactions WHERE source_id LIKE '71000000000000000%'")).toBe(0);
    expect(await count(safe, "SELECT count(*)::int AS n FROM interactions WHERE source_id LIKE '71000000000000000%'")).toBe(0);
  });

  it("takes the same signed push again as WeChat's retry, but refuses another body under a captured query string", async () => {
    const stamp = String(nowSeconds());
    const nonce = String(Math.floor(Math.random() * 1e9));
    const genuine = textXml("oReplayGenuineUser00000000", "7200000000000000001", "hello");
    for (let i = 0; i < 2; i++) {
      const answer = await pushPlainAt(plain.base, genuine, stamp, nonce);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe("success");
    }
    const injected = await pushPlainAt(plain.base, textXml("oReplayVictim0000000000000", "7200000000000000002", "please call me on +86 ..."), stamp, nonce);
    expect(injected.status).toBe(403);
    expect(await count(plain, "SELECT count(*)::int AS n FROM interactions WHERE source_id = '7200000000000000001'")).toBe(1);
    expect(await count(plain, "SELECT count(*)::int AS n FROM interactions WHERE source_id = '7200000000000000002'")).toBe(0);
    expect(await count(plain, "SELECT count(*)::int AS n FROM contacts WHERE wechat_open_id_hash = $1", [openIdHash("oReplayVictim0000000000000")])).toBe(0);
  });

  it("erases nothing on a plain-mode unsubscribe (its body is signed by nobody), but does on a safe-mode one", async () => {
    const victim = "oForgedUnfollowVictim00000";
    expect((await pushPlain(plain.base, textXml(victim, "7300000000000000001", "my phone is 13800000001"))).status).toBe(200);
    const forged = await pushPlain(plain.base, eventXml(victim, "unsubscribe"));
    expect(forged.status).toBe(200);
    expect(await forged.text()).toBe("success");
    const { rows } = await plain.db.sql.query("SELECT name, wechat_open_id_hash, erased_at, unsubscribed_at FROM contacts WHERE wechat_open_id_hash = $1", [openIdHash(victim)]);
    expect(rows).toEqual([{ name: `WeChat user ${victim.slice(-6)}`, wechat_open_id_hash: openIdHash(victim), erased_at: null, unsubscribed_at: null }]);
    expect(await count(plain, "SELECT count(*)::int AS n FROM interactions WHERE body = '[event unsubscribe]'")).toBe(1);
    expect(await count(plain, "SELECT count(*)::int AS n FROM interactions WHERE body = 'my phone is 13800000001'")).toBe(1);
    expect(await count(plain, "SELECT count(*)::int AS n FROM audit_log WHERE action = 'contact.erase' AND entity_id = (SELECT id::text FROM contacts WHERE wechat_open_id_hash = $1)", [openIdHash(victim)])).toBe(0);

    const leaver = "oSafeUnfollowLeaver0000000";
    expect((await pushSafe(safe.base, textXml(leaver, "7300000000000000002", "my phone is 13800000002"))).status).toBe(200);
    expect((await pushSafe(safe.base, eventXml(leaver, "unsubscribe"))).status).toBe(200);
    expect(await count(safe, "SELECT count(*)::int AS n FROM contacts WHERE wechat_open_id_hash = $1", [openIdHash(leaver)])).toBe(0);
    expect(await count(safe, "SELECT count(*)::int AS n FROM interactions WHERE body LIKE '%13800000002%'")).toBe(0);
  });

  it("makes two leads of two senders whose openids end alike (same six characters, or differing only in case), each findable by a tail", async () => {
    const senders = ["oTailTwinAAAAAAAAAAAAAsameT1", "oTailTwinBBBBBBBBBBBBBsameT1", "oTailTwinCCCCCCCCCCCCCSAMEt1"];
    for (const [i, openId] of senders.entries()) {
      const answer = await pushPlain(plain.base, textXml(openId, `740000000000000000${i}`, `hello from ${i}`));
      expect(answer.status).toBe(200);
    }
    const { rows: found } = await plain.db.sql.query<{ open_id: string; name: string; customer_id: string }>(
      "SELECT k.wechat_open_id_enc AS open_id, c.name, c.id AS customer_id FROM contacts k JOIN customers c ON c.id = k.customer_id WHERE k.wechat_open_id_hash = ANY($1)",
      [senders.map(openIdHash)],
    );
    // Stored sealed (encryption at rest): opened with the test key.
    const rows = found.map((r) => ({ ...r, open_id: testCipher().open("contacts.wechat_open_id", r.open_id) }));
    expect(rows.map((r) => r.open_id).sort()).toEqual([...senders].sort());
    expect(new Set(rows.map((r) => r.customer_id)).size).toBe(3);
    expect(new Set(rows.map((r) => r.name.toLowerCase())).size).toBe(3);
    // The first keeps the short name; the others show enough of their id to be told apart.
    expect(rows.find((r) => r.open_id === senders[0])?.name).toBe("WeChat user sameT1");
    for (const row of rows) expect(row.open_id.endsWith(row.name.slice("WeChat user ".length))).toBe(true);
    expect(await count(plain, "SELECT count(*)::int AS n FROM interactions WHERE source_id LIKE '74000000000000000%' AND customer_id IN (SELECT customer_id FROM contacts WHERE wechat_open_id_hash = $1)", [openIdHash(senders[0]!)])).toBe(1);
  });

  it("stores text with a NUL, in any text field, cleaned, once, and answers success instead of 503 for ever", async () => {
    const nul = textXml("oNulSender0000000000000000", "7500000000000000001", "price?\u0000 please");
    for (let i = 0; i < 2; i++) {
      const answer = await pushPlain(plain.base, nul);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe("success");
    }
    const { rows } = await plain.db.sql.query("SELECT body FROM interactions WHERE source_id = '7500000000000000001'");
    expect(rows).toEqual([{ body: "price?\uFFFD please" }]);
    // Every text field of a push, not only Content (here a link's Title and Description).
    const link = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[oNulSender0000000000000000]]></FromUserName><CreateTime>${nowSeconds()}</CreateTime><MsgType><![CDATA[link]]></MsgType><Title><![CDATA[a\u0000title]]></Title><Description><![CDATA[d\u0000]]></Description><Url><![CDATA[https://example.com/x]]></Url><MsgId>7500000000000000002</MsgId></xml>`;
    const answer = await pushSafe(safe.base, link);
    expect(answer.status).toBe(200);
    const linked = await safe.db.sql.query("SELECT body FROM interactions WHERE source_id = '7500000000000000002'");
    expect(linked.rows).toEqual([{ body: "[link] a\uFFFDtitle https://example.com/x" }]);
  });
});
