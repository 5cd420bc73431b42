"""Text normalisation: one canonical simplified, half-width form before any matching.

Order matters: pinyin debris is stripped first (its brackets are ASCII already), then
compatibility folding (full-width digits and brackets, enclosed ideographs ㈠), then OpenCC
traditional → simplified. Curly quotes “” survive NFKC, as the label 危及“三安全一稳定” needs.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import opencc

# Pinyin's toned letters; with a-z and ü, every letter a reading is written in.
_TONED_LETTERS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_LETTERS = f"a-zü{_TONED_LETTERS}"
# A reading in brackets after a CJK character, left by script-conversion mirrors: 業(yè).
_PINYIN_DEBRIS = re.compile(rf"(?<=[\u4e00-\u9fff])\((?:[{_PINYIN_LETTERS}]{{1,6}})\)")
# Zero-width and odd spaces that survive NFKC or come from HTML.
_INVISIBLE = (("\u200b", ""), ("\u200c", ""), ("\u200d", ""), ("\ufeff", ""), ("\u00a0", " "), ("\u3000", " "))
# Share of CJK characters OpenCC must change before a text counts as traditional; simplified
# text has a few characters t2s also rewrites (e.g. variants), so the threshold is not zero.
TRADITIONAL_SHARE = 0.03


# The same without the look-behind, so the regex engine can jump from "(" to "(" (the CJK
# character before it is checked in strip_pinyin_debris); a line break may fall inside the
# brackets (a PDF text layer wraps anywhere: "公开(k" / "āi)申请"), and a wrapped row label
# may hold its row's figures between its two lines ("本机关(guān" / "1 0 1" / ")不掌握…", or
# "本机关(guān 1 0 1" / ")不掌握…").
_PINYIN_CANDIDATE = re.compile(
    rf"\(([{_PINYIN_LETTERS}]{{0,6}})(\n?|\n?[\d ]{{1,60}}\n)([{_PINYIN_LETTERS}]{{0,6}})\)")


_TONE_MARK = re.compile(f"[{_TONED_LETTERS}]")  # pinyin, where "(a)" could open a list item


def strip_pinyin_debris(text: str) -> tuple[str, int]:
    """(text without the readings, how many): ``_PINYIN_DEBRIS.subn("", text)``, and a reading
    wrapped over two lines is removed too, its line break kept (lines must not merge here)."""
    removed = 0

    def repl(m: re.Match) -> str:
        nonlocal removed
        start = m.start()
        before = text[start - 1] if start else ""
        if before == "\n" and start >= 2 and _TONE_MARK.search(m.group(1) + m.group(3)):
            before = text[start - 2]  # a line that opens with a toned reading: its character ended the last
        if 1 <= len(m.group(1)) + len(m.group(3)) <= 6 and "\u4e00" <= before <= "\u9fff":
            removed += 1
            return m.group(2)
        return m.group(0)

    return _PINYIN_CANDIDATE.sub(repl, text), removed


@dataclass
class NormalisedText:
    text: str
    original_script: str  # simplified | traditional
    pinyin_debris_removed: int


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    # Most reports are simplified already: when no character of the text can start a t2s
    # rewrite, OpenCC would return the text unchanged, so it is not called.
    if not _t2s_trigger().search(text):
        return text
    return _t2s().convert(text)


# Characters that occur in a t2s dictionary key (phrase or character) mapped to something else
# but that OpenCC leaves unchanged on their own (e.g. 覆 in 答覆, 沈 in 深沈): with the characters
# t2s converts on their own, every such key holds one of them (checked against OpenCC's
# dictionaries by tests/unit/test_normalise_fast_paths.py).
_T2S_PHRASE_CHARS = "么仝俱像叚哩喆坏堃彷椀沈淼澂犇甦甯瞭礆祇筦絜耑菉藉衹覆迺邨阪龢"


@cache
def _t2s_trigger() -> re.Pattern:
    """A character class of every character that can make t2s change a text: the BMP
    characters it converts on their own (found once, by converting them all), the phrase
    characters above, and anything outside the BMP (not worth enumerating)."""
    chars = [chr(o) for o in range(0x10000) if not 0xD800 <= o <= 0xDFFF and o != 0x0A]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # a conversion produced or removed a line break: be safe
        return re.compile(r"[^\n]")
    points = {ord(c) for c, out in zip(chars, converted) if out != c}
    points.update(ord(c) for c in _T2S_PHRASE_CHARS)
    return re.compile(_class(sorted(points))[:-1] + "\U00010000-\U0010ffff]")


def fold_width(text: str) -> str:
    """NFKC, with invisible characters dropped and odd spaces made plain spaces first."""
    for old, new in _INVISIBLE:
        if old in text:
            text = text.replace(old, new)
    return nfkc(text)


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, computed character by character when that is
    provably the same: the text holds no character that takes part in canonical reordering
    or composition (combining marks, second members of composite pairs, conjoining jamo,
    anything folding to one of those) and nothing outside the BMP. Chinese report text
    qualifies, and its ~100 full-width characters per report are then folded by one regex
    pass instead of normalising every character."""
    fold_re, fold, unsafe_re = _nfkc_tables()
    if unsafe_re.search(text):
        return unicodedata.normalize("NFKC", text)
    # fold_re captures one character: split leaves the folded characters at the odd indices,
    # mapped and joined in C (a Python callback per match costs more than the scan)
    parts = fold_re.split(text)
    if len(parts) > 1:
        parts[1::2] = map(fold.__getitem__, parts[1::2])
    return "".join(parts)


