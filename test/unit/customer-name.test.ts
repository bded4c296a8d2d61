import { describe, expect, it } from "vitest";
import { hasChinese, nameKeys, normalizeCustomerName, pinyinInitials, pinyinKey, tidyDisplayName } from "../../src/domain/language/customer-name.js";
import { pinyin } from "pinyin-pro";

describe("normalizeCustomerName", () => {
  it("ignores case, spacing and punctuation", () => {
    for (const name of ["ACME", "acme", "  Acme  ", "A.C.M.E", "A.C.M.E.", "a c m e", "Acme!", "ACME Ltd."]) {
      expect(normalizeCustomerName(name), name).toBe("acme");
    }
    expect(normalizeCustomerName("Acme-Tech")).toBe("acmetech");
    expect(normalizeCustomerName("O'Reilly Media, Inc.")).toBe("oreillymedia");
  });

  it("drops accents", () => {
    expect(normalizeCustomerName("Lüdenscheid")).toBe("ludenscheid");
    expect(normalizeCustomerName("Café Société")).toBe("cafesociete");
    expect(normalizeCustomerName("Müller GmbH")).toBe("muller");
    expect(normalizeCustomerName("Zhōngguó")).toBe("zhongguo");
  });

  it("folds full-width characters to their ordinary forms", () => {
    expect(normalizeCustomerName("ＡＣＭＥ")).toBe("acme");
    expect(normalizeCustomerName("ＡＣＭＥ　Ｌｔｄ．")).toBe("acme");
    expect(normalizeCustomerName("Ａｃｍｅ１２３")).toBe("acme123");
  });

  it.each([
    ["Acme Inc"], ["Acme Inc."], ["Acme Incorporated"], ["Acme Ltd"], ["Acme Limited"], ["Acme Co."], ["Acme Corp"],
    ["Acme Corporation"], ["Acme LLC"], ["Acme GmbH"], ["Acme AG"], ["Acme Co., Ltd."], ["Acme Holdings Co., Ltd."],
    ["acme group"], ["ACME PLC"],
  ])("strips the company suffix of %j", (name) => {
    expect(normalizeCustomerName(name)).toBe("acme");
  });

  it("strips a suffix only when it is a separate word", () => {
    expect(normalizeCustomerName("Costco")).toBe("costco");
    expect(normalizeCustomerName("Acmeco")).toBe("acmeco");
    expect(normalizeCustomerName("Cisco")).toBe("cisco");
  });

  it.each([
    ["阿里巴巴集团", "阿里巴巴"],
    ["腾讯科技有限公司", "腾讯科技"],
    ["平安股份有限公司", "平安"],
    ["华为技术有限责任公司", "华为技术"],
    ["腾讯控股", "腾讯"],
    ["北京字节跳动科技有限公司", "北京字节跳动科技"],
  ])("strips the Chinese company suffix of %j", (name, key) => {
    expect(normalizeCustomerName(name)).toBe(key);
  });

  it("keeps something when the name is nothing but a suffix", () => {
    expect(normalizeCustomerName("Group")).toBe("group");
    expect(normalizeCustomerName("Ltd")).toBe("ltd");
    expect(normalizeCustomerName("Inc.")).toBe("inc");
    expect(normalizeCustomerName("GmbH")).toBe("gmbh");
    expect(normalizeCustomerName("集团")).toBe("集团");
    expect(normalizeCustomerName("公司")).toBe("公司");
    for (const name of ["Co., Ltd.", "有限公司", "股份有限公司", "LLC"]) {
      expect(normalizeCustomerName(name), name).not.toBe("");
    }
  });

  it("strips \"Co.,Ltd.\" written without a space after the comma, the common spelling of Chinese companies' English names", () => {
    expect(normalizeCustomerName("Acme Co.,Ltd.")).toBe("acme");
    expect(normalizeCustomerName("Shenzhen Foo Technology Co.,Ltd")).toBe("shenzhenfootechnology");
    // Full-width "，" and "．" become ASCII after NFKC, leaving the same unspaced "Co.,Ltd.".
    expect(normalizeCustomerName("Acme Ｃｏ．，Ｌｔｄ．")).toBe("acme");
  });
});

