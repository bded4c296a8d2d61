#!/usr/bin/python3
"""Rebuilds chart-sans-sc-regular.otf, the font the chart renderer ships (see README.md).

Needs Debian's fonts-noto-cjk, unicode-data and python3-fonttools:
    apt-get install fonts-noto-cjk unicode-data python3-fonttools
    /usr/bin/python3 assets/fonts/build-subset.py
"""
import bz2
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SOURCE_FACE = 2  # Noto Sans CJK SC within the collection
UNIHAN = Path("/usr/share/unicode")
OUT = Path(__file__).with_name("chart-sans-sc-regular.otf")
FAMILY = "Chart Sans SC"
POSTSCRIPT = "ChartSansSC-Regular"

# Latin, Greek, Cyrillic, punctuation, currency and number signs, arrows, maths, enclosed
# numbers, shapes, CJK punctuation, kana, and full-width forms.
RANGES = [
    (0x0020, 0x007E), (0x00A0, 0x017F), (0x0370, 0x03FF), (0x0400, 0x045F),
    (0x2000, 0x206F), (0x20A0, 0x20BF), (0x2100, 0x218F), (0x2190, 0x21FF),
    (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF),
    (0x3000, 0x303F), (0x3040, 0x30FF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
]


def unihan(file: str, field: str) -> dict[int, str]:
    values = {}
    with bz2.open(UNIHAN / file, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            code, key, value = line.rstrip("\n").split("\t")
            if key == field:
                values[int(code[2:], 16)] = value
    return values


def han_characters() -> set[int]:
    # The 8,105 characters of the Table of General Standard Chinese Characters (2013), which
    # covers the characters of mainland given names, plus the 6,763 of GB 2312.
    general = unihan("Unihan_OtherMappings.txt.bz2", "kTGH")
    gb2312 = unihan("Unihan_OtherMappings.txt.bz2", "kGB0")
    chars = set(general) | set(gb2312)
    # The traditional forms of the 3,500 commonest of those (陳, 黃, 張...), for customers
    # who write traditional Chinese.
    common = {c for c, v in general.items() if int(v.split()[0].split(":")[1]) <= 3500}
    for code, value in unihan("Unihan_Variants.txt.bz2", "kTraditionalVariant").items():
        if code in common:
            chars.update(int(v[2:], 16) for v in value.split())
    return chars


def main() -> None:
    codes = han_characters()
    for low, high in RANGES:
        codes.update(range(low, high + 1))
    font = TTCollection(SOURCE).fonts[SOURCE_FACE]
    options = subset.Options()
    options.layout_features = ["kern", "liga", "ccmp"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["VORG", "vhea", "vmtx", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)

    # A modified version under its own name (SIL OFL 1.1), so it is never taken for the full font.
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            names.removeNames(nameID=record.nameID)
    names.setName(FAMILY, 1, 3, 1, 0x409)
    names.setName(f"{POSTSCRIPT};subset of Noto Sans CJK SC 2.004", 3, 3, 1, 0x409)
    names.setName(f"{FAMILY} Regular", 4, 3, 1, 0x409)
    names.setName(POSTSCRIPT, 6, 3, 1, 0x409)
    names.setName(
        "Subset of Noto Sans CJK SC 2.004 (SIL OFL 1.1) for chart rendering: Latin, Greek, "
        "Cyrillic, CJK punctuation, kana and about 9,500 Han characters.",
        200, 3, 1, 0x409,
    )
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT]
    top = cff.topDictIndex[0]
    top.FullName = f"{FAMILY} Regular"
    top.FamilyName = FAMILY
    font.save(OUT)
    print(f"{OUT}: {OUT.stat().st_size} bytes, {len(codes)} code points requested")


if __name__ == "__main__":
    main()
