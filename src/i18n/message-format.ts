import { IntlMessageFormat } from "intl-messageformat";

/**
 * Catalogue messages are ICU MessageFormat (FormatJS `intl-messageformat`): plain `{name}`
 * placeholders as before, and `{count, plural, one {# answer} other {# answers}}` or
 * `{channel, select, EMAIL {an email} other {a note}}` wherever a word depends on a value.
 * Plural categories come from the locale's Intl.PluralRules, and `#` is the count formatted
 * for the locale ("1,234 answers"). Nothing outside src/i18n decides a plural form.
 */

export type MessageValues = Readonly<Record<string, string | number>>;

type Element = ReturnType<IntlMessageFormat["getAst"]>[number];

/** How a message uses an argument: as text, or to choose a form (plural, select) or a number format. */
export type ArgumentKind = "text" | "number" | "plural" | "select" | "date";

// Element types of @formatjs/icu-messageformat-parser (its TYPE enum), read structurally.
const ARGUMENT = 1;
const NUMBER = 2;
const DATE = 3;
const TIME = 4;
const SELECT = 5;
const PLURAL = 6;
const TAG = 8;

function collect(elements: readonly Element[], into: Map<string, ArgumentKind>, cases: Map<string, Set<string>>): void {
  for (const el of elements) {
    // The parser's TYPE enum is not ours to import (a dependency of intl-messageformat): its values are numbers.
    const type: number = el.type;
    const kind: ArgumentKind | undefined =
      type === ARGUMENT ? "text" : type === NUMBER ? "number" : type === DATE || type === TIME ? "date" : type === SELECT ? "select" : type === PLURAL ? "plural" : undefined;
    if (kind && "value" in el && typeof el.value === "string") {
      // A choice outranks a plain use of the same argument: it is what needs a value.
      const known = into.get(el.value);
      if (!known || known === "text") into.set(el.value, kind);
    }
    if ("options" in el) {
      if (type === SELECT) {
        const seen = cases.get(el.value) ?? new Set<string>();
        for (const name of Object.keys(el.options)) seen.add(name);
        cases.set(el.value, seen);
      }
      for (const option of Object.values(el.options)) collect(option.value, into, cases);
    }
    if (type === TAG && "children" in el) collect(el.children, into, cases);
  }
}

/** A compiled catalogue message: formats with values, never throws. */
export interface CompiledMessage {
  readonly source: string;
  /** Every argument the message reads, with how it reads it. */
  readonly arguments: ReadonlyMap<string, ArgumentKind>;
  /** The cases of each select argument ("EMAIL", "other"): both languages must know the same values. */
  readonly selectCases: ReadonlyMap<string, ReadonlySet<string>>;
  format(values?: MessageValues): string;
}

/**
 * Compiles one message. Throws on a syntax error (the catalogue test parses every message, so
 * that cannot ship). Tags are off: "/history <customer>" is text, not markup.
 */
export function compileMessage(source: string, locale: string): CompiledMessage {
  const format = new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
  const args = new Map<string, ArgumentKind>();
  const cases = new Map<string, Set<string>>();
  collect(format.getAst(), args, cases);
  return {
    source,
    arguments: args,
    selectCases: cases,
    format(values = {}) {
      const given: Record<string, string | number> = {};
      for (const [name, kind] of args) {
        // Own properties only: a param named "toString" must not come from the prototype.
        const value = Object.hasOwn(values, name) ? values[name] : undefined;
        if (value === undefined) {
          // A missing text value stays visible as its placeholder, as the old catalogue did;
          // a missing choice cannot pick a form, so the message is shown as written.
          if (kind !== "text") return source;
          given[name] = `{${name}}`;
        } else if ((kind === "plural" || kind === "number") && typeof value === "string") {
          // Plural forms are chosen by a number; a caller passing digits as text still gets one.
          const n = Number(value);
          given[name] = Number.isFinite(n) ? n : value;
        } else {
          given[name] = value;
        }
      }
      try {
        return String(format.format(given));
      } catch {
        return source;
      }
    },
  };
}
