"""Text helpers of the generator: the YAML data, dates and 文号 in their printed variants,
serial numbers and template filling. Everything takes a random.Random so output is seeded."""

from __future__ import annotations

import random
import string
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
PHRASINGS = ("dev", "test", "holdout")
DIGITS_ZH = "〇一二三四五六七八九"


@lru_cache(maxsize=None)
def gazetteer() -> dict:
    return yaml.safe_load((DATA / "gazetteer.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def phrasing(name: str) -> dict:
    if name not in PHRASINGS:
        raise ValueError(f"unknown phrasing set {name!r}; choose one of {', '.join(PHRASINGS)}")
    return yaml.safe_load((DATA / f"phrasing_{name}.yaml").read_text(encoding="utf-8"))


def in_split(entry: dict, split: str) -> bool:
    """Whether a gazetteer entry belongs to a split: `split:` is dev, test, holdout, both (the
    default) or a list of them."""
    want = entry.get("split", "both")
    names = [want] if isinstance(want, str) else list(want)
    return "both" in names or split in names


# ---------------------------------------------------------------- dates

def _zh_number(n: int) -> str:
    """1..31 in Chinese numerals as dates write them: 十, 十二, 二十六, 三十一."""
    if n < 10:
        return DIGITS_ZH[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS_ZH[tens]) + "十" + (DIGITS_ZH[ones] if ones else "")


DATE_STYLES = ("zh_ling", "zh_circle", "zh_digit0", "zh_letterO", "arabic", "dotted")


def format_date(d: date, style: str) -> str:
    if style.startswith("zh_"):
        zero = {"zh_ling": "〇", "zh_circle": "○", "zh_digit0": "0", "zh_letterO": "O"}[style]
        year = "".join(zero if c == "0" else DIGITS_ZH[int(c)] for c in str(d.year))
        return f"{year}年{_zh_number(d.month)}月{_zh_number(d.day)}日"
    if style == "dotted":
        return f"{d.year}.{d.month}.{d.day}"
    return f"{d.year}年{d.month}月{d.day}日"


def pick_date_style(rng: random.Random, layout: str) -> str:
    if layout == "press":  # newspapers print Arabic issue dates
        return rng.choice(("arabic", "arabic", "dotted"))
    return rng.choices(DATE_STYLES, weights=(5, 2, 1, 1, 3, 1))[0]


DATE_TRAPS = {"zh_circle": "date_zh_circle", "zh_digit0": "date_zh_digit0", "zh_letterO": "date_zh_letter_o",
              "dotted": "date_dotted", "arabic": "date_arabic"}


# ---------------------------------------------------------------- 文号 and serials

BRACKETS = {"hex": ("〔", "〕"), "square": ("[", "]"), "paren": ("（", "）"), "lenticular": ("【", "】")}


def format_doc_number(prefix: str, year: int, number: int, style: str) -> str:
    if style == "space":
        return f"{prefix}[{year}] {number}号"
    if style == "trad":
        return f"{prefix}〔{year}〕{number}號"
    left, right = BRACKETS[style]
    return f"{prefix}{left}{year}{right}{number}号"


NUMBER_STYLES = ("hex", "square", "paren", "lenticular", "space", "trad")


def pick_number_style(rng: random.Random) -> str:
    return rng.choices(NUMBER_STYLES, weights=(10, 2, 2, 2, 1, 1))[0]


def serial_number(rng: random.Random, prefix: str | None, year: int, kind: str) -> tuple[str, bool]:
    """A 证书编号/批示单编号/合同编号; sometimes in 文号 style (a trap). Returns (serial, docnumber_style)."""
    if prefix and rng.random() < 0.35:
        return f"{prefix}{kind}字〔{year}〕第{rng.randint(1, 999):04d}号", True
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
    return f"{letters}-{year}-{rng.randint(1, 9999):04d}", False


def minutes_number(rng: random.Random, year: int) -> str:
    """A 会议纪要's 期号, which stands where a 文号 goes."""
    n = rng.randint(1, 24)
    return rng.choice((f"〔{year}〕{n}号", f"{year}年第{n}期", f"第{n}期"))


# ---------------------------------------------------------------- templates

class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, values: dict) -> str:
    return template.format_map(_Keep(values))


def person(rng: random.Random) -> str:
    g = gazetteer()
    return rng.choice(g["surnames"]) + rng.choice(g["given_names"])
