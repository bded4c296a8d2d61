import { readContactDate, type ContactInput } from "../domain/customers/contact-details.js";
import { invalidInput } from "../domain/errors.js";

/**
 * Reads the part of "/contact add <customer> …" after the customer: the person's name first (several
 * words, Chinese, or quoted), then email, phone, title and dates recognised by their shape, in any
 * order. Only the split happens here; the fields' checks are domain/customers/contact-details.ts's.
 *
 *   Li Lei li@acme.com +86 138 0013 8000 title: Head of Sales birthday 1985-03-02
 *   "Wang Fang" "Chief Buyer" 138-0013-8000 anniversary 2019-06-01
 *   王芳 wang@acme.cn 职位：采购经理 生日 1990-05-01
 */

interface Token {
  text: string;
  quoted: boolean;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  const re = /"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S+)/gu;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const quoted = m[4] === undefined;
    out.push({ text: (m[1] ?? m[2] ?? m[3] ?? m[4] ?? "").trim(), quoted });
  }
  return out;
}

/** "title: CTO", "职位：经理" (the value may be glued to the colon or follow it). */
const TITLE_WORD = /^(?:title|position|role|职位|职务|头衔)[:：](.*)$/iu;
const EMAIL_WORD = /^(?:e-?mail|邮箱|电邮|邮件)[:：](.*)$/iu;
const PHONE_WORD = /^(?:phone|tel|mobile|电话|手机)[:：](.*)$/iu;
/** "birthday 1985-03-02", "birthday:1985-03-02", "生日 1985-03-02", "生日：1985年3月2日", "生日1985-03-02". */
const DATE_WORD = /^(?:(birthday|bday|anniversary)(?:[:：](.*))?|(生日|纪念日)[:：]?(.*))$/iu;

/** One word of a written phone number: "+86", "138", "(415)", "555-0100". */
const PHONE_PART = /^[+(]?[\d().\-–]+$/u;

/** A word with an "@" is meant as an email address (and refused clearly when it is not a valid one). */
const isEmail = (word: string): boolean => word.normalize("NFKC").includes("@");

/**
 * Digits enough to be meant as a phone number (and refused clearly when it is not a valid one);
 * fewer stay words of the name ("Team 2").
 */
const PHONE_ATTEMPT_DIGITS = 5;

export interface ContactText {
  /** Empty when the text starts with a detail (the name is missing). */
  name: string;
  fields: Omit<ContactInput, "name">;
}

function occasionOf(word: string): "birthday" | "anniversary" {
  return /^(?:birthday|bday|生日)$/iu.test(word) ? "birthday" : "anniversary";
}

export function readContactText(text: string): ContactText {
  const all = tokens(text.trim());
  const fields: ContactText["fields"] = {};
  const nameParts: string[] = [];
  const loose: string[] = [];
  let quotedName = false;
  let seenDetail = false;

  const set = (field: keyof ContactText["fields"], value: string) => {
    if (fields[field] !== undefined) throw invalidInput("contact.twice", { field });
    fields[field] = value;
    seenDetail = true;
  };
  /** The words of a phone number starting at `i`, when they are meant as one (PHONE_ATTEMPT_DIGITS or more). */
  const phoneRun = (i: number): number => {
    let j = i;
    while (j < all.length && !all[j]!.quoted && PHONE_PART.test(all[j]!.text.normalize("NFKC"))) j++;
    const digits = all.slice(i, j).map((t) => t.text.normalize("NFKC").replace(/\D/g, "")).join("");
    return j > i && digits.length >= PHONE_ATTEMPT_DIGITS ? j - i : 0;
  };
  const startsDetail = (i: number): boolean => {
    const t = all[i]!;
    if (t.quoted) return false;
    return TITLE_WORD.test(t.text) || EMAIL_WORD.test(t.text) || PHONE_WORD.test(t.text) || DATE_WORD.test(t.text) || isEmail(t.text) || phoneRun(i) > 0 || readContactDate(t.text) !== undefined;
  };
  /** A value glued to its keyword, else what follows: words up to the next detail, a phone number, or one word. */
  const valueAfter = (glued: string, i: number, kind: "words" | "phone" | "word"): { value: string; next: number } => {
    if (glued.trim()) return { value: glued.trim(), next: i + 1 };
    if (kind === "words") {
      let j = i + 1;
      if (all[j]?.quoted) return { value: all[j]!.text, next: j + 1 };
      const words: string[] = [];
      while (j < all.length && !startsDetail(j) && !all[j]!.quoted) words.push(all[j++]!.text);
      return { value: words.join(" "), next: j };
    }
    const run = kind === "phone" ? phoneRun(i + 1) : 0;
    if (run > 0) return { value: all.slice(i + 1, i + 1 + run).map((t) => t.text).join(" "), next: i + 1 + run };
    return { value: all[i + 1]?.text ?? "", next: Math.min(i + 2, all.length) };
  };

  for (let i = 0; i < all.length; ) {
    const t = all[i]!;
    if (t.quoted) {
      // The first thing, quoted, is the name ("Li Lei"); a quoted phrase after it is the title.
      if (!seenDetail && nameParts.length === 0) {
        quotedName = true;
        nameParts.push(t.text);
      } else if (fields.title === undefined) set("title", t.text);
      else loose.push(t.text);
      i++;
      continue;
    }
    const title = TITLE_WORD.exec(t.text);
    if (title) {
      const { value, next } = valueAfter(title[1]!, i, "words");
      set("title", value);
      i = next;
      continue;
    }
    const email = EMAIL_WORD.exec(t.text);
    if (email) {
      const { value, next } = valueAfter(email[1]!, i, "word");
      set("email", value);
      i = next;
      continue;
    }
    const phone = PHONE_WORD.exec(t.text);
    if (phone) {
      const { value, next } = valueAfter(phone[1]!, i, "phone");
      set("phone", value);
      i = next;
      continue;
    }
    const date = DATE_WORD.exec(t.text);
    if (date) {
      const occasion = occasionOf(date[1] ?? date[3]!);
      const glued = date[2] ?? date[4] ?? "";
      if (!glued.trim() && (i + 1 >= all.length || all[i + 1]!.quoted)) throw invalidInput("contact.date.missing", { occasion });
      const { value, next } = valueAfter(glued, i, "word");
      set(occasion, value);
      i = next;
      continue;
    }
    if (isEmail(t.text)) {
      set("email", t.text);
      i++;
      continue;
    }
    if (readContactDate(t.text) !== undefined) throw invalidInput("contact.date.which", { date: t.text });
    const run = phoneRun(i);
    if (run > 0) {
      set("phone", all.slice(i, i + run).map((w) => w.text).join(" "));
      i += run;
      continue;
    }
    if (!seenDetail && !quotedName) nameParts.push(t.text);
    else loose.push(t.text);
    i++;
  }
  // Words after the details that are none of them are the title ("… li@acme.com CTO").
  if (loose.length > 0) {
    if (fields.title !== undefined) throw invalidInput("contact.unknownWords", { words: loose.join(" ").slice(0, 80) });
    fields.title = loose.join(" ");
  }
  return { name: nameParts.join(" "), fields };
}
