"""PDF content streams tokenised faster, for pdfminer's page interpreter.

pdfminer.six reads a page's content streams through a byte-level state machine
(``psparser.PSBaseParser``): about half of the CPU time of reading a PDF. ``FastInterpreter``
tokenises each stream with one compiled regular expression instead, builds the objects
pdfminer.six 20260107's ``PDFContentParser`` would (ints and floats by the same ``int()`` /
``float()``, bools, bytes, interned ``PSLiteral`` / ``PSKeyword``, lists, dicts) and runs them
through the same operator dispatch as ``PDFPageInterpreter.execute``. Whatever it is not sure
to read exactly as pdfminer does (inline images, bytes no token starts with, unbalanced
brackets, strings nested two levels deep, a name running into the next stream, ...) sends the
page's whole set of streams through pdfminer's own parser instead, before anything is executed.
"""
from __future__ import annotations

import binascii
import logging
import re
import string

import pdfminer
from pdfminer import settings
from pdfminer.pdfinterp import PDFContentParser, PDFPageInterpreter
from pdfminer.pdftypes import stream_value
from pdfminer.psparser import KWD, LIT, PSEOF, PSKeyword, keyword_name, literal_name
from pdfminer.utils import choplist

__all__ = ["FastInterpreter", "tokenise"]

log = logging.getLogger("pdfminer.pdfinterp")  # pdfminer's execute warns through this logger
VERIFIED = pdfminer.__version__ == "20260107"  # the psparser whose quirks are copied below

# One token, after any whitespace, NULs and comments (pdfminer's _parse_main skips those).
# Each kind stops where pdfminer's state for it stops (END_KEYWORD, END_LITERAL, END_NUMBER...).
_TOKEN = re.compile(
    rb"""(?:[\s\x00]++|%[^\r\n]*+)*+
    ( [-+0-9][0-9]*+(?:\.[0-9]*+)?+ | \.[0-9]*+         # number ('--3': '-', then -3)
    | [A-Za-z][^#/%\[\]()<>{}\s]*+                       # keyword ('T*' included)
    | /(?:[^#/%\[\]()<>{}\s]++|\#[0-9A-Fa-f]{0,2})*+     # name, '#xx' escapes
    | \((?:[^()\\]++|\\.|\((?:[^()\\]++|\\.)*+\))*+\)    # string, one level of nested ()
    | <<|>>|\[|\]
    | <[0-9A-Fa-f\s]*+>++                                # hex string and the '>'s after it
    | ['"]
    | .                                                  # anything else: pdfminer's parser
    | \Z )""",
    re.VERBOSE | re.DOTALL,
)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{0,2})")
_STRING_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|.)", re.DOTALL)
_CRLF_ESCAPE = re.compile(rb"\\\r\n")
# What pdfminer's _parse_string_1 makes of a backslash and what follows: \n \r \t \b \f \( \)
# \\ a byte, \ddd (up to three octal digits) a byte, \ + end of line nothing, and \ + any other
# byte drops both. An octal code over 255 is missing here: pdfminer fails an assert on it.
_ESCAPED = {bytes((c,)): b"" for c in range(256)}
_ESCAPED.update({b"b": b"\b", b"t": b"\t", b"n": b"\n", b"f": b"\f", b"r": b"\r", b"(": b"(", b")": b")",
                 b"\\": b"\\", b"\r\n": b""})
_ESCAPED.update({b"%0*o" % (width, n): bytes((n,)) for n in range(256) for width in (1, 2, 3) if n < 8**width})
_WHITESPACE = b" \t\n\r\x0b\x0c"  # what \s matches in a bytes pattern (pdfminer's SPC)
_NUMBER = frozenset(b"+-.0123456789")  # first bytes, as pdfminer's _parse_main dispatches
_KEYWORD = frozenset(string.ascii_letters.encode())
_INLINE_IMAGE = frozenset({KWD(b"BI"), KWD(b"ID"), KWD(b"EI")})  # binary data follows ID


class _Fallback(Exception):
    pass


def tokenise(datas: list[bytes]) -> list | None:
    """The objects pdfminer's PDFContentParser yields for these streams read one after
    another, or None where this tokeniser is not sure to match it."""
    try:
        return _tokenise(datas)
    except Exception:  # _Fallback, an octal escape over 255 (KeyError), anything unforeseen
        return None


