import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maySeePrivate, withoutDetails, type Audience } from "../../src/services/audience.js";
import { Decimal } from "../../src/domain/money.js";
import { mayChange } from "../../src/domain/access/write-rights.js";
import { valueOfCustomer } from "../../src/services/customers/customer-value.js";
import { CARD_CONTACTS, type CustomerCard } from "../../src/services/customers/get-customer-card.js";
import { createServices, type Rep } from "../../src/services/index.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { sealedContactRow } from "../../src/store/encryption/contact-secrets.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { testServiceDeps } from "../support/core.js";

/**
 * The card from one statement (issue 17) is the card the separate reads made: the reference
 * below assembles it the way get-customer-card.ts did before, from the store's own reads, and
 * both are compared on crafted data (cut lists, a removed contact, a deleted interaction, done
 * reminders, deals without an amount or a close date, answered and unanswered surveys) for the
 * owner, a rep who may not see
 * the private details, and a channel.
 */
const NOW = new Date("2026-11-20T04:00:00Z");
const HOUR = 3_600_000;

let db: TestDatabase;
let deps: ServiceDeps;
let owner: Rep;
let outsider: Rep;
let customerId: string;

async function referenceCard(viewer: Rep, id: string, audience: Audience): Promise<CustomerCard | null> {
  const { store, settings } = deps;
  const [detail, interactions, reminders, deals, surveys] = await Promise.all([
    store.customers.getDetail(id),
    store.interactions.latest(id, 5),
    store.followUps.openReminders(id, 5),
    store.followUps.openDeals(id, 5),
    store.surveys.summaryFor(id),
  ]);
  if (!detail) return null;
  const showPrivate = maySeePrivate(viewer, detail.ownerId, audience);
  const forChannel = audience === "channel";
  const hidden = showPrivate ? [] : await store.customers.contactDetails(id);
  const body = (text: string) => (showPrivate ? text : withoutDetails(text, hidden));
  const stats = detail.stats;
  const value = valueOfCustomer(deps, stats);
  return {
    id: detail.id, name: detail.name, stage: detail.stage, source: detail.source, industry: detail.industry, website: detail.website,
    address: showPrivate ? detail.address : null,
    about: detail.about === null ? null : body(detail.about),
    tags: detail.tags,
    mayEdit: !forChannel && mayChange(viewer, { ownerId: detail.ownerId }),
    aliases: detail.aliases.map((a) => a.alias),
    owner: detail.owner ? { id: detail.owner.id, name: detail.owner.displayName } : null,
    showPrivate, forChannel,
    contacts: detail.contacts.slice(0, CARD_CONTACTS).map((c) => ({
      id: c.id, name: c.name, title: c.title, email: showPrivate ? c.email : null, phone: showPrivate ? c.phone : null, onWechat: c.wechatOpenId !== null, onSlack: c.slackUserId !== null,
    })),
    mayEditContacts: !forChannel && mayChange(viewer, { ownerId: detail.ownerId }),
    baseCurrency: settings.baseCurrency,
    revenue: Number(stats?.totalSpent ?? 0),
    orderCount: stats?.orderCount ?? 0,
    averageOrderValue: value.averageOrderValue, purchaseFrequency: value.purchaseFrequency, clv: value.clv, clvEarlyEstimate: value.earlyEstimate,
    lifespanMonths: settings.clvLifespanMonths, minObservationMonths: settings.clvMinObservationMonths,
    firstOrderAt: stats?.firstOrderAt ?? null, lastOrderAt: stats?.lastOrderAt ?? null,
    interactions: interactions.map((i) => ({ channel: i.channel, direction: i.direction, body: body(i.body), occurredAt: i.occurredAt, authorName: i.authorName })),
    reminders: reminders.items.map((r) => ({ text: r.text, dueAt: r.dueAt, ownerName: r.ownerName })),
    deals: deals.items.map((d) => ({ title: d.title, amount: d.amount, currency: d.currency, expectedCloseAt: d.expectedCloseAt })),
    totals: { contacts: detail._count.contacts, interactions: detail._count.interactions, reminders: reminders.total, deals: deals.total },
    satisfaction: {
      latest: surveys.latest ? { kind: surveys.latest.kind, score: surveys.latest.score } : null,
      averageCsat: surveys.csatAverage, answered: surveys.csatCount,
      pending: surveys.unanswered ? { status: surveys.unanswered.status, reason: surveys.unanswered.closedReason, since: surveys.unanswered.createdAt } : null,
    },
  };
}

