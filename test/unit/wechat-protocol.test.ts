import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  WechatCryptoError,
  decryptMessage,
  encryptMessage,
  encryptedReply,
  encryptedReplyXml,
} from "../../adapters/wechat/crypto.js";
import { isFreshTimestamp, verifyMessageSignature, verifyUrlSignature, wechatSignature } from "../../adapters/wechat/signature.js";
import { WechatXmlError, parseWechatXml } from "../../adapters/wechat/xml.js";

// Test vectors quoted exactly from PROTOCOLS.md ("WeChat Official Account").

const URL_CHECK = {
  token: "AAAAA",
  signature: "f464b24fc39322e44b38aa78f5edd27bd1441696",
  timestamp: "1714036504",
  nonce: "1514711492",
};

const A = {
  token: "AAAAA",
  encodingAesKey: "A".repeat(43),
  appId: "wxba5fad812f8e6fb9",
  timestamp: "1714112445",
  nonce: "415670741",
  msgSignature: "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3",
  encrypt:
    "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=",
  plain:
    '{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}',
  reply: '{"demo_resp":"good luck"}',
  replyRandom: "707722b803182950",
  replyEncrypt: "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==",
  replyTimestamp: "1713424427",
  replyNonce: "415670741",
  replySignature: "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1",
};

const B = {
  token: "spamtest",
  encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
  appId: "wx2c2769f8efd9abc2",
  timestamp: "1409735669",
  nonce: "1320562132",
  msgSignature: "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
  encrypt:
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=",
  plain: [
    "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>",
    "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>",
    "<CreateTime>1409735668</CreateTime>",
    "<MsgType><![CDATA[text]]></MsgType>",
    "<Content><![CDATA[abcdteT]]></Content>",
    "<MsgId>6054768590064713728</MsgId>",
    "</xml>",
  ].join("\n"),
};

const C = {
  encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
  appId: "wxb11529c136998cb6",
  random: "aaaabbbbccccdddd",
  message: "我是中文abcd123",
  encrypt: "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==",
};

/** A fresh 43-character EncodingAESKey, as the WeChat console generates them. */
function randomEncodingAesKey(): string {
  return randomBytes(32).toString("base64").slice(0, 43);
}

/** Flips one bit of the decoded ciphertext at `index` (negative counts from the end). */
function flipBit(encryptBase64: string, index: number): string {
  const bytes = Buffer.from(encryptBase64, "base64");
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString("base64");
}

describe("WeChat URL verification signature", () => {
  it("accepts the official example", () => {
    expect(wechatSignature(URL_CHECK.token, URL_CHECK.timestamp, URL_CHECK.nonce)).toBe(URL_CHECK.signature);
    expect(verifyUrlSignature(URL_CHECK)).toBe(true);
  });

  it("sorts the parts as strings, whatever order they are given in", () => {
    expect(wechatSignature(URL_CHECK.nonce, URL_CHECK.token, URL_CHECK.timestamp)).toBe(URL_CHECK.signature);
  });

  it("rejects a changed nonce, timestamp, token or signature", () => {
    expect(verifyUrlSignature({ ...URL_CHECK, nonce: "1514711493" })).toBe(false);
    expect(verifyUrlSignature({ ...URL_CHECK, timestamp: "1714036505" })).toBe(false);
    expect(verifyUrlSignature({ ...URL_CHECK, token: "AAAAB" })).toBe(false);
    expect(verifyUrlSignature({ ...URL_CHECK, signature: URL_CHECK.signature.replace(/^f/, "e") })).toBe(false);
    expect(verifyUrlSignature({ ...URL_CHECK, signature: URL_CHECK.signature.toUpperCase() })).toBe(false);
  });

  it("rejects missing or empty fields and a signature of the wrong length", () => {
    expect(verifyUrlSignature({ ...URL_CHECK, signature: undefined })).toBe(false);
    expect(verifyUrlSignature({ ...URL_CHECK, nonce: undefined })).toBe(false);
    expect(verifyUrlSignature({ ...URL_CHECK, timestamp: null })).toBe(false);
    expect(verifyUrlSignature({ ...URL_CHECK, token: "" })).toBe(false);
    expect(verifyUrlSignature({ ...URL_CHECK, signature: "" })).toBe(false);
    expect(verifyUrlSignature({ ...URL_CHECK, signature: URL_CHECK.signature.slice(0, 39) })).toBe(false);
    expect(verifyUrlSignature({ ...URL_CHECK, signature: `${URL_CHECK.signature}0` })).toBe(false);
  });
});

