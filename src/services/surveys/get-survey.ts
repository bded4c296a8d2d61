import type { SurveyView } from "../../store/index.js";
import { CHANNEL_READER, maySeePrivate, withoutDetails, type Audience } from "../audience.js";
import type { ServiceDeps } from "../deps.js";

/**
 * A survey as its reader may see it. For a rep's services the reader is the customer themself
 * (the question, the thanks) or the owner (a low score's alert, in their DM): as stored. A low
 * score's alert goes to the inbox channel when the owner is not on Slack; a channel sees no
 * private details (maySeePrivate), so the contacts' emails, phones and WeChat ids are hidden
 * where the customer's comment mentions them.
 */
export async function getSurvey(deps: ServiceDeps, id: string, audience: Audience): Promise<SurveyView | null> {
  const survey = await deps.store.surveys.get(id);
  if (!survey?.comment || audience === "rep" || maySeePrivate(CHANNEL_READER, survey.ownerId, audience)) return survey;
  const contacts = await deps.store.customers.contactDetails(survey.customerId);
  return { ...survey, comment: withoutDetails(survey.comment, contacts) };
}
