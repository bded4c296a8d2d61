import { z } from "zod";
import { isCalendarDate } from "../time/calendar-date.js";
import { AppError } from "../errors.js";
import { examplePhone, readPhone } from "./phone-number.js";

/**
 * A customer's contact as reps enter it: the checks and the stored forms of each field, the same
 * for the /contact command, the edit form and any other way in. Messages are catalogue keys.
 */

export const CONTACT_FIELDS = ["name", "title", "email", "phone", "birthday", "anniversary"] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export const MAX_CONTACT_NAME = 100;
export const MAX_CONTACT_TITLE = 100;
/** RFC 5321's limit for a whole address. */
export const MAX_EMAIL = 254;
/** Longer than any written phone number, with spaces and an extension. */
export const MAX_PHONE_TEXT = 40;
/** Older dates are typing mistakes ("0985-03-02"), not people's birthdays. */
const MIN_YEAR = 1900;

/** A contact's fields as stored: dates as YYYY-MM-DD, the phone in E.164, absent ones null. */
export interface ContactValues {
  name: string;
  title: string | null;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  anniversary: string | null;
}

/** What a rep typed for some fields; "" (or null) clears an optional one. */
export type ContactInput = Partial<Record<ContactField, string | null>>;

export interface FieldProblem {
  field: ContactField;
  /** Catalogue key of the message. */
  key: string;
  params: Record<string, string | number>;
}

/** What the checks need besides the text: the team's phone region and today's date in its zone. */
export interface FieldRules {
  region: string;
  today: string;
}

/** Spaces of any kind (a full-width one from a Chinese keyboard too) become one. */
const collapse = (text: string): string => text.replace(/\s+/gu, " ").trim();

/** Shown back in a message: what was typed, cut so a paste of a page stays readable. */
const shown = (text: string): string => (text.length > 60 ? `${text.slice(0, 59)}…` : text);

/** "1985-03-02", "1985/3/2", "1985.3.2", "1985年3月2日" (full-width digits too). */
const DATE = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$/u;

/** A typed date as YYYY-MM-DD, or undefined when it is not written as one. */
export function readContactDate(text: string): string | undefined {
  const m = DATE.exec(text.normalize("NFKC").trim());
  if (!m) return undefined;
  return `${m[1]}-${m[2]!.padStart(2, "0")}-${m[3]!.padStart(2, "0")}`;
}

/** An address with the domain in lower case (the part before "@" is the mailbox's own business). */
function normaliseEmail(email: string): string {
  const at = email.lastIndexOf("@");
  return `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
}

const emailShape = z.email();

/**
 * The schemas of a set of rules, built once: building a zod schema costs far more than using it,
 * and an import checks the same fields of a hundred thousand rows under the same rules.
 */
const schemas = new Map<string, Map<ContactField, z.ZodType<string, string>>>();

function schemaOf(field: ContactField, rules: FieldRules): z.ZodType<string, string> {
  const key = `${rules.region}|${rules.today}`;
  let built = schemas.get(key);
  if (!built) {
    if (schemas.size >= 16) schemas.clear();
    built = new Map();
    schemas.set(key, built);
  }
  let schema = built.get(field);
  if (!schema) {
    schema = buildSchema(field, rules);
    built.set(field, schema);
  }
  return schema;
}

/** The checks of one field; each schema's error message is a catalogue key. */
function buildSchema(field: ContactField, rules: FieldRules): z.ZodType<string, string> {
  // Blank optional fields never get here (checkContactFields empties them).
  const optional = (inner: z.ZodType<string, string>) => z.string().transform((v) => collapse(v.normalize("NFC"))).pipe(inner);
  const date = (key: "birthday" | "anniversary") =>
    optional(
      z
        .string()
        .transform((v) => readContactDate(v) ?? v)
        .refine((v) => isCalendarDate(v), "contact.date.invalid")
        .refine((v) => Number(v.slice(0, 4)) >= MIN_YEAR, "contact.date.tooOld")
        // A birthday or anniversary still to come is a typing mistake; today's is fine.
        .refine((v) => v <= rules.today, key === "birthday" ? "contact.birthday.future" : "contact.anniversary.future"),
    );
  switch (field) {
    case "name":
      return z
        .string()
        .transform((v) => collapse(v.normalize("NFC")))
        .pipe(z.string().min(1, "contact.name.missing").max(MAX_CONTACT_NAME, "contact.name.tooLong").regex(/\p{L}/u, "contact.name.noLetter"));
    case "title":
      return optional(z.string().max(MAX_CONTACT_TITLE, "contact.title.tooLong"));
    case "email":
      return optional(
        z
          .string()
          .transform((v) => v.normalize("NFKC").replace(/^mailto:/i, ""))
          .pipe(z.string().max(MAX_EMAIL, "contact.email.invalid").refine((v) => emailShape.safeParse(v).success, "contact.email.invalid"))
          .transform(normaliseEmail),
      );
    case "phone":
      return optional(
        z
          .string()
          .max(MAX_PHONE_TEXT, "contact.phone.invalid")
          .transform((v, ctx) => {
            const read = readPhone(v.normalize("NFKC"), rules.region);
            if (read.ok) return read.e164;
            ctx.addIssue({ code: "custom", message: "contact.phone.invalid" });
            return z.NEVER;
          }),
      );
    case "birthday":
    case "anniversary":
      return date(field);
  }
}

export type FieldCheck<T> = { ok: true; values: T } | { ok: false; problems: FieldProblem[] };

/**
 * Checks the fields given (the others are left alone) and returns them in their stored forms,
 * or every problem found, each naming its field and what was typed.
 */
export function checkContactFields(input: ContactInput, rules: FieldRules): FieldCheck<Partial<ContactValues>> {
  const values: Partial<Record<ContactField, string | null>> = {};
  const problems: FieldProblem[] = [];
  for (const field of CONTACT_FIELDS) {
    if (!(field in input) || input[field] === undefined) continue;
    const raw = input[field] ?? "";
    if (field !== "name" && collapse(raw) === "") {
      values[field] = null;
      continue;
    }
    const result = schemaOf(field, rules).safeParse(raw);
    if (result.success) {
      values[field] = result.data;
      continue;
    }
    problems.push({
      field,
      key: result.error.issues[0]!.message,
      params: { value: shown(collapse(raw)), max: field === "name" ? MAX_CONTACT_NAME : MAX_CONTACT_TITLE, example: examplePhone(rules.region), today: rules.today },
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values: values as Partial<ContactValues> };
}

/** Month and day of a stored date: a care date moves only when these change, not with the year. */
export function monthDay(date: string | null): string | null {
  return date ? date.slice(5) : null;
}

/** The fields whose stored values differ, for the audit's before/after and the care dates. */
export function changedFields(before: ContactValues, after: ContactValues): ContactField[] {
  return CONTACT_FIELDS.filter((f) => before[f] !== after[f]);
}

/** Lower-case, for telling whether two contacts of one customer share an address. */
export function emailKey(email: string | null): string | null {
  return email ? email.toLowerCase() : null;
}

/**
 * Bad contact fields: the first problem is the message (a command shows one answer), and all of
 * them are kept with their fields for a form, which shows each by its field.
 */
export class ContactInputError extends AppError {
  constructor(readonly problems: readonly FieldProblem[]) {
    const first = problems[0]!;
    super("INVALID_INPUT", first.key, { ...first.params, field: first.field }, `bad contact ${problems.map((p) => p.field).join(", ")}`);
  }
}
