import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nameKeys } from "../../src/domain/language/customer-name.js";
import { Decimal } from "../../src/domain/money.js";
import { createServices, type Rep, type Services } from "../../src/services/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { testServiceDeps } from "../support/core.js";
import { sealContactSecrets } from "../../src/store/index.js";
import { openIdHash, testCipher } from "../support/sealed.js";

let db: TestDatabase;
let services: Services;
let rep: Rep;
const NOW = new Date("2026-11-20T04:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
let seq = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(testServiceDeps(db.store, { now: () => NOW }));
  rep = await services.registerRep({ platform: "slack", externalId: "ULINK", displayName: "Link Rep" });
});
afterAll(() => db.drop());

/** A WeChat sender's messages, through the webhook's store: a lead, its contact and interactions. */
async function wechatLead(openId: string, bodies: string[]): Promise<{ customerId: string; contactId: string; interactionIds: string[] }> {
  const interactionIds: string[] = [];
  let customerId = "";
  for (const [i, body] of bodies.entries()) {
    const stored = await db.store.customerMessages.record({ platform: "wechat", senderId: openId, id: `msg-${++seq}`, at: hoursAgo(10 - i), kind: "text", body });
    interactionIds.push(stored.interactionId);
    customerId = stored.customerId;
  }
  const contact = await db.prisma.contact.findUniqueOrThrow({ where: { wechatOpenIdHash: openIdHash(openId) }, select: { id: true } });
  return { customerId, contactId: contact.id, interactionIds };
}

async function order(customerId: string, amount: string, at: Date): Promise<void> {
  // The store, not the service: the service would make the customer ACTIVE.
  await db.store.orders.record({ customerId, createdById: rep.id, amount, currency: "CNY", baseAmount: amount, rateToBase: "1", product: null, orderedAt: at });
}

/** The stats row next to what the rows say, as text so decimals and times compare exactly. */
async function statsAndTruth(customerId: string) {
  const { rows } = await db.sql.query(
    `SELECT
       (SELECT row(order_count, total_spent, first_order_at, last_order_at, interaction_count, last_interaction_at)::text
          FROM customer_stats WHERE customer_id = $1) AS stats,
       (SELECT row((SELECT count(*)::int FROM orders WHERE customer_id = $1),
                   (SELECT coalesce(sum(base_amount), 0)::numeric(16,2) FROM orders WHERE customer_id = $1),
                   (SELECT min(ordered_at) FROM orders WHERE customer_id = $1),
                   (SELECT max(ordered_at) FROM orders WHERE customer_id = $1),
                   (SELECT count(*)::int FROM interactions WHERE customer_id = $1),
                   (SELECT max(occurred_at) FROM interactions WHERE customer_id = $1))::text) AS truth`,
    [customerId],
  );
  return rows[0] as { stats: string | null; truth: string };
}

async function expectStatsTrue(customerId: string): Promise<void> {
  const { stats, truth } = await statsAndTruth(customerId);
  expect(stats).toBe(truth);
}

async function auditRows(action: string, entityId: string) {
  const { rows } = await db.sql.query("SELECT actor_id, entity, detail FROM audit_log WHERE action = $1 AND entity_id = $2 ORDER BY id", [action, entityId]);
  return rows as { actor_id: string | null; entity: string; detail: Record<string, unknown> }[];
}

async function customerOf(contactId: string): Promise<string> {
  const { rows } = await db.sql.query("SELECT customer_id FROM contacts WHERE id = $1", [contactId]);
  return (rows[0] as { customer_id: string }).customer_id;
}

async function customerExists(id: string): Promise<boolean> {
  const { rows } = await db.sql.query("SELECT 1 FROM customers WHERE id = $1", [id]);
  return rows.length > 0;
}