const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR);

beforeAll(async () => {
  db = await createTestDatabase();
  deps = testServiceDeps(db.store, { now: () => NOW });
  const services = createServices(deps);
  owner = await services.registerRep({ platform: "slack", externalId: "UCARDOWNER", displayName: "Card Owner" });
  outsider = await services.registerRep({ platform: "slack", externalId: "UCARDOUT", displayName: "Other Rep" });
  const { customer } = await services.addCustomer(owner, "Crafted Card Ltd");
  customerId = customer.id;
  const cipher = db.store.cipher;
  const q = (text: string, values: unknown[]) => db.sql.query(text, values);
  await q("UPDATE customers SET owner_id = $2, industry = 'Robots', website = 'crafted.example', about = 'Call ann@crafted.example first', tags = '{vip,east}', address_enc = $3 WHERE id = $1", [customerId, owner.id, cipher.seal("customers.address", "1 Crafted Road")]);
  await q("INSERT INTO customer_aliases (id, customer_id, alias, normalized_name, pinyin) VALUES (gen_random_uuid(), $1, 'Crafty', 'crafty', 'crafty'), (gen_random_uuid(), $1, 'Alpha Crafted', 'alpha crafted', 'alpha crafted')", [customerId]);
  for (let i = 0; i < 8; i++) {
    const sealed = sealedContactRow(cipher, { email: i === 0 ? "ann@crafted.example" : i % 3 === 0 ? null : `c${i}@crafted.example`, phone: i % 2 ? `+86 138 0000 00${10 + i}` : null, wechatOpenId: i === 2 ? "o-crafted-2" : null });
    await q(
      `INSERT INTO contacts (id, customer_id, name, title, email_enc, email_hash, email_invalid, phone_enc, phone_hash, phone_invalid, wechat_open_id_enc, wechat_open_id_hash, slack_user_id, deleted_at, created_at, updated_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now())`,
      [customerId, `Contact ${i}`, i % 2 ? "Buyer" : null, sealed.email_enc, sealed.email_hash, sealed.email_invalid, sealed.phone_enc, sealed.phone_hash, sealed.phone_invalid,
        sealed.wechat_open_id_enc, sealed.wechat_open_id_hash, i === 4 ? "UCONTACT4" : null, i === 1 ? at(1) : null, at(100 - i)],
    );
  }
  for (let i = 0; i < 8; i++) {
    await q("INSERT INTO interactions (id, customer_id, channel, direction, body, occurred_at, author_id, deleted_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7)", [
      customerId, i % 2 ? "WECHAT" : "NOTE", i % 2 ? "INBOUND" : "INTERNAL", i === 3 ? "wrote from ann@crafted.example" : `note ${i}`, at(i === 5 ? 2 : 10 + i), i % 2 ? null : owner.id, i === 6 ? at(1) : null,
    ]);
  }
  for (let i = 0; i < 7; i++) {
    await q("INSERT INTO reminders (id, user_id, customer_id, text, due_at, status, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::\"ReminderStatus\", now())", [
      i % 2 ? owner.id : outsider.id, customerId, `reminder ${i}`, at(-10 - i), i === 2 ? "DONE" : i === 4 ? "FIRED" : "PENDING",
    ]);
  }
  for (let i = 0; i < 7; i++) {
    await q("INSERT INTO deals (id, customer_id, title, amount, currency, expected_close_at, created_at, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, now())", [
      customerId, `deal ${i}`, i === 0 ? null : `${i}000.50`, i === 0 ? null : "USD", i % 3 === 0 ? null : at(-100 * i), at(50 - i),
    ]);
  }
  await q(`INSERT INTO surveys (id, customer_id, kind, status, score, answered_at, created_at) VALUES
    (gen_random_uuid(), $1, 'CSAT', 'ANSWERED', 4, $2, $2), (gen_random_uuid(), $1, 'CSAT', 'ANSWERED', 5, $3, $3),
    (gen_random_uuid(), $1, 'NPS', 'ANSWERED', 9, $4, $4), (gen_random_uuid(), $1, 'CSAT', 'WAITING', NULL, NULL, $5)`, [customerId, at(40), at(30), at(20), at(5)]);
  await services.recordOrder(owner, { customer, amount: new Decimal("250"), currency: "CNY", product: null, orderedAt: at(300) });
});
afterAll(() => db.drop());

