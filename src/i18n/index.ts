import { en, type MessageKey } from "./en.js";
import { compileMessage, type CompiledMessage } from "./message-format.js";
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

/** Messages compiled on first use, once per process: a translator is made for every request. */
const compiled: Record<Locale, Map<MessageKey, CompiledMessage>> = { en: new Map(), "zh-CN": new Map() };

/** A catalogue message compiled for its locale (ICU MessageFormat: plurals, selects, numbers). */
export function compiledMessage(locale: Locale, key: MessageKey): CompiledMessage {
  const cache = compiled[locale];
  let message = cache.get(key);
  if (!message) {
    message = compileMessage(catalogues[locale][key], locale);
    cache.set(key, message);
  }
  return message;
}

/**
 * The catalogue of one language. Params fill {placeholders}; a count given to a plural picks
 * the form ("1 answer", "2 answers") by the language's rules. A placeholder without a param
 * stays as written; extra params are ignored.
 */
export function translator(locale: Locale): Translate {
  return (key, params = {}) => compiledMessage(locale, key).format(params);
}

export { en, type MessageKey };
export { zhCN };
export { createFormatter, type Formatter } from "./format.js";