def _tokenise(datas: list[bytes]) -> list:
    top: list = []  # the objects yielded to the interpreter
    cur = top  # where the next object goes: top, or the innermost open array / dict
    opened: list = []  # (enclosing list, b"[" or b"<<") for each open array or dict

    def close(kind: bytes) -> list:
        nonlocal cur
        if not opened or opened[-1][1] != kind:
            raise _Fallback  # pdfminer ignores a mismatched closer: not worth copying
        objs = cur
        cur = opened.pop()[0]
        if kind == b"[":
            cur.append(objs)
        elif len(objs) % 2:
            raise _Fallback  # pdfminer raises PSSyntaxError
        else:
            cur.append({literal_name(k): v for (k, v) in choplist(2, objs) if v is not None})
        return cur

    for data in datas:
        # pdfminer reads 4096 bytes at a time and drops the \n of a "\\\r\n" in a string only
        # when both are in the same chunk
        if b"\\\r\n" in data and any(m.start() % 4096 == 4094 for m in _CRLF_ESCAPE.finditer(data)):
            raise _Fallback
        tokens = _TOKEN.findall(data)
        while tokens and not tokens[-1]:
            tokens.pop()  # trailing whitespace (the \Z alternative)
        # A name at the very end of a stream may run on into the next one (or vanish at the
        # end of the last) in pdfminer: it keeps reading the name when its text so far is empty
        # or ends in a #xx escape.
        if tokens and tokens[-1][0] == 0x2F and data.endswith(tokens[-1]):
            raise _Fallback
        for tok in tokens:
            c = tok[0]
            if c in _NUMBER:
                try:  # "-", "." or "+." alone: pdfminer's int()/float() fail and it drops them
                    obj = float(tok) if b"." in tok else int(tok)
                except ValueError:
                    continue
            elif c in _KEYWORD:
                if tok == b"true":
                    obj = True
                elif tok == b"false":
                    obj = False
                else:
                    obj = KWD(tok)
                    if opened or obj in _INLINE_IMAGE:
                        raise _Fallback  # pdfminer keeps a keyword inside [] / << >> as is
            elif c == 0x2F:  # /name
                raw = tok[1:]
                if b"#" in raw:
                    raw = _NAME_ESCAPE.sub(lambda m: bytes((int(m[1], 16),)) if m[1] else b"", raw)
                try:
                    obj = LIT(str(raw, "utf-8"))
                except Exception:
                    obj = LIT(raw)
            elif c == 0x28:  # (string)
                if len(tok) == 1:
                    raise _Fallback  # unterminated, or nested deeper
                obj = tok[1:-1]
                if b"\\" in obj:
                    parts = _STRING_ESCAPE.split(obj)
                    parts[1::2] = map(_ESCAPED.__getitem__, parts[1::2])
                    obj = b"".join(parts)
            elif tok == b"<<" or tok == b"[":
                opened.append((cur, tok))
                cur = []
                continue
            elif tok == b">>":
                cur = close(b"<<")
                continue
            elif tok == b"]":
                cur = close(b"[")
                continue
            elif c == 0x3C and len(tok) > 1:  # <hex string>, then '>'s
                end = tok.index(b">")
                digits = tok[1:end].translate(None, _WHITESPACE)
                if len(digits) % 2:  # a last lone digit is that byte (pdfminer's HEX_PAIR)
                    obj = binascii.unhexlify(digits[:-1]) + bytes((int(digits[-1:], 16),))
                else:
                    obj = binascii.unhexlify(digits)
                cur.append(obj)
                # pdfminer reads the '>' that ends the string again: each pair of '>' from
                # there closes a dict, a lone last '>' is nothing
                for _ in range((len(tok) - end) // 2):
                    cur = close(b"<<")
                continue
            elif c == 0x27 or c == 0x22:  # ' and " are operators of one byte
                if opened:
                    raise _Fallback
                obj = KWD(tok)
            else:
                raise _Fallback  # a stray ) > { }, a lone <, an unterminated string, odd bytes
            cur.append(obj)
    if opened:
        raise _Fallback  # pdfminer drops an array or dict left open at the end
    return top


def _pdfminer_objects(streams):
    """pdfminer's own parser, read the way its execute reads it."""
    try:
        parser = PDFContentParser(streams)
    except PSEOF:
        return  # empty page
    while True:
        try:
            (_, obj) = parser.nextobject()
        except PSEOF:
            return
        yield obj


class FastInterpreter(PDFPageInterpreter):
    """``PDFPageInterpreter`` whose ``execute`` takes its objects from ``tokenise`` when it
    can; form XObjects come back here through ``subinterp`` / ``render_contents``."""

    _operators: dict = {}  # operator keyword -> (do_ function, number of operands)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._operators = {}  # a subclass may define other do_ methods

    def execute(self, streams) -> None:
        if settings.STRICT or not VERIFIED:
            return super().execute(streams)
        # pdfminer's guard against content streams that draw themselves, as it is
        valid_streams = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None:
                log.warning("Execute called on non-indirect object (inline image?) %r", stream)
                continue
            if stream.objid in self.parent_stream_ids:
                log.warning("Refusing to execute circular reference to content stream %d", stream.objid)
            else:
                valid_streams.append(stream)
                self.stream_ids.add(stream.objid)
        try:
            datas = [stream.get_data() for stream in valid_streams]
        except Exception:
            datas = None  # pdfminer's parser meets the error in its turn, after the streams before
        objects = tokenise(datas) if datas is not None else None
        if objects is None:
            objects = _pdfminer_objects(valid_streams)

        # pdfminer's dispatch: an operator takes its operands off the stack when there are
        # enough of them (and is skipped otherwise); an unknown one is ignored
        operators = self._operators
        for obj in objects:
            if isinstance(obj, PSKeyword):
                op = operators.get(obj)
                if op is None:
                    name = keyword_name(obj)
                    method = "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q")
                    func = getattr(type(self), method, None)
                    if func is None:
                        continue  # not an operator (not cached: a PDF may make up any number)
                    op = operators[obj] = (func, func.__code__.co_argcount - 1)
                func, nargs = op
                if nargs:
                    args = self.pop(nargs)
                    if len(args) == nargs:
                        func(self, *args)
                else:
                    func(self)
            else:
                self.argstack.append(obj)
