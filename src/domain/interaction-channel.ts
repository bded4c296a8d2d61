export const CHANNELS = ["CALL", "MEETING", "EMAIL", "WECHAT", "SLACK", "NOTE"] as const;
export type Channel = (typeof CHANNELS)[number];

/** Leading words that pick the channel of a logged interaction, in English and Chinese. */
const KEYWORDS: ReadonlyArray<[string, Channel]> = [
  ["call", "CALL"], ["phone", "CALL"], ["电话", "CALL"], ["通话", "CALL"],
  ["meeting", "MEETING"], ["meet", "MEETING"], ["visit", "MEETING"], ["会议", "MEETING"], ["拜访", "MEETING"], ["见面", "MEETING"],
  ["email", "EMAIL"], ["mail", "EMAIL"], ["e-mail", "EMAIL"], ["邮件", "EMAIL"],
  ["wechat", "WECHAT"], ["微信", "WECHAT"],
  ["slack", "SLACK"],
  ["note", "NOTE"], ["备注", "NOTE"], ["笔记", "NOTE"],
];

export interface ChannelSplit {
  channel: Channel;
  body: string;
}

/**
 * "call: discussed renewal" -> CALL, "discussed renewal". The keyword counts only when a colon
 * (ASCII or full-width) follows it or it stands alone before more text with a colon, so
 * "called them" or "meeting room booked" stay notes.
 */
export function splitChannel(text: string): ChannelSplit {
  const trimmed = text.trim();
  const match = /^([\p{L}-]+)\s*[:：]\s*([\s\S]*)$/u.exec(trimmed);
  if (match) {
    const word = match[1]!.toLowerCase();
    const found = KEYWORDS.find(([keyword]) => keyword === word);
    if (found) return { channel: found[1], body: match[2]!.trim() };
  }
  return { channel: "NOTE", body: trimmed };
}

/** Where a keyword-with-colon starts in a text, used to split "Acme Ltd call: ..." */
export function findChannelKeyword(words: readonly string[]): number {
  return words.findIndex((word, i) => {
    if (i === 0) return false;
    const m = /^([\p{L}-]+)[:：]/u.exec(word);
    const bare = m?.[1]?.toLowerCase();
    return bare !== undefined && KEYWORDS.some(([keyword]) => keyword === bare);
  });
}
