import { describe, expect, it } from "vitest";
import { digestView } from "../../src/commands/views/digest.js";
import { createFormatter, translator, type Locale } from "../../src/i18n/index.js";
import type { Block } from "../../src/reply/reply.js";
import type { DigestContent } from "../../src/services/index.js";

/** The digest's lists name the first few; each says how many there are and where the rest are. */
const RUN = new Date("2026-11-24T00:30:00Z");

function content(overrides: Partial<DigestContent> = {}): DigestContent {
  return {
    day: "2026-11-23",
    runDate: "2026-11-24",
    timezone: "Asia/Shanghai",
    currency: "CNY",
    newLeads: 1,
    newCustomers: 0,
    revenue: { day: { revenue: 100, orders: 1 }, dayBefore: { revenue: 0, orders: 0 }, sameWeekdayLastWeek: { revenue: 0, orders: 0 } },
    interactions: [],
    reminders: [
      {
        userId: "u1", platform: "slack", externalId: "U1", name: "Li Na", count: 7,
        first: [{ text: "a", customerName: "Acme", dueAt: RUN }, { text: "b", customerName: "Beta", dueAt: RUN }, { text: "c", customerName: null, dueAt: RUN }],
      },
      { userId: "u2", platform: "slack", externalId: "U2", name: "Tom", count: 1, first: [{ text: "d", customerName: "Gamma", dueAt: RUN }] },
    ],
    atRisk: {
      total: 12,
      items: Array.from({ length: 10 }, (_, i) => ({ customerId: `00000000-0000-4000-8000-00000000000${i}`, customerName: `Risk ${i + 1}`, ownerName: null, reason: null, changedAt: RUN })),
    },
    surveys: { csat: { answers: 1, percent: 0, average: 2, distribution: { 2: 1 } }, nps: { answers: 0, score: null, distribution: {} }, asked: 1, answered: 1, responseRate: 1 },
    lowScores: Array.from({ length: 5 }, (_, i) => ({ customerId: `c${i + 1}`, customerName: `Low ${i + 1}`, kind: "CSAT" as const, score: 1, comment: null, servedByName: null })),
    lowScoreTotal: 8,
    trend: [{ day: "2026-11-23", revenue: 100 }],
    quiet: false,
    pipeline: { moved: { count: 0, total: "0", withoutAmount: 0 }, won: { count: 0, total: "0", withoutAmount: 0 }, lost: { count: 0, total: "0", withoutAmount: 0 } },
    ...overrides,
  };
}

function text(locale: Locale, c: DigestContent): string {
  const message = digestView({ t: translator(locale), f: createFormatter(locale, "Asia/Shanghai"), now: RUN }, c);
  return message.blocks
    .flatMap((b: Block) => (b.type === "list" ? [b.title ?? "", ...b.items.map((i) => `${i.title} — ${i.detail ?? ""}`)] : b.type === "context" || b.type === "header" || b.type === "text" ? [b.text] : []))
    .join("\n");
}

describe("the digest's cut lists", () => {
  it("says how many more reminders a rep has and where they are, and nothing for a rep whose are all named", () => {
    const en = text("en", content());
    expect(en).toContain("Li Na: 7 due — Acme · Beta · +4 more — /remind list");
    expect(en).toContain("Tom: 1 due — Gamma");
    expect(en).not.toContain("Gamma · +");
    expect(text("zh-CN", content())).toContain("Li Na：7 条到期 — Acme · Beta · 另有 4 条 — /remind list");
  });

  it("says the customers turned at risk are 10 of 12, and where the whole segment is", () => {
    expect(text("en", content())).toContain("Showing 10 of 12 — /segment churn-risk for the whole segment.");
    expect(text("zh-CN", content())).toContain("显示 10 位，共 12 位 — /segment 流失风险 查看整个分群。");
    expect(text("en", content({ atRisk: { total: 10, items: content().atRisk.items } }))).not.toContain("Showing 10");
  });

  it("says the low scores are the lowest 5 of 8, and that each owner heard of their own", () => {
    expect(text("en", content())).toContain("Showing the 5 lowest scores of 8; each owner was alerted to their own.");
    expect(text("en", content({ lowScores: content().lowScores.slice(0, 1), lowScoreTotal: 2 }))).toContain("Showing the lowest score of 2;");
    expect(text("en", content({ lowScoreTotal: 5 }))).not.toContain("lowest");
    expect(text("en", content())).toContain("Survey answers: 1 CSAT answer, 0% satisfied, average 2");
  });

  it("says yesterday's pipeline movement in one line, and nothing when the pipeline stood still", () => {
    const pipeline = { moved: { count: 3, total: "12500.00", withoutAmount: 0 }, won: { count: 1, total: "2000.00", withoutAmount: 0 }, lost: { count: 2, total: "700.00", withoutAmount: 0 } };
    const plain = (t: string) => t.replace(/\u00a0/g, " ");
    expect(plain(text("en", content({ pipeline })))).toContain("Pipeline yesterday: 3 deals moved (CNY 12,500.00) · 1 won (CNY 2,000.00) · 2 lost (CNY 700.00)");
    expect(plain(text("zh-CN", content({ pipeline })))).toContain("昨日销售漏斗：3 个商机变更阶段（CNY 12,500.00）· 赢单 1 个（CNY 2,000.00）· 输单 2 个（CNY 700.00）");
    expect(text("en", content())).not.toContain("Pipeline yesterday");
  });
});
