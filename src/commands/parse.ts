import type { z } from "zod";
import { AppError } from "../domain/errors.js";

/** Splits command text into words; a "quoted name" stays one word. */
export function words(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? "");
  }
  return out;
}

/** A leading quoted name ("Acme Ltd" call: ...), if the text starts with one. */
export function leadingQuoted(text: string): { name: string; rest: string } | undefined {
  const m = /^\s*(?:"([^"]*)"|“([^”]*)”|「([^」]*)」)\s*([\s\S]*)$/.exec(text);
  if (!m) return undefined;
  return { name: (m[1] ?? m[2] ?? m[3] ?? "").trim(), rest: (m[4] ?? "").trim() };
}

/**
 * Validates parsed command input with a zod schema whose messages are catalogue keys.
 * The first problem becomes the user's answer, with the limits zod reports as parameters;
 * `context` adds what the message needs besides (the usage of the command that was typed, for a
 * message several commands share).
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, context: Readonly<Record<string, string | number>> = {}): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const params: Record<string, string | number> = { ...context };
  if ("maximum" in issue) params.max = Number(issue.maximum);
  if ("minimum" in issue) params.min = Number(issue.minimum);
  const field = issue.path[0];
  const value = typeof input === "object" && input !== null && field !== undefined ? (input as Record<PropertyKey, unknown>)[field] : input;
  if (typeof value === "string") params.length = value.trim().length;
  throw new AppError("INVALID_INPUT", issue.message, params, `invalid input at ${issue.path.join(".")}: ${issue.message}`);
}

/**
 * "／customer Acme" and "ｃｕｓｔｏｍｅｒ Acme", typed with a Chinese input method, are
 * "/customer Acme" (on every platform): only a leading slash and the first word are folded by
 * NFKC, since the rest may be a note, kept as typed. \s covers the full-width space.
 */
export function foldCommandWord(text: string): string {
  const match = /^([/／]?\s*)(\S*)/.exec(text)!;
  const slash = match[1]!.trim() ? "/" : "";
  return `${slash}${match[2]!.normalize("NFKC")}${text.slice(match[0].length)}`;
}
