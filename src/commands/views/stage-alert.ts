import type { Stage } from "../../domain/customers/customer-stage.js";
import type { Block, Message } from "../../reply/reply.js";
import type { StageAlert } from "../../services/index.js";
import type { RenderContext } from "../notification-types.js";
import { stageReasonText } from "./stage-reason.js";

/** Where the rest of the moved customers can be read: the segment that holds them. */
const SEGMENT_OF_STAGE: Partial<Record<Stage, string>> = { AT_RISK: "/segment churn-risk", CHURNED: "/segment lost" };

/**
 * One owner's alert after a nightly scan: who moved and why, the first few by name (at risk
 * first, biggest spenders first) and the rest as a count that points at /segment, so it stays
 * readable when hundreds move at once.
 */
export function stageAlertMessage(ctx: RenderContext, alert: StageAlert): Message {
  const title = ctx.t("stage.alert.title", { count: alert.total });
  const stage = (s: Stage) => ctx.t(`stage.${s}`);
  const blocks: Block[] = [
    { type: "header", text: title },
    {
      type: "list",
      items: alert.entries.map((e) => {
        const why = stageReasonText(ctx, e.reason);
        const move = ctx.t("stage.alert.move", { from: stage(e.from), to: stage(e.to) });
        return { title: e.name, detail: why ? `${move} · ${why}` : move, button: { label: ctx.t("button.open"), action: { id: "customer.show", value: e.customerId } } };
      }),
    },
  ];
  const rest = alert.total - alert.entries.length;
  if (rest > 0) {
    const shown = new Map<Stage, number>();
    for (const e of alert.entries) shown.set(e.to, (shown.get(e.to) ?? 0) + 1);
    const where = (Object.keys(SEGMENT_OF_STAGE) as Stage[])
      .filter((s) => (alert.byStage[s] ?? 0) > (shown.get(s) ?? 0))
      .map((s) => SEGMENT_OF_STAGE[s]!);
    blocks.push({ type: "text", text: where.length > 0 ? ctx.t("stage.alert.more", { count: rest, commands: where.join(" · ") }) : ctx.t("stage.alert.moreNoLink", { count: rest }) });
  }
  blocks.push({ type: "context", text: ctx.t("stage.alert.context", { when: ctx.f.dateTime(alert.scanAt) }) });
  return { visibility: "private", summary: title, blocks };
}