@cache
def _nfkc_tables() -> tuple[re.Pattern, dict[str, str], re.Pattern]:
    fold: dict[str, str] = {}
    unsafe: set[int] = set()
    for o in range(0x10000):
        if 0xD800 <= o <= 0xDFFF:
            continue
        ch = chr(o)
        if unicodedata.combining(ch):
            unsafe.add(o)  # a non-starter: reordered and composed
        decomposition = unicodedata.decomposition(ch)
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                unsafe.add(int(parts[1], 16))  # the second member of a canonical pair
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch:
            fold[ch] = folded
    # Hangul conjoining jamo (composed algorithmically, L+V and LV+T)
    for lo, hi in ((0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF)):
        unsafe.update(range(lo, hi + 1))
    for ch, folded in fold.items():
        if any(ord(c) in unsafe for c in folded):
            unsafe.add(ord(ch))  # folds to something that composes with its neighbours
    unsafe_class = _class(sorted(unsafe))
    return (re.compile("(" + _class(sorted(ord(c) for c in fold)) + ")"), fold,
            re.compile(unsafe_class[:-1] + "\U00010000-\U0010ffff]"))


def _class(points: list[int]) -> str:
    """A regex character class of sorted code points, as ranges."""
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = re.escape(chr(points[i])), re.escape(chr(points[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]"


_CJK_CHARS = frozenset(map(chr, range(0x4E00, 0xA000)))  # U+4E00..U+9FFF


def normalise_text(text: str) -> NormalisedText:
    n_debris = 0
    if "(" in text:  # a reading is always bracketed
        text, n_debris = strip_pinyin_debris(text)
    text = fold_width(text)
    simplified = to_simplified(text)
    if simplified == text:
        script = "simplified"
    else:
        # distinct characters OpenCC converted away, against the distinct CJK characters used
        distinct = set(text)
        converted = len(distinct.difference(simplified))
        n_cjk = len(distinct & _CJK_CHARS) or 1  # intersection runs in C over the few distinct characters
        script = "traditional" if converted / n_cjk >= TRADITIONAL_SHARE else "simplified"
    return NormalisedText(simplified, script, n_debris)


_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|\(?\d{1,2}\)|\d{1,2}[.、](?!\d))"
)
_LABEL_NOISE = re.compile(r"[\s|:#*]+")  # "#"/"*": Markdown heading and emphasis marks


def label_key(label: str) -> str:
    """A table label reduced for vocabulary matching: no spaces, no leading numbering."""
    key = _LABEL_NOISE.sub("", label)
    for _ in range(2):  # "三、(一)予以公开" carries two numbering prefixes
        stripped = _NUMBERING.sub("", key)
        if stripped == key:
            break
        key = stripped
    return key
