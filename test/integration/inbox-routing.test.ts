import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCore } from "../../src/core/index.js";
import { parseInboxRouteRequest } from "../../src/commands/inbox-route.js";
import { createServices } from "../../src/services/index.js";
import type { ConversationReach } from "../../src/services/ports.js";
import { actor, testServiceDeps, textOf } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/**
 * Routing WeChat conversations to several Slack inbox channels (issue 17): by the customer's
 * owner, or the owner's sales team (the owner's route wins), else the default inbox channel;
 * admins set routes, a Slack Connect channel needs an admin's allowance first, answers in the
 * asker's language. Real Postgres.
 */
const DEFAULT = "CDEFAULTINBOX";
const TEAM_CHANNEL = "CKAINBOX01";
const OWNER_CHANNEL = "CLINAINBOX01";
const PARTNER = "CPARTNER001";
let db: TestDatabase;
let clock = new Date("2026-11-20T04:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

function setup() {
  // The partner channel is shared with another organisation (Slack Connect); the rest are internal.
  const conversations = { reach: async (_platform: string, channel: string): Promise<ConversationReach> => (channel === PARTNER ? { kind: "external", name: "partner-acme" } : { kind: "internal" }) };
  const deps = testServiceDeps(db.store, { now: () => clock, conversations, settings: { wechatInboxChannel: DEFAULT, adminUserIds: ["UROUTEADMIN"] } });
  const services = createServices(deps);
  const core = createCore({ services, defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
  const crm = async (who: string, text: string, locale = "en-US") => textOf(await core.handle({ type: "command", actor: actor(who, { locale }), command: "/crm", text }));
  return { services, crm };
}

let seq = 0;
let lastCustomer = "";
/** A customer's message; returns the Slack channel its relay was queued for. */
async function relayedTo(services: ReturnType<typeof setup>["services"], senderId: string): Promise<string> {
  clock = new Date(clock.getTime() + 1_000);
  const stored = await services.recordCustomerMessage({ platform: "wechat", senderId, id: `${senderId}-${++seq}`, at: clock, kind: "text", body: "hello" });
  lastCustomer = stored.customerId;
  const row = await db.sql.query<{ destination: string }>("SELECT destination FROM outbox WHERE dedupe_key = $1", [`inbox-message:${stored.interactionId}`]);
  return row.rows[0]!.destination;
}

/** A first message makes the sender a lead; then the lead is handed to an owner. */
async function ownedBy(services: ReturnType<typeof setup>["services"], senderId: string, ownerSlackId: string): Promise<void> {
  await relayedTo(services, senderId);
  await db.sql.query("UPDATE customers SET owner_id = (SELECT id FROM users WHERE external_id = $2) WHERE id = $1", [lastCustomer, ownerSlackId]);
}

describe("routing conversations to inbox channels", () => {
  it("reads the route commands, in English and Chinese, and says what would work when it cannot", () => {
    expect(parseInboxRouteRequest("route team Key Accounts <#CKAINBOX01|ka-inbox>")).toEqual({ verb: "route", kind: "team", target: "Key Accounts", channel: { id: "CKAINBOX01", name: "ka-inbox" } });
    expect(parseInboxRouteRequest("路由 负责人 <@ULINA|li.na> 关闭")).toEqual({ verb: "route", kind: "owner", target: "<@ULINA|li.na>", channel: null });
    expect(parseInboxRouteRequest("routes")).toEqual({ verb: "list" });
    expect(parseInboxRouteRequest("")).toEqual({ verb: "list" });
    expect(() => parseInboxRouteRequest("route team <#CKAINBOX01>")).toThrow();
    expect(() => parseInboxRouteRequest("route crew Key Accounts <#CKAINBOX01>")).toThrow();
    expect(() => parseInboxRouteRequest("route team Key Accounts #ka-inbox")).toThrow();
  });

  it("sends a conversation to its owner's channel, else its owner's team's, else the default one", async () => {
    const { services, crm } = setup();
    await services.registerRep({ platform: "slack", externalId: "UROUTEADMIN", displayName: "Route Admin" });
    await services.registerRep({ platform: "slack", externalId: "ULINA", displayName: "Li Na" });
    await services.registerRep({ platform: "slack", externalId: "UWEI", displayName: "Wang Wei" });
    await services.registerRep({ platform: "slack", externalId: "UZHAO", displayName: "Zhao Min" });
    await db.sql.query("INSERT INTO sales_teams (id, name, name_key, updated_at) VALUES (gen_random_uuid(), 'Key Accounts', 'key accounts', now())");
    await db.sql.query("UPDATE users SET sales_team_id = (SELECT id FROM sales_teams WHERE name_key = 'key accounts') WHERE external_id IN ('ULINA', 'UWEI')");

    // Before any route, everything goes to the default inbox channel.
    expect(await relayedTo(services, "oRouteNobody0000000000001")).toBe(DEFAULT);

    expect(await crm("UROUTEADMIN", `inbox route team Key Accounts <#${TEAM_CHANNEL}|ka-inbox>`)).toContain("Routed");
    expect(await crm("UROUTEADMIN", `inbox route owner <@ULINA|li.na> <#${OWNER_CHANNEL}>`)).toContain("Routed");

    await ownedBy(services, "oRouteLina000000000000001", "ULINA");
    await ownedBy(services, "oRouteWei0000000000000001", "UWEI");
    await ownedBy(services, "oRouteZhao000000000000001", "UZHAO");
    expect(await relayedTo(services, "oRouteLina000000000000001")).toBe(OWNER_CHANNEL);
    expect(await relayedTo(services, "oRouteWei0000000000000001")).toBe(TEAM_CHANNEL);
    expect(await relayedTo(services, "oRouteZhao000000000000001")).toBe(DEFAULT);
    expect(await relayedTo(services, "oRouteNobody0000000000001")).toBe(DEFAULT);

    // The routed conversation has its own thread (and header) in its channel.
    const threads = await db.sql.query<{ channel: string; n: number }>("SELECT channel, count(*)::int AS n FROM inbox_threads GROUP BY channel ORDER BY channel");
    expect(threads.rows).toEqual(expect.arrayContaining([{ channel: OWNER_CHANNEL, n: 1 }, { channel: TEAM_CHANNEL, n: 1 }]));

    const list = await crm("UROUTEADMIN", "inbox routes");
    expect(list).toContain("team Key Accounts");
    expect(list).toContain("Li Na's customers");
    expect(list).toContain(`<#${DEFAULT}>`);

    // Off: back to the team's channel for Li Na, whose team is routed.
    expect(await crm("UROUTEADMIN", "inbox route owner <@ULINA|li.na> off")).toContain("default inbox channel again");
    clock = new Date(clock.getTime() + 1_000);
    expect(await relayedTo(services, "oRouteLina000000000000001")).toBe(TEAM_CHANNEL);
    const audit = await db.sql.query<{ action: string; detail: Record<string, unknown> }>("SELECT action, detail FROM audit_log WHERE action LIKE 'inbox.%route' ORDER BY id");
    expect(audit.rows.map((r) => r.action)).toEqual(["inbox.route", "inbox.route", "inbox.unroute"]);
  });

  it("lets only admins route, refuses a Slack Connect channel nobody allowed, and answers in Chinese to a Chinese reader", async () => {
    const { services, crm } = setup();
    await services.registerRep({ platform: "slack", externalId: "UROUTEREP", displayName: "Plain Rep" });
    expect(await crm("UROUTEREP", `inbox route team Key Accounts <#${TEAM_CHANNEL}>`)).toContain("Only admins");
    expect(await crm("UROUTEREP", `收件箱 路由 团队 Key Accounts <#${TEAM_CHANNEL}>`, "zh-CN")).toContain("只有管理员");
    expect(await crm("UROUTEADMIN", `inbox route team Key Accounts <#${PARTNER}>`)).toContain("shared with other organisations");
    expect(await crm("UROUTEADMIN", "inbox route team Nobody Here <#CSOMEWHERE1>")).toContain("Nobody Here");
    expect(await crm("UROUTEADMIN", "inbox route team Key Accounts")).toContain("/crm inbox route team");
    expect(await crm("UROUTEADMIN", "收件箱 路由 团队 Key Accounts", "zh-CN")).toContain("/crm inbox route team <团队>");
    const partner = await db.sql.query("SELECT 1 FROM inbox_routes WHERE channel = $1", [PARTNER]);
    expect(partner.rowCount).toBe(0);
    // Once an admin allowed the partner channel, it may be an inbox.
    await crm("UROUTEADMIN", `channel allow <#${PARTNER}|partner-acme>`);
    expect(await crm("UROUTEADMIN", `inbox route team Key Accounts <#${PARTNER}>`)).toContain("Routed");
    expect(await crm("UROUTEADMIN", "收件箱 路由 团队 Key Accounts 关闭", "zh-CN")).toContain("默认收件箱频道");
  });
});
