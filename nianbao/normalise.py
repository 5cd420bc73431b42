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

# A reading in brackets after a CJK character, left by script-conversion mirrors: 業(yè).
_PINYIN_DEBRIS = re.compile(
    r"(?<=[\u4e00-\u9fff])\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,6})\)"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Zero-width and odd spaces that survive NFKC or come from HTML.
_INVISIBLE = (("\u200b", ""), ("\u200c", ""), ("\u200d", ""), ("\ufeff", ""), ("\u00a0", " "), ("\u3000", " "))
# Share of CJK characters OpenCC must change before a text counts as traditional; simplified
# text has a few characters t2s also rewrites (e.g. variants), so the threshold is not zero.
TRADITIONAL_SHARE = 0.03


@dataclass
class NormalisedText:
    text: str
    original_script: str  # simplified | traditional
    pinyin_debris_removed: int


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def fold_width(text: str) -> str:
    for old, new in _INVISIBLE:
        if old in text:
            text = text.replace(old, new)
    return unicodedata.normalize("NFKC", text)


def normalise_text(text: str) -> NormalisedText:
    n_debris = 0
    if "(" in text:  # a reading is always bracketed
        text, n_debris = _PINYIN_DEBRIS.subn("", text)
    text = fold_width(text)
    simplified = to_simplified(text)
    if simplified == text:
        script = "simplified"
    else:
        # distinct characters OpenCC converted away, against the distinct CJK characters used
        distinct = set(text)
        converted = len(distinct.difference(simplified))
        n_cjk = sum(1 for ch in distinct if "\u4e00" <= ch <= "\u9fff") or 1
        script = "traditional" if converted / n_cjk >= TRADITIONAL_SHARE else "simplified"
    return NormalisedText(simplified, script, n_debris)


_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|\(?\d{1,2}\)|\d{1,2}[.、](?!\d))"
)
_LABEL_NOISE = re.compile(r"[\s|:]+")


def label_key(label: str) -> str:
    """A table label reduced for vocabulary matching: no spaces, no leading numbering."""
    key = _LABEL_NOISE.sub("", label)
    for _ in range(2):  # "三、(一)予以公开" carries two numbering prefixes
        stripped = _NUMBERING.sub("", key)
        if stripped == key:
            break
        key = stripped
    return key