describe("nameKeys", () => {
  it("gives pinyin and initials for a Chinese name, after its suffix is gone", () => {
    expect(nameKeys("阿里巴巴集团")).toEqual({ normalizedName: "阿里巴巴", pinyin: "alibaba", pinyinInitials: "albb" });
    expect(nameKeys("腾讯科技有限公司")).toEqual({ normalizedName: "腾讯科技", pinyin: "tengxunkeji", pinyinInitials: "txkj" });
  });

  it("leaves Latin names unchanged in the pinyin keys", () => {
    expect(nameKeys("ACME Ltd.")).toEqual({ normalizedName: "acme", pinyin: "acme", pinyinInitials: "acme" });
    expect(nameKeys("Lüdenscheid GmbH")).toEqual({ normalizedName: "ludenscheid", pinyin: "ludenscheid", pinyinInitials: "ludenscheid" });
  });

  it("keeps the Latin part whole in a mixed name", () => {
    expect(nameKeys("Tencent 腾讯")).toEqual({ normalizedName: "tencent腾讯", pinyin: "tencenttengxun", pinyinInitials: "tencenttx" });
  });

  it("gives the same keys to two spellings of one company", () => {
    expect(nameKeys("阿里巴巴集团")).toEqual(nameKeys("阿里巴巴"));
    expect(nameKeys("Acme Co., Ltd.")).toEqual(nameKeys("ACME"));
  });
});

describe("pinyin helpers", () => {
  it("pinyinKey and pinyinInitials work on normalised names", () => {
    expect(pinyinKey("阿里巴巴")).toBe("alibaba");
    expect(pinyinInitials("阿里巴巴")).toBe("albb");
    expect(pinyinKey("acme")).toBe("acme");
    expect(pinyinInitials("acme")).toBe("acme");
  });

  it("hasChinese tells Han text apart", () => {
    expect(hasChinese("阿里巴巴")).toBe(true);
    expect(hasChinese("Tencent 腾讯")).toBe(true);
    expect(hasChinese("Acme")).toBe(false);
  });
});

describe("tidyDisplayName", () => {
  it("trims and collapses white space but keeps case, punctuation and suffixes", () => {
    expect(tidyDisplayName("  Acme   Co.,  Ltd. ")).toBe("Acme Co., Ltd.");
    expect(tidyDisplayName("阿里巴巴\t集团")).toBe("阿里巴巴 集团");
  });
});

describe("pinyin of plain ASCII text", () => {
  it("is what pinyin-pro gives, without asking it (random printable ASCII, spaces and case included)", () => {
    let seed = 12345;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const samples = ["", " ", "  Acme  Robotics ", "3M", "O'Neil & Sons", "x-y_z.", "ABC123 def", "~!@#$%^&*()"];
    for (let i = 0; i < 500; i++) samples.push(Array.from({ length: Math.floor(next() * 24) }, () => String.fromCharCode(0x20 + Math.floor(next() * 95))).join(""));
    for (const text of samples) {
      const library = pinyin(text, { toneType: "none", type: "array", nonZh: "consecutive", v: true }).map((s) => s.trim().toLowerCase()).filter(Boolean).join("");
      const initials = pinyin(text, { pattern: "first", toneType: "none", type: "array", nonZh: "consecutive" }).map((s) => s.trim().toLowerCase()).join("");
      expect(pinyinKey(text), JSON.stringify(text)).toBe(library);
      expect(pinyinInitials(text), JSON.stringify(text)).toBe(initials);
    }
    // Chinese still goes through the library.
    expect(pinyinKey("阿里巴巴")).toBe("alibaba");
    expect(pinyinInitials("阿里巴巴")).toBe("albb");
  });
});
