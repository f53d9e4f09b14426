"""The dev set as `../shared/tools/score_extraction.py` scores it, and the reference in every file form."""

import importlib.util
import json

from app.directives.extraction import extract
from app.directives.reading import read_document
from bench.documents import docx_of, pdf_of
from tests.directives.test_extraction import SHARED

SCORER = SHARED.parent / "tools" / "score_extraction.py"


def _scorer():
    spec = importlib.util.spec_from_file_location("score_extraction", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dev_set_scores_at_least_095():
    """Scored in-process the way the acceptance checks score unseen documents (the tool runs the CLI)."""
    scorer = _scorer()
    truth = json.loads((SHARED / "dev" / "truth.json").read_text(encoding="utf-8"))
    points = possible = 0
    misses = []
    for name, want in sorted(truth.items()):
        path = SHARED / "dev" / name
        got, out_of, notes = scorer.score(extract(read_document(path.read_bytes(), name).text), want)
        points, possible = points + got, possible + out_of
        misses += [f"{name}: {note}" for note in notes]
    assert points / possible >= 0.95, "\n".join(misses)


def test_the_reference_reads_the_same_from_word_and_pdf():
    """An office may upload the reference as .txt, .docx or .pdf: the same requirements and deadlines."""
    text = (SHARED / "tu-ky-2022-05-dvctt-muc-do-3-4.txt").read_text(encoding="utf-8")
    want = [(r["label"], r["deadline"]) for r in extract(text)["requirements"]]
    for name, data in (("cv.docx", docx_of(text)), ("cv.pdf", pdf_of(text))):
        got = extract(read_document(data, name).text)
        assert [(r["label"], r["deadline"]) for r in got["requirements"]] == want, name
        assert got["signer"] == {"name": "Vũ Thị Hà", "title": "CHỦ TỊCH"}, name
