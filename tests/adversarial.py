"""Adversarial inputs for the parser: mutations of real and generated reports, and hostile files.

Shared by ``tests/unit/test_fuzz.py`` (a few of each, fast) and ``bench/fuzz.py`` (many).
Everything is built in memory at call time from the bundled samples, ``../shared/real-reports``
(when present) and the test-input generator; nothing is written into the repository.
"""
from __future__ import annotations

import io
import random
import re
import zipfile
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "raw" / "samples"
REAL = REPO.parent / "shared" / "real-reports"

PARSE_STATUSES = {"complete", "partial", "narrative_only", "metadata_only", "rejected"}

# Tokens a table-reading parser meets: labels of the official tables, numbers in every
# spelling, separators, and debris.
TABLE_TOKENS = (
    "本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "本年度办理结果", "予以公开",
    "部分公开", "不予公开", "无法提供", "不予处理", "其他处理", "总计", "结转下年度继续办理",
    "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他",
    "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "未经复议直接起诉",
    "复议后起诉", "规章", "规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费",
    "政府集中采购项目", "本年制发件数", "本年废止件数", "现行有效件数", "本年新制作数量",
    "（一）", "（二）", "（三）", "1.", "2.", "一、", "二、", "三、", "四、", "五、", "|", "||",
    "\t", " ", "　", "0", "1", "13", "267", "1,234", "1.5", "-", "—", "／", "/", "减89", "万元",
    "13准予撤诉", "2131.212万元", "９", "①", "Ⅲ", "(cid:12)", "\ufffd", "年", "月", "日",
    "政府信息公开工作年度报告", "人民政府", "2020年", "2021年度", "索引号", "发布日期",
)


# -- seeds -------------------------------------------------------------------------------------


@cache
def seed_files() -> dict[str, bytes]:
    """Name → bytes: the five samples, the real PDFs/DOCX when ../shared is present, and one
    generated report per format (txt, html, pdf, docx)."""
    seeds = {p.name: p.read_bytes() for p in sorted(SAMPLES.iterdir()) if p.is_file()}
    if REAL.is_dir():
        for p in sorted(REAL.iterdir()):
            if p.suffix in (".pdf", ".docx"):
                seeds[p.name] = p.read_bytes()
    seeds.update(generated_reports(random.Random(20261123), per_format=1))
    return seeds


def generated_reports(rng: random.Random, per_format: int = 1) -> dict[str, bytes]:
    from tests.generator.cases import random_case

    out: dict[str, bytes] = {}
    for fmt in ("txt", "html", "pdf", "docx"):
        for i in range(per_format):
            name, data = random_case(rng, (fmt,)).render()
            out[f"generated-{i}-{name}"] = data
    return out


def html_report() -> bytes:
    """A sample's pipe tables turned into an HTML page with real <table> markup."""
    text = (SAMPLES / "huzhou-nanxun-district-2020-pipe-tables.txt").read_text("utf-8")
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>年度报告</title></head><body>"]
    in_table = False
    for line in text.splitlines():
        if line.count("|") >= 2:
            if not in_table:
                parts.append("<table border=1>")
                in_table = True
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        else:
            if in_table:
                parts.append("</table>")
                in_table = False
            parts.append(f"<p>{line}</p>")
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


# -- mutations ---------------------------------------------------------------------------------


def truncations(data: bytes, fractions=(0.0, 0.01, 0.1, 0.33, 0.5, 0.9, 0.99)) -> list[bytes]:
    return [data[: int(len(data) * f)] for f in fractions] + [data[:-1]]


def mutate(rng: random.Random, data: bytes, edits: int | None = None) -> bytes:
    """Random byte flips, insertions, deletions, duplicated and swapped chunks."""
    buf = bytearray(data)
    for _ in range(edits if edits is not None else rng.randint(1, 12)):
        if not buf:
            buf.extend(rng.randbytes(rng.randint(1, 64)))
            continue
        i = rng.randrange(len(buf))
        op = rng.randrange(6)
        if op == 0:
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[i] = rng.randrange(256)
        elif op == 2:
            buf[i:i] = rng.randbytes(rng.randint(1, 32))
        elif op == 3:
            del buf[i:i + rng.randint(1, 256)]
        elif op == 4:
            j = rng.randrange(len(buf))
            buf[i:i] = buf[j:j + rng.randint(1, 512)]
        else:
            buf[i:i] = rng.choice((b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"<", b">", b"%%EOF",
                                   b"endstream", b"obj", b"\r", b"|", "（三）".encode(), b"\xe4\xb8"))
    return bytes(buf)