describe("WeChat safe-mode message signature", () => {
  it("verifies vectors A and B", () => {
    expect(verifyMessageSignature({ ...A, encrypt: A.encrypt })).toBe(true);
    expect(verifyMessageSignature({ ...B, encrypt: B.encrypt })).toBe(true);
  });

  it("covers the body: a changed Encrypt, nonce or token fails", () => {
    expect(verifyMessageSignature({ ...A, encrypt: flipBit(A.encrypt, 0) })).toBe(false);
    expect(verifyMessageSignature({ ...A, nonce: "415670742" })).toBe(false);
    expect(verifyMessageSignature({ ...A, token: "AAAAB" })).toBe(false);
  });

  it("is not satisfied by the plain URL signature or missing values", () => {
    const urlSignature = wechatSignature(A.token, A.timestamp, A.nonce);
    expect(verifyMessageSignature({ ...A, msgSignature: urlSignature })).toBe(false);
    expect(verifyMessageSignature({ ...A, encrypt: undefined })).toBe(false);
    expect(verifyMessageSignature({ ...A, msgSignature: undefined })).toBe(false);
    expect(verifyMessageSignature({ ...A, encrypt: "" })).toBe(false);
  });
});

describe("isFreshTimestamp", () => {
  const now = new Date(1_714_036_504_000);
  const at = (offsetSeconds: number) => String(1_714_036_504 + offsetSeconds);

  it("accepts now and up to 299 s either way", () => {
    expect(isFreshTimestamp(at(0), now)).toBe(true);
    expect(isFreshTimestamp(at(299), now)).toBe(true);
    expect(isFreshTimestamp(at(-299), now)).toBe(true);
  });

  it("rejects 301 s either way", () => {
    expect(isFreshTimestamp(at(301), now)).toBe(false);
    expect(isFreshTimestamp(at(-301), now)).toBe(false);
  });

  it("rejects anything that is not decimal seconds", () => {
    for (const bad of ["abc", "", " 1714036504", "1714036504.0", "-1714036504", "+1714036504", "1e9", "0x66299c18"]) {
      expect(isFreshTimestamp(bad, now)).toBe(false);
    }
  });

  it("honours a custom skew", () => {
    expect(isFreshTimestamp(at(-60), now, 30)).toBe(false);
    expect(isFreshTimestamp(at(-30), now, 30)).toBe(true);
  });
});

