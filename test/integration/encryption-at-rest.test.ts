import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/crm.js";
import { DataKeyError, FieldCipher, SEALED_TABLES, dataKey, resealAll, sealPlaintext } from "../../src/store/index.js";
import { BOT_TOKEN, startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TEST_DATA_ENCRYPTION_KEY, TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";
import { openIdHash, testCipher } from "../support/sealed.js";
import { SlackDriver, findButton, visibleText } from "../support/slack-driver.js";
import { pushToWechat } from "../support/wechat-push.js";
import { FakeSlackApi, eventually } from "../fakes/fake-slack-api.js";
import { FakeWechatApi } from "../fakes/fake-wechat-api.js";

/**
 * Encryption at rest through the real bot (fake Slack and WeChat APIs, real Postgres and
 * Redis): contacts added with /contact, a new WeChat sender's pushes, an inbox reply, then every
 * text, varchar, json, jsonb, bytea and text[] column of every table searched for the phone's
 * digits, the email and the openid. Then the same data read back (card, WeChat look-up,
 * duplicates), a key rotation through `npm run crm -- rotate-key` read with only the new key, and
 * the start-up rule.
 */

const TOKEN = "encryption-test-token";
const SAFE = { encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", appId: "wxencryptiontest" };
const INBOX = "C0ENCINBOX";
const boss = { id: "U0ENCBOSS", name: "boss" };
const li = { id: "U0ENCLI", name: "li.na" };
const tom = { id: "U0ENCTOM", name: "tom" };

// Unusual values, so finding one anywhere can only mean it leaked.
const PHONE_DIGITS = "13912345678";
const PHONE_SHOWN = "+86 139 1234 5678";
const EMAIL = "Li.Lei@Enc-Secret.example";
const OPEN_ID = "oEncAtRest00000000000Zq9Wx7K";
const ADDRESS = "88 Hidden Orchard Lane";

const NEW_KEY = randomBytes(32).toString("base64");
const newKeyId = dataKey(Buffer.from(NEW_KEY, "base64")).id;
const oldKeyId = testCipher().keyId;

let db: TestDatabase;
let fakeSlack: FakeSlackApi;
let wechat: FakeWechatApi;
let bot: BotUnderTest;
let slack: SlackDriver;
const prefix = `crmtest-enc-${randomBytes(4).toString("hex")}`;
const keyDir = mkdtempSync(join(tmpdir(), "crm-keys-"));
let msgId = 9_100_000_000_000_000_000n;
/** The inbox thread's header, whose Reply button answers the WeChat sender. */
let header: Record<string, unknown>[];

const wechatEnv = { WECHAT_APP_ID: SAFE.appId, WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN, WECHAT_ENCODING_AES_KEY: SAFE.encodingAesKey, WECHAT_INBOX_CHANNEL: INBOX };

async function startOn(env: Record<string, string> = {}, options: { db?: TestDatabase; keyFile?: string } = {}): Promise<BotUnderTest> {
  // A bot on another database gets job keys of its own (made and deleted by startBotUnderTest):
  // sharing the file's queues, it could take the main bot's jobs and its stop wait on them.
  const jobs = options.db ? {} : { prefix };
  return startBotUnderTest({ db: options.db ?? db, slack: fakeSlack, ...jobs, env: { ...wechatEnv, WECHAT_API_BASE_URL: wechat.url, ...env }, dataKeyFile: options.keyFile ?? join(keyDir, "unused-key") });
}

async function push(fields: Record<string, string>): Promise<void> {
  const res = await pushToWechat(bot.base, TOKEN, fields, new Date(), SAFE);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("success");
}

/** Li answers the WeChat sender from the inbox thread; resolves once the fake WeChat API got it. */
async function reply(text: string): Promise<void> {
  const { triggerId } = await slack.press(li, findButton(header, "inbox.reply"), INBOX);
  const view = await slack.openedView(triggerId);
  expect((await slack.submit(li, view, { text })).status).toBe(200);
  await eventually(() => wechat.sentTo(OPEN_ID).includes(text), 15_000);
}

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.sql.query(sql, params)).rows as T[];
}