def docx_mutations(rng: random.Random, data: bytes) -> bytes:
    """A DOCX whose parts are damaged inside a valid ZIP (mutations of a ZIP's raw bytes mostly
    break the ZIP itself, which the reader rejects at once)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "word/document.xml" or rng.random() < 0.1:
                how = rng.randrange(4)
                if how == 0:
                    body = mutate(rng, body)
                elif how == 1:
                    body = body[: rng.randrange(len(body) + 1)]
                elif how == 2:  # nest tables/paragraphs absurdly deep
                    k = rng.choice((50, 500, 5000))
                    body = body.replace(b"<w:body>", b"<w:body>" + b"<w:tbl><w:tr><w:tc>" * k, 1)
                else:
                    body = body.replace(b"gridSpan w:val=\"", b"gridSpan w:val=\"99999", 3)
            zf.writestr(info.filename, body)
    return out.getvalue()


# -- hostile files -----------------------------------------------------------------------------


def docx_zip_bomb(megabytes: int = 200) -> bytes:
    """A tiny DOCX whose document.xml inflates to ``megabytes`` MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b"<w:p/>" * (1 << 17)
            for _ in range(megabytes * (1 << 20) // len(block)):
                fh.write(block)
    return buf.getvalue()


def docx_with_external_entity(url: str = "http://127.0.0.1:9/evil.dtd", padding: int = 0) -> bytes:
    """A real DOCX whose document.xml declares an external DTD and entity (XXE). ``padding``
    bytes of comment before the DOCTYPE push it past a sniffing window."""
    base = REAL / "blank-2021-template.docx"
    src = zipfile.ZipFile(io.BytesIO(base.read_bytes() if base.is_file() else _minimal_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "word/document.xml":
                decl_end = body.index(b"?>") + 2 if body.startswith(b"<?xml") else 0
                dtd = (b"<!-- " + b"x" * padding + b" -->" if padding else b"") + (
                    b'<!DOCTYPE w:document [<!ENTITY ext SYSTEM "' + url.encode() + b'">'
                    b'<!ENTITY file SYSTEM "file:///etc/hostname"> %s]>' % (
                        b'<!ENTITY % remote SYSTEM "' + url.encode() + b'"> %remote;'))
                body = body[:decl_end] + dtd + body[decl_end:]
                body = body.replace(b"</w:body>", b"<w:p><w:r><w:t>&ext;&file;</w:t></w:r></w:p></w:body>", 1)
            zf.writestr(info, body)
    return out.getvalue()


def _minimal_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("某县人民政府2023年政府信息公开工作年度报告")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def html_with_remote_resources(url: str = "http://127.0.0.1:9") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>某县2023年政府信息公开工作年度报告</title>"
        f"<link rel=stylesheet href='{url}/a.css'><script src='{url}/a.js'></script>"
        f"<meta http-equiv=refresh content='0;url={url}/'><base href='{url}/'></head><body>"
        f"<img src='{url}/a.png'><iframe src='{url}/frame'></iframe><object data='{url}/o'></object>"
        f"<p style=\"background:url({url}/bg.png)\">一、总体情况</p>"
        f"<svg><image href='{url}/s.png'/></svg><video src='{url}/v.mp4'></video>"
        f"<table><tr><td>本年新收政府信息公开申请数量</td><td>3</td></tr></table>"
        f"<script>fetch('{url}/x')</script></body></html>"
    ).encode()


def nested_html(depth: int, tag: str = "div", closed: bool = True) -> bytes:
    body = f"<{tag}>" * depth + "本年新收政府信息公开申请数量 3" + (f"</{tag}>" * depth if closed else "")
    return f"<html><body>{body}</body></html>".encode()


def broken_html(rng: random.Random) -> bytes:
    tags = ("table", "tr", "td", "th", "p", "div", "span", "br", "b", "tbody", "!--", "script",
            "style", "title", "html", "body", "td colspan=9999", "td rowspan=99999", "td rowspan=-3",
            "table border=1", "a href='http://127.0.0.1:9'", "img src=x", "![CDATA[")
    out = []
    for _ in range(rng.randint(1, 400)):
        r = rng.random()
        if r < 0.4:
            out.append("<" + ("/" if rng.random() < 0.3 else "") + rng.choice(tags) + (">" if rng.random() < 0.9 else ""))
        elif r < 0.8:
            out.append(rng.choice(TABLE_TOKENS))
        else:
            out.append(rng.choice(("&amp;", "&#x0;", "&#99999999;", "&nbsp;", "&", "\x00", "\ufeff", "\r\n")))
    return "".join(out).encode(rng.choice(("utf-8", "gb18030", "utf-16")), "replace")


def pdf_from_objects(objs: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF with an xref table from the object bodies (object i+1 = objs[i]; 1 is the catalog)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<</Size %d/Root 1 0 R%s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, trailer_extra, xref)
    return bytes(out)


def pdf_many_pages(n: int) -> bytes:
    """``n`` empty pages: a small file whose page tree is huge."""
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    page = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>"
    return pdf_from_objects([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Count %d/Kids[%s]>>" % (n, kids)]
                            + [page] * n)


def pdf_deep_page_tree(depth: int) -> bytes:
    """Page-tree nodes nested ``depth`` deep (recursive readers overflow the stack)."""
    objs = [b"<</Type/Catalog/Pages 2 0 R>>"]
    for i in range(depth):
        objs.append(b"<</Type/Pages/Count 1/Kids[%d 0 R]>>" % (i + 3))
    objs.append(b"<</Type/Page/MediaBox[0 0 10 10]>>")
    return pdf_from_objects(objs)


def pdf_flate_bomb(megabytes: int = 64) -> bytes:
    """One page whose content stream inflates to ``megabytes`` MB of drawing operators."""
    z = zlib.compressobj(9)
    chunk = b"0 0 m 1 1 l S " * (1 << 16)
    comp = b"".join(z.compress(chunk) for _ in range(megabytes * (1 << 20) // len(chunk))) + z.flush()
    return pdf_from_objects([
        b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]/Contents 4 0 R>>",
        b"<</Length %d/Filter/FlateDecode>>\nstream\n" % len(comp) + comp + b"\nendstream",
    ])


def pdf_with_actions(url: str = "http://127.0.0.1:9/") -> bytes:
    """JavaScript on open, a URI link, a launch action and an embedded remote reference."""
    return pdf_from_objects([
        b"<</Type/Catalog/Pages 2 0 R/OpenAction 5 0 R/Names<</JavaScript<</Names[(x) 5 0 R]>>>>>>",
        b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Annots[6 0 R 7 0 R]/Contents 4 0 R"
        b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>",
        b"<</Length 60>>\nstream\nBT /F1 12 Tf 10 100 Td (Annual report of the county 2023) Tj ET\nendstream",
        b"<</S/JavaScript/JS(app.launchURL('" + url.encode() + b"');)>>",
        b"<</Type/Annot/Subtype/Link/Rect[0 0 50 50]/A<</S/URI/URI(" + url.encode() + b")>>>>",
        b"<</Type/Annot/Subtype/Link/Rect[0 0 50 50]/A<</S/Launch/F(/bin/sh)>>>>",
    ])


def broken_pdf_variants(rng: random.Random, data: bytes) -> list[bytes]:
    """Structural damage to a real PDF: no xref, wrong stream lengths, garbage streams, cut at
    each %%EOF, a second bogus revision."""
    out = [
        data.replace(b"xref", b"xxxx"),
        data.replace(b"/Length ", b"/Length 9", 5),
        data.replace(b"startxref", b"startxref\n999999999\n", 1),
        data.replace(b"/FlateDecode", b"/LZWDecode", 3),
        data.replace(b"/Root", b"/Root 99999 0 R /Foo", 1),
        data + b"\n1 0 obj\n<</Type/Catalog/Pages 1 0 R>>\nendobj\nxref\n0 1\n0000000000 65535 f \n"
               b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF",
    ]
    streams = [m.start() for m in re.finditer(rb"stream\r?\n", data)][:50]
    for i in rng.sample(streams, min(3, len(streams))):
        out.append(data[: i + 8] + rng.randbytes(256) + data[i + 264:])
    eof = data.find(b"%%EOF")
    if eof > 0:
        out.append(data[:eof])
    return out


# -- the stream of inputs ----------------------------------------------------------------------


def hostile_files() -> dict[str, bytes]:
    """The named hostile files, each once."""
    return {
        "zip-bomb.docx": docx_zip_bomb(200),
        "xxe.docx": docx_with_external_entity(),
        "xxe-padded.docx": docx_with_external_entity(padding=8000),
        "remote.html": html_with_remote_resources(),
        "nested-100k.html": nested_html(100_000),
        "nested-100k-unclosed.html": nested_html(100_000, closed=False),
        "nested-tables.html": nested_html(20_000, "table"),
        "nested-td.html": nested_html(20_000, "td", closed=False),
        "pages-20000.pdf": pdf_many_pages(20_000),
        "deep-page-tree.pdf": pdf_deep_page_tree(5_000),
        "flate-bomb.pdf": pdf_flate_bomb(64),
        "actions.pdf": pdf_with_actions(),
        "html.html": html_report(),
        "empty.txt": b"",
        "nul.txt": b"\x00" * 4096,
        "bom-only.txt": b"\xef\xbb\xbf",
        "utf16-odd.txt": b"\xff\xfe" + "年度报告".encode("utf-16-le") + b"\x00",
        "lone-surrogates.txt": b"\xff\xfe\x00\xd8\x00\xd8a\x00",
        "cesu-surrogates.txt": b"\xed\xa0\x80\xed\xb0\x80" * 100,
        "long-line.txt": ("本年新收政府信息公开申请数量" + "1" * 200_000).encode(),
        "many-pipes.txt": ("|" * 100_000 + "\n").encode() * 5,
    }


def random_input(rng: random.Random) -> tuple[str, bytes]:
    """One adversarial input, drawn from every family above."""
    seeds = seed_files()
    name = rng.choice(sorted(seeds))
    data = seeds[name]
    r = rng.random()
    if r < 0.30:
        return f"mut-{name}", mutate(rng, data)
    if r < 0.45:
        return f"trunc-{name}", data[: rng.randrange(len(data) + 1)]
    if r < 0.55 and name.endswith(".docx"):
        return f"docxmut-{name}", docx_mutations(rng, data)
    if r < 0.55:
        docx = [n for n in seeds if n.endswith(".docx")]
        return "docxmut.docx", docx_mutations(rng, seeds[rng.choice(docx)]) if docx else b""
    if r < 0.62:
        pdfs = [n for n in seeds if n.endswith(".pdf")]
        if pdfs:
            p = rng.choice(pdfs)
            return f"pdfbreak-{p}", rng.choice(broken_pdf_variants(rng, seeds[p]))
    if r < 0.72:
        return "broken.html", broken_html(rng)
    if r < 0.80:
        tokens = [rng.choice(TABLE_TOKENS) for _ in range(rng.randint(1, 600))]
        sep = rng.choice(("", " ", "\n", "|", "\t"))
        return "tokens.txt", sep.join(tokens).encode(rng.choice(("utf-8", "gb18030", "big5", "utf-16")), "replace")
    if r < 0.85:
        return rng.choice(("junk.bin", "junk.pdf", "junk.docx", "junk.html", "junk")), rng.randbytes(rng.randint(0, 20_000))
    if r < 0.90:
        a, b = rng.sample(sorted(seeds), 2)
        cut = rng.randrange(len(seeds[a]) + 1)
        return f"splice-{a}", seeds[a][:cut] + seeds[b][rng.randrange(len(seeds[b]) + 1):]
    return f"mut-{name}", mutate(rng, data, edits=rng.randint(50, 500))


def random_inputs(rng: random.Random, n: int) -> Iterator[tuple[str, bytes]]:
    for _ in range(n):
        yield random_input(rng)


# -- a raw folder of everything a crawler leaves behind ----------------------------------------

LONG_ASCII_NAME = "n" * 196 + ".txt"  # 200 characters
LONG_CHINESE_NAME = "年" * 80 + ".txt"  # 84 characters, 244 bytes: near the 255-byte limit
NON_UTF8_NAME = b"gbk-\xc4\xea\xb1\xa8.txt"  # 年报 in GBK, as an archive unpacked on Linux leaves it


def make_messy_raw_dir(raw: Path, outside: Path, size_cap: int) -> dict[str, tuple[str, str | None]]:
    """Fill ``raw`` with the five samples plus every kind of bad file; ``outside`` is a folder
    beside it for link targets. Returns source_path → (file_status, words the reason contains)
    for the files whose outcome is known in advance (the rest: any status, consistent with
    dim_report). ``size_cap`` is the NIANBAO_MAX_FILE_BYTES the run will use."""
    import os

    raw.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    expected: dict[str, tuple[str, str | None]] = {}

    def put(rel: str, data: bytes, status: str | None = None, reason: str | None = None) -> None:
        path = raw / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if status:
            expected[rel] = (status, reason)

    nanxun = SAMPLES / "huzhou-nanxun-district-2020-pipe-tables.txt"
    for p in sorted(SAMPLES.iterdir()):
        put(f"samples/{p.name}", p.read_bytes(), "parsed")
    put("zz-copies/南浔 报告 copy.txt", nanxun.read_bytes(), "duplicate", "same content as samples/huzhou-nanxun")
    put("zz-copies/second copy.txt", nanxun.read_bytes(), "duplicate", "same content as samples/huzhou-nanxun")
    put("empty.txt", b"", "rejected", "empty file")
    put("junk/empty again.dat", b"", "duplicate", "same content as empty.txt")
    put("junk/binary.bin", random.Random(1).randbytes(30_000), "rejected", "binary data")
    put("junk/zeros.pdf", b"\x00" * 5000, "rejected", None)
    put("junk/image.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "rejected", "PNG image")
    put("junk/legacy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "rejected", "legacy binary Office")
    put("truncated/nanxun-cut.html", html_report()[:5000])
    put("truncated/nanxun-cut.txt", nanxun.read_bytes()[:3001])  # cut inside a UTF-8 character
    docx = seed_files().get("blank-2021-template.docx") or next(
        v for k, v in sorted(seed_files().items()) if k.endswith(".docx"))
    put("truncated/template-cut.docx", docx[: len(docx) // 2], "rejected", "malformed DOCX")
    pdf = seed_files().get("hongze-2024.pdf")
    if pdf:
        put("pdf/hongze-2024.pdf", pdf, "parsed")
        put("truncated/hongze-cut.pdf", pdf[: len(pdf) // 3])
    put("bombs/zip-bomb.docx", docx_zip_bomb(80), "rejected", "zip bomb")
    put("bombs/nested.html", nested_html(30_000))
    put("big/over the cap.txt", nanxun.read_bytes() * (size_cap // nanxun.stat().st_size + 1),
        "rejected", "over the size cap")
    # odd names
    sample = (SAMPLES / "panjin-business-environment-bureau-2021-traditional-cell-per-line.txt").read_bytes()
    put("names/  leading and  double spaces .txt", sample + b"\n1", "parsed")
    put("names/盘锦 年报（2021）副本.txt", sample + b"\n2", "parsed")
    put(f"names/{LONG_ASCII_NAME}", sample + b"\n3", "parsed")
    put(f"names/{LONG_CHINESE_NAME}", sample + b"\n4", "parsed")
    put("names/new\nline.txt", sample + b"\n5", "parsed")
    put("names/quote'and\"semicolon;.txt", sample + b"\n6", "parsed")
    put("names/.hidden-report.txt", sample + b"\n7", "rejected", "hidden file")
    (raw / "names").mkdir(exist_ok=True)
    with open(os.path.join(os.fsencode(raw / "names"), NON_UTF8_NAME), "wb") as fh:
        fh.write(sample + b"\n8")
    expected["names/" + NON_UTF8_NAME.decode("utf-8", "backslashreplace")] = ("rejected", "not valid UTF-8")
    # links: never followed
    (outside / "secret.txt").write_bytes(nanxun.read_bytes() + b"\noutside")
    (outside / "folder").mkdir(exist_ok=True)
    (outside / "folder" / "inner.txt").write_bytes(b"inside an outside folder")
    (raw / "links").mkdir(exist_ok=True)
    os.symlink(raw / "samples" / nanxun.name, raw / "links" / "to-inside.txt")
    os.symlink(outside / "secret.txt", raw / "links" / "to-outside.txt")
    os.symlink(raw / "links" / "nowhere.txt", raw / "links" / "dangling.txt")
    os.symlink(outside / "folder", raw / "links" / "to-outside-folder")
    os.symlink("../samples", raw / "links" / "to-inside-folder")
    os.symlink("loop-b", raw / "links" / "loop-a")
    os.symlink("loop-a", raw / "links" / "loop-b")
    for name in ("to-inside.txt", "to-outside.txt", "dangling.txt", "to-outside-folder", "to-inside-folder",
                 "loop-a", "loop-b"):
        expected[f"links/{name}"] = ("rejected", "symbolic link")
    os.mkfifo(raw / "junk" / "a-fifo")
    expected["junk/a-fifo"] = ("rejected", "not a regular file")
    return expected


def files_on_disk(raw: Path) -> set[str]:
    """Every non-directory entry under ``raw`` (links not followed), as source paths."""
    import os

    out = set()
    for dirpath, dirnames, filenames in os.walk(raw, followlinks=False):
        base = Path(dirpath)
        for name in filenames + [d for d in dirnames if (base / d).is_symlink()]:
            rel = (base / name).relative_to(raw).as_posix()
            out.add(os.fsencode(rel).decode("utf-8", "backslashreplace"))
    return out


def readable(reason: str | None) -> bool:
    """A reason a person can read: a sentence, one line, no traceback, not absurdly long."""
    return (isinstance(reason, str) and 8 <= len(reason) <= 600 and " " in reason
            and "\n" not in reason and "Traceback" not in reason)
