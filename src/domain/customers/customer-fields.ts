import { STAGES, type Stage } from "./customer-stage.js";

/**
 * The fields reps maintain on a customer and the rules for each, in one place: what the
 * commands accept, the edit form checks and the store writes. Every reader of the words here
 * (command parsers, the form) gets the same answer in English and Chinese.
 */

/** The same limit /customer add has always had; one constant for add and rename. */
export const MAX_CUSTOMER_NAME_LENGTH = 120;

export const FIELD_LIMITS = {
  industry: 80,
  website: 200,
  address: 300,
  source: 80,
  about: 2_000,
} as const;

/** Plain text fields: written as given (trimmed), cleared with an empty value. */
export type TextField = keyof typeof FIELD_LIMITS;
/** What a customer record holds besides its name, stage and owner, as stored and shown. */
export type CustomerProfile = Record<TextField, string | null> & { tags: string[] };
export const TEXT_FIELDS = Object.keys(FIELD_LIMITS) as TextField[];

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 32;

/**
 * A name needs one letter of any script (Latin, Han, Cyrillic ...): "%", "---", "🚀" or "123"
 * alone name nothing a rep could look up again. \p{L} covers CJK ideographs.
 */
export function isNameLike(name: string): boolean {
  return /\p{L}/u.test(name);
}

// ---------------------------------------------------------------------------------------------
// Tags

export type TagProblem = { kind: "empty" } | { kind: "too-long"; tag: string } | { kind: "bad"; tag: string } | { kind: "too-many"; count: number };

/**
 * One tag as stored: NFKC (full-width to half-width), a leading "#" dropped, trimmed, Latin
 * lower-cased, inner white space as "-" ("Key Account" -> "key-account", so `tag key-account`
 * filters it). Letters, digits and - _ . & + only, with at least one letter or digit.
 */