/** Every (table, column) whose values are text of some kind, from information_schema. */
async function textColumns(): Promise<{ table: string; column: string; type: string }[]> {
  return rows(
    `SELECT c.table_name AS "table", c.column_name AS "column", c.data_type AS type
     FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
       AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea') OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar')))
     ORDER BY 1, 2`,
  );
}

/** Where any of the needles occurs (any letter case), as "table.column: needle". */
async function findPlaintext(needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const { table, column, type } of await textColumns()) {
    const value = type === "bytea" ? `encode("${column}", 'escape')` : `"${column}"::text`;
    for (const needle of needles) {
      const hit = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE position(lower($1) IN lower(${value})) > 0`, [needle]);
      if (hit[0]!.n > 0) found.push(`${table}.${column}: ${needle}`);
    }
  }
  return found;
}

async function rotate(env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const set: Record<string, string> = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: "silent", ...env };
  const saved = Object.fromEntries(Object.keys(set).map((k) => [k, process.env[k]]));
  Object.assign(process.env, set);
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on("data", (c: Buffer) => chunks.out.push(c));
  err.on("data", (c: Buffer) => chunks.err.push(c));
  try {
    const code = await runCli(["rotate-key"], { out, err });
    return { code, out: Buffer.concat(chunks.out).toString(), err: Buffer.concat(chunks.err).toString() };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  fakeSlack = new FakeSlackApi(BOT_TOKEN);
  await fakeSlack.start();
  wechat = new FakeWechatApi();
  await wechat.start();
  bot = await startOn();
  slack = new SlackDriver(bot.base, fakeSlack);
  fakeSlack.addUser({ id: boss.id, name: boss.name, realName: "The Boss", locale: "en-US", tz: "Asia/Shanghai" });
  fakeSlack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  fakeSlack.addUser({ id: tom.id, name: tom.name, realName: "Tom Becker", locale: "en-US", tz: "Europe/Berlin" });
  // The first Slack user of an install is its admin; Li and Tom are reps.
  await slack.ask(boss, "/crm", "help");
  await slack.ask(li, "/customer", "add Acme Ltd");
  await slack.ask(tom, "/customer", "add Globex");
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await wechat?.stop();
  await fakeSlack?.stop();
  await db?.drop();
  await deleteKeys(prefix);
  rmSync(keyDir, { recursive: true, force: true });
});

describe("personal details at rest", () => {
  it("keeps no phone, email, WeChat openid or address in plain text in any column, after /contact add, WeChat pushes and an inbox reply", async () => {
    expect((await slack.ask(li, "/contact", `add Acme Li Lei ${EMAIL} 139 1234 5678`)).text).toContain("Added Li Lei to the contacts of Acme Ltd.");
    expect((await slack.ask(li, "/customer", `set Acme address ${ADDRESS}`)).text).toContain(`Address is now “${ADDRESS}”`);

    // A new sender: a follow (an event, whose id WeChat makes of the openid) and a message.
    await push({ FromUserName: OPEN_ID, MsgType: "event", Event: "subscribe" });
    await push({ FromUserName: OPEN_ID, MsgType: "text", Content: "Hello, I would like a quote", MsgId: String(msgId++) });
    const posted = await eventually(() => fakeSlack.callsTo("chat.postMessage").find((c) => c.body.channel === INBOX && visibleText((c.body.blocks ?? []) as Record<string, unknown>[]).includes("New WeChat conversation")), 15_000);
    header = posted.body.blocks as Record<string, unknown>[];

    // Li answers from the inbox: the outbox row names the openid, which the worker must open to send.
    await reply("Thanks, the quote follows today.");

    const columns = await textColumns();
    // The search covers the sealed columns and the places these values went before.
    for (const c of ["contacts.email_enc", "contacts.phone_enc", "contacts.wechat_open_id_enc", "customers.address_enc", "outbox.destination_enc", "outbox.payload", "interactions.source_id", "audit_log.detail", "customers.name"]) {
      expect(columns.map((x) => `${x.table}.${x.column}`)).toContain(c);
    }
    expect(await findPlaintext([PHONE_DIGITS, EMAIL, OPEN_ID, ADDRESS])).toEqual([]);
    // The search does find what is stored in plain text (message texts are not encrypted).
    expect(await findPlaintext(["would like a quote"])).toEqual(["interactions.body: would like a quote"]);

    // What is there instead: sealed values under the test key, and the hashes they are found by.
    const [contact] = await rows<{ email_enc: string; phone_enc: string; email_hash: string; phone_hash: string }>("SELECT email_enc, phone_enc, email_hash, phone_hash FROM contacts WHERE name = 'Li Lei'");
    expect(contact!.phone_enc).toMatch(new RegExp(`^v1\\.${oldKeyId}\\.`));
    expect(testCipher().open("contacts.phone", contact!.phone_enc)).toBe("+8613912345678");
    expect(testCipher().open("contacts.email", contact!.email_enc)).toBe("Li.Lei@enc-secret.example");
    expect(contact!.phone_hash).toBe(testCipher().lookup("phone", PHONE_SHOWN));
    const [sent] = await rows<{ destination: string | null; destination_enc: string; destination_hash: string; status: string }>(
      "SELECT destination, destination_enc, destination_hash, status::text AS status FROM outbox WHERE platform = 'wechat'",
    );
    expect(sent).toMatchObject({ destination: null, destination_hash: openIdHash(OPEN_ID), status: "SENT" });
    const events = await rows<{ source_id: string }>("SELECT source_id FROM interactions WHERE source_id LIKE '%:event:%'");
    expect(events).toHaveLength(1);
    expect(events[0]!.source_id).toMatch(/^~[A-Za-z0-9_-]{22}:\d+:event:subscribe$/);
  }, 60_000);

  it("still shows them on the card to the owner (and an admin), not to another rep", async () => {
    const mine = await slack.ask(li, "/customer", "Acme");
    expect(mine.text).toContain("Li.Lei@enc-secret.example");
    expect(mine.text).toContain(PHONE_SHOWN);
    expect(mine.text).toContain(ADDRESS);
    expect((await slack.ask(boss, "/customer", "Acme")).text).toContain(PHONE_SHOWN);
    const theirs = await slack.ask(tom, "/customer", "Acme");
    expect(theirs.text).toContain("Li Lei");
    expect(theirs.text).not.toContain("enc-secret");
    expect(theirs.text).not.toContain(PHONE_SHOWN);
    expect(theirs.text).not.toContain("1234 5678");
  }, 30_000);

  it("finds a WeChat sender again by the keyed hash, and a contact's phone written another way", async () => {
    await push({ FromUserName: OPEN_ID, MsgType: "text", Content: "Any news?", MsgId: String(msgId++) });
    await eventually(async () => (await rows("SELECT 1 FROM interactions WHERE body = 'Any news?'")).length === 1);
    const people = await rows<{ contacts: number; interactions: number }>(
      `SELECT count(DISTINCT k.id)::int AS contacts, count(i.id)::int AS interactions
       FROM contacts k LEFT JOIN interactions i ON i.contact_id = k.id WHERE k.wechat_open_id_hash = $1`,
      [openIdHash(OPEN_ID)],
    );
    // One person: the follow, two messages and the reply, all on the one contact.
    expect(people).toEqual([{ contacts: 1, interactions: 4 }]);
    expect(await rows("SELECT 1 FROM customers WHERE name LIKE 'WeChat user %'")).toHaveLength(1);
    // The same phone written without the country code is the same contact's phone.
    expect((await slack.ask(li, "/contact", "add Acme Lei Li 13912345678")).text).toContain("Acme Ltd already has Li Lei with this phone number");
  }, 30_000);

  it("still finds duplicates by phone, and shows the phone to those who may see it", async () => {
    await slack.ask(boss, "/customer", "add Harbor Trading");
    expect((await slack.ask(boss, "/contact", "add Harbor Wang Wu +86 139-1234-5678")).text).toContain("Added Wang Wu");
    const list = await slack.ask(boss, "/crm", "duplicates");
    expect(list.text).toMatch(/Acme Ltd[\s\S]*Harbor Trading|Harbor Trading[\s\S]*Acme Ltd/);
    expect(list.text).toContain(`same phone ${PHONE_SHOWN}`);
    expect(await findPlaintext([PHONE_DIGITS])).toEqual([]);
  }, 30_000);
});

describe("key rotation", () => {
  it("re-encrypts every value under the new key with npm run crm -- rotate-key, retires the old key, and is idempotent", async () => {
    await bot.stop();
    // A message to the WeChat sender still queued while the keys change (sealed with the old key).
    await db.store.outbox.enqueue({ platform: "wechat", destination: OPEN_ID, payload: { type: "survey.opted-out", locale: "en" }, dedupeKey: "queued-during-rotation", at: new Date() });
    const refused = await rotate({ DATA_ENCRYPTION_KEY: NEW_KEY, DATA_ENCRYPTION_OLD_KEYS: "" });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`is not the key this database's personal details were encrypted with (key ${oldKeyId})`);

    const first = await rotate({ DATA_ENCRYPTION_KEY: NEW_KEY, DATA_ENCRYPTION_OLD_KEYS: TEST_DATA_ENCRYPTION_KEY });
    expect(first.err).toContain(`Re-encrypting personal details under key ${newKeyId}, reading keys ${oldKeyId}`);
    expect(first.err).toMatch(/contacts: \d+ rows/);
    expect(first.out).toContain(`Re-encrypted under key ${newKeyId}: 3 contacts, 1 customers, 2 outgoing messages.`);
    expect(first.out).toContain(`Retired key ${oldKeyId}`);
    expect(first.code).toBe(0);

    const again = await rotate({ DATA_ENCRYPTION_KEY: NEW_KEY, DATA_ENCRYPTION_OLD_KEYS: TEST_DATA_ENCRYPTION_KEY });
    expect(again.out).toContain(`Re-encrypted under key ${newKeyId}: 0 contacts, 0 customers, 0 outgoing messages.`);
    expect(again.code).toBe(0);

    // Every sealed value is under the new key and opens with it alone; none with the old one.
    const only = new FieldCipher(dataKey(Buffer.from(NEW_KEY, "base64")));
    let values = 0;
    for (const t of SEALED_TABLES) {
      for (const c of t.columns) {
        for (const r of await rows<{ v: string }>(`SELECT ${c.enc} AS v FROM ${t.table} WHERE ${c.enc} IS NOT NULL`)) {
          expect(r.v.startsWith(`v1.${newKeyId}.`)).toBe(true);
          expect(() => only.open(c.field, r.v)).not.toThrow();
          values++;
        }
      }
    }
    // Two phones, an email and an openid of contacts, an address, two outgoing messages' destination.
    expect(values).toBe(7);
    expect(await rows("SELECT key_id, retired_at IS NOT NULL AS retired FROM data_keys ORDER BY retired")).toEqual([
      { key_id: newKeyId, retired: false },
      { key_id: oldKeyId, retired: true },
    ]);
    expect(await findPlaintext([PHONE_DIGITS, EMAIL, OPEN_ID, ADDRESS])).toEqual([]);
  }, 60_000);

  it("keeps everything readable for a bot given only the new key: card, WeChat look-up, replies, duplicates", async () => {
    bot = await startOn({ DATA_ENCRYPTION_KEY: NEW_KEY });
    slack = new SlackDriver(bot.base, fakeSlack);
    // The message queued before the rotation goes out (the worker opens its destination with the new key).
    await eventually(() => wechat.sentTo(OPEN_ID).includes("Done: you will get no more surveys from us."), 20_000);
    const card = await slack.ask(li, "/customer", "Acme");
    expect(card.text).toContain("Li.Lei@enc-secret.example");
    expect(card.text).toContain(PHONE_SHOWN);
    expect(card.text).toContain(ADDRESS);
    await push({ FromUserName: OPEN_ID, MsgType: "text", Content: "Still there after the rotation?", MsgId: String(msgId++) });
    await eventually(async () => (await rows("SELECT 1 FROM interactions WHERE body = 'Still there after the rotation?'")).length === 1);
    const newHash = new FieldCipher(dataKey(Buffer.from(NEW_KEY, "base64"))).lookup("wechat", OPEN_ID);
    expect(await rows<{ n: number }>("SELECT count(*)::int AS n FROM contacts WHERE wechat_open_id_hash = $1", [newHash])).toEqual([{ n: 1 }]);
    expect(await rows("SELECT 1 FROM customers WHERE name LIKE 'WeChat user %'")).toHaveLength(1);
    await reply("Yes, and here is the quote.");
    expect((await slack.ask(boss, "/crm", "duplicates")).text).toContain(`same phone ${PHONE_SHOWN}`);
  }, 60_000);

  it("refuses to start without the key, or with the old one, in one line naming the variable and the key", async () => {
    await bot.stop();
    const missing = await startOn({ DATA_ENCRYPTION_KEY: "" }).then(
      () => new Error("started"),
      (error: unknown) => error,
    );
    expect(missing).toBeInstanceOf(DataKeyError);
    expect((missing as Error).message).toBe(`DATA_ENCRYPTION_KEY is not set, but this database holds personal details encrypted with key ${newKeyId}: set DATA_ENCRYPTION_KEY to that key`);
    const old = await startOn({ DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY }).then(
      () => new Error("started"),
      (error: unknown) => error,
    );
    expect(old).toBeInstanceOf(DataKeyError);
    expect((old as Error).message).toContain(`DATA_ENCRYPTION_KEY (key ${oldKeyId}) is not the key this database's personal details were encrypted with (key ${newKeyId})`);
    expect((old as Error).message).not.toContain(TEST_DATA_ENCRYPTION_KEY);
  }, 60_000);
});