describe("linking a contact to a customer", () => {
  it("lets a rep link only between customers they own (or nobody owns); their team's manager and admins link anything", async () => {
    const ann = await services.registerRep({ platform: "slack", externalId: "ULINKANN", displayName: "Ann" });
    const bob = await services.registerRep({ platform: "slack", externalId: "ULINKBOB", displayName: "Bob" });
    const boss = await services.registerRep({ platform: "slack", externalId: "ULINKMGR", displayName: "Boss" });
    await db.sql.query("UPDATE users SET role = 'MANAGER' WHERE id = $1", [boss.id]);
    // A manager leading a team of Ann and Bob (domain/access/access-scope.ts).
    const manager = { ...boss, role: "MANAGER" as const, teamRepIds: [ann.id, bob.id] };
    expect([ann.role, bob.role]).toEqual(["REP", "REP"]);
    const { customer: annsCustomer } = await services.addCustomer(ann, "Ann Owned Trading");
    const { customer: bobsCustomer } = await services.addCustomer(bob, "Bob Owned Trading");

    // Ann's lead (with its private WeChat id) cannot be taken to Bob's customer by Bob.
    const annsLead = await wechatLead("oOWN-ann-lead-0001", ["hi"]);
    await db.sql.query("UPDATE customers SET owner_id = $1 WHERE id = $2", [ann.id, annsLead.customerId]);
    await expect(services.linkContact(bob, { contactId: annsLead.contactId, customerId: bobsCustomer.id }))
      .rejects.toMatchObject({ code: "FORBIDDEN", userKey: "link.forbidden", params: { owner: "Ann" } });
    // An unowned lead cannot be put on Ann's customer by Bob either.
    const freeLead = await wechatLead("oOWN-free-lead-0001", ["hello"]);
    await expect(services.linkContact(bob, { contactId: freeLead.contactId, customerId: annsCustomer.id }))
      .rejects.toMatchObject({ code: "FORBIDDEN", userKey: "link.forbidden", params: { customer: "Ann Owned Trading", owner: "Ann" } });
    // Nothing moved and nothing was audited.
    expect(await customerOf(annsLead.contactId)).toBe(annsLead.customerId);
    expect(await customerOf(freeLead.contactId)).toBe(freeLead.customerId);
    expect(await customerExists(annsLead.customerId)).toBe(true);
    expect(await auditRows("contact.link", bobsCustomer.id)).toEqual([]);
    expect(await auditRows("contact.link", annsCustomer.id)).toEqual([]);

    // The owner of both ends may; so may a rep with a lead nobody owns, and their team's manager anything.
    expect((await services.linkContact(ann, { contactId: annsLead.contactId, customerId: annsCustomer.id })).merged).toBe(true);
    expect((await services.linkContact(bob, { contactId: freeLead.contactId, customerId: bobsCustomer.id })).merged).toBe(true);
    const moved = await services.linkContact(manager, { contactId: freeLead.contactId, customerId: annsCustomer.id });
    expect(moved.customerName).toBe("Ann Owned Trading");
    expect(await customerOf(freeLead.contactId)).toBe(annsCustomer.id);
  });

  it("absorbs a lead that is only this contact, with its history, orders and the rest, and keeps stats true", async () => {
    const { customer: target } = await services.addCustomer(rep, "Harbor Trading Ltd");
    await services.recordOrder(rep, { customer: target, amount: new Decimal("250.50"), currency: "CNY", product: null, orderedAt: hoursAgo(100) });
    await services.recordOrder(rep, { customer: target, amount: new Decimal("99.99"), currency: "CNY", product: null, orderedAt: hoursAgo(50) });
    await services.recordInteraction(rep, { customer: target, channel: "NOTE", body: "met at the fair", occurredAt: hoursAgo(40) });
    await db.prisma.customerAlias.create({ data: { customerId: target.id, alias: "Harbor", ...pick(nameKeys("Harbor")) } });

    const lead = await wechatLead("oMERGE-lead-a00001", ["hello", "price list please", "thanks"]);
    await order(lead.customerId, "1000.00", hoursAgo(200));
    await order(lead.customerId, "0.01", hoursAgo(1));
    await db.prisma.customerAlias.createMany({
      data: [
        { customerId: lead.customerId, alias: "Harbour", ...pick(nameKeys("Harbour")) },
        { customerId: lead.customerId, alias: "HARBOR", ...pick(nameKeys("HARBOR")) }, // the target has this key
      ],
    });
    const deal = await db.prisma.deal.create({ data: { customerId: lead.customerId, title: "Spring order" } });
    const reminder = await db.prisma.reminder.create({ data: { userId: rep.id, customerId: lead.customerId, text: "call back", dueAt: hoursAgo(-24) } });
    const survey = await db.prisma.survey.create({ data: { customerId: lead.customerId, contactId: lead.contactId, score: 5 } });
    const { rows: leadRows } = await db.sql.query<{ name: string }>("SELECT name FROM customers WHERE id = $1", [lead.customerId]);
    const leadName = leadRows[0]!.name;

    const result = await services.linkContact(rep, { contactId: lead.contactId, customerId: target.id });

    expect(result).toEqual({
      merged: true, fromCustomerId: lead.customerId, fromCustomerName: leadName, movedInteractions: 3, movedOrders: 2,
      customerId: target.id, customerName: "Harbor Trading Ltd",
    });
    expect(await customerExists(lead.customerId)).toBe(false);
    expect(await customerOf(lead.contactId)).toBe(target.id);
    const { rows: moved } = await db.sql.query(
      `SELECT (SELECT count(*)::int FROM interactions WHERE customer_id = $1) AS interactions,
              (SELECT count(*)::int FROM orders WHERE customer_id = $1) AS orders,
              (SELECT customer_id FROM deals WHERE id = $2) AS deal,
              (SELECT customer_id FROM reminders WHERE id = $3) AS reminder,
              (SELECT customer_id FROM surveys WHERE id = $4) AS survey,
              (SELECT array_agg(alias ORDER BY alias) FROM customer_aliases WHERE customer_id = $1) AS aliases,
              (SELECT count(*)::int FROM customer_stats WHERE customer_id = $5) AS lead_stats`,
      [target.id, deal.id, reminder.id, survey.id, lead.customerId],
    );
    expect(moved[0]).toEqual({ interactions: 4, orders: 4, deal: target.id, reminder: target.id, survey: target.id, aliases: ["Harbor", "Harbour"], lead_stats: 0 });

    const { stats, truth } = await statsAndTruth(target.id);
    expect(stats).toBe(truth);
    expect(stats).toMatch(/^\(4,1350\.50,/);

    expect(await auditRows("contact.link", target.id)).toEqual([{
      actor_id: rep.id, entity: "customer",
      detail: { contactId: lead.contactId, fromCustomerId: lead.customerId, merged: true, movedInteractions: 3, movedOrders: 2 },
    }]);
  });

  it("moves only the contact, its interactions and surveys when the source customer has more to it", async () => {
    const { customer: source } = await services.addCustomer(rep, "Two Faces GmbH");
    const { customer: target } = await services.addCustomer(rep, "New Home AG");
    await services.recordOrder(rep, { customer: source, amount: new Decimal(300), currency: "CNY", product: null, orderedAt: hoursAgo(30) });
    const anna = await db.prisma.contact.create({ data: { customerId: source.id, name: "Anna" } });
    const ben = await db.prisma.contact.create({ data: { customerId: source.id, name: "Ben" } });
    for (const [i, contactId] of [anna.id, anna.id, ben.id, null].entries()) {
      await db.store.interactions.record({ customerId: source.id, authorId: rep.id, contactId, channel: "CALL", direction: "OUTBOUND", body: `call ${i}`, occurredAt: hoursAgo(20 - i) });
    }
    const annaSurvey = await db.prisma.survey.create({ data: { customerId: source.id, contactId: anna.id, score: 4 } });
    const benSurvey = await db.prisma.survey.create({ data: { customerId: source.id, contactId: ben.id, score: 3 } });

    const result = await services.linkContact(rep, { contactId: anna.id, customerId: target.id });

    expect(result).toMatchObject({ merged: false, fromCustomerId: source.id, fromCustomerName: "Two Faces GmbH", movedInteractions: 2, movedOrders: 0, customerName: "New Home AG" });
    expect(await customerExists(source.id)).toBe(true);
    expect(await customerOf(anna.id)).toBe(target.id);
    expect(await customerOf(ben.id)).toBe(source.id);
    const { rows } = await db.sql.query(
      `SELECT body, customer_id = $1 AS at_target FROM interactions WHERE customer_id IN ($1, $2) ORDER BY body`, [target.id, source.id]);
    expect(rows).toEqual([
      { body: "call 0", at_target: true }, { body: "call 1", at_target: true },
      { body: "call 2", at_target: false }, { body: "call 3", at_target: false },
    ]);
    const surveys = await db.prisma.survey.findMany({ where: { id: { in: [annaSurvey.id, benSurvey.id] } }, select: { id: true, customerId: true } });
    expect(Object.fromEntries(surveys.map((s) => [s.id, s.customerId]))).toEqual({ [annaSurvey.id]: target.id, [benSurvey.id]: source.id });
    await expectStatsTrue(source.id);
    await expectStatsTrue(target.id);
    expect((await statsAndTruth(target.id)).stats).toMatch(/^\(0,0\.00,,,2,/);
    expect(await auditRows("contact.link", target.id)).toHaveLength(1);
  });

  it("does not absorb a lead that has another contact", async () => {
    const lead = await wechatLead("oMERGE-shared-b00001", ["hi"]);
    const other = await db.prisma.contact.create({ data: { customerId: lead.customerId, name: "Colleague" } });
    const { customer: target } = await services.addCustomer(rep, "Shared Lead Target");

    const result = await services.linkContact(rep, { contactId: lead.contactId, customerId: target.id });

    expect(result).toMatchObject({ merged: false, movedInteractions: 1, movedOrders: 0 });
    expect(await customerExists(lead.customerId)).toBe(true);
    expect(await customerOf(other.id)).toBe(lead.customerId);
    await expectStatsTrue(lead.customerId);
    await expectStatsTrue(target.id);
  });

  it("answers CONFLICT, changing nothing, when the contact already belongs to the customer", async () => {
    const { customer: target } = await services.addCustomer(rep, "Already There Co");
    const contact = await db.prisma.contact.create({ data: { customerId: target.id, name: "Dora" } });
    const before = await db.sql.query("SELECT (SELECT count(*) FROM audit_log)::int AS audit, (SELECT count(*) FROM customers)::int AS customers");

    await expect(services.linkContact(rep, { contactId: contact.id, customerId: target.id }))
      .rejects.toMatchObject({ name: "AppError", code: "CONFLICT", userKey: "link.already", params: { customer: "Already There Co" } });

    const after = await db.sql.query("SELECT (SELECT count(*) FROM audit_log)::int AS audit, (SELECT count(*) FROM customers)::int AS customers");
    expect(after.rows).toEqual(before.rows);
  });

  it("answers NOT_FOUND for a contact or customer that does not exist", async () => {
    const { customer } = await services.addCustomer(rep, "Lonely Customer");
    await expect(services.linkContact(rep, { contactId: "00000000-0000-4000-8000-000000000000", customerId: customer.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const lead = await wechatLead("oMERGE-missing-c00001", ["anyone?"]);
    await expect(services.linkContact(rep, { contactId: lead.contactId, customerId: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(services.linkContact(rep, { contactId: "not-a-uuid", customerId: customer.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await customerOf(lead.contactId)).toBe(lead.customerId);
  });

  it("ends two concurrent links of one contact to one customer in one merge and one CONFLICT", async () => {
    for (let round = 0; round < 4; round++) {
      const { customer: target } = await services.addCustomer(rep, `Race Target ${round}`);
      await services.recordOrder(rep, { customer: target, amount: new Decimal(10), currency: "CNY", product: null, orderedAt: hoursAgo(5) });
      const lead = await wechatLead(`oRACE-same-d0000${round}`, ["a", "b"]);
      await order(lead.customerId, "5.00", hoursAgo(3));

      const results = await Promise.allSettled([1, 2].map(() => services.linkContact(rep, { contactId: lead.contactId, customerId: target.id })));

      const done = results.filter((r) => r.status === "fulfilled");
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(done).toHaveLength(1);
      expect(done[0]!.value).toMatchObject({ merged: true, movedInteractions: 2, movedOrders: 1 });
      expect(failed).toHaveLength(1);
      expect(failed[0]!.reason).toMatchObject({ code: "CONFLICT", userKey: "link.already" });
      expect(await customerOf(lead.contactId)).toBe(target.id);
      expect(await customerExists(lead.customerId)).toBe(false);
      await expectStatsTrue(target.id);
      expect(await auditRows("contact.link", target.id)).toHaveLength(1);
    }
  });

  it("ends two concurrent links of one contact to two customers with the contact and its history in one place", async () => {
    for (let round = 0; round < 4; round++) {
      const { customer: a } = await services.addCustomer(rep, `Race Left ${round}`);
      const { customer: b } = await services.addCustomer(rep, `Race Right ${round}`);
      for (const c of [a, b]) await services.recordOrder(rep, { customer: c, amount: new Decimal(7), currency: "CNY", product: null, orderedAt: hoursAgo(6) });
      const lead = await wechatLead(`oRACE-two-e0000${round}`, ["x", "y", "z"]);

      const results = await Promise.allSettled([a, b].map((c) => services.linkContact(rep, { contactId: lead.contactId, customerId: c.id })));

      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      const values = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<Services["linkContact"]>>>).value);
      // The first absorbed the lead; the second moved the contact on from the first customer.
      expect(values.map((v) => v.merged).sort()).toEqual([false, true]);
      const second = values.find((v) => !v.merged)!;
      const first = values.find((v) => v.merged)!;
      expect(second.fromCustomerId).toBe(first.customerId);
      expect(second.movedInteractions).toBe(3);
      const home = await customerOf(lead.contactId);
      expect(home).toBe(second.customerId);
      const { rows } = await db.sql.query("SELECT DISTINCT customer_id FROM interactions WHERE contact_id = $1", [lead.contactId]);
      expect(rows).toEqual([{ customer_id: home }]);
      expect(await customerExists(lead.customerId)).toBe(false);
      await expectStatsTrue(a.id);
      await expectStatsTrue(b.id);
    }
  });
});

describe("erasing a contact", () => {
  async function outboxRow(destination: string, status: "PENDING" | "SENDING" | "SENT" | "FAILED", platform = "wechat") {
    const { id } = await db.store.outbox.enqueue({ platform, destination, payload: { text: "your quote" }, dedupeKey: `erase-test-${++seq}`, at: NOW });
    await db.prisma.outboxMessage.update({ where: { id }, data: { status } });
    return id;
  }

  it("blanks the person, their message bodies but the kept one, the lead's name and the openid in the outbox", async () => {
    const openId = "oERASE-person-f00001";
    const lead = await wechatLead(openId, ["my phone is 138 0000 0000", "I live at 1 Main St", "unsubscribe"]);
    await db.prisma.contact.update({
      where: { id: lead.contactId },
      data: { name: "Wang Fang", title: "Buyer", ...sealContactSecrets(testCipher(), { email: "wf@example.com", phone: "13800000000" }), locale: "zh-CN", birthday: new Date("1990-05-01"), anniversary: new Date("2015-06-01") },
    });
    await db.prisma.interaction.updateMany({ where: { id: lead.interactionIds[0] }, data: { permalink: "https://example.com/p/1" } });
    const survey = await db.prisma.survey.create({ data: { customerId: lead.customerId, contactId: lead.contactId, score: 2, comment: "Wang here, delivery was late" } });
    const pending = await outboxRow(openId, "PENDING");
    const sending = await outboxRow(openId, "SENDING");
    const sent = await outboxRow(openId, "SENT");
    const failed = await outboxRow(openId, "FAILED");
    const someoneElse = await outboxRow("oERASE-someone-else1", "PENDING");
    const slack = await outboxRow("U123", "PENDING", "slack");
    const keep = lead.interactionIds[2]!;

    const result = await services.eraseContact({ contactId: lead.contactId, actorId: null, reason: "wechat.unsubscribe", keepInteractionId: keep });

    // Two queued messages cancelled (the pending and the sending one); every row loses the openid.
    expect(result).toMatchObject({ contacts: 1, interactions: 2, outbox: 2, noticeIds: [] });
    const contact = await db.prisma.contact.findUniqueOrThrow({ where: { id: lead.contactId } });
    expect(contact).toMatchObject({
      name: "Erased contact", title: null, locale: null, birthday: null, anniversary: null, erasedAt: NOW,
      // Encryption at rest: the sealed details and their look-up hashes go too.
      emailEnc: null, emailHash: null, phoneEnc: null, phoneHash: null, wechatOpenIdEnc: null, wechatOpenIdHash: null,
    });
    const interactions = await db.prisma.interaction.findMany({ where: { contactId: lead.contactId }, select: { id: true, body: true, permalink: true } });
    expect(Object.fromEntries(interactions.map((i) => [i.id, [i.body, i.permalink]]))).toEqual({
      [lead.interactionIds[0]!]: ["[erased]", null],
      [lead.interactionIds[1]!]: ["[erased]", null],
      [keep]: ["unsubscribe", null],
    });
    expect(await db.prisma.survey.findUniqueOrThrow({ where: { id: survey.id }, select: { score: true, comment: true } })).toEqual({ score: 2, comment: null });

    const renamed = `Erased contact ${lead.contactId.slice(0, 8)}`;
    const customer = await db.prisma.customer.findUniqueOrThrow({ where: { id: lead.customerId }, select: { name: true, normalizedName: true, pinyin: true, pinyinInitials: true } });
    expect(customer).toEqual({ name: renamed, ...pick(nameKeys(renamed)), pinyinInitials: nameKeys(renamed).pinyinInitials });
    expect(customer.normalizedName).toBe(`erasedcontact${lead.contactId.slice(0, 8)}`);

    const outbox = await db.prisma.outboxMessage.findMany({
      where: { id: { in: [pending, sending, sent, failed, someoneElse, slack] } },
      select: { id: true, status: true, destination: true, destinationEnc: true, destinationHash: true, lastError: true },
    });
    const byId = Object.fromEntries(outbox.map(({ id, destinationEnc, ...rest }) => [id, { ...rest, sealed: destinationEnc !== null }]));
    // A WeChat destination is sealed (encryption at rest): erased, its sealed value and hash go.
    const erased = { destination: "erased", destinationHash: null, sealed: false };
    expect(byId).toEqual({
      [pending]: { status: "FAILED", ...erased, lastError: "the contact was erased" },
      [sending]: { status: "FAILED", ...erased, lastError: "the contact was erased" },
      [sent]: { status: "SENT", ...erased, lastError: null },
      [failed]: { status: "FAILED", ...erased, lastError: null },
      [someoneElse]: { status: "PENDING", destination: null, destinationHash: openIdHash("oERASE-someone-else1"), sealed: true, lastError: null },
      [slack]: { status: "PENDING", destination: "U123", destinationHash: null, sealed: false, lastError: null },
    });

    const audit = await auditRows("contact.erase", lead.contactId);
    expect(audit).toMatchObject([{ actor_id: null, entity: "contact", detail: { reason: "wechat.unsubscribe", customerId: lead.customerId, interactions: 2, outbox: 2 } }]);
    const { rows: leaks } = await db.sql.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE detail::text ~* ANY($1)",
      [[openId, "Wang", "wf@example", "13800000000", "Main St"]],
    );
    expect(leaks[0]).toEqual({ n: 0 });
    const { rows: found } = await db.sql.query("SELECT count(*)::int AS n FROM outbox WHERE destination_hash = $1", [openIdHash(openId)]);
    expect(found[0]).toEqual({ n: 0 });

    // Idempotent: nothing left to erase, nothing written.
    expect(await services.eraseContact({ contactId: lead.contactId, actorId: null, reason: "wechat.unsubscribe" })).toBeNull();
    expect(await auditRows("contact.erase", lead.contactId)).toHaveLength(1);
    expect(await services.eraseContact({ contactId: "00000000-0000-4000-8000-000000000000", actorId: null, reason: "request" })).toBeNull();
  });

  it("keeps the name of a customer that is more than this person", async () => {
    const { customer } = await services.addCustomer(rep, "Keeps Its Name Ltd");
    const contact = await db.prisma.contact.create({ data: { customerId: customer.id, name: "Eve", ...sealContactSecrets(testCipher(), { email: "eve@example.com" }) } });
    await db.store.interactions.record({ customerId: customer.id, authorId: rep.id, contactId: contact.id, channel: "EMAIL", direction: "INBOUND", body: "hello from Eve", occurredAt: hoursAgo(2) });
    await order(customer.id, "12.00", hoursAgo(1));

    const result = await services.eraseContact({ contactId: contact.id, actorId: rep.id, reason: "request" });

    expect(result).toMatchObject({ contacts: 1, interactions: 1, outbox: 0 });
    expect((await db.prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).name).toBe("Keeps Its Name Ltd");
    expect(await db.prisma.contact.findUniqueOrThrow({ where: { id: contact.id }, select: { name: true, emailEnc: true, emailHash: true } })).toEqual({ name: "Erased contact", emailEnc: null, emailHash: null });
    await expectStatsTrue(customer.id);
    expect(await auditRows("contact.erase", contact.id)).toMatchObject([{ actor_id: rep.id, entity: "contact", detail: { reason: "request", interactions: 1, outbox: 0 } }]);
  });

  it("flags an unfollow once", async () => {
    const lead = await wechatLead("oERASE-unfollow-g00001", ["bye"]);
    await db.store.contactErasure.flagUnsubscribed(lead.contactId, hoursAgo(2));
    await db.store.contactErasure.flagUnsubscribed(lead.contactId, hoursAgo(1));
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: lead.contactId } })).unsubscribedAt).toEqual(hoursAgo(2));
  });
});

function pick(keys: { normalizedName: string; pinyin: string }) {
  return { normalizedName: keys.normalizedName, pinyin: keys.pinyin };
}

describe("following again", () => {
  it("lifts an earlier unfollow, so the person may be written to and surveyed again; an older follow does not", async () => {
    const keep = createServices(testServiceDeps(db.store, { now: () => NOW, settings: { wechatEraseOnUnsubscribe: false } }));
    const openId = "oFollowsAgain0000000000000";
    const flag = async () => (await db.sql.query<{ unsubscribed: boolean }>("SELECT unsubscribed_at IS NOT NULL AS unsubscribed FROM contacts WHERE wechat_open_id_hash = $1", [openIdHash(openId)])).rows[0]?.unsubscribed;
    await keep.recordCustomerMessage({ platform: "wechat", senderId: openId, id: "follow-1", at: hoursAgo(5), kind: "text", body: "hello" });
    await keep.recordCustomerMessage({ platform: "wechat", senderId: openId, id: "unfollow-1", at: hoursAgo(4), kind: "event:unsubscribe", body: "[event unsubscribe]", bodySigned: true });
    expect(await flag()).toBe(true);
    // A follow from before the unfollow, delivered late, changes nothing.
    await keep.recordCustomerMessage({ platform: "wechat", senderId: openId, id: "follow-0", at: hoursAgo(6), kind: "event:subscribe", body: "[event subscribe]" });
    expect(await flag()).toBe(true);
    await keep.recordCustomerMessage({ platform: "wechat", senderId: openId, id: "follow-2", at: hoursAgo(3), kind: "event:subscribe", body: "[event subscribe]" });
    expect(await flag()).toBe(false);
  });
});
