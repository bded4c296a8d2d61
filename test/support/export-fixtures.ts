import { randomUUID } from "node:crypto";
import type pg from "pg";
import { nameKeys } from "../../src/domain/language/customer-name.js";
import type { Store } from "../../src/store/index.js";
import { insertContact, testCipher } from "./sealed.js";

/**
 * A small CRM for the export tests (test/integration/export-*.test.ts, test/e2e/export-slack):
 * an admin, a manager leading a team with rep Ann, rep Bob outside it; customers owned by each
 * (and one by nobody) with sealed private details, text that a spreadsheet would run as a
 * formula, commas, quotes and line breaks; orders, interactions and a survey at fixed instants.
 */
export interface ExportWorld {
  reps: { admin: string; maria: string; ann: string; bob: string };
  customers: { acme: string; evil: string; alibaba: string; nobody: string };
  /** Private details planted per customer: visible in an export only to who may see them. */
  secrets: { acme: string[]; evil: string[]; alibaba: string[]; nobody: string[] };
  orders: number;
  interactions: number;
}

/** Slack user ids of the reps (the admin is the first registered, so the bot makes them admin). */
export const EXPORT_USERS = { admin: "UEXPADMIN", maria: "UEXPMARIA", ann: "UEXPANN", bob: "UEXPBOB" } as const;

export const FORMULA_NAME = '=HYPERLINK("http://evil.example","click")';
export const FORMULA_COMMENT = "=cmd|' /C calc'!A0";
export const MULTILINE_ABOUT = 'Said "hello", then:\nleft early';

async function rep(sql: pg.Pool, externalId: string, name: string, role: "ADMIN" | "MANAGER" | "REP", locale = "en-US"): Promise<string> {
  const id = randomUUID();
  await sql.query(
    `INSERT INTO users (id, platform, external_id, display_name, role, role_source, locale, timezone, created_at, updated_at)
     VALUES ($1, 'slack', $2, $3, $4::"Role", 'COMMAND', $5, 'Asia/Shanghai', now(), now())`,
    [id, externalId, name, role, locale],
  );
  return id;
}

async function customer(sql: pg.Pool, name: string, ownerId: string | null, fields: { address?: string; about?: string; industry?: string; tags?: string[]; createdAt: string }): Promise<string> {
  const id = randomUUID();
  const keys = nameKeys(name);
  await sql.query(
    `INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, owner_id, industry, address_enc, about, tags, source, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, $7, $8, $9, $10, 'import', $11, now())`,
    [id, name, keys.normalizedName, keys.pinyin, keys.pinyinInitials, ownerId, fields.industry ?? null, fields.address ? testCipher().seal("customers.address", fields.address) : null, fields.about ?? null, fields.tags ?? [], fields.createdAt],
  );
  return id;
}