describe("the start-up rule on other databases", () => {
  it("generates a key into the key file for a database without personal details, and uses it again at the next start", async () => {
    const fresh = await createTestDatabase();
    const keyFile = join(keyDir, "fresh", "data-encryption-key");
    try {
      const first = await startOn({ DATA_ENCRYPTION_KEY: "" }, { db: fresh, keyFile });
      const key = readFileSync(keyFile, "utf8").trim();
      expect(Buffer.from(key, "base64")).toHaveLength(32);
      await pushToWechat(first.base, TOKEN, { FromUserName: OPEN_ID, MsgType: "text", Content: "hi", MsgId: String(msgId++) }, new Date(), SAFE);
      await first.stop();
      const second = await startOn({ DATA_ENCRYPTION_KEY: "" }, { db: fresh, keyFile });
      await second.stop();
      const cipher = new FieldCipher(dataKey(Buffer.from(key, "base64")));
      const [row] = (await fresh.sql.query<{ wechat_open_id_enc: string }>("SELECT wechat_open_id_enc FROM contacts")).rows;
      expect(cipher.open("contacts.wechat_open_id", row!.wechat_open_id_enc)).toBe(OPEN_ID);
      // Another key file (another machine) does not fit the data: refused.
      const elsewhere = await startOn({ DATA_ENCRYPTION_KEY: "" }, { db: fresh, keyFile: join(keyDir, "other", "data-encryption-key") }).catch((error: unknown) => error);
      expect((elsewhere as Error).message).toMatch(/^DATA_ENCRYPTION_KEY is not set, but this database holds personal details encrypted with key [0-9a-f]{8}/);
    } finally {
      await fresh.drop();
    }
  }, 60_000);

  it("seals plaintext left from before encryption at rest at the first start with a key, and refuses to start on it without one", async () => {
    const legacy = await createTestDatabase();
    try {
      const customer = randomUUID();
      await legacy.sql.query("INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, address_plaintext, updated_at) VALUES ($1, 'Old Co', 'old co', 'old co', 'oc', $2, now())", [customer, ADDRESS]);
      await legacy.sql.query(
        "INSERT INTO contacts (id, customer_id, name, email_plaintext, phone_plaintext, wechat_open_id_plaintext, updated_at) VALUES ($1, $2, 'Old Contact', $3, $4, $5, now())",
        [randomUUID(), customer, EMAIL, "+86 139 1234 5678", OPEN_ID],
      );
      await legacy.sql.query(
        "INSERT INTO outbox (id, platform, destination, payload, dedupe_key, status, updated_at) VALUES ($1, 'wechat', $2, '{}'::jsonb, 'legacy-1', 'SENT', now())",
        [randomUUID(), OPEN_ID],
      );
      const refused = await startOn({ DATA_ENCRYPTION_KEY: "" }, { db: legacy, keyFile: join(keyDir, "legacy-key") }).catch((error: unknown) => error);
      expect((refused as Error).message).toContain("DATA_ENCRYPTION_KEY is not set, and this database holds personal details in plain text");

      const started = await startOn({}, { db: legacy });
      await started.stop();
      const found: string[] = [];
      for (const needle of [PHONE_DIGITS, EMAIL, OPEN_ID, ADDRESS]) {
        for (const [table, column] of [["contacts", "email_plaintext"], ["contacts", "phone_plaintext"], ["contacts", "wechat_open_id_plaintext"], ["customers", "address_plaintext"], ["outbox", "destination"]] as const) {
          const { rows: hit } = await legacy.sql.query(`SELECT 1 FROM ${table} WHERE position(lower($1) IN lower(${column})) > 0`, [needle]);
          if (hit.length > 0) found.push(`${table}.${column}`);
        }
      }
      expect(found).toEqual([]);
      const [contact] = (await legacy.sql.query<{ phone_enc: string; phone_hash: string; wechat_open_id_hash: string; email_invalid: boolean }>("SELECT phone_enc, phone_hash, wechat_open_id_hash, email_invalid FROM contacts")).rows;
      expect(testCipher().open("contacts.phone", contact!.phone_enc)).toBe("+86 139 1234 5678");
      expect(contact).toMatchObject({ phone_hash: testCipher().lookup("phone", PHONE_DIGITS), wechat_open_id_hash: openIdHash(OPEN_ID), email_invalid: false });
      const [outbox] = (await legacy.sql.query<{ destination: string | null; destination_enc: string }>("SELECT destination, destination_enc FROM outbox")).rows;
      expect(outbox!.destination).toBeNull();
      expect(testCipher().open("outbox.destination", outbox!.destination_enc)).toBe(OPEN_ID);
    } finally {
      await legacy.drop();
    }
  }, 60_000);
});

