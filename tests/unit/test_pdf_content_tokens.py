"""The PDF reader's content-stream tokeniser (nianbao.readers.fast.pdf_content) against pdfminer's own
PDFContentParser: the same objects (types, values, interned literals and keywords, nesting) on
hand-written and random streams, and pdfminer's parser wherever the fast one is not sure."""
from __future__ import annotations

import math
import re
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTContainer, LTText
from pdfminer.pdfinterp import PDFContentParser, PDFPageInterpreter, PDFResourceManager
from pdfminer.pdftypes import PDFStream
from pdfminer.psparser import LIT, PSEOF

from nianbao.readers.fast.pdf_content import VERIFIED, FastInterpreter, tokenise

pytestmark = pytest.mark.skipif(not VERIFIED, reason="another pdfminer.six: the fast tokeniser is off")

FAST = settings(max_examples=400, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def pdfminer_objects(datas: list[bytes]):
    """What pdfminer's execute reads from these streams (or the exception it meets)."""
    out = []
    try:
        parser = PDFContentParser([PDFStream({}, d) for d in datas])
    except PSEOF:
        return out
    while True:
        try:
            out.append(parser.nextobject()[1])
        except PSEOF:
            return out
        except Exception as exc:
            return exc


def same(a, b) -> bool:
    """Equal, of the same type (1 is not 1.0 nor True), literals and keywords the same object."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, bytes, str)):
        return a == b
    return a is b


def assert_fast_and_equal(*datas: bytes) -> list:
    fast = tokenise(list(datas))
    assert fast is not None, "took pdfminer's parser"
    expected = pdfminer_objects(list(datas))
    assert not isinstance(expected, Exception)
    assert same(fast, expected), (fast, expected)
    return fast


def assert_agrees(datas: list[bytes]) -> None:
    """Fast objects equal to pdfminer's, or None (pdfminer's parser then runs)."""
    fast = tokenise(datas)
    if fast is not None:
        expected = pdfminer_objects(datas)
        assert not isinstance(expected, Exception), expected
        assert same(fast, expected), (datas, fast, expected)


# -- hand-written streams ---------------------------------------------------------------------


@pytest.mark.parametrize("data", [
    b"1 -2 +3 4.5 -.5 .5 1. 007 -0 +.25 0.000 123456789012345678901234567890 Td",
    b"--3 1.2.3 1..2 - . +. -. +-1 1-2 1e5 12abc",  # pdfminer drops "-", "." and "+."
    b"/F1 /A#20B /#41#42 /a#4g /a##41 /x#/y /a#ff /\xe4\xb8\xad\xe6\x96\x87 /#e4#b8#ad / /Na.me_1 Tf",
    b"[1 [2 [3 (s) <01>]] /a ()] TJ << /A 1 /B [1 2] /C << /D (x) /E <> >> >> BDC [] << >>",
    b"/Span <</ActualText <FEFF0031>>> BDC /P <</MCID 0>> BDC",
    b"<</A <</B <01>>>>> <</A <01>>> <</A <01>> <</A <01> >> <</A <0102> >>",  # '>' after a hex string
    rb"(a\nb\rc\td\be\ff\(g\)h\\i) (\101\7\12x\1234\0\00\000\377) (\8\q\ \%) Tj",
    b"(ab\\\ncd) (ab\\\r\ncd) (ab\\\rcd) (\\\n) Tj",  # \ + end of line: nothing
    b"(a(b)c) (a(b\\)c)d) (()) (\\() (a\\\\) (%not a comment) (\x00\xff\r\n\t) Tj",
    b"<48656C6C6F> <48 65 6c\n6c 6f> <abc> <> <a> <\t0 1 2\r> <AbCdEf> Tj",
    b"1 % comment ) ( [ <\n2 %\r3 % no newline at the end",
    b"true false null true Tf [true false] <</A true>>",
    b"(a) ' 1 2 (b) \" T* 'x \"y",
    b"BT\x00x ET 1\x002\x00Td q\x0b1\x0c2 Q",  # NUL ends numbers, not keywords
    b"", b"   \n", b"% only a comment", b"1", b"Tj",
])
def test_one_stream(data):
    assert_fast_and_equal(data)


def test_objects_are_pdfminers():
    objs = assert_fast_and_equal(b"/F1 12 Tf 1 0 0 1 .5 -3. Tm [(a) -250 <0102>] TJ <</A /#20>>")
    assert objs[0] is LIT("F1") and type(objs[1]) is int and objs[7] == 0.5 and objs[8] == -3.0
    assert objs[10] == [b"a", -250, b"\x01\x02"] and objs[12] == {"A": LIT(" ")}


@pytest.mark.parametrize("datas", [
    [b"1 2", b"3 Td"],  # a stream's end ends its last token
    [b"[1 2", b"3] TJ"],  # an array over two streams
    [b"BT /F1 1", b"2 Tf ET"],
    [b"", b"1 2 Td", b""],
    [b"(a) T", b"j"],
    [b"1 %c", b"2 Td"],
    [b"<</A <01>", b">>"],
    [b"1.", b".5 /a ", b"1"],
])
def test_several_streams(datas):
    assert_fast_and_equal(*datas)


@pytest.mark.parametrize("datas", [
    [b"q BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI Q"],  # inline image: binary data
    [b"1 0 0 1 0 0 cm EI"],
    [b"(abc"], [b"<abc"], [b"[1 2"], [b"<< /A 1"], [b"<"],  # unterminated
    [b"1 ) 2"], [b"1 > 2"], [b"{ 1 }"], [b"[1 >>"], [b"<< /A ]"], [b"1 ]"],  # stray, mismatched
    [b"1 \x80 2"], [b"1 # 2"], [b"1 * 2"], [b"<< /A >>"],  # odd bytes, odd dict
    [rb"(\777) Tj"],  # pdfminer fails an assert
    [b"(a(b(c))) Tj"],  # nested deeper than the regex reads
    [b"/F1", b" 1 Tf"], [b"/a#41"], [b"1 /"],  # a name at a stream's end
    [b"[1 null] TJ"], [b"[(a) ' ]"],  # keywords inside an array
    [b"<01>", b"> 1"], [b"<</A <01>>>>"],
])
def test_fallback(datas):
    assert tokenise(datas) is None


def test_escaped_crlf_across_pdfminers_read_chunks():
    # pdfminer reads 4096 bytes at a time; "\\\r\n" with the \r last in a chunk keeps the \n
    across = b"(" + b"x" * 4093 + b"\\\r\nz) Tj"
    assert pdfminer_objects([across])[0] == b"x" * 4093 + b"\nz"
    assert tokenise([across]) is None
    assert_fast_and_equal(b"(" + b"x" * 4094 + b"\\\r\nz) Tj")
    assert_fast_and_equal(b"(" + b"x" * 4092 + b"\\\r\nz) Tj")


# -- random streams ---------------------------------------------------------------------------

_NUMBERS = st.one_of(
    st.integers(-10**6, 10**6).map(lambda n: str(n).encode()),
    st.floats(-1e4, 1e4, allow_nan=False).map(lambda f: b"%.4f" % f),
    st.from_regex(rb"\A[-+]?(?:[0-9]{1,3}\.?[0-9]{0,3}|\.[0-9]{1,3})\Z"),
)
_NOT_NUMBERS = st.from_regex(rb"\A[-+]?\.?\Z")  # pdfminer drops them: not in arrays or dicts
_NAME_BYTE = st.integers(0x21, 0xFF).filter(lambda b: bytes((b,)) not in b"#/%[]()<>{}")
_NAMES = st.lists(st.one_of(_NAME_BYTE.map(lambda b: bytes((b,))),
                            st.integers(0, 255).map(lambda b: b"#%02x" % b)), max_size=6).map(lambda p: b"/" + b"".join(p))
_KEYWORDS = st.sampled_from([b"Tj", b"TJ", b"Td", b"Tf", b"T*", b"cm", b"re", b"f", b"q", b"Q", b"BT", b"ET",
                             b"'", b'"', b"true", b"false", b"null", b"BDC", b"EMC", b"Do", b"gs", b"xyz"])
_ESCAPES = st.sampled_from([b"\\n", b"\\r", b"\\t", b"\\b", b"\\f", b"\\(", b"\\)", b"\\\\", b"\\\n",
                            b"\\\r\n", b"\\\r", b"\\q", b"\\7", b"\\12", b"\\123", b"\\0007", b"\\3771"])
_STRING_BYTE = st.integers(0, 255).filter(lambda b: b not in b"()\\").map(lambda b: bytes((b,)))
_STRINGS = st.lists(st.one_of(_STRING_BYTE, _ESCAPES, st.just(b"()"), st.just(b"(a\\)b)")), max_size=12).map(
    lambda p: b"(" + b"".join(p) + b")")
_HEX = st.lists(st.sampled_from(list(b"0123456789abcdefABCDEF \n\t")), max_size=12).map(lambda p: b"<" + bytes(p) + b">")
_ATOMS = st.one_of(_NUMBERS, _NOT_NUMBERS, _NAMES, _KEYWORDS, _STRINGS, _HEX)
_OPERANDS = st.one_of(_NUMBERS, _NAMES, _STRINGS, _HEX, st.sampled_from([b"true", b"false"]))
_OBJECTS = st.recursive(
    _OPERANDS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: b"[" + b" ".join(xs) + b"]"),
        st.lists(st.tuples(_NAMES, inner), max_size=3).map(
            lambda kv: b"<<" + b" ".join(k + b" " + v for k, v in kv) + b">>"),
    ),
    max_leaves=8,
)
_SEPARATORS = st.sampled_from([b" ", b"\n", b"\r\n", b"\x00", b"  \t", b"% c\n", b"\x0c"])


@FAST
@given(st.lists(st.tuples(st.one_of(_ATOMS, _OBJECTS), _SEPARATORS), max_size=30), st.integers(0, 4095))
def test_well_formed_random_streams_take_the_fast_path(pieces, pad):
    data = b"".join(t + sep for t, sep in pieces) + b"\n"  # a name at the very end falls back
    if b"\\\r\n" in data:  # keep clear of pdfminer's 4096-byte chunks (tested above)
        pad = 0
    datas = [b" " * pad + data]
    if re.search(rb"\\[4-7][0-7][0-7]", data):
        assert_agrees(datas)  # maybe an octal escape over \\377: pdfminer fails an assert
    else:
        assert_fast_and_equal(*datas)


_TRICKY_BYTES = b"()<>[]{}/%\\#-+.0123456789TjEIB \n\r\x00atrue"
_TRICKY = st.binary(max_size=80).map(lambda b: bytes(_TRICKY_BYTES[c % len(_TRICKY_BYTES)] for c in b))


@FAST
@given(st.lists(st.one_of(_TRICKY, st.binary(max_size=20), st.lists(st.one_of(_ATOMS, _SEPARATORS)).map(b"".join)),
                min_size=1, max_size=3), st.integers(0, 4095))
def test_random_bytes_agree_or_fall_back(datas, pad):
    # any bytes, split over up to three streams, some padded over pdfminer's 4096-byte reads
    assert_agrees(datas)
    assert_agrees([b" " * pad + d for d in datas])


# -- the interpreter --------------------------------------------------------------------------


def _render(interpreter_class, page_data: bytes, form_data: bytes):
    """A page (with fonts, a form XObject that draws itself again) rendered to pdfminer's
    layout objects; returns them with the interpreter's last operand stack."""
    rsrcmgr = PDFResourceManager()
    form = PDFStream({"Subtype": LIT("Form"), "BBox": [0, 0, 200, 200]}, form_data)
    form.set_objid(7, 0)
    font = {"Type": LIT("Font"), "Subtype": LIT("Type1"), "BaseFont": LIT("Helvetica")}
    form.attrs["Resources"] = {"Font": {"F1": font}, "XObject": {"X1": form}}
    page_stream = PDFStream({}, page_data)
    page_stream.set_objid(5, 0)
    device = PDFPageAggregator(rsrcmgr, pageno=1)
    page = SimpleNamespace(pageid=1, mediabox=(0, 0, 600, 800), rotate=0)
    interpreter = interpreter_class(rsrcmgr, device)
    device.begin_page(page, (1, 0, 0, 1, 0, 0))
    interpreter.render_contents({"Font": {"F1": font}, "XObject": {"X1": form}}, [page_stream])
    device.end_page(page)

    def walk(obj):
        text = obj.get_text() if isinstance(obj, LTText) else None
        children = [walk(o) for o in obj] if isinstance(obj, LTContainer) else None
        return (type(obj).__name__, tuple(round(v, 6) for v in obj.bbox), text, children)

    return walk(device.get_result()), interpreter.argstack