export async function seedExportWorld(db: { sql: pg.Pool; store: Store }): Promise<ExportWorld> {
  const { sql } = db;
  const reps = {
    admin: await rep(sql, EXPORT_USERS.admin, "Ada Admin", "ADMIN"),
    maria: await rep(sql, EXPORT_USERS.maria, "Maria Manager", "MANAGER"),
    ann: await rep(sql, EXPORT_USERS.ann, "Ann Rep", "REP", "zh-CN"),
    bob: await rep(sql, EXPORT_USERS.bob, "Bob Rep", "REP"),
  };
  // Maria leads the East team, with Ann in it; Bob is in no team.
  const team = randomUUID();
  await sql.query("INSERT INTO sales_teams (id, name, name_key, lead_id, created_at, updated_at) VALUES ($1, 'East', 'east', $2, now(), now())", [team, reps.maria]);
  await sql.query("UPDATE users SET sales_team_id = $1 WHERE id = $2", [team, reps.ann]);

  const customers = {
    acme: await customer(sql, "Acme Ltd", reps.ann, { address: "1 Acme Road, Springfield", about: MULTILINE_ABOUT, tags: ["vip", "key-account"], industry: "Software", createdAt: "2026-01-05T02:00:00Z" }),
    evil: await customer(sql, FORMULA_NAME, reps.bob, { address: "13 Evil Lane", industry: "+86 hack", createdAt: "2026-02-05T02:00:00Z" }),
    alibaba: await customer(sql, "阿里巴巴", reps.bob, { address: "杭州市余杭区文一西路969号", tags: ["战略"], createdAt: "2026-03-05T02:00:00Z" }),
    nobody: await customer(sql, "Nobody's Co", null, { address: "7 Lonely St", createdAt: "2026-04-05T02:00:00Z" }),
  };
  const contacts = [
    { customerId: customers.acme, name: "Li Lei", title: "CTO", email: "li.lei@acme.example", phone: "+8613800138000", wechatOpenId: "oACMElilei0001" },
    { customerId: customers.evil, name: "Eve", email: "eve@evil.example", phone: "+8613900139000" },
    { customerId: customers.alibaba, name: "王伟", email: "wang.wei@alibaba.example", phone: "+8613700137000", wechatOpenId: "oALIwangwei0002" },
    { customerId: customers.nobody, name: "Nemo", email: "nemo@nobody.example" },
  ];
  for (const c of contacts) await insertContact(sql, c);
  const secrets = {
    acme: ["1 Acme Road, Springfield", "li.lei@acme.example", "+8613800138000", "oACMElilei0001"],
    evil: ["13 Evil Lane", "eve@evil.example", "+8613900139000"],
    alibaba: ["杭州市余杭区文一西路969号", "wang.wei@alibaba.example", "+8613700137000", "oALIwangwei0002"],
    nobody: ["7 Lonely St", "nemo@nobody.example"],
  };

  const orders: [string, string, string, string, string][] = [
    [customers.acme, "1234.50", "CNY", "licence, 3 seats", "2026-11-05T03:00:00Z"],
    [customers.acme, "99.00", "USD", "-support plan", "2026-10-02T03:00:00Z"],
    [customers.alibaba, "5000.00", "CNY", "服务器", "2026-11-10T03:00:00Z"],
    [customers.evil, "10.00", "CNY", "@SUM(A1:A9)", "2026-06-01T03:00:00Z"],
  ];
  for (const [customerId, amount, currency, product, at] of orders) {
    const rate = currency === "USD" ? "7.2" : "1";
    const base = (Number(amount) * Number(rate)).toFixed(2);
    await db.store.orders.record({ customerId, createdById: reps.admin, amount, currency, baseAmount: base, rateToBase: rate, product, orderedAt: new Date(at) });
  }
  // A deleted order is no record any more: no export shows it.
  const gone = await db.store.orders.record({ customerId: customers.acme, createdById: reps.admin, amount: "777.00", currency: "CNY", baseAmount: "777.00", rateToBase: "1", product: "deleted one", orderedAt: new Date("2026-11-06T03:00:00Z") });
  await sql.query("UPDATE orders SET deleted_at = now() WHERE id = $1", [gone.id]);

  const interactions: [string, string, string, string][] = [
    [customers.acme, "CALL", "-called back, all fine", "2026-11-06T01:00:00Z"],
    [customers.alibaba, "NOTE", "报价 +10%，下周再谈", "2026-11-07T01:00:00Z"],
    [customers.evil, "EMAIL", "line one\r\nline two", "2026-11-08T01:00:00Z"],
  ];
  for (const [customerId, channel, body, at] of interactions) {
    await sql.query(
      `INSERT INTO interactions (id, customer_id, author_id, channel, direction, body, occurred_at, created_at) VALUES ($1, $2, $3, $4::"Channel", 'INTERNAL', $5, $6, $6)`,
      [randomUUID(), customerId, reps.admin, channel, body, at],
    );
  }
  await sql.query(
    `INSERT INTO surveys (id, customer_id, served_by_id, kind, status, trigger, platform, locale, score, comment, sent_at, answered_at, created_at)
     VALUES ($1, $2, $3, 'CSAT', 'ANSWERED', 'MANUAL', 'wechat', 'zh-CN', 4, $4, '2026-11-08T02:00:00Z', '2026-11-08T03:00:00Z', '2026-11-08T02:00:00Z')`,
    [randomUUID(), customers.alibaba, reps.bob, FORMULA_COMMENT],
  );
  return { reps, customers, secrets, orders: orders.length, interactions: interactions.length };
}