describe("sealing and rotating in batches", () => {
  it("carries on where it stopped: a run cut off after its first batch of 500 leaves the rest for the next run", async () => {
    const big = await createTestDatabase();
    try {
      const customer = randomUUID();
      await big.sql.query("INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, updated_at) VALUES ($1, 'Big Co', 'big co', 'big co', 'bc', now())", [customer]);
      await big.sql.query(
        `INSERT INTO contacts (id, customer_id, name, email_plaintext, phone_plaintext, updated_at)
         SELECT gen_random_uuid(), $1, 'Person ' || n, 'person' || n || '@big.example', '+86 139 0000 ' || lpad(n::text, 4, '0'), now() FROM generate_series(1, 1200) n`,
        [customer],
      );
      const count = async (where: string) => (await big.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM contacts WHERE ${where}`)).rows[0]!.n;
      const stop = () => {
        throw new Error("stopped");
      };

      await expect(sealPlaintext(big.prisma, testCipher(), stop)).rejects.toThrow("stopped");
      expect(await count("email_plaintext IS NOT NULL")).toBe(700);
      expect(await sealPlaintext(big.prisma, testCipher())).toBe(700);
      expect(await count("email_plaintext IS NOT NULL OR phone_plaintext IS NOT NULL")).toBe(0);
      expect(await count(`email_enc LIKE 'v1.${oldKeyId}.%' AND phone_hash IS NOT NULL`)).toBe(1200);

      const rotated = new FieldCipher(dataKey(Buffer.from(NEW_KEY, "base64")), [dataKey(Buffer.from(TEST_DATA_ENCRYPTION_KEY, "base64"))]);
      await expect(resealAll(big.prisma, rotated, stop)).rejects.toThrow("stopped");
      expect(await count(`email_enc LIKE 'v1.${newKeyId}.%'`)).toBe(500);
      expect(await resealAll(big.prisma, rotated)).toEqual({ contacts: 700, customers: 0, outbox: 0 });
      expect(await resealAll(big.prisma, rotated)).toEqual({ contacts: 0, customers: 0, outbox: 0 });
      const { rows } = await big.sql.query<{ email_enc: string; phone_hash: string; name: string }>("SELECT email_enc, phone_hash, name FROM contacts WHERE name IN ('Person 1', 'Person 1200')");
      for (const r of rows) {
        const n = r.name.slice("Person ".length);
        expect(rotated.open("contacts.email", r.email_enc)).toBe(`person${n}@big.example`);
        expect(r.phone_hash).toBe(rotated.lookup("phone", `+86 139 0000 ${n.padStart(4, "0")}`));
      }
    } finally {
      await big.drop();
    }
  }, 60_000);
});
