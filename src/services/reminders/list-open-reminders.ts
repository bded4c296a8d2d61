import type { Rep, ReminderView } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

/** How many open reminders /remind list shows a page. */
export const REMINDER_PAGE_SIZE = 25;

export interface ReminderPage {
  reminders: ReminderView[];
  /** Open reminders in all, for "showing 1–25 of 30". */
  total: number;
  page: number;
  pageSize: number;
}

/** One page (from 1) of the rep's open reminders, soonest first. */
export async function listOpenReminders(deps: ServiceDeps, rep: Rep, page = 1): Promise<ReminderPage> {
  const { reminders, total } = await deps.store.reminders.listOpen(rep.id, REMINDER_PAGE_SIZE, (page - 1) * REMINDER_PAGE_SIZE);
  return { reminders, total, page, pageSize: REMINDER_PAGE_SIZE };
}