export function normalizeTag(raw: string): string {
  return raw.normalize("NFKC").trim().replace(/^#+/, "").trim().toLowerCase().replace(/\s+/g, "-");
}

const TAG_SHAPE = /^[\p{L}\p{N}][\p{L}\p{N}\p{M}\-_.&+]*$/u;

/**
 * Tags as a rep types them: separated by commas (also ，、；) when there is one, else by white
 * space ("vip key-account"). Normalised, de-duplicated, in the order given.
 */
export function parseTags(text: string): { tags: string[] } | { problem: TagProblem } {
  const parts = /[,，、;；]/.test(text) ? text.split(/[,，、;；]/) : text.split(/\s+/);
  const tags: string[] = [];
  for (const part of parts) {
    const tag = normalizeTag(part);
    if (!tag) continue;
    if ([...tag].length > MAX_TAG_LENGTH) return { problem: { kind: "too-long", tag } };
    if (!TAG_SHAPE.test(tag)) return { problem: { kind: "bad", tag } };
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length === 0) return { problem: { kind: "empty" } };
  if (tags.length > MAX_TAGS) return { problem: { kind: "too-many", count: tags.length } };
  return { tags };
}

// ---------------------------------------------------------------------------------------------
// Website

/**
 * A link as Slack writes it in a message: "<http://acme.com|acme.com>" is what the rep typed
 * (the label; Slack added the http://), "<https://acme.com/a>" the address itself.
 */
export function unwrapSlackLink(text: string): string {
  return text.replace(/<((?:https?|mailto):[^|>\s]+)(?:\|([^>]*))?>/gi, (_, url: string, label?: string) => label?.trim() || url);
}

/**
 * A website as stored: a bare domain gets "https://" ("acme.com" -> "https://acme.com"); an
 * http(s) URL stays as given, without a trailing slash. Null when it is no web address: another
 * scheme, spaces, a login part, or a host without a dot and a top-level domain.
 */
export function normalizeWebsite(raw: string): string | null {
  const text = unwrapSlackLink(raw.normalize("NFKC").trim());
  if (!text || /\s/.test(text) || [...text].length > FIELD_LIMITS.website) return null;
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(text);
  if (hasScheme && !/^https?:\/\//i.test(text)) return null;
  const withScheme = hasScheme ? text.replace(/^(https?):\/\//i, (_, s: string) => `${s.toLowerCase()}://`) : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  // URL gives the host in punycode: "例子.中国" is xn--…; its last label must still be a TLD.
  const labels = url.hostname.split(".");
  const tld = labels[labels.length - 1] ?? "";
  if (labels.length < 2 || labels.some((l) => !l) || !/^(?:[a-z]{2,63}|xn--[a-z0-9-]{2,59})$/.test(tld)) return null;
  const stored = withScheme.replace(/^(https?:\/\/)([^/?#]+)/i, (_, scheme: string, host: string) => scheme + host.toLowerCase()).replace(/\/$/, "");
  return [...stored].length > FIELD_LIMITS.website ? null : stored;
}

// ---------------------------------------------------------------------------------------------
// Words reps type

/** Stage words in both languages, after tidying (lower case, spaces, - and _ removed). */
const STAGE_WORDS: Readonly<Record<string, Stage>> = {
  lead: "LEAD", leads: "LEAD", 线索: "LEAD", 线索客户: "LEAD",
  prospect: "PROSPECT", prospects: "PROSPECT", 潜在客户: "PROSPECT", 潜在: "PROSPECT", 意向: "PROSPECT", 意向客户: "PROSPECT", 潜客: "PROSPECT",
  active: "ACTIVE", 活跃: "ACTIVE", 活跃客户: "ACTIVE", 成交: "ACTIVE", 成交客户: "ACTIVE",
  atrisk: "AT_RISK", risk: "AT_RISK", 有流失风险: "AT_RISK", 流失风险: "AT_RISK", 有风险: "AT_RISK", 风险: "AT_RISK",
  churned: "CHURNED", churn: "CHURNED", lost: "CHURNED", 已流失: "CHURNED", 流失: "CHURNED",
};

const tidyWord = (word: string): string => word.normalize("NFKC").toLowerCase().replace(/[\s_-]+/g, "");

/** "active", "at risk", "AT_RISK", "活跃", "有流失风险": the stage, or undefined. */
export function parseStage(word: string): Stage | undefined {
  const key = tidyWord(word);
  if (!key) return undefined;
  const upper = word.trim().toUpperCase().replace(/[\s-]+/g, "_");
  if ((STAGES as readonly string[]).includes(upper)) return upper as Stage;
  return Object.hasOwn(STAGE_WORDS, key) ? STAGE_WORDS[key] : undefined;
}

/** What `/customer set <customer> <field> <value>` can set; name, stage, owner and tags go to their own commands. */
export type SettableField = TextField | "name" | "stage" | "owner" | "tags";

const FIELD_WORDS: Readonly<Record<string, SettableField>> = {
  industry: "industry", sector: "industry", 行业: "industry",
  website: "website", web: "website", site: "website", url: "website", homepage: "website", 网站: "website", 官网: "website", 网址: "website",
  address: "address", 地址: "address",
  source: "source", 来源: "source",
  about: "about", description: "about", notes: "about", 简介: "about", 介绍: "about", 备注: "about",
  name: "name", 名称: "name", 名字: "name",
  stage: "stage", 阶段: "stage",
  owner: "owner", 负责人: "owner",
  tags: "tags", 标签: "tags",
};

export function parseFieldWord(word: string): SettableField | undefined {
  const key = word.normalize("NFKC").toLowerCase().replace(/[:：]$/, "");
  return Object.hasOwn(FIELD_WORDS, key) ? FIELD_WORDS[key] : undefined;
}

/** Values that clear an optional field: "-", "none", "无", "清空". */
export function isClearWord(value: string): boolean {
  return /^(?:-|—|none|clear|无|空|清空|删除)$/i.test(value.normalize("NFKC").trim());
}

/**
 * A short fingerprint of a value as the edit form showed it (FNV-1a, 32 bits, hex). The form
 * carries these instead of the values, which may be long, to tell on submission whether a field
 * changed since it was opened.
 */
export function fingerprint(value: string | null): string {
  let hash = 0x811c9dc5;
  const text = value ?? "\u0000";
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** "tag vip", "tagged vip", "tag: vip", "标签 vip", "标签vip" in a list command's text. */
const TAG_FILTER = /(?:^|\s)(?:(?:tagged|tag)(?:\s*[:：]\s*|\s+)|标签\s*[:：]?\s*)([^\s,，]+)/giu;

/**
 * The tag filters of a list command ("/top 10 tag vip this quarter", "/segment 流失风险 标签 重点客户")
 * and the text without them. Several filters mean all of those tags.
 */
export function takeTagFilters(text: string): { text: string; tags: string[] } {
  const tags: string[] = [];
  const rest = text.replace(TAG_FILTER, (_, tag: string) => {
    const normalized = normalizeTag(tag);
    if (normalized && !tags.includes(normalized)) tags.push(normalized);
    return " ";
  });
  return { text: rest.replace(/\s+/g, " ").trim(), tags };
}
