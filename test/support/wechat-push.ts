import { encryptMessage } from "../../adapters/wechat/crypto.js";
import { wechatSignature } from "../../adapters/wechat/signature.js";
import { SIGNING_SECRET } from "./bot.js";
import { botDatabase, waitForInbound } from "./inbound.js";
import { postToSlackEndpoint, type SignedPost } from "./slack-requests.js";

/** The Official Account's safe mode (WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID of the bot under test). */
export interface SafeMode {
  encodingAesKey: string;
  appId: string;
}

/**
 * A message push as WeChat sends it: XML fields in CDATA, signed with the account's token over a
 * fresh timestamp and nonce; in safe mode encrypted and covered by msg_signature as well.
 */
export async function pushToWechat(base: string, token: string, fields: Record<string, string>, createdAt = new Date(), safe?: SafeMode): Promise<Response> {
  const xml = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><CreateTime>${Math.floor(createdAt.getTime() / 1000)}</CreateTime>${Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join("")}</xml>`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  const query = `signature=${wechatSignature(token, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`;
  let res: Response;
  if (!safe) res = await fetch(`${base}/wechat?${query}`, { method: "POST", body: xml });
  else {
    const encrypt = encryptMessage(safe.encodingAesKey, safe.appId, xml);
    const envelope = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    res = await fetch(`${base}/wechat?${query}&encrypt_type=aes&msg_signature=${wechatSignature(token, timestamp, nonce, encrypt)}`, { method: "POST", body: envelope });
  }
  // The answer means "stored"; what the push does is recorded by the worker just after.
  const database = botDatabase(base);
  if (res.ok && database) await waitForInbound(database);
  return res;
}

/** Someone writing in a Slack channel thread, as the signed Events API delivers it. */
export async function postThreadMessage(base: string, message: { channel: string; user: string; threadTs: string; text: string; ts: string }): Promise<SignedPost> {
  const body = JSON.stringify({
    token: "x", team_id: "T0001", api_app_id: "A0CRM", type: "event_callback", event_id: `Ev${message.ts.replace(".", "")}`, event_time: 1763600000,
    event: { type: "message", channel: message.channel, channel_type: "channel", user: message.user, text: message.text, ts: message.ts, thread_ts: message.threadTs, team: "T0001" },
  });
  return postToSlackEndpoint(`${base}/slack/events`, body, "application/json", { secret: SIGNING_SECRET });
}
