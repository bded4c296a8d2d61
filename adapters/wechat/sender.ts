import { DeliveryError, type Message, type Notice, type Sender } from "../../src/core/index.js";
import { renderWechatText, splitText } from "./render-text.js";

/** Sends a notice as a template message (the Official Account with a template set up). */
export type NoticeSender = (openId: string, notice: Notice, key: string) => Promise<void>;

/**
 * The outbox's sender for WeChat: the message as plain text (customers have no buttons), split
 * within WeChat's byte limit, each part said through the Wechaty puppet, so any puppet works.
 * A message meant as a notice goes out as a template message, which only the Official Account
 * can send. The puppet throws DeliveryError with the platform's reason when it refuses.
 */
export function createWechatSender(say: (conversationId: string, text: string) => Promise<unknown>, sendNotice?: NoticeSender): Sender {
  return {
    async send(destination: string, message: Message, key: string) {
      if (message.notice) {
        if (!sendNotice) throw new DeliveryError("permanent", "template messages need the Official Account with WECHAT_SURVEY_TEMPLATE_ID set");
        await sendNotice(destination, message.notice, key);
        return {};
      }
      for (const part of splitText(renderWechatText(message))) await say(destination, part);
      return {};
    },
  };
}

/**
 * A notice as the data of a classic template ({{first.DATA}}, {{keyword1.DATA}},
 * {{keyword2.DATA}}, {{remark.DATA}}), the layout of the template library's service-rating
 * templates; README says how to pick one.
 */
export function templateData(notice: Notice): Record<string, { value: string }> {
  return { first: { value: notice.title }, keyword1: { value: notice.subject }, keyword2: { value: notice.time }, remark: { value: notice.note } };
}
