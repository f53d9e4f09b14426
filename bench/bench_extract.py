"""Extracting every directive we develop against (the dev set, and the reference as .txt, .docx and .pdf),
against reading and decoding the same files. No database is involved: it runs once, its line says
``"database": null``."""

from __future__ import annotations

from pathlib import Path

from app.directives.extraction import extract
from app.directives.reading import read_document
from app.seed.services import REFERENCE_DIRECTIVE
from bench.common import report, timer
from bench.documents import docx_of, pdf_of

ROUNDS = 10
DATABASE_FREE = True
ROOT = Path(__file__).resolve().parents[1]
#: The shared dev set beside the project (../shared), and the samples the tests keep.
SOURCES = [ROOT.parent / "shared" / "directives" / "dev", ROOT / "tests" / "directives" / "samples"]


def documents() -> list[tuple[str, bytes]]:
    """Distinct documents, each once: every dev .txt, the reference's text, and the reference as Word and PDF."""
    texts = [REFERENCE_DIRECTIVE, *(path for folder in SOURCES for path in sorted(folder.glob("*.txt")))]
    reference = REFERENCE_DIRECTIVE.read_text(encoding="utf-8")
    return ([(path.name, path.read_bytes()) for path in texts]
            + [("reference.docx", docx_of(reference)), ("reference.pdf", pdf_of(reference))])


def _read_all(docs):
    for name, data in docs:
        read_document(data, name)


def _extract_all(docs):
    for name, data in docs:
        extract(read_document(data, name).text)


def main() -> None:
    docs = documents()
    texts = [(name, data) for name, data in docs if name.endswith(".txt")]
    _extract_all(docs)  # warm the regex cache and the PDF library
    spent = {"read": 0.0, "extract": 0.0, "txt": 0.0}
    for _ in range(ROUNDS):  # in turn, so that a busy moment of the machine weighs on each alike
        for key, work, batch in (("read", _read_all, docs), ("extract", _extract_all, docs),
                                 ("txt", _extract_all, texts)):
            with timer() as elapsed:
                work(batch)
            spent[key] += elapsed()
    seconds, baseline = spent["extract"] / ROUNDS, spent["read"] / ROUNDS
    report("extract_directives", len(docs), seconds, baseline, database=None,
           ms_per_document=round(1000 * seconds / len(docs), 2),
           ms_per_txt_document=round(1000 * spent["txt"] / ROUNDS / len(texts), 2))


if __name__ == "__main__":
    main()