describe("the customer card from one statement", () => {
  it.each([
    ["the owner", () => owner, "rep"],
    ["a rep who may not see the private details", () => outsider, "rep"],
    ["a channel", () => owner, "channel"],
  ] as const)("is the card the separate reads made, for %s", async (_label, viewer, audience) => {
    const services = createServices(deps, audience);
    const expected = await referenceCard(viewer(), customerId, audience);
    const card = await services.getCustomerCard(viewer(), customerId);
    expect(card).toEqual(expected);
    // The crafted data reaches every list, so the comparison is not between two empty cards.
    expect(card!.totals).toEqual({ contacts: 7, interactions: 7, reminders: 6, deals: 7 });
    expect(card!.interactions).toHaveLength(5);
    expect(card!.satisfaction.pending?.status).toBe("WAITING");
    expect(card!.revenue).toBe(250);
  });

  it("hides the private details from a rep outside the owner's scope, and audits the view without them", async () => {
    const before = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'customer.view'");
    const card = await createServices(deps).getCustomerCard(outsider, customerId);
    expect(card!.showPrivate).toBe(false);
    expect(card!.address).toBeNull();
    expect(card!.contacts.every((c) => c.email === null && c.phone === null)).toBe(true);
    expect(card!.about).not.toContain("ann@crafted.example");
    expect(card!.interactions.map((i) => i.body).join(" ")).not.toContain("ann@crafted.example");
    const { rows } = await db.sql.query<{ detail: unknown; actor_id: string }>("SELECT detail, actor_id::text AS actor_id FROM audit_log WHERE action = 'customer.view' ORDER BY id DESC LIMIT 1");
    expect(rows[0]).toEqual({ detail: { private: false }, actor_id: outsider.id });
    const after = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'customer.view'");
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n + 1);
  });

  it("audits the owner's view as private and a channel's as shared without private details", async () => {
    const last = async () => (await db.sql.query<{ detail: unknown }>("SELECT detail FROM audit_log WHERE action = 'customer.view' ORDER BY id DESC LIMIT 1")).rows[0]!.detail;
    await createServices(deps).getCustomerCard(owner, customerId);
    expect(await last()).toEqual({ private: true });
    await createServices(deps, "channel").getCustomerCard(owner, customerId);
    expect(await last()).toEqual({ private: false, shared: true });
  });

  it("shows the owner the opened private details", async () => {
    const card = await createServices(deps).getCustomerCard(owner, customerId);
    expect(card!.address).toBe("1 Crafted Road");
    expect(card!.contacts[0]!.email).toBe("ann@crafted.example");
    expect(card!.contacts.some((c) => c.onWechat)).toBe(true);
  });

  it("answers null for a customer that does not exist", async () => {
    expect(await createServices(deps).getCustomerCard(owner, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});