@pytest.mark.parametrize("page_data", [
    b"BT /F1 12 Tf 72 700 Td (Hello) Tj 0 -14 Td [(W) 120 (orld)] TJ T* (x) ' 1 2 (y) \" ET",
    b"q 1 0 0 1 10 10 cm 0 0 50 50 re f 0 0 m 10 10 l 20 0 30 10 40 0 c S Q /X1 Do",
    b"1 Td 5 6 7 unknownop 8 Tf BT /F1 Tf (a) Tj ET 1 2 3",  # too few operands, unknown operator
    b"BT /F1 12 Tf 100 100 Td <48656c6c6f> Tj ET q BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI Q /X1 Do",
    b"/Span <</ActualText <FEFF0031>>> BDC BT /F1 9 Tf (1) Tj ET EMC 0.5 g 1 0 0 RG 2 w [3 1] 0 d",
])
def test_fast_interpreter_draws_what_pdfminers_draws(page_data):
    form_data = b"BT /F1 10 Tf 5 5 Td (in form) Tj ET /X1 Do 0 0 10 10 re S"  # /X1 Do: circular
    fast = _render(FastInterpreter, page_data, form_data)
    stock = _render(PDFPageInterpreter, page_data, form_data)
    assert fast == stock
    assert fast[0][3], "nothing drawn"
