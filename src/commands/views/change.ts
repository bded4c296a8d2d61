import { change, MEASURES, percentText, pointsText, type MeasureName } from "../../domain/measures.js";
import type { RenderContext } from "../notification-types.js";

/**
 * A measure's change against an earlier figure, as domain/measures.ts defines it, in words:
 * "+12.3%", "−4.0%", "+3.0 pp", "no change", "new" when there was nothing before; null when
 * the measure has no value to compare. Reports and the digest both say changes this way.
 */
export function changeText(ctx: RenderContext, measure: MeasureName, current: number | null, previous: number | null): string | null {
  const c = change(MEASURES[measure], current, previous);
  switch (c.kind) {
    case "relative":
      return percentText(c.relative);
    case "points":
      return ctx.t(MEASURES[measure] === "rate" ? "report.points" : "report.scorePoints", { delta: pointsText(c.delta) });
    case "new":
      return ctx.t("change.new");
    case "same":
      return ctx.t("change.none");
    case "none":
      return null;
  }
}
