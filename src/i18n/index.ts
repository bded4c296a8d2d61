import { en, type MessageKey } from "./en.js";
import { zhCN } from "./zh-CN.js";

import type { Locale } from "./locales.js";

export { LOCALES, type Locale } from "./locales.js";

const catalogues: Record<Locale, Record<MessageKey, string>> = { en, "zh-CN": zhCN };

export type Params = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** Maps a platform locale ("zh-CN", "zh-TW", "en-US", "fr-FR") to one we have. */
export function resolveLocale(platformLocale: string | null | undefined, fallback: Locale): Locale {
  const tag = (platformLocale ?? "").toLowerCase();
  if (tag.startsWith("zh")) return "zh-CN";
  if (tag.startsWith("en")) return "en";
  return fallback;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

export function translator(locale: Locale): Translate {
  const catalogue = catalogues[locale];
  return (key, params = {}) =>
    catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

export { en, type MessageKey };
export { zhCN };
export { createFormatter, type Formatter } from "./format.js";
