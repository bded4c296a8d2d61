import type { Message, Sender } from "../../src/core/index.js";
import { renderWechatText, splitText } from "./render-text.js";

/**
 * The outbox's sender for WeChat: the message as plain text (customers have no buttons), split
 * within WeChat's byte limit, each part said through the Wechaty puppet, so any puppet works.
 * The puppet throws DeliveryError with the platform's reason when it refuses.
 */
export function createWechatSender(say: (conversationId: string, text: string) => Promise<unknown>): Sender {
  return {
    async send(destination: string, message: Message) {
      for (const part of splitText(renderWechatText(message))) await say(destination, part);
      return {};
    },
  };
}
