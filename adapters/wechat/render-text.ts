import type { Block, Message } from "../../src/core/index.js";

/** WeChat counts a customer-service text in bytes; keep each part safely under its limit. */
export const MAX_TEXT_BYTES = 2_000;

function line(block: Block): string[] {
  switch (block.type) {
    case "header":
      return [`【${block.text}】`];
    case "text":
      return block.title ? [block.title, block.text] : [block.text];
    case "fields":
      return block.fields.map((f) => `${f.label}: ${f.value}`);
    case "list":
      return [...(block.title ? [block.title] : []), ...(block.items.length ? block.items.map((i) => `· ${i.title}${i.detail ? ` ${i.detail}` : ""}`) : block.empty ? [block.empty] : [])];
    case "context":
      return [block.text];
    case "mention":
      return [block.text];
    case "examples":
      return [`${block.label} ${block.examples.join(" / ")}`];
    case "link":
      return [`${block.label}: ${block.url}`];
    case "chart":
      return [block.alt];
    case "file":
      return [block.summary];
    case "divider":
    case "buttons":
      // Customers have no buttons in a customer-service message.
      return [];
  }
}

/** A neutral message as plain text for a WeChat user. */
export function renderWechatText(message: Message): string {
  return message.blocks.flatMap(line).join("\n").trim() || message.summary;
}

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * Splits text into parts of at most `maxBytes` UTF-8 bytes, preferring to break between
 * paragraphs, then lines, then sentences (。！？.!?), then spaces, and never inside a character.
 */
export function splitText(text: string, maxBytes = MAX_TEXT_BYTES): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (bytes(rest) > maxBytes) {
    // The longest prefix that fits, in whole code points.
    let fit = "";
    for (const ch of rest) {
      if (bytes(fit) + bytes(ch) > maxBytes) break;
      fit += ch;
    }
    const breaks = [fit.lastIndexOf("\n\n"), fit.lastIndexOf("\n"), Math.max(...["。", "！", "？", ". ", "! ", "? "].map((p) => { const i = fit.lastIndexOf(p); return i < 0 ? -1 : i + p.trimEnd().length - 1; })), fit.lastIndexOf(" ")];
    const cut = breaks.find((i) => i > fit.length / 2);
    const head = cut !== undefined ? fit.slice(0, cut + 1) : fit;
    parts.push(head.trim());
    rest = rest.slice(head.length).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}
