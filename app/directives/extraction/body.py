"""The body of a dispatch: paragraphs, labelled items and which of them are requirements."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.directives.extraction.text import collapse, fold

#: Item markers, from the highest rank down. Each regex captures the label and the text.
_MARKERS = [
    ("roman", re.compile(r"^((?:X{0,3})(?:IX|IV|V?I{0,3}))\s*[.)/]\s+(.*)")),
    ("article", re.compile(r"^(Điều\s+\d+)\s*[.:]?\s*(.*)", re.IGNORECASE)),
    # Up to 999 items; a three-digit label needs "." or ")" after it, since "479/UBND-VP" may open a wrapped line.
    ("number", re.compile(r"^((?:\d{1,2}|\d{3}(?=(?:\.\d{1,2})*\s*[.)]))(?:\.\d{1,2})*)\s*[.)/]\s*(?!\d)(.*)")),
    ("letter", re.compile(r"^([a-zđ])\s*[)]\s*(.*)|^([a-zđ])\.\s+(.*)")),
    ("dash", re.compile(r"^([-–+•*])\s+(.*)")),
]
_RANK = {"roman": 0, "heading": 0, "article": 1, "number": 2, "subnumber": 3, "letter": 4, "dash": 5}
_TERMINAL = (".", ";", ":", "!", "?", "./.")

#: Openings of paragraphs that set the scene instead of asking for something.
_PREAMBLE = re.compile(
    r"^(?:can cu|thuc hien (?:cong van|ke hoach|quyet dinh|chi thi|thong bao|nghi quyet|chuong trinh|ket luan|y kien|"
    r"chi dao|van ban|cong dien|huong dan)|theo de nghi|xet |ngay \d|tuy nhien|qua (?:viec|kiem tra|theo doi|"
    r"tong hop|ra soat)|tiep theo|truoc (?:dien bien|tinh hinh)|tren co so|sau khi|nham |cong van neu ro|"
    r"hien nay|thoi gian qua|vua qua|ket qua)"
)
#: Words that give an order or ask for something.
_ASKS = re.compile(
    r"\b(?:giao|de nghi|yeu cau|chi dao|to chuc|trien khai|bao cao|tong hop|ra soat|kiem tra|tiep tuc|"
    r"chu dong|phoi hop|khan truong|hoan thanh|gui (?:ve|bao cao)|co trach nhiem|chiu trach nhiem|"
    r"quan triet|nghiem cam)\b"
)
_CLOSING = re.compile(r"nghiem tuc.{0,40}thuc hien|tren day la|\./\.\s*$")
_CONDITIONAL = re.compile(r"^(?:trong qua trinh (?:to chuc |trien khai )?thuc hien|qua trinh thuc hien|neu co|"
                          r"truong hop co|trong truong hop)")


@dataclass
class Paragraph:
    """A paragraph with its hard line breaks joined, and its label if it opens with one."""

    text: str
    kind: str | None = None  # a key of _RANK, or None when unlabelled
    label: str | None = None


@dataclass
class Item:
    """A requirement being built: its label, its own text and the nested lines under it."""

    label: str | None
    text: str
    rank: int
    lines: list[str] = field(default_factory=list)

    def full_text(self) -> str:
        """The text, nested items on lines of their own."""
        return "\n".join([self.text, *self.lines]).strip()


def paragraphs(lines: list[str]) -> list[Paragraph]:
    """Join hard-wrapped lines: a paragraph ends at a blank line, a label or a line that ends a sentence."""
    result: list[Paragraph] = []
    current: list[str] = []

    def flush():
        if current:
            result.append(_labelled(collapse(" ".join(current))))
            current.clear()

    for line in lines:
        text = line.strip()
        if not text:
            flush()
            continue
        if current and (_marker(text) or _is_heading(text) or _is_heading(current[-1])):
            flush()
        current.append(text)
        if text.endswith(_TERMINAL):
            flush()
    flush()
    return _join_continuations(result)


def _join_continuations(items: list[Paragraph]) -> list[Paragraph]:
    """A paragraph that starts in lower case carries on the one before it."""
    out: list[Paragraph] = []
    for para in items:
        if out and para.kind is None and para.text[:1].islower() and not out[-1].text.endswith((".", ":")):
            out[-1].text = f"{out[-1].text} {para.text}"
        else:
            out.append(para)
    return out


def _marker(text: str) -> tuple[str, str, str] | None:
    """The kind, label and rest of a line that opens with an item marker."""
    for kind, regex in _MARKERS:
        match = regex.match(text)
        if not match:
            continue
        groups = [g for g in match.groups() if g is not None]
        if len(groups) < 2 or not groups[0]:
            continue
        label, rest = groups[0], groups[1]
        if kind == "number" and "." in label:
            kind = "subnumber"
        if kind == "roman" and not rest[:1].isupper():
            continue
        return kind, label, rest
    return None


def _is_heading(text: str) -> bool:
    """An upper-case line such as "ĐỐI VỚI UBND CÁC XÃ" or "QUYẾT ĐỊNH:"."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and text == text.upper() and len(text) < 120


