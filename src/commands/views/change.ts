import { change, MEASURES, percentText, type MeasureName } from "../../domain/measures.js";
import type { RenderContext } from "../notification-types.js";

/**
 * A measure's change against an earlier figure, as domain/measures.ts defines it, in words:
 * "+12.3%", "−4.0%", "no change", or "new" when there was nothing before.
 */
export function relativeChange(ctx: RenderContext, measure: MeasureName, current: number, previous: number): string {
  const c = change(MEASURES[measure], current, previous);
  switch (c.kind) {
    case "relative":
      return percentText(c.relative);
    case "new":
      return ctx.t("change.new");
    default:
      return ctx.t("change.none");
  }
}