describe("WeChat safe-mode AES", () => {
  it("vector A: decrypts the JSON push exactly", () => {
    expect(decryptMessage(A.encodingAesKey, A.appId, A.encrypt)).toBe(A.plain);
  });

  it("vector A: encrypts and signs the reply exactly", () => {
    const random16 = Buffer.from(A.replyRandom, "utf8");
    expect(encryptMessage(A.encodingAesKey, A.appId, A.reply, random16)).toBe(A.replyEncrypt);
    const reply = encryptedReply({
      token: A.token,
      encodingAesKey: A.encodingAesKey,
      appId: A.appId,
      message: A.reply,
      timestamp: A.replyTimestamp,
      nonce: A.replyNonce,
      random16,
    });
    expect(reply).toEqual({
      Encrypt: A.replyEncrypt,
      MsgSignature: A.replySignature,
      TimeStamp: A.replyTimestamp,
      Nonce: A.replyNonce,
    });
  });

  it("vector A: the reply XML has the documented shape and checks out when read back", () => {
    const params = {
      token: A.token,
      encodingAesKey: A.encodingAesKey,
      appId: A.appId,
      message: A.reply,
      timestamp: Number(A.replyTimestamp),
      nonce: A.replyNonce,
      random16: Buffer.from(A.replyRandom, "utf8"),
    };
    const xml = encryptedReplyXml(params);
    expect(xml).toBe(
      `<xml><Encrypt><![CDATA[${A.replyEncrypt}]]></Encrypt><MsgSignature><![CDATA[${A.replySignature}]]></MsgSignature>` +
        `<TimeStamp>${A.replyTimestamp}</TimeStamp><Nonce><![CDATA[${A.replyNonce}]]></Nonce></xml>`,
    );
    const fields = parseWechatXml(xml);
    expect(
      verifyMessageSignature({
        token: A.token,
        timestamp: fields.TimeStamp,
        nonce: fields.Nonce,
        encrypt: fields.Encrypt,
        msgSignature: fields.MsgSignature,
      }),
    ).toBe(true);
    expect(decryptMessage(A.encodingAesKey, A.appId, fields.Encrypt ?? "")).toBe(A.reply);
  });

  it("refuses a reply timestamp that is not decimal seconds or an empty nonce", () => {
    const base = { token: A.token, encodingAesKey: A.encodingAesKey, appId: A.appId, message: "x", nonce: "1" };
    expect(() => encryptedReply({ ...base, timestamp: "12</TimeStamp>" })).toThrow(WechatCryptoError);
    expect(() => encryptedReply({ ...base, timestamp: "1", nonce: "" })).toThrow(WechatCryptoError);
  });

  it("vector B: decrypts the XML push exactly, newlines included", () => {
    expect(decryptMessage(B.encodingAesKey, B.appId, B.encrypt)).toBe(B.plain);
  });

  it("vector B: the whole safe-mode push, from envelope to fields", () => {
    const envelope = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[${B.encrypt}]]></Encrypt></xml>`;
    const outer = parseWechatXml(envelope);
    expect(outer.Encrypt).toBe(B.encrypt);
    expect(verifyMessageSignature({ ...B, encrypt: outer.Encrypt })).toBe(true);
    const inner = parseWechatXml(decryptMessage(B.encodingAesKey, B.appId, outer.Encrypt ?? ""));
    expect(inner).toEqual({
      ToUserName: "gh_10f6c3c3ac5a",
      FromUserName: "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
      CreateTime: "1409735668",
      MsgType: "text",
      Content: "abcdteT",
      MsgId: "6054768590064713728",
    });
    expect(typeof inner.MsgId).toBe("string");
  });

  it("vector C: encrypts Chinese text deterministically and decrypts it back", () => {
    const encrypted = encryptMessage(C.encodingAesKey, C.appId, C.message, Buffer.from(C.random, "utf8"));
    expect(encrypted).toBe(C.encrypt);
    expect(decryptMessage(C.encodingAesKey, C.appId, C.encrypt)).toBe(C.message);
  });

  it("round-trips with a random key and appid, including 32 bytes of padding", () => {
    const key = randomEncodingAesKey();
    const appId = `wx${randomBytes(8).toString("hex")}`;
    // 16 + 4 + 26 + 18 = 64 bytes: already aligned, so a whole block of padding is added.
    const aligned = "x".repeat(26);
    for (const message of ["", "hello", "客户 😀 <xml>&amp;</xml>", aligned, "长".repeat(5000)]) {
      const encrypted = encryptMessage(key, appId, message);
      expect(decryptMessage(key, appId, encrypted)).toBe(message);
    }
    expect(Buffer.from(encryptMessage(key, appId, aligned), "base64")).toHaveLength(96);
  });

  it("uses fresh random bytes unless given some", () => {
    const key = randomEncodingAesKey();
    expect(encryptMessage(key, "wx1", "same")).not.toBe(encryptMessage(key, "wx1", "same"));
    expect(() => encryptMessage(key, "wx1", "same", Buffer.alloc(15))).toThrow(/16 bytes/);
  });

  it("throws on a wrong appid", () => {
    expect(() => decryptMessage(A.encodingAesKey, "wx0000000000000000", A.encrypt)).toThrow(/appid mismatch/);
    expect(() => decryptMessage(C.encodingAesKey, B.appId, C.encrypt)).toThrow(WechatCryptoError);
  });

  it("throws on tampered ciphertext", () => {
    // The last block decrypts to garbage: bad padding or a broken appid.
    expect(() => decryptMessage(A.encodingAesKey, A.appId, flipBit(A.encrypt, -1))).toThrow(WechatCryptoError);
    expect(() => decryptMessage(A.encodingAesKey, A.appId, flipBit(A.encrypt, -20))).toThrow(WechatCryptoError);
    // Flipping the first ciphertext byte flips the top byte of the length field.
    expect(() => decryptMessage(A.encodingAesKey, A.appId, flipBit(A.encrypt, 0))).toThrow(/truncated plaintext/);
    // Decrypting with another key.
    expect(() => decryptMessage(randomEncodingAesKey(), A.appId, A.encrypt)).toThrow(WechatCryptoError);
  });

  it("throws on truncated or non-base64 ciphertext", () => {
    const bytes = Buffer.from(A.encrypt, "base64");
    expect(() => decryptMessage(A.encodingAesKey, A.appId, bytes.subarray(0, 15).toString("base64"))).toThrow(/truncated/);
    expect(() => decryptMessage(A.encodingAesKey, A.appId, bytes.subarray(0, bytes.length - 32).toString("base64"))).toThrow(WechatCryptoError);
    expect(() => decryptMessage(A.encodingAesKey, A.appId, "")).toThrow(WechatCryptoError);
    expect(() => decryptMessage(A.encodingAesKey, A.appId, "not base64!")).toThrow(/base64/);
  });

  it("throws on an EncodingAESKey of the wrong length or alphabet", () => {
    for (const key of ["A".repeat(42), "A".repeat(44), `${"A".repeat(42)}=`, `${"A".repeat(42)}!`, ""]) {
      expect(() => decryptMessage(key, A.appId, A.encrypt)).toThrow(/EncodingAESKey/);
      expect(() => encryptMessage(key, A.appId, "x")).toThrow(/EncodingAESKey/);
    }
  });
});

describe("parseWechatXml", () => {
  const head = (type: string) =>
    `<ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[${type}]]></MsgType>`;
  const common = { ToUserName: "toUser", FromUserName: "fromUser", CreateTime: "1348831860" };

  it.each([
    [
      "text",
      `<xml>\n${head("text")}\n<Content><![CDATA[this is a test]]></Content>\n<MsgId>1234567890123456</MsgId>\n</xml>`,
      { MsgType: "text", Content: "this is a test", MsgId: "1234567890123456" },
    ],
    [
      "image",
      `<xml>${head("image")}<PicUrl><![CDATA[this is a url]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId><MsgId>1234567890123456</MsgId></xml>`,
      { MsgType: "image", PicUrl: "this is a url", MediaId: "media_id", MsgId: "1234567890123456" },
    ],
    [
      "voice with Recognition",
      `<xml>${head("voice")}<MediaId><![CDATA[media_id]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[腾讯微信团队]]></Recognition><MsgId>1234567890123456</MsgId></xml>`,
      { MsgType: "voice", MediaId: "media_id", Format: "amr", Recognition: "腾讯微信团队", MsgId: "1234567890123456" },
    ],
    [
      "location",
      `<xml>${head("location")}<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[位置信息]]></Label><MsgId>1234567890123456</MsgId></xml>`,
      { MsgType: "location", Location_X: "23.134521", Location_Y: "113.358803", Scale: "20", Label: "位置信息", MsgId: "1234567890123456" },
    ],
    [
      "link",
      `<xml>${head("link")}<Title><![CDATA[公众平台官网链接]]></Title><Description><![CDATA[公众平台官网链接]]></Description><Url><![CDATA[https://mp.weixin.qq.com/]]></Url><MsgId>1234567890123456</MsgId></xml>`,
      { MsgType: "link", Title: "公众平台官网链接", Description: "公众平台官网链接", Url: "https://mp.weixin.qq.com/", MsgId: "1234567890123456" },
    ],
    [
      "subscribe from a parameter QR code",
      `<xml>${head("event")}<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_123]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket></xml>`,
      { MsgType: "event", Event: "subscribe", EventKey: "qrscene_123", Ticket: "TICKET" },
    ],
    [
      "CLICK",
      `<xml>${head("event")}<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[MENU_CONTACTS]]></EventKey></xml>`,
      { MsgType: "event", Event: "CLICK", EventKey: "MENU_CONTACTS" },
    ],
  ])("parses a %s message", (_name, xml, fields) => {
    expect(parseWechatXml(xml)).toEqual({ ...common, ...fields });
  });

  it("keeps a 64-bit MsgId and leading zeros exact", () => {
    const fields = parseWechatXml("<xml><MsgId>6054768590064713728</MsgId><Scale>007</Scale><Empty></Empty><Self/></xml>");
    expect(fields).toEqual({ MsgId: "6054768590064713728", Scale: "007", Empty: "", Self: "" });
  });

  it("keeps CDATA verbatim (spaces, markup, ampersands) and accepts a declaration and comments", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- push --><xml><Content><![CDATA[  <b>a &amp; b</b>  ]]></Content><!-- c --></xml>\n`;
    expect(parseWechatXml(xml)).toEqual({ Content: "  <b>a &amp; b</b>  " });
  });

  it("decodes only the predefined entities and character references in plain text, once", () => {
    const fields = parseWechatXml("<xml><Content>a &amp; b &lt;c&gt; &quot;&apos; &#20013;&#x6587; &amp;lt; &nbsp; &lol9;</Content></xml>");
    expect(fields.Content).toBe(`a & b <c> "' 中文 &lt; &nbsp; &lol9;`);
  });

  it("turns nested elements into a JSON string", () => {
    const xml = `<xml>${head("event")}<Event><![CDATA[pic_sysphoto]]></Event><SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum><![CDATA[a1]]></PicMd5Sum></item><item><PicMd5Sum><![CDATA[b2]]></PicMd5Sum></item></PicList></SendPicsInfo></xml>`;
    const fields = parseWechatXml(xml);
    expect(fields.Event).toBe("pic_sysphoto");
    expect(JSON.parse(fields.SendPicsInfo ?? "")).toEqual({ Count: "2", PicList: { item: [{ PicMd5Sum: "a1" }, { PicMd5Sum: "b2" }] } });
  });

  it("refuses a field given twice", () => {
    expect(() => parseWechatXml("<xml><Content>a</Content><Content>b</Content></xml>")).toThrow(WechatXmlError);
  });

  it.each(["__proto__", "constructor", "prototype"])("refuses a field named %s (prototype pollution)", (name) => {
    expect(() => parseWechatXml(`<xml><${name}><polluted>yes</polluted></${name}></xml>`)).toThrow(WechatXmlError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a billion-laughs payload without expanding it", () => {
    const lol = [
      '<?xml version="1.0"?>',
      "<!DOCTYPE xml [",
      '<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`),
      "]>",
      "<xml><Content>&lol9;</Content></xml>",
    ].join("\n");
    const started = performance.now();
    expect(() => parseWechatXml(lol)).toThrow(WechatXmlError);
    expect(() => parseWechatXml(lol)).toThrow(/DOCTYPE/);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("refuses an external-entity payload", () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>`;
    expect(() => parseWechatXml(xxe)).toThrow(WechatXmlError);
    expect(() => parseWechatXml(xxe)).toThrow(/DOCTYPE/);
    expect(() => parseWechatXml(`<!doctype xml><xml><a>1</a></xml>`)).toThrow(WechatXmlError);
    expect(() => parseWechatXml(`<xml><!ENTITY x "y"><a>1</a></xml>`)).toThrow(WechatXmlError);
  });

  it("keeps a customer's text that merely mentions a DOCTYPE, inside CDATA, as data", () => {
    const body = "<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[<!DOCTYPE html> <!ENTITY x 'y'> is what I see]]></Content></xml>";
    expect(parseWechatXml(body).Content).toBe("<!DOCTYPE html> <!ENTITY x 'y'> is what I see");
  });

  it("refuses an oversized body quickly, counting UTF-8 bytes", () => {
    const huge = `<xml><Content>${"a".repeat(10 * 1024 * 1024)}</Content></xml>`;
    const started = performance.now();
    expect(() => parseWechatXml(huge)).toThrow(WechatXmlError);
    expect(() => parseWechatXml(huge)).toThrow(/exceeds 65536 bytes/);
    expect(performance.now() - started).toBeLessThan(200);

    // 25,000 Chinese characters: 25,000 UTF-16 units but 75,000 UTF-8 bytes.
    const wide = `<xml><Content>${"长".repeat(25_000)}</Content></xml>`;
    expect(wide.length).toBeLessThan(64 * 1024);
    expect(() => parseWechatXml(wide)).toThrow(/exceeds/);

    const exact = "<xml><a>1</a></xml>";
    expect(parseWechatXml(exact, { maxBytes: exact.length })).toEqual({ a: "1" });
    expect(() => parseWechatXml(exact, { maxBytes: exact.length - 1 })).toThrow(WechatXmlError);
  });

  it.each([
    ["an empty body", ""],
    ["plain text", "success"],
    ["JSON", '{"a":1}'],
    ["an unclosed root", "<xml><a>1</a>"],
    ["mismatched tags", "<xml><a>1</b></xml>"],
    ["an unterminated CDATA", "<xml><a><![CDATA[1</a></xml>"],
    ["text after the root", "<xml><a>1</a></xml>junk"],
    ["two roots", "<xml><a>1</a></xml><xml><a>2</a></xml>"],
  ])("throws WechatXmlError on %s", (_name, body) => {
    expect(() => parseWechatXml(body)).toThrow(WechatXmlError);
  });

  it("throws WechatXmlError when the root is not <xml>", () => {
    expect(() => parseWechatXml("<root><a>1</a></root>")).toThrow(/root element must be <xml>/);
    expect(() => parseWechatXml("<XML><a>1</a></XML>")).toThrow(WechatXmlError);
  });
});
