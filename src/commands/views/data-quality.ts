import { QUALITY_FIELDS, UNTOUCHED_DAYS, percentOf, type QualityDrop, type QualityField } from "../../domain/customers/data-quality.js";
import type { Block, Button, Field, Outcome } from "../../reply/reply.js";
import type { QualityOffender, QualityReport } from "../../services/index.js";
import type { RenderContext } from "../notification-types.js";
import type { CommandContext } from "../types.js";

const fieldLabel = (ctx: Pick<RenderContext, "t">, field: QualityField) => ctx.t(`quality.field.${field}`);

function measureLabel(ctx: Pick<RenderContext, "t">, measure: QualityDrop["measure"]): string {
  if ((QUALITY_FIELDS as readonly string[]).includes(measure)) return fieldLabel(ctx, measure as QualityField);
  if (measure === "untouched") return ctx.t("quality.untouched", { days: UNTOUCHED_DAYS });
  return ctx.t(`quality.${measure as "invalidPhones" | "invalidEmails" | "duplicatePairs" | "ordersWithoutProduct"}`);
}

/** "Owner 92% → 88%, Invalid phone numbers 1 → 3": what fell, for the digest's one line. */
export function qualityDropsText(ctx: Pick<RenderContext, "t">, drops: readonly QualityDrop[]): string {
  return drops
    .map((d) => ctx.t(d.unit === "percent" ? "quality.drop.percent" : "quality.drop.count", { measure: measureLabel(ctx, d.measure), before: d.before, after: d.after }))
    .join(", ");
}

function offenderDetail(ctx: CommandContext, o: QualityOffender): string {
  const parts: string[] = [];
  if (o.missing.length > 0) parts.push(ctx.t("quality.offender.missing", { fields: ctx.f.list(o.missing.map((f) => fieldLabel(ctx, f))) }));
  if (o.invalidPhones > 0) parts.push(ctx.t("quality.offender.invalidPhones", { count: o.invalidPhones }));
  if (o.invalidEmails > 0) parts.push(ctx.t("quality.offender.invalidEmails", { count: o.invalidEmails }));
  if (o.duplicatePairs > 0) parts.push(ctx.t("quality.offender.duplicates", { count: o.duplicatePairs }));
  if (o.untouched) parts.push(ctx.t("quality.offender.untouched", { days: UNTOUCHED_DAYS }));
  if (o.ordersWithoutProduct > 0) parts.push(ctx.t("quality.offender.productless", { count: o.ordersWithoutProduct }));
  const owner = `${ctx.t("card.owner")}: ${o.ownerName ?? ctx.t("card.noOwner")}`;
  return [...parts, owner].join(" · ");
}

/** /crm quality: completeness and problems as counts, the customers to fix first as buttons, and a chart. */
export function dataQualityMessage(ctx: CommandContext, report: QualityReport): Outcome {
  const { figures } = report;
  const title = ctx.t(report.scope === "own" ? "quality.titleOwn" : "quality.title");
  const blocks: Block[] = [
    { type: "header", text: title },
    { type: "context", text: ctx.t(report.scope === "own" ? "quality.scope.own" : "quality.scope.team", { customers: figures.customers }) },
  ];
  if (figures.customers === 0) {
    blocks.push({ type: "text", text: ctx.t("quality.noCustomers") });
    return { kind: "message", message: { visibility: "private", summary: title, blocks } };
  }
  const completeness: Field[] = QUALITY_FIELDS.map((field) => ({
    label: fieldLabel(ctx, field),
    value: ctx.t("quality.complete", { percent: percentOf(figures.complete[field], figures.customers), count: figures.complete[field], total: figures.customers }),
  }));
  const count = (n: number) => ctx.f.number(n, 0);
  const problems: Field[] = [
    { label: ctx.t("quality.invalidPhones"), value: count(figures.invalidPhones) },
    { label: ctx.t("quality.invalidEmails"), value: count(figures.invalidEmails) },
    { label: ctx.t("quality.duplicatePairs"), value: count(figures.duplicatePairs) },
    { label: ctx.t("quality.untouched", { days: UNTOUCHED_DAYS }), value: count(figures.untouched) },
    { label: ctx.t("quality.ordersWithoutProduct"), value: count(figures.ordersWithoutProduct) },
  ];
  blocks.push({ type: "text", text: ctx.t("quality.completeness") }, { type: "fields", fields: completeness });
  blocks.push({ type: "text", text: ctx.t("quality.problems") }, { type: "fields", fields: problems });
  if (report.offenders.length === 0) {
    blocks.push({ type: "text", text: ctx.t("quality.allGood") });
  } else {
    blocks.push({
      type: "list",
      title: ctx.t("quality.offenders"),
      items: report.offenders.map((o) => ({
        title: o.name,
        detail: offenderDetail(ctx, o),
        button: { label: ctx.t("button.open"), action: { id: "customer.show", value: o.id } },
      })),
    });
  }
  const points = QUALITY_FIELDS.map((field) => ({ x: fieldLabel(ctx, field), y: figures.complete[field] / figures.customers }));
  const alt = QUALITY_FIELDS.map((field) => `${fieldLabel(ctx, field)} ${percentOf(figures.complete[field], figures.customers)}%`).join(" · ");
  blocks.push({ type: "chart", chart: { kind: "bar", title: ctx.t("quality.chart.title"), points, valueFormat: "percent" }, alt: ctx.t("quality.chart.alt", { figures: alt }) });
  const buttons: Button[] = [];
  if (figures.duplicatePairs > 0) buttons.push({ label: ctx.t("quality.button.duplicates"), action: { id: "duplicates.list", value: "1" } });
  if (buttons.length > 0) blocks.push({ type: "buttons", buttons });
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}
