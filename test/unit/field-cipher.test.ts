import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DataKeyError, FieldCipher, dataKey, keyIdOf, normaliseForLookup } from "../../src/store/encryption/field-cipher.js";
import { loadConfig } from "../../src/config.js";

const keyA = dataKey(Buffer.alloc(32, 1));
const keyB = dataKey(Buffer.alloc(32, 2));

describe("field cipher", () => {
  it("round-trips values of any script and length, with a fresh IV each time", () => {
    const cipher = new FieldCipher(keyA);
    for (const value of ["+8613800138000", "li.lei@acme.example", "oAbCdEfGhIjKlMnOpQrStUvWxYz0", "上海市浦东新区世纪大道100号", "", "x".repeat(5_000)]) {
      const sealed = cipher.seal("contacts.email", value);
      expect(sealed).not.toContain(value || "\u0000");
      expect(cipher.open("contacts.email", sealed)).toBe(value);
    }
    const twice = [cipher.seal("contacts.phone", "+8613800138000"), cipher.seal("contacts.phone", "+8613800138000")];
    expect(twice[0]).not.toBe(twice[1]);
    expect(twice[0]).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
  });

  it("stores the key id with each value: a short public name, the same for the same key, another for another key", () => {
    const sealed = new FieldCipher(keyA).seal("contacts.phone", "+8613800138000");
    expect(keyIdOf(sealed)).toBe(keyA.id);
    expect(keyA.id).toMatch(/^[0-9a-f]{8}$/);
    expect(dataKey(Buffer.alloc(32, 1)).id).toBe(keyA.id);
    expect(keyB.id).not.toBe(keyA.id);
    // The id reveals nothing of the key's bytes.
    expect(Buffer.alloc(32, 1).toString("hex")).not.toContain(keyA.id);
    expect(keyIdOf("+8613800138000")).toBeUndefined();
  });

  it("detects tampering: a changed byte, a value moved to another field, a cut value", () => {
    const cipher = new FieldCipher(keyA);
    const sealed = cipher.seal("contacts.email", "li.lei@acme.example");
    const [v, id, body] = sealed.split(".") as [string, string, string];
    const bytes = Buffer.from(body, "base64url");
    for (const at of [0, 12, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[at]! ^= 0x01;
      expect(() => cipher.open("contacts.email", `${v}.${id}.${changed.toString("base64url")}`)).toThrow(DataKeyError);
    }
    expect(() => cipher.open("contacts.phone", sealed)).toThrow(/does not open with key/);
    expect(() => cipher.open("contacts.email", `${v}.${id}.${bytes.subarray(0, 20).toString("base64url")}`)).toThrow(DataKeyError);
    expect(() => cipher.open("contacts.email", "li.lei@acme.example")).toThrow(/not in the sealed format/);
  });

  it("refuses a value of a key it was not given, naming both key ids, and opens it once given as an old key", () => {
    const sealed = new FieldCipher(keyA).seal("customers.address", "1 Main St");
    const other = new FieldCipher(keyB);
    expect(() => other.open("customers.address", sealed)).toThrow(new RegExp(`key ${keyA.id}.*DATA_ENCRYPTION_KEY \\(${keyB.id}\\)`));
    const rotating = new FieldCipher(keyB, [keyA]);
    expect(rotating.open("customers.address", sealed)).toBe("1 Main St");
    expect(rotating.isCurrent(sealed)).toBe(false);
    expect(keyIdOf(rotating.seal("customers.address", "1 Main St"))).toBe(keyB.id);
    // The same bytes under another key id cannot pass for a value of the right one.
    const relabelled = sealed.replace(`.${keyA.id}.`, `.${keyB.id}.`);
    expect(() => rotating.open("customers.address", relabelled)).toThrow(/does not open/);
  });

  it("without a key refuses every use with the reason it was given, until activated", () => {
    const cipher = FieldCipher.unavailable("DATA_ENCRYPTION_KEY is not set");
    expect(cipher.available).toBe(false);
    expect(() => cipher.seal("contacts.email", "a@b.example")).toThrow("DATA_ENCRYPTION_KEY is not set");
    expect(() => cipher.lookup("email", "a@b.example")).toThrow("DATA_ENCRYPTION_KEY is not set");
    cipher.activate(keyA);
    expect(cipher.open("contacts.email", cipher.seal("contacts.email", "a@b.example"))).toBe("a@b.example");
  });

  it("hashes normalised values: emails by case and spaces, phones as E.164 however written, openids exactly", () => {
    const cipher = new FieldCipher(keyA, [], { phoneRegion: "CN" });
    expect(cipher.lookup("email", " Li.Lei@ACME.example ")).toBe(cipher.lookup("email", "li.lei@acme.example"));
    const phone = cipher.lookup("phone", "+8613800138000");
    for (const written of ["+86 138 0013 8000", "138-0013-8000", "13800138000", "(+86) 138 0013 8000"]) expect(cipher.lookup("phone", written)).toBe(phone);
    expect(cipher.lookup("phone", "+8613800138001")).not.toBe(phone);
    expect(cipher.lookup("wechat", "oAbC")).not.toBe(cipher.lookup("wechat", "oabc"));
    // Kinds are hashed apart: the same text as an email and as an openid gives two hashes.
    expect(cipher.lookup("email", "x@y.example")).not.toBe(cipher.lookup("wechat", "x@y.example"));
    expect(cipher.lookup("email", "  ")).toBeNull();
    expect(cipher.lookup("phone", null)).toBeNull();
    expect(normaliseForLookup("phone", "12ab34", "CN")).toBe("1234");
  });

  it("hashes under each key during a rotation, the current key first, and the hash changes with the key", () => {
    const rotating = new FieldCipher(keyB, [keyA]);
    const hashes = rotating.lookups("email", "li.lei@acme.example");
    expect(hashes).toEqual([new FieldCipher(keyB).lookup("email", "li.lei@acme.example"), new FieldCipher(keyA).lookup("email", "li.lei@acme.example")]);
    expect(hashes[0]).not.toBe(hashes[1]);
    expect(hashes[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("refuses two different keys with one id", () => {
    const clash = { ...keyB, id: keyA.id };
    expect(() => new FieldCipher(keyA, [clash])).toThrow(/share the id/);
  });
});

describe("DATA_ENCRYPTION_KEY and DATA_ENCRYPTION_OLD_KEYS", () => {
  const base = { DATABASE_URL: "postgresql://localhost/crm" };
  const key = randomBytes(32).toString("base64");

  it("reads 32 base64 bytes (standard or URL-safe) and a comma-separated list of old keys", () => {
    const old = [randomBytes(32).toString("base64"), randomBytes(32).toString("base64url")];
    const config = loadConfig({ ...base, DATA_ENCRYPTION_KEY: key, DATA_ENCRYPTION_OLD_KEYS: ` ${old[0]} , ${old[1]} ` });
    expect(config.dataEncryption.key?.equals(Buffer.from(key, "base64"))).toBe(true);
    expect(config.dataEncryption.oldKeys.map((k) => k.length)).toEqual([32, 32]);
    expect(loadConfig(base).dataEncryption).toEqual({ oldKeys: [] });
  });

  it("names the variable and what would work, and never repeats the value", () => {
    const short = randomBytes(16).toString("base64");
    let message = "";
    try {
      loadConfig({ ...base, DATA_ENCRYPTION_KEY: short, DATA_ENCRYPTION_OLD_KEYS: `${key},not-a-key` });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("DATA_ENCRYPTION_KEY: must be 32 random bytes in base64");
    expect(message).toContain("openssl rand -base64 32");
    expect(message).toContain("DATA_ENCRYPTION_OLD_KEYS: entry 2:");
    expect(message).not.toContain(short);
    expect(message).not.toContain(key);
  });
});