def _labelled(text: str) -> Paragraph:
    marker = _marker(text)
    if marker:
        kind, label, rest = marker
        if kind == "article":
            label = collapse(label).capitalize()
        return Paragraph(rest, kind, label)
    if _is_heading(text):
        return Paragraph(text, "heading", None)
    return Paragraph(text)


def asks_something(text: str) -> bool:
    """An unlabelled paragraph that assigns or asks for something (not scene-setting, not a closing)."""
    folded = fold(text)
    # "Để" (in order to) and "Đề nghị" (we ask) fold alike: tell them apart on the original.
    scene_setting = _PREAMBLE.match(folded) or re.match(r"(?:Để|ĐỂ)\s", text)
    if scene_setting and not _assigns_after_purpose(folded):
        return False
    if _CONDITIONAL.match(folded) or folded.startswith("(") or is_closing(text):
        return False
    if text.rstrip().endswith(":"):
        return False  # a lead-in to the items that follow
    return bool(_ASKS.search(folded))


def _assigns_after_purpose(folded: str) -> bool:
    """"Để …, giao X …" is an order despite its opening purpose clause."""
    if not folded.startswith(("de ", "nham ")) or folded.rstrip().endswith(":"):
        return False
    _, _, rest = folded.partition(", ")
    return bool(re.match(r"(?:giao|de nghi|yeu cau)\b", rest))


def is_closing(text: str) -> bool:
    """The closing formula: "Yêu cầu … nghiêm túc thực hiện./." or "Trên đây là …"."""
    folded = fold(text)
    return bool(_CLOSING.search(folded)) and len(folded) < 400


def build_items(paras: list[Paragraph]) -> list[Item]:
    """Group paragraphs into requirements, nested items staying inside their parent."""
    top_rank = _top_rank(paras)
    sections_with_items = _sections_with_items(paras, top_rank)
    items: list[Item] = []
    parent: Item | None = None
    for index, para in enumerate(paras):
        rank = _RANK.get(para.kind) if para.kind else None
        if para.kind in ("roman", "heading"):
            parent = None
            if _is_section(para) and index not in sections_with_items:
                parent = Item(para.label, para.text, 0)
                items.append(parent)
            continue
        if rank is not None and rank <= top_rank:
            parent = Item(para.label, para.text, rank)
            items.append(parent)
        elif rank is not None and parent is not None:
            parent.lines.append(f"{_written_label(para)} {para.text}")
        elif rank is None and parent is not None and (parent.rank == 0 or parent.full_text().endswith(":")):
            parent.lines.append(para.text)
        elif rank is not None:
            parent = Item(para.label, para.text, rank)
            items.append(parent)
        else:
            parent = None
            if asks_something(para.text):
                items.append(Item(None, para.text, 99))
    return items


def _is_section(para: Paragraph) -> bool:
    """A Roman-numbered section, or an upper-case "ĐỐI VỚI …" heading."""
    return para.kind == "roman" or (para.kind == "heading" and fold(para.text).startswith("doi voi"))


def _written_label(para: Paragraph) -> str:
    if para.kind == "letter":
        return f"{para.label})"
    if para.kind == "dash":
        return para.label
    return f"{para.label}."


def _top_rank(paras: list[Paragraph]) -> int:
    """The rank of the items that are requirements: the highest-ranked labels present."""
    ranks = [_RANK[p.kind] for p in paras if p.kind and p.kind not in ("roman", "heading")]
    return min(ranks) if ranks else 99


def _sections_with_items(paras: list[Paragraph], top_rank: int) -> set[int]:
    """Indexes of section headings (I., II.) that hold labelled items of the top rank."""
    holders, current = set(), None
    for index, para in enumerate(paras):
        if _is_section(para):
            current = index
        elif para.kind and para.kind != "heading" and _RANK[para.kind] == top_rank and current is not None:
            holders.add(current)
    return holders
