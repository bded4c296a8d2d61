/**
 * Slack mrkdwn treats `<...>` as mentions, channel pings and links: `<!channel>`, `<@U1>`,
 * `<https://evil|bank>`. Escaping &, < and > (and only these, as Slack documents) keeps
 * untrusted text as text.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Cuts text to Slack's limit for a field, marking the cut. Counts UTF-16 units, as Slack does. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // Do not split a surrogate pair.
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** Inline code for our own examples: backticks inside would end the code span early. */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

/** Only http(s) URLs become links, with the characters that end a Slack link removed. */
export function safeLink(url: string, label: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return escapeMrkdwn(label);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return escapeMrkdwn(label);
  const href = parsed.toString().replace(/[<>|]/g, encodeURIComponent);
  return `<${href}|${escapeMrkdwn(label).replace(/\|/g, "¦")}>`;
}
