"""Plain text (.txt): UTF-8, UTF-8 with BOM, UTF-16/32 with BOM, GBK/GB18030 — detected, never
mojibake (not even for a two-character GBK file that happens to be valid UTF-8). Line endings
become "\n". The decoder is shared with the CSV reader (extract/formats/sheet.py).

Known limit: a short UTF-8 text in Cyrillic or Greek (under 64 non-ASCII bytes) whose bytes also
read as Chinese GB18030 is taken as Chinese; in Chinese application packages that is the right bet."""

from __future__ import annotations

import codecs

from extract.errors import ExtractFailure
from extract.registry import ExtractContext, register
from records import Page, TextBlock

BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Guesses that, for a file from a mainland-Chinese package, almost always mean GBK/GB18030 text
# that a statistical detector attributed to a neighbouring legacy CJK code page.
LEGACY_CJK = {"gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp950", "shift_jis", "cp932",
              "euc_jp", "euc_jis_2004", "shift_jis_2004", "euc_kr", "cp949", "johab", "iso2022_jp",
              "iso2022_kr"}
SHORT_NON_ASCII_BYTES = 64


def _cjk_share(text: str) -> float:
    """Share of CJK ideographs and CJK punctuation among the non-ASCII characters of text."""
    non_ascii = [c for c in text if ord(c) > 0x7F]
    if not non_ascii:
        return 1.0
    cjk = sum(1 for c in non_ascii
              if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
              or "\u3400" <= c <= "\u4dbf" or c in "“”‘’—…·")
    return cjk / len(non_ascii)


def _plausible_share(text: str) -> float:
    """Share of the non-ASCII characters that are plausible in a Chinese package's UTF-8 text:
    CJK, Latin accented letters, punctuation and symbols. Short GBK byte strings are often valid
    UTF-8 too ("通知" → U+0368 U+05AA), decoding into Hebrew, Cyrillic, Greek or combining marks."""
    non_ascii = [c for c in text if ord(c) > 0x7F]
    if not non_ascii:
        return 1.0
    ok = sum(1 for c in non_ascii
             if _cjk_share(c) == 1.0 or "\u00a0" <= c <= "\u024f" or "\u2000" <= c <= "\u2bff"
             or "\uf900" <= c <= "\ufaff" or "\U0001f000" <= c <= "\U0001faff" or c >= "\U00020000")
    return ok / len(non_ascii)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file: (text, encoding). Raises ExtractFailure('unsupported_format')
    when no encoding fits. Order: a BOM; strict UTF-8 (unless a short text decodes into
    implausible scripts where GB18030 gives Chinese); GB18030 when it decodes strictly into mostly
    Chinese text; otherwise charset-normalizer's best guess, still preferring GB18030 over the
    other legacy CJK code pages it proposes for short GBK texts (cp949, big5, shift_jis …)."""
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc), enc + "-bom"
            except UnicodeDecodeError as exc:
                raise ExtractFailure("corrupt", f"文本带 {enc.upper()} 标记但内容无法按此编码解码") from exc
    gb_text: str | None
    try:
        gb_text = data.decode("gb18030")
    except UnicodeDecodeError:
        gb_text = None
    try:
        utf8_text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Only short texts: a GBK text of more than a few dozen characters is never valid UTF-8 by
        # chance, and this keeps longer UTF-8 Cyrillic or Greek text as it is.
        short = sum(1 for b in data if b > 0x7F) <= SHORT_NON_ASCII_BYTES
        if short and gb_text is not None and _plausible_share(utf8_text) < 0.5 and _cjk_share(gb_text) >= 0.9:
            return gb_text, "gb18030"
        return utf8_text, "utf-8"
    if gb_text is not None and _cjk_share(gb_text) >= 0.9:
        return gb_text, "gb18030"

    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        enc = best.encoding.lower().replace("-", "_")
        if gb_text is not None and (enc in LEGACY_CJK or _cjk_share(gb_text) >= 0.6):
            return gb_text, "gb18030"
        return str(best), enc
    if gb_text is not None:
        return gb_text, "gb18030"
    raise ExtractFailure("unsupported_format", "无法识别文本编码（支持 UTF-8、UTF-16、GBK/GB18030）")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _paragraph_blocks(text: str) -> list[TextBlock]:
    blocks, current = [], []
    for line in text.split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(TextBlock(page=1, text="\n".join(current)))
            current = []
    if current:
        blocks.append(TextBlock(page=1, text="\n".join(current)))
    return blocks


@register("txt")
def extract_txt(data: bytes, ctx: ExtractContext) -> list[Page]:
    text, _encoding = decode_text(data)
    text = normalise_newlines(text).lstrip("\ufeff").replace("\x00", "").rstrip()
    if not text.strip():
        raise ExtractFailure("empty", "文本文件没有可读内容")
    return [Page(number=1, text=text, blocks=_paragraph_blocks(text))]
