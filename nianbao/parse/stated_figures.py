"""Figures stated outside the national tables: the legacy measures of pre-2019 reports
(format-spec §3, §5.8) and the prose restatements of 2019+ reports (§2.4), read by one reader.

Everything the reader knows is vocabulary data (vocabulary.yaml ``legacy_*``): the measures,
their phrases and table labels, zero statements, the outline families, the traps and the
crosswalk into the contract's facts. This module only knows the grammar around them:

* prose: ``<phrase> [共|为|达…] <number> <unit>``, numbers Arabic (``1,234``, ``26.8万``) or
  Chinese (``三``, ``十二``, ``两``, ``二百零五``); amounts in 元 or 万元 (converted to 元);
  zero statements (``未收到…申请``, ``没有发生…行政复议``) and sections whose body is ``无。``.
* old statistical tables (family B 指标统计表, family C 统计指标 | 单位 | 统计数): a row label
  matched by a measure's ``labels``, the first number after it, a unit cell or suffix.

Deliberate handling of the traps of format-spec §3.4:

* a number is read by one measure only (the first, in vocabulary order, whose phrase reaches
  it); phrases ending in 各/均 ("行政复议和行政诉讼各0件") are the exception;
* what a ``legacy_traps`` pattern matches is not read, for every measure or for the measure
  groups the trap names, with a parse note: its sentence (依申请公开信息 N 条 = documents by
  公开属性), or its clause to the sentence's end (counts since the 条例 took effect, 历年累计;
  未发生…被纠错或败诉, which says nothing of how many reviews there were), or only its own
  words (a table-四 label such as 未经复议直接起诉 is no zero statement);
* a figure that says it combines two categories (予以公开及部分公开42件) is its own measure,
  never one category's;
* a figure whose clause names another year ("2013年全年…406条" in a 2014 report) is skipped;
* a measure stated twice with different values keeps the first (tables before prose) and the
  other is a parse note;
* 否决公开 (family B) is its own measure, ``legacy_denied_inclusive_total``: it includes
  信息不存在 and the like, so it is never mapped as a whole (the crosswalk uses its reasons);
* outcome lists that overlap (they add up to more than the replies stated, IZ17) are kept as
  legacy measures but not mapped into the facts.

In 2019+ reports the same reader reads the 总体情况 paragraph that restates table 三 and the
litigation sentences: the measures marked ``prose_2019``, mapped onto contract cells by the same
``legacy_crosswalk``. Prose counts are not reliable (format-spec §2.4): they become facts (source
``narrative``) only when the report's own table is missing, and otherwise feed the warning rule
``narrative_table_consistency``.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, repeat
from operator import add

from nianbao.parse.fast.regex_syntax import constants as sre_constants
from nianbao.parse.fast.regex_syntax import parser as sre_parse
from nianbao.parse.model import Cell, Note
from nianbao.parse.normalise import label_key
from nianbao.parse.prefilter import Needs, may_match, required_literals
from nianbao.vocabulary.loader import Crosswalk, Expression, LegacyMeasure, choose, expression_ids, load

# ------------------------------------------------------------------ numbers

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"(\d[\d,]*(?:\.\d+)?\s*万?|[零〇一二两三四五六七八九十百千万]+)"
_MAX_NOTES = 200  # parse notes one report may get from this reader (a pathological file repeats)
_GAP = r"\s*(?:共计|合计|总计|共有|共|计|为|达到|达|是|有)?\s*:?\s*"


def chinese_number(text: str) -> float | None:
    """'三' → 3, '十二' → 12, '二百零五' → 205, '两万三千' → 23000, '12' → 12, '1,234' → 1234,
    '26.8万' → 268000. None for anything else (including a bare '万')."""
    t = text.replace(",", "").replace(" ", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(万?)", t)
    if m:
        return round(float(m.group(1)) * (10000 if m.group(2) else 1), 6)
    if not t or not any(ch in _CN_DIGITS or ch == "十" for ch in t):
        return None
    total, section, digit = 0, 0, None
    for ch in t:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (digit if digit is not None else 1) * _CN_UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


# ------------------------------------------------------------------ what is read

@dataclass(frozen=True)
class LegacyValue:
    """One legacy measure of one report, as read."""

    measure: str
    value: float  # in the measure's unit (amounts in 元)
    unit: str | None  # the unit as printed (件, 条, 宗, 起, 元, 万元…)
    printed_text: str
    channel: str | None = None
    source: str = "narrative"  # narrative | table
    position: int = 0  # where it was read (prose: character offset; table: row index)


@dataclass(frozen=True)
class StatedFigure:
    """A stated figure mapped onto one cell of the contract (via ``legacy_crosswalk``)."""

    table_id: str
    row_id: str
    col_id: str
    value: float
    text: str
    measures: tuple[str, ...]
    printed_total: bool = False
    compare_rows: tuple[str, ...] = ()
    compare_col: str | None = None
    compare_only: bool = False  # never a cell: only compared with the report's own table

    @property
    def measure(self) -> str:  # the name the narrative rule reports it under
        return self.row_id

    def cell(self) -> Cell:
        return Cell(self.table_id, self.row_id, self.col_id, self.value, source="narrative",
                    printed_text=self.text[:200], unit="件")


@dataclass
class LegacyRead:
    family: str | None = None
    values: list[LegacyValue] = field(default_factory=list)
    figures: list[StatedFigure] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def note(self, severity: str, code: str, message: str) -> None:
        if len(self.notes) < _MAX_NOTES:
            self.notes.append(Note(severity, code, message))
        elif len(self.notes) == _MAX_NOTES:
            self.notes.append(Note("info", "legacy_notes_truncated", f"more than {_MAX_NOTES} notes; the rest left out"))

    def by_measure(self) -> dict[str, float]:
        """measure → value (channels of one measure summed)."""
        out: dict[str, float] = {}
        for v in self.values:
            out[v.measure] = out.get(v.measure, 0.0) + v.value
        return out


# ------------------------------------------------------------------ compiled vocabulary

_QUOTE_OPEN, _QUOTE_CLOSE = "[“\"「『]?", "[”\"」』]?"


def _expand(pattern: str) -> str:
    return pattern.replace("{Q}", _QUOTE_OPEN).replace("{/Q}", _QUOTE_CLOSE)


@dataclass(frozen=True)
class _Compiled:
    measure: LegacyMeasure
    channel: str | None
    phrases: tuple[re.Pattern, ...]
    labels: tuple[re.Pattern, ...]
    zero: tuple[re.Pattern, ...]
    # literals each phrase / zero pattern needs (nianbao.parse.prefilter): most patterns cannot match
    # most prose, and a substring test says so far faster than the regex scan
    phrase_needs: tuple[Needs, ...] = ()
    zero_needs: tuple[Needs, ...] = ()
    # per phrase: where its matches can start (see _phrase_matches), or None
    phrase_spans: tuple[_PhraseSpan | None, ...] = ()


@cache
def _compiled() -> tuple[_Compiled, ...]:
    out = []
    for m in load().legacy_measures:
        unit = f"\\s*({m.units})"
        for v in m.variants:
            phrases = tuple(re.compile(f"(?:{_expand(p)}){_GAP}{_NUM}{unit}") for p in v.phrases)
            zero = tuple(re.compile(_expand(p)) for p in v.zero)
            out.append(_Compiled(
                m, v.channel, phrases,
                tuple(re.compile(_expand(p)) for p in v.labels),
                zero,
                tuple(required_literals(p) for p in phrases),
                tuple(required_literals(p) for p in zero),
                tuple(_phrase_span(_expand(p), c) for p, c in zip(v.phrases, phrases)),
            ))
    return tuple(out)


@dataclass(frozen=True)
class _PhraseSpan:
    width: int  # the longest text the phrase part can match
    needs: Needs  # literals every match of the phrase part holds
    phrase: re.Pattern | None  # the phrase part alone (None: it may look past its own end)


# What a phrase part may use for its matches to be found on a text cut just after them: no
# look-ahead, anchor or word boundary (they would see the cut), no group reference.
_SAFE_OPS = frozenset({sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.IN,
                       sre_constants.ANY, sre_constants.BRANCH, sre_constants.MAX_REPEAT,
                       sre_constants.MIN_REPEAT, sre_constants.SUBPATTERN})


def _cut_safe(items) -> bool:
    for op, av in items:
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            if av[0] != -1:  # a look-ahead
                return False
            if not _cut_safe(av[1].data):
                return False
            continue
        if op not in _SAFE_OPS:
            return False
        if op is sre_constants.SUBPATTERN:
            if av[1] or av[2] or not _cut_safe(av[3].data):
                return False
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            if not _cut_safe(av[2].data):
                return False
        elif op is sre_constants.BRANCH:
            if not all(_cut_safe(alt.data) for alt in av[1]):
                return False
    return True


def _phrase_span(phrase: str, pattern: re.Pattern) -> _PhraseSpan | None:
    """For the phrase part ``phrase`` of ``pattern``. None when the phrase part is unbounded
    or requires nothing, or the pattern can match an empty text (then no start can be ruled
    out: the stretch is scanned from its start)."""
    try:
        if sre_parse.parse(pattern.pattern).getwidth()[0] == 0:
            return None
        tree = sre_parse.parse(phrase)
        width = tree.getwidth()[1]
        needs = required_literals(phrase)
        if not needs or width >= 10_000:
            return None
        alone = re.compile(phrase) if not tree.state.flags & ~re.UNICODE and _cut_safe(tree.data) else None
    except Exception:  # a fragment that does not parse on its own: scan it all
        return None
    return _PhraseSpan(width, needs, alone)


_SHORT_STRETCH = 256  # shorter stretches are scanned whole: the bounds would cost more than they save


def _phrase_matches(pattern: re.Pattern, text: str, start: int, end: int, span: _PhraseSpan | None):
    """``pattern.finditer(text, start, end)`` for a phrase pattern — the same matches, found
    without trying every position of the stretch (Python's regex engine does for a pattern
    that opens with an optional part, and most of a stretch is far from the phrase's words).

    The phrase part opens each match, spans at most ``width`` characters and holds a literal of
    each group of ``needs``: a match starts at most ``width - len(literal)`` characters before
    an occurrence of one literal of every group, and at or before the last such occurrence.
    Between those bounds the phrase part alone is searched (on the text cut ``width`` after
    the last possible start, which no phrase match starting there reaches) and the whole
    pattern is tried where it matches; matches never overlap, as finditer's do not.
    """
    if span is None or end - start < _SHORT_STRETCH:
        return pattern.finditer(text, start, end)
    return _bounded_matches(pattern, text, start, end, span)


def _bounded_matches(pattern: re.Pattern, text: str, start: int, end: int, span: _PhraseSpan):
    width = span.width
    first, last = start, end
    for group in span.needs:
        lo = hi = None
        for literal in group:
            at = text.find(literal, start, end)
            if at < 0:
                continue
            at_first = at + len(literal) - width
            if lo is None or at_first < lo:
                lo = at_first
            at_last = text.rfind(literal, at, end)
            if hi is None or at_last > hi:
                hi = at_last
        if lo is None:
            return  # a required literal is missing: no match in the stretch
        if lo > first:
            first = lo
        if hi < last:
            last = hi
    phrase = span.phrase
    if phrase is None:
        yield from pattern.finditer(text, first, end)
        return
    cut = min(end, last + width)
    pos = first
    while pos <= last:
        pm = phrase.search(text, pos, cut)
        if pm is None:
            return
        at = pm.start()
        if at > last:
            return
        m = pattern.match(text, at, end)
        if m is None:
            pos = at + 1
        else:
            yield m
            pos = m.end()  # > at: the pattern matches no empty text


@dataclass(frozen=True)
class _Trap:
    id: str
    pattern: re.Pattern
    unless: re.Pattern | None  # the trap does not apply when this occurs earlier in its sentence
    needs: Needs
    scope: str  # sentence | from_clause (its clause's start to the sentence's end) | match
    groups: frozenset[str] | None  # measure groups it hides figures from (None: every group)


@dataclass(frozen=True)
class _Mask:
    start: int
    end: int
    groups: frozenset[str] | None

    def hides(self, pos: int, group: str) -> bool:
        return self.start <= pos < self.end and (self.groups is None or group in self.groups)


_TRAP_SCOPES = ("sentence", "from_clause", "match")


@cache
def _traps() -> tuple[_Trap, ...]:
    out = []
    for t in load().legacy_traps:
        pattern = re.compile(t["pattern"])
        scope = t.get("scope", "sentence")
        if scope not in _TRAP_SCOPES:
            raise ValueError(f"legacy_traps {t['id']}: scope {scope!r} is not one of {_TRAP_SCOPES}")
        groups = frozenset(t["groups"]) if t.get("groups") else None
        unless = re.compile(t["unless_before"]) if t.get("unless_before") else None
        out.append(_Trap(t["id"], pattern, unless, required_literals(pattern), scope, groups))
    return tuple(out)


@cache
def _family_markers() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((f["id"], tuple(f["markers"])) for f in load().legacy_families)


_SENTENCE_END = re.compile(r"[。;!?！？\n]")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.]|\(?[一二三四五六七八九十]{1,3}\)"
                            r"|第[一二三四五六七八九十]+[部章节])")
_UNIT_CELL = re.compile(r"^(?:件|条|宗|个|起|次|人次|例|项|人|名|篇|场|期|元|万元|份|家)$")
_NUMBER_CELL = re.compile(r"^\s*" + _NUM + r"\s*(件|条|宗|个|起|次|人次|例|项|人|名|篇|场|期|元|万元|份|家)?\s*$")
_LABEL_PREFIX = re.compile(r"^(?:其中[:,]?|\d{1,3}(?=[^\d.、)]))+")


def family_of(text: str) -> str | None:
    """Outline family (A, B or C, format-spec §3.1–3.3) of a pre-2019 report, by its markers;
    None when no marker is present. Ties go to the family listed first (C, B, A: the more
    specific outlines first)."""
    compact = re.sub(r"\s+", "", text)
    best, best_score = None, 0
    for fid, markers in _family_markers():
        score = sum(1 for mk in markers if mk in compact)
        if score > best_score:
            best, best_score = fid, score
    return best


# ------------------------------------------------------------------ prose

def join_prose(lines: list[str]) -> str:
    """Prose lines joined into running text: a line that does not end a sentence runs on into the
    next (PDF line breaks, numbers on their own line), except before or after a heading."""
    out: list[str] = []
    for line in lines:
        s = line.strip()
        if not s:
            continue
        if out and not _SENTENCE_END.search(out[-1][-1]) and not _HEADING_START.match(s) \
                and not _HEADING_START.match(out[-1]):
            out[-1] += s
        else:
            out.append(s)
    return "\n".join(out)


class _Sentences:
    """Sentence boundaries of a text, found on first use (bisect per lookup)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._ends: list[int] | None = None

    @property
    def ends(self) -> list[int]:
        if self._ends is None:
            # the match positions from the pieces between them (one-character matches), summed
            # in C rather than a Match object per sentence
            pieces = _SENTENCE_END.split(self.text)
            self._ends = list(map(add, accumulate(map(len, pieces[:-1])), range(len(pieces) - 1)))
        return self._ends

    def bounds(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_left(self.ends, pos)
        start = self.ends[i - 1] + 1 if i > 0 else 0
        end = self.ends[i] if i < len(self.ends) else len(self.text)
        return start, end


# Stretches of prose that hold a number with a unit: the only places a figure can be read, so
# the phrase patterns run there only (a report is mostly prose without figures).
_SEGMENT_END = re.compile(r"[。;!?！？]")
_NUM_UNIT = re.compile(_NUM + r"\s*(?:人次|万元|件|条|宗|个|起|次|例|项|人|名|篇|场|期|元|份|家)")


# Whether a stretch holds a _NUM_UNIT match, found cheaply: a match exists exactly when one
# starts at the number's last digit (or last Chinese numeral), and a pattern opening with a
# character class lets the regex engine skip to candidate characters instead of trying a
# branch at every position.
_NUM_UNIT_EXISTS = re.compile(
    r"[\d零〇一二两三四五六七八九十百千万](?:(?<=\d),*(?:\.\d+)?\s*万?)?\s*"
    r"(?:人次|万元|件|条|宗|个|起|次|例|项|人|名|篇|场|期|元|份|家)")


def _candidate_segments(text: str) -> list[tuple[int, int]]:
    """Sentences with a number and a unit, neighbours merged into one stretch."""
    out: list[tuple[int, int]] = []
    start = 0
    bounds = [m.start() for m in _SEGMENT_END.finditer(text)] + [len(text)]
    search = _NUM_UNIT_EXISTS.search
    for end in bounds:
        if search(text, start, end):
            if out and out[-1][1] + 1 >= start:
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
        start = end + 1
    return out


_CLAUSE_CUTS = "。;,、\n:"


def _clause_start(text: str, pos: int) -> int:
    lo = max(0, pos - 200)  # a clause is short; never scan back through the whole text
    cut = max(map(text.rfind, _CLAUSE_CUTS, repeat(lo), repeat(pos)))  # no generator frames
    return cut + 1 if cut >= 0 else lo


def _masked_sentences(text: str, read: LegacyRead, sentences: _Sentences | None = None) -> list[_Mask]:
    """The stretches the traps hide (vocabulary ``legacy_traps``): each trap's sentence, or
    from the start of its clause to the sentence's end ("…2016年受理12件，自《条例》实施以来累计
    受理129件。" keeps the 12), or only its own words (a printed label)."""
    sentences = sentences or _Sentences(text)
    spans = []
    for trap in _traps():
        if not may_match(trap.needs, text):
            continue
        for m in trap.pattern.finditer(text):
            s, e = sentences.bounds(m.start())
            if trap.unless is not None and trap.unless.search(text[s:m.start()]):
                continue
            if trap.scope == "from_clause":
                s = max(s, _clause_start(text, m.start()))
            elif trap.scope == "match":
                s, e = m.start(), m.end()
            spans.append(_Mask(s, e, trap.groups))
            if trap.scope != "match":
                what = f"figures of {', '.join(sorted(trap.groups))}" if trap.groups else "figures"
                read.note("info", "legacy_trap", f"{trap.id}: not read as {what}: {text[s:e][:120]}")
    return spans


def _value(number: str, unit: str, measure: LegacyMeasure) -> float | None:
    v = chinese_number(number)
    if v is None:
        return None
    if measure.is_amount and unit == "万元":
        v = round(v * 10000, 6)
    return v


def _other_year(text: str, start: int, pos: int, year: int | None) -> str | None:
    if year is None:
        return None
    for m in _YEAR.finditer(text, start, pos):
        if int(m.group(1)) != year:
            return m.group(1)
    return None


_SHARED = re.compile(r"[各均]\s*(?:为)?\s*$")  # "各为 N件": one number for several measures


@cache
def _parents() -> frozenset[str]:
    """Measures that are the context of another (vocabulary data: worked out once)."""
    return frozenset(m.context for m in load().legacy_measures if m.context)


def _read_prose(text: str, read: LegacyRead, measures: AbstractSet[str] | None, year: int | None,
                found: dict[tuple[str, str | None], LegacyValue],
                context: tuple[_Sentences, list[_Mask]]) -> None:
    """``context``: the text's sentences and masked (trap) spans, shared with _read_zero."""
    sentences, masked = context
    segments = _candidate_segments(text)
    if not segments:
        return
    consumed: set[tuple[int, int]] = set()
    parents = _parents()
    parent_at: list[tuple[int, str]] = []  # sorted (position, parent measure) of parent figures read

    def in_mask(pos: int, group: str) -> bool:
        return any(mask.hides(pos, group) for mask in masked)

    def nearest_parent(sentence_start: int, pos: int) -> str | None:
        i = bisect.bisect_left(parent_at, (pos, ""))
        return parent_at[i - 1][1] if i > 0 and parent_at[i - 1][0] >= sentence_start else None

    seg_texts = [text[s:e] for s, e in segments]
    # the stretches side by side ("\x00" is in no literal): one test rules a pattern out
    all_segs = seg_texts[0] if len(seg_texts) == 1 else "\x00".join(seg_texts)
    for comp in _compiled():
        m_id = comp.measure.id
        if measures is not None and m_id not in measures:
            continue
        key = (m_id, comp.channel)
        for pattern, needs, span in zip(comp.phrases, comp.phrase_needs, comp.phrase_spans):
            if not may_match(needs, all_segs):
                continue
            for (seg_start, seg_end), seg_text in zip(segments, seg_texts):
                if len(seg_texts) > 1 and not may_match(needs, seg_text):
                    continue  # the phrase cannot occur in this stretch
                for mt in _phrase_matches(pattern, text, seg_start, seg_end, span):
                    num_span = mt.span(1)
                    phrase_text = mt.group(0)[: mt.start(1) - mt.start(0)]
                    if masked and in_mask(mt.start(), comp.measure.group):
                        continue
                    shared = _SHARED.search(phrase_text) is not None
                    if num_span in consumed and not shared:
                        continue
                    s, _ = sentences.bounds(mt.start())
                    if comp.measure.context and nearest_parent(s, mt.start()) != comp.measure.context:
                        continue
                    other = _other_year(text, _clause_start(text, mt.start()), mt.start(), year)
                    if other:
                        read.note("info", "legacy_other_year",
                                  f"{m_id}: figure of {other}, not the report year: {mt.group(0)}")
                        continue
                    value = _value(mt.group(1), mt.group(2), comp.measure)
                    if value is None:
                        continue
                    if m_id in parents:
                        bisect.insort(parent_at, (mt.start(), m_id))
                    if key in found:
                        if abs(found[key].value - value) > 1e-6:
                            read.note("info", "legacy_conflicting_values",
                                      f"{m_id}: {found[key].printed_text} kept; also stated: {mt.group(0)}")
                        continue
                    if not shared:
                        consumed.add(num_span)
                    found[key] = LegacyValue(m_id, value, mt.group(2), mt.group(0).strip(), comp.channel,
                                             "narrative", mt.start())


def _read_zero(text: str, read: LegacyRead, measures: AbstractSet[str] | None, year: int | None,
               found: dict[tuple[str, str | None], LegacyValue],
               context: tuple[_Sentences, list[_Mask]]) -> None:
    sentences, masked = context
    stated = {m for m, _ in found}
    for comp in _compiled():
        m_id = comp.measure.id
        if (measures is not None and m_id not in measures) or m_id in stated or not comp.zero:
            continue
        for pattern, needs in zip(comp.zero, comp.zero_needs):
            if not may_match(needs, text):
                continue  # cannot match: no hit
            hit = next((z for z in pattern.finditer(text)
                        if not any(mask.hides(z.start(), comp.measure.group) for mask in masked)
                        and not _other_year(text, sentences.bounds(z.start())[0], z.start(), year)), None)
            if hit:
                found[(m_id, comp.channel)] = LegacyValue(m_id, 0.0, None, hit.group(0), comp.channel,
                                                          "narrative", hit.start())
                stated.add(m_id)
                break


def read_prose_values(text: str, measures: AbstractSet[str] | None, year: int | None,
                      read: LegacyRead | None = None) -> list[LegacyValue]:
    """Legacy measures stated in running prose (``measures``: only these; None: all), numbers
    first, then zero statements for the measures no number was found for."""
    read = read if read is not None else LegacyRead()
    found: dict[tuple[str, str | None], LegacyValue] = {}
    _read_narrative(text, read, measures, year, found)
    return list(found.values())


def _read_narrative(text: str, read: LegacyRead, measures: AbstractSet[str] | None, year: int | None,
                    found: dict[tuple[str, str | None], LegacyValue]) -> None:
    """Numbers first, then zero statements, over one sentence split and one set of trap spans
    (their notes added to ``read`` once)."""
    sentences = _Sentences(text)
    context = (sentences, _masked_sentences(text, read, sentences))
    _read_prose(text, read, measures, year, found, context)
    _read_zero(text, read, measures, year, found, context)


# ------------------------------------------------------------------ old statistical tables

def _row_cells(line) -> list[str] | None:
    if line.cells is not None:
        cells = [c for c in line.cells if c is not None]
    elif "|" in line.text:
        cells = line.text.split("|")
    else:
        m = re.match(r"^\s*([^\d\s][^\d]*?)\s+(?:(件|条|宗|个|起|次|人次|项|人|元|万元)\s+)?(\d[\d,.]*)\s*$", line.text)
        if not m:
            return None
        cells = [m.group(1), m.group(2) or "", m.group(3)]
    cells = [c.strip() for c in cells]
    return cells if sum(1 for c in cells if c) >= 2 else None


def _match_label(label: str, parent: str | None, unit: str | None = None) -> tuple[_Compiled, re.Match] | None:
    """The first measure (vocabulary order) whose label matches, and whose units take the row's
    unit cell when it has one (新闻发布会 | 条 is information published there, | 次 meetings held)."""
    for comp in _compiled():
        if comp.measure.context and comp.measure.context != parent:
            continue
        if unit and not re.fullmatch(comp.measure.units, unit):
            continue
        for pattern in comp.labels:
            m = pattern.search(label)
            if m:
                return comp, m
    return None


_PROSE_MARKS = re.compile(r"[。;,，!?！？]")
_VALUE_COLUMNS_TWO = re.compile(r"^(?:历年|总|合计|累计|自.{0,12}以来)?累计(?:数)?$")
_LONE_LABEL_MAX = 40  # a lone label cell of an old table is short


def _vertical_cells(lines, i: int) -> tuple[list[str], int] | None:
    """An old statistical table printed one cell per line ("受理依申请公开信息总数" / "条" /
    "100"): the row starting at line ``i`` — its label, a unit cell and the number cells that
    follow — and how many lines it spans; None when line ``i`` is not a lone label."""
    label = lines[i].text.strip()
    if (not label or len(label) > _LONE_LABEL_MAX or not re.search(r"[\u4e00-\u9fff]", label)
            or _UNIT_CELL.match(label) or _NUMBER_CELL.match(label) or _PROSE_MARKS.search(label)):
        return None
    # the unit column comes first: prose broken into lines by Word runs has no unit cell between
    # its words and its number ("条,专栏访问量" / "67" / "万人次")
    if i + 1 >= len(lines) or not _UNIT_CELL.match(lines[i + 1].text.strip()):
        return None
    cells = [label, lines[i + 1].text.strip()]
    j = i + 2
    while j < len(lines) and j <= i + 4:
        t = lines[j].text.strip()
        if not t or not _NUMBER_CELL.match(t) or re.fullmatch(r"(?:19|20)\d\d年?(?:度)?", t):
            break
        cells.append(t)
        j += 1
    if j < len(lines) and lines[j].text.strip()[:1] in ("万", "亿", "千"):
        return None  # the number runs on ("22.88" / "万条")
    return (cells, j - i) if len(cells) > 2 else None


def _read_tables(lines, read: LegacyRead, found: dict[tuple[str, str | None], LegacyValue]) -> int:
    v = load()
    parents = {m.context for m in v.legacy_measures if m.context}
    group_of = {m.id: m.group for m in v.legacy_measures}
    parent: str | None = None
    n_read = 0
    two_columns = False  # the table prints the year's value and a 历年累计 beside it
    skip_to = 0
    for i, line in enumerate(lines):
        if i < skip_to:
            continue
        if _VALUE_COLUMNS_TWO.match(line.text.strip()) or (line.cells and any(
                c and _VALUE_COLUMNS_TWO.match(c.strip()) for c in line.cells)):
            two_columns = True
        cells = _row_cells(line)
        vertical = False
        if not cells:
            found_cells = _vertical_cells(lines, i)
            if found_cells is None:
                continue
            cells, span = found_cells
            vertical = True
        label_idx = next((k for k, c in enumerate(cells) if re.search(r"[\u4e00-\u9fff]", c)
                          and not _UNIT_CELL.match(c) and not _NUMBER_CELL.match(c)), None)
        if label_idx is None:
            continue
        label = label_key(_LABEL_PREFIX.sub("", label_key(cells[label_idx])))
        label = re.sub(r"[“”\"「」]", "", label)
        unit_cell = next((c for c in cells[label_idx + 1:] if c and _UNIT_CELL.match(c)), None)
        hit = _match_label(label, parent, unit_cell)
        if hit is None:
            continue
        comp, lm = hit
        unit, number = None, None
        for c in cells[label_idx + 1:]:
            if not c:
                continue
            if _UNIT_CELL.match(c):
                unit = c
                continue
            nm = _NUMBER_CELL.match(c)
            if nm:
                number, unit = nm.group(1), nm.group(2) or unit
            break
        m_id = comp.measure.id
        if m_id in parents:
            parent = m_id
        elif parent and group_of[m_id] != group_of[parent]:
            parent = None
        if vertical:
            skip_to = i + span
            n_numbers = sum(1 for c in cells[1:] if not _UNIT_CELL.match(c))
            if two_columns and n_numbers == 1 and chinese_number(number or "") != 0:
                # one value where the table has two columns (the year's, 历年累计), a blank dropped:
                # which is it? (a lone 0 is the year's either way: 历年累计 0 leaves none this year)
                read.note("info", "legacy_table_one_value",
                          f"{m_id}: one value printed where the table has a year and a 历年累计 column, "
                          f"not read: {' | '.join(cells)}")
                continue
            if n_numbers > (2 if two_columns else 1):
                continue  # more numbers than the table has columns: not this row's alone
        if number is None:
            continue
        value = _value(number, unit or "", comp.measure)
        if value is None:
            continue
        channel = comp.channel
        if comp.measure.channel_template:
            channel = comp.measure.channel_template.format(None, *lm.groups())
        key = (m_id, channel)
        if key in found:
            if abs(found[key].value - value) > 1e-6:
                read.note("info", "legacy_conflicting_values",
                          f"{m_id}: {found[key].printed_text} kept; table row also says: {' | '.join(cells)}")
            continue
        found[key] = LegacyValue(m_id, value, unit, " | ".join(c for c in cells if c), channel, "table", i)
        n_read += 1
    return n_read


# ------------------------------------------------------------------ the crosswalk

def _pick(alternatives: Expression, values: dict[str, float]) -> tuple[str, ...]:
    i = choose(alternatives, values)
    return () if i is None else tuple(m for m in expression_ids(alternatives[i]) if m in values)


def crosswalk(values: list[LegacyValue], template: str, read: LegacyRead | None = None) -> list[StatedFigure]:
    """Map legacy measures onto cells of the contract (``legacy_crosswalk``)."""
    by_measure: dict[str, float] = {}
    texts: dict[str, list[str]] = {}
    for lv in values:
        by_measure[lv.measure] = by_measure.get(lv.measure, 0.0) + lv.value
        texts.setdefault(lv.measure, []).append(lv.printed_text)
    figures = []
    for cw, sources in _crosswalk_sources():
        if sources.isdisjoint(by_measure):
            continue  # no source measure stated: _pick finds nothing
        if not cw.applies_to(template):
            continue
        used = _pick(cw.source, by_measure)
        if not used:
            continue
        figures.append(_figure(cw, used, by_measure, texts))
    if template == "pre2019":
        figures = _drop_overlapping_outcomes(figures, by_measure, read)
    return figures


@cache
def _crosswalk_sources() -> tuple[tuple[Crosswalk, frozenset[str]], ...]:
    """Each crosswalk entry with every measure its source names (vocabulary data)."""
    return tuple((cw, frozenset(cw.measures)) for cw in load().legacy_crosswalk)


def _figure(cw: Crosswalk, used: tuple[str, ...], values: dict[str, float], texts: dict[str, list[str]]) -> StatedFigure:
    text = "; ".join(t for m in used for t in texts[m])
    return StatedFigure(cw.table, cw.row, cw.col, float(sum(values[m] for m in used)), text, used,
                        cw.printed_total, cw.compare_rows, cw.compare_col, cw.compare_only)


def _drop_overlapping_outcomes(figures: list[StatedFigure], values: dict[str, float],
                               read: LegacyRead | None) -> list[StatedFigure]:
    """Old outcome lists that add up to more than the replies stated overlap (IZ17: "在已经答复
    的9件申请中" then 7+1+1+1+1+1): none of them is mapped into the facts."""
    v = load()
    not_outcomes = {f.id for f in v.flows} | {v.t3_total_row.id}
    replies = next((f.value for f in figures if f.table_id == "t3" and f.row_id == v.t3_total_row.id), None)
    outcome_figs = [f for f in figures if f.table_id == "t3" and f.row_id not in not_outcomes and not f.compare_only]
    total = sum(f.value for f in outcome_figs)
    if replies is None or total <= replies + 1e-6:
        return figures
    if read is not None:
        read.note("warning", "legacy_outcomes_overlap",
                  f"outcomes stated add up to {total:g}, more than the {replies:g} replies stated: "
                  "kept as legacy measures, not mapped into fct_application_outcomes")
    return [f for f in figures if f not in outcome_figs]


# ------------------------------------------------------------------ entry point

def read_stated_figures(lines, sections: dict, start: int, template: str, year: int | None,
                        prose_text: str | None = None) -> LegacyRead:
    """Every figure the report states outside the national tables.

    ``lines`` are the document's normalised lines (nianbao.parse.tokens.Line), ``sections`` the
    sections found (id → Section), ``start`` the title line, ``prose_text`` the report's prose as
    the parser joined it (default: the non-table lines from the title on). For a ``pre2019`` report: every
    legacy measure, from prose and from old statistical tables, its outline family and the
    crosswalked figures. For a 2019+ report: only the measures its 总体情况 restates
    (``prose_2019``), from prose, as figures for the facts (when the table is missing) and for
    narrative_table_consistency.
    """
    read = LegacyRead()
    body = lines[start:]
    if prose_text is None:
        prose_text = "\n".join(ln.text for ln in body if ln.cells is None and "|" not in ln.text)
    found: dict[tuple[str, str | None], LegacyValue] = {}
    # old web pages put numbers on lines of their own (PG): there every line that does not end
    # a sentence runs on; 2019+ prose is read as the parser joined it
    text = join_prose(prose_text.split("\n")) if template == "pre2019" else prose_text
    if template == "pre2019":
        read.family = family_of("\n".join(ln.text for ln in body))
        n_table = _read_tables(body, read, found)
        _read_narrative(text, read, None, year, found)
        _read_empty_sections(lines, sections, read, found)
        if n_table:
            read.note("info", "legacy_table", f"{n_table} legacy measures read from an old statistical table")
    else:
        _read_narrative(text, read, _prose_2019_measures(), year, found)
    order = _sort_order()
    read.values = sorted(found.values(), key=lambda x: (order[x.measure], x.channel or ""))
    read.figures = crosswalk(read.values, template, read)
    return read


@cache
def _prose_2019_measures() -> frozenset[str]:
    return frozenset(m.id for m in load().legacy_measures if m.prose_2019)


@cache
def _sort_order() -> dict[str, int]:
    return {m.id: m.sort_order for m in load().legacy_measures}


def _read_empty_sections(lines, sections: dict, read: LegacyRead,
                         found: dict[tuple[str, str | None], LegacyValue]) -> None:
    v = load()
    empty = re.compile(v.legacy_empty_body)
    stated = {m for m, _ in found}
    for sid, measures in v.legacy_empty_sections.items():
        s = sections.get(sid)
        if s is None:
            continue
        body = "".join(ln.text.strip() for ln in lines[s.start + 1:s.end] if ln.text.strip())
        if not empty.match(body):
            continue
        for m_id in measures:
            if m_id not in stated:
                found[(m_id, None)] = LegacyValue(m_id, 0.0, None, f"{lines[s.start].text.strip()}: {body}", None,
                                                  "narrative", s.start)


def figure_for_row(row: str, value: float, text: str = "") -> StatedFigure:
    """A 2019+ prose figure for one contract row id (``new_received``, ``granted``,
    ``administrative_review`` …), compared with what the crosswalk says."""
    cw = next(c for c in load().legacy_crosswalk if c.row == row and c.applies_to("2019"))
    return StatedFigure(cw.table, cw.row, cw.col, float(value), text, cw.measures[:1], cw.printed_total,
                        cw.compare_rows, cw.compare_col, cw.compare_only)


def find_prose_figures(text: str, template: str = "2019", year: int | None = None) -> list[StatedFigure]:
    """Figures a 2019+ report states in prose, mapped onto table 三 / 四 cells: first occurrence
    of each measure. ``text`` is the report's prose (lines joined by newlines)."""
    read = LegacyRead()
    values = read_prose_values(join_prose(text.split("\n")), _prose_2019_measures(), year, read)
    return crosswalk(values, template if template != "pre2019" else "2019", read)
