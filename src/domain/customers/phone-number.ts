import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";

/**
 * Phone numbers as reps type them ("+86 138 0013 8000", "138-0013-8000", "(415) 555-0100"):
 * read with the team's region (DEFAULT_PHONE_REGION) for numbers written without a country
 * code, stored as E.164 ("+8613800138000"), shown in the international format. The "max"
 * metadata checks the digits against each region's number plans, not only their count.
 */

/** An ISO 3166 alpha-2 region libphonenumber knows ("CN", "US"). */
export function isPhoneRegion(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

/** Characters a written phone number is made of; anything else (letters, "@") is not one. */
const PHONE_SHAPE = /^\+?[\d\s().\-–]+$/u;

/** Few digits are a count or a year, not a phone number. */
const MIN_DIGITS = 6;

/** Written like a phone number: worth reading as one (and refusing clearly when it is not valid). */
export function looksLikePhone(text: string): boolean {
  const trimmed = text.trim();
  return PHONE_SHAPE.test(trimmed) && trimmed.replace(/\D/g, "").length >= MIN_DIGITS;
}

export type PhoneReading = { ok: true; e164: string } | { ok: false };

/** A phone number in E.164, or not a valid one for its country (or the team's region without one). */
export function readPhone(text: string, region: string): PhoneReading {
  const trimmed = text.trim().replace(/–/g, "-");
  if (!looksLikePhone(trimmed)) return { ok: false };
  const parsed = parsePhoneNumberFromString(trimmed, isPhoneRegion(region) ? (region as CountryCode) : undefined);
  return parsed?.isValid() ? { ok: true, e164: parsed.number } : { ok: false };
}

/** A stored number as people read it: "+86 138 0013 8000". Older, unparsed values stay as stored. */
export function displayPhone(stored: string): string {
  const parsed = parsePhoneNumberFromString(stored.trim());
  return parsed?.isValid() ? parsed.formatInternational() : stored;
}

/** An example number in the region's own format, for an error message ("138 0013 8000" for CN). */
export function examplePhone(region: string): string {
  return region === "CN" ? "138 0013 8000" : region === "US" ? "(415) 555-0100" : "+86 138 0013 8000";
}
