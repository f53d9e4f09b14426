"""Extracting the reference directive, against reading and decoding the same file."""

from __future__ import annotations

from app.directives.extraction import extract
from app.directives.reading import read_document
from app.seed.services import REFERENCE_DIRECTIVE
from bench.common import report, timer

ROUNDS = 200


def main() -> None:
    data = REFERENCE_DIRECTIVE.read_bytes()
    extract(read_document(data, "cv.txt").text)  # warm the regex cache
    with timer() as baseline:
        for _ in range(ROUNDS):
            read_document(data, "cv.txt")
    with timer() as elapsed:
        for _ in range(ROUNDS):
            extract(read_document(data, "cv.txt").text)
    report("extract_reference_directive", ROUNDS, elapsed(), baseline(),
           ms_per_document=round(1000 * elapsed() / ROUNDS, 2))


if __name__ == "__main__":
    main()
