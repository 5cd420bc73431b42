"""The PDF reader on its own: CPU per PDF, and what it reads, against a stored baseline.

    python bench/pdf.py time [N]           # CPU per PDF: the real PDFs, N generated ones (default 60)
    python bench/pdf.py write [OUT]        # dump every PDF's Document (default bench/out/pdf-documents.txt)
    python bench/pdf.py check [OUT]        # read again, list the PDFs whose Document differs

The corpus is fixed and cached in bench/out/pdf-corpus.pkl: the real PDFs of ../shared/real-reports,
generated PDFs of every layout (tests/generator, all perturbations, single- and multi-page), and
broken or hostile variants of them (tests/adversarial). ``time`` prints CPU time (``time.process_time``,
so other load on the machine barely moves it) per file, best of three passes, beside the issue's
target (≤ 40 ms per 5-page real report).
"""
from __future__ import annotations

import json
import multiprocessing
import pickle
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CORPUS = REPO / "bench" / "out" / "pdf-corpus.pkl"
DEFAULT_OUT = REPO / "bench" / "out" / "pdf-documents.txt"
REAL = REPO.parent / "shared" / "real-reports"
TARGET_MS_PER_5_PAGES = 40.0


def _generated(i: int) -> tuple[str, bytes]:
    from tests.generator import random_case

    case = random_case(random.Random(f"pdf-bench:{i}"), ("pdf",))
    name, data = case.render()
    return f"gen{i:04d}_{case.layout}_{'+'.join(sorted(case.perturbations)) or 'plain'}", data


def build_corpus(n_generated: int = 400) -> list[tuple[str, bytes]]:
    if CORPUS.is_file():
        return pickle.loads(CORPUS.read_bytes())
    with multiprocessing.get_context("fork").Pool(2) as pool:
        files = pool.map(_generated, range(n_generated), chunksize=8)
    files += [(f"real/{p.name}", p.read_bytes()) for p in sorted(REAL.glob("*.pdf"))]
    from tests import adversarial as adv

    rng = random.Random(20261201)
    sources = [data for _, data in files]
    for i in range(150):
        for j, data in enumerate(adv.broken_pdf_variants(rng, rng.choice(sources))[:2]):
            files.append((f"broken{i:03d}.{j}", data))
    files += [(f"hostile/{name}", data) for name, data in adv.hostile_files().items() if name.endswith(".pdf")]
    CORPUS.parent.mkdir(parents=True, exist_ok=True)
    CORPUS.write_bytes(pickle.dumps(files))
    return files


def describe(data: bytes) -> dict:
    """The Document as plain data, or the rejection reason."""
    from nianbao.readers.document import TableBlock, UnreadableFile
    from nianbao.readers.pdf import read_pdf

    try:
        doc = read_pdf(data)
    except UnreadableFile as exc:
        return {"rejected": str(exc)}
    blocks = [{"table": b.rows} if isinstance(b, TableBlock) else {"lines": b.lines} for b in doc.blocks]
    return {"pages": doc.page_count, "notes": doc.notes, "blocks": blocks}


def _describe_line(item: tuple[str, bytes]) -> str:
    label, data = item
    return label + "\t" + json.dumps(describe(data), ensure_ascii=False, sort_keys=True)


def dump(files: list[tuple[str, bytes]]) -> list[str]:
    with multiprocessing.get_context("fork").Pool(2, maxtasksperchild=50) as pool:
        return pool.map(_describe_line, files, chunksize=4)


def cpu_per_file(files: list[tuple[str, bytes]], rounds: int = 3) -> list[float]:
    from nianbao.readers.pdf import read_pdf

    best = [float("inf")] * len(files)
    for _ in range(rounds):
        for i, (_, data) in enumerate(files):
            t0 = time.process_time()
            try:
                read_pdf(data)
            except Exception:
                pass
            best[i] = min(best[i], time.process_time() - t0)
    return best


def page_count(data: bytes) -> int:
    import pypdfium2

    with pypdfium2.PdfDocument(data) as pdf:
        return len(pdf)


def time_main(n: int) -> int:
    real = [(p.name, p.read_bytes()) for p in sorted(REAL.glob("*.pdf")) if p.name != "unreadable-font.pdf"]
    generated = [_generated(i) for i in range(n)]
    cpu_per_file(real[:1], rounds=1)  # imports, first font load
    print("CPU per PDF (best of 3, one process; the machine may be shared)")
    print(f"{'file':<48}{'pages':>6}{'ms':>9}{'ms per 5 pages':>16}")
    for (name, data), t in zip(real, cpu_per_file(real)):
        pages = page_count(data)
        flag = "ok" if t * 1000 / pages * 5 <= TARGET_MS_PER_5_PAGES else "over target"
        print(f"{name:<48}{pages:>6}{t * 1000:>9.1f}{t * 1000 / pages * 5:>16.1f}  {flag}")
    times = cpu_per_file(generated)
    by_layout: dict[str, list[tuple[float, int]]] = {}
    for (name, data), t in zip(generated, times):
        by_layout.setdefault(name.split("_")[1], []).append((t, page_count(data)))
    for layout, rows in sorted(by_layout.items()):
        total, pages = sum(t for t, _ in rows), sum(p for _, p in rows)
        print(f"{'generated ' + layout + f' ({len(rows)} files)':<48}{pages / len(rows):>6.1f}"
              f"{total * 1000 / len(rows):>9.1f}{total * 1000 / pages * 5:>16.1f}")
    print(f"target: <= {TARGET_MS_PER_5_PAGES:.0f} ms CPU per 5-page real report")
    return 0


def main(argv: list[str]) -> int:
    mode = argv[0] if argv else "check"
    if mode == "time":
        return time_main(int(argv[1]) if len(argv) > 1 else 60)
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    files = build_corpus()
    t0 = time.perf_counter()
    lines = dump(files)
    print(f"{len(files)} PDFs read in {time.perf_counter() - t0:.1f} s")
    if mode == "write":
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"written to {out}")
        return 0
    base = dict(line.split("\t", 1) for line in out.read_text(encoding="utf-8").splitlines())
    differ = [line for line in lines if base.get(line.split("\t", 1)[0]) != line.split("\t", 1)[1]]
    if not differ:
        print(f"identical: {len(lines)} PDFs")
        return 0
    print(f"DIFFERENT: {len(differ)} of {len(lines)} PDFs")
    for line in differ:
        print("  ", line.split("\t", 1)[0])
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
