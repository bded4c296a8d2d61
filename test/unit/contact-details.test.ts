import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { checkContactFields, type FieldRules } from "../../src/domain/customers/contact-details.js";
import { displayPhone, isPhoneRegion, readPhone } from "../../src/domain/customers/phone-number.js";

const CN: FieldRules = { region: "CN", today: "2026-11-20" };

describe("phone numbers", () => {
  it("stores the ways reps write a number as E.164, with the team's region for local ones", () => {
    expect(readPhone("+86 138 0013 8000", "CN")).toEqual({ ok: true, e164: "+8613800138000" });
    expect(readPhone("138-0013-8000", "CN")).toEqual({ ok: true, e164: "+8613800138000" });
    expect(readPhone("(415) 555-0100", "US")).toEqual({ ok: true, e164: "+14155550100" });
    // An international number is read as written, whatever the region.
    expect(readPhone("+1 415 555 0100", "CN")).toEqual({ ok: true, e164: "+14155550100" });
  });

  it("refuses numbers that are not valid for their country", () => {
    expect(readPhone("12345", "CN")).toEqual({ ok: false });
    expect(readPhone("1380013800", "CN")).toEqual({ ok: false });
    expect(readPhone("call me", "CN")).toEqual({ ok: false });
  });

  it("shows stored numbers internationally and leaves older free-form values as they are", () => {
    expect(displayPhone("+8613800138000")).toBe("+86 138 0013 8000");
    expect(displayPhone("+14155550100")).toBe("+1 415 555 0100");
    expect(displayPhone("ext. 12")).toBe("ext. 12");
  });

  it("knows the regions", () => {
    expect(isPhoneRegion("CN")).toBe(true);
    expect(isPhoneRegion("US")).toBe(true);
    expect(isPhoneRegion("XX")).toBe(false);
    expect(isPhoneRegion("cn")).toBe(false);
  });
});

describe("contact fields", () => {
  it("returns the stored forms: trimmed email with a lower-case domain, E.164 phone, ISO dates", () => {
    const result = checkContactFields(
      { name: "  Li   Lei ", title: " Head of Sales ", email: " Li.Lei@ACME.Example.COM ", phone: "138 0013 8000", birthday: "1985/3/2", anniversary: "2019年6月1日" },
      CN,
    );
    expect(result).toEqual({
      ok: true,
      values: { name: "Li Lei", title: "Head of Sales", email: "Li.Lei@acme.example.com", phone: "+8613800138000", birthday: "1985-03-02", anniversary: "2019-06-01" },
    });
  });

  it("empties optional fields given as blank, and leaves fields not given alone", () => {
    expect(checkContactFields({ title: "", phone: "  " }, CN)).toEqual({ ok: true, values: { title: null, phone: null } });
  });

  it("names every bad field, with what was typed", () => {
    const result = checkContactFields({ name: "%%%", email: "li@", phone: "12345", birthday: "1985-02-30", anniversary: "2030-01-01" }, CN);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.field, p.key, p.params.value])).toEqual([
      ["name", "contact.name.noLetter", "%%%"],
      ["email", "contact.email.invalid", "li@"],
      ["phone", "contact.phone.invalid", "12345"],
      ["birthday", "contact.date.invalid", "1985-02-30"],
      ["anniversary", "contact.anniversary.future", "2030-01-01"],
    ]);
    expect(result.problems[2]!.params.example).toBe("138 0013 8000");
  });

  it("accepts a birthday of today and refuses one of tomorrow or before 1900", () => {
    expect(checkContactFields({ birthday: "2026-11-20" }, CN).ok).toBe(true);
    const late = checkContactFields({ birthday: "2026-11-21" }, CN);
    expect(!late.ok && late.problems[0]!.key).toBe("contact.birthday.future");
    const old = checkContactFields({ birthday: "1850-01-01" }, CN);
    expect(!old.ok && old.problems[0]!.key).toBe("contact.date.tooOld");
  });

  it("refuses an empty or over-long name", () => {
    const empty = checkContactFields({ name: "  " }, CN);
    expect(!empty.ok && empty.problems[0]!.key).toBe("contact.name.missing");
    const long = checkContactFields({ name: "x".repeat(101) }, CN);
    expect(!long.ok && long.problems[0]!.key).toBe("contact.name.tooLong");
  });
});

describe("DEFAULT_PHONE_REGION", () => {
  const base = { DATABASE_URL: "postgresql://localhost/crm" };
  it("defaults to CN and takes any region in either case", () => {
    expect(loadConfig(base).defaultPhoneRegion).toBe("CN");
    expect(loadConfig({ ...base, DEFAULT_PHONE_REGION: "us" }).defaultPhoneRegion).toBe("US");
  });

  it("names the variable when the region is unknown", () => {
    expect(() => loadConfig({ ...base, DEFAULT_PHONE_REGION: "China" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, DEFAULT_PHONE_REGION: "XX" })).toThrow(/DEFAULT_PHONE_REGION: must be a two-letter ISO 3166 country code/);
  });
});
