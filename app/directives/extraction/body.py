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
    ("number", re.compile(r"^((?:\d{1,2}|\d{3}(?=(?:\.\d{1,2})*\s*[.)]))(?:\.\d{1,2})*)"
                          r"\s*(?:[.)/]|-(?=\s))\s*(?!\d)(.*)")),
    ("letter", re.compile(r"^([a-zđ])\s*[)]\s*(.*)|^([a-zđ])\.\s+(.*)")),
    ("dash", re.compile(r"^([-–+•*])\s+(.*)")),
]
_RANK = {"roman": 0, "heading": 0, "article": 1, "number": 2, "subnumber": 3, "letter": 4, "dash": 5}
_TERMINAL = (".", ";", ":", "!", "?", "./.")

#: "giao" that gives a task, not a count ("giao 833 nhiệm vụ") nor a compound word (giao thông, giao ban, giáo dục).
GIVES = r"giao(?!\s+(?:\d|ban|thong|duc|dich|luu|nhan|tiep|thua|khoan|ket|hoa|thoa|lien|dat)\b)"
#: "yêu cầu" and "chỉ đạo" as verbs, not the nouns of "đạt yêu cầu", "theo chỉ đạo của cấp trên".
REQUIRES = r"(?<!dat )(?<!theo )(?<!cac )(?<!nhung )(?<!mot )yeu cau(?!\s+(?:cua|de ra|dat ra)\b)"
DIRECTS = r"(?<!theo )(?<!su )(?<!ban )chi dao(?!\s+(?:ve|cua)\b)"
#: Openings of paragraphs that set the scene instead of asking for something.
_PREAMBLE = re.compile(
    r"^(?:can cu|thuc hien (?:cong van|ke hoach|quyet dinh|chi thi|thong bao|nghi quyet|chuong trinh|ket luan|y kien|"
    r"chi dao|van ban|cong dien|huong dan)|theo de nghi|xet |ngay \d|tuy nhien|qua (?:viec|kiem tra|theo doi|"
    r"tong hop|ra soat)|tiep theo|truoc (?:dien bien|tinh hinh)|tren co so|sau khi|nham |"
    r"hien nay|den nay|tinh den|thoi gian qua|vua qua|ket qua|(?:sang|chieu|toi|trua)\s+(?:ngay|nay|qua)\b|"
    r"qua\s+(?:nghe|xem xet|"
    r"thao luan|thuc te))"
)
#: Words that give an order or ask for something.
_ASKS = re.compile(
    r"\b(?:" + GIVES + r"|de nghi|" + REQUIRES + "|" + DIRECTS + r"|to chuc|trien khai|bao cao|tong hop|ra soat|"
    r"kiem tra|tiep tuc|"
    r"chu dong|phoi hop|khan truong|hoan thanh|gui (?:ve|bao cao)|co trach nhiem|chiu trach nhiem|"
    r"quan triet|nghiem cam)\b"
)
#: "Yêu cầu … nghiêm túc thực hiện (công văn này)./." at a sentence's end, or "Trên đây là …" opening one.
_CLOSING = re.compile(r"nghiem tuc.{0,40}thuc hien(?:\s+\w+){0,4}\W*$|^tren day la")
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


#: Connectives that open a sentence without changing what it does.
_CONNECTIVE = re.compile(r"^(?:theo do|ngoai ra|dong thoi|mat khac|ben canh do|vi vay|do do)\s*,?\s*")
#: How news reports a document: "ban hành", "(vừa, đã) có", "(vừa) ký" a Công văn, Thông báo, Kế hoạch … số.
REPORTS_ISSUE = r"(?:\bban\s*hanh|(?:\b(?:vua|da)\s+)?\b(?:co|ky))"
DOC_TYPES = (r"(?:cong van|thong bao|ke hoach|quyet dinh|chi thi|van ban|cong dien|chuong trinh|nghi quyet|"
             r"huong dan|to trinh|bao cao|giay moi)")
#: An account of a document being issued ("UBND tỉnh ban hành Công văn số …, yêu cầu …"): news, not an order.
_ISSUED = re.compile(REPORTS_ISSUE + r"\s+" + DOC_TYPES + r"\s+(?:so\s*:?\s*)?\d")


def asks_something(text: str) -> bool:
    """An unlabelled paragraph that assigns or asks for something (not scene-setting, not a closing)."""
    folded = _CONNECTIVE.sub("", fold(text))
    text = text[len(fold(text)) - len(folded):]
    if _ISSUED.search(folded) or _ISSUER_ANNOUNCES.match(folded) or _PRAISE.match(folded):
        return False
    # "Để" (in order to) and "Đề nghị" (we ask) fold alike: tell them apart on the original.
    scene_setting = _PREAMBLE.match(folded) or re.match(r"(?:Để|ĐỂ)\s", text)
    if scene_setting and not _assigns_after_purpose(folded):
        return False
    if _CONDITIONAL.match(folded) or folded.startswith("(") or is_closing(text):
        return False
    if text.rstrip().endswith(":"):
        return False  # a lead-in to the items that follow
    return bool(_ASKS.search(folded)) or _unit_does(folded, text)


#: What follows a subject when the sentence states a fact instead of giving a task.
#: Read on the lower-case text with its tones: "có" (has) is not "cơ" (cơ quan, cơ sở). "có văn bản trả lời" is a task.
_STATEMENT = re.compile(r"\b(?:đã|đang|không|chưa|được|bị|nhận được|vừa|là|đạt|gồm|tiếp công dân|làm việc tại|"
                        r"dự (?:họp|hội nghị|lễ|buổi|cuộc)|chỉ đạo về|"
                        r"(?<!xã )(?<!hộ )(?<!người )(?<!vùng )(?<!nơi )(?<!vị )(?<!phương )(?<!thôn )(?<!nhân )"
                        # "các xã có …" qualifies
                        r"có(?! trách nhiệm| văn bản| ý kiến| báo cáo| kế hoạch| phương án))\b")
#: The issuer announcing ("UBND xã thông báo …"); "UBND các xã thông báo rộng rãi …" is a task to the communes.
_ISSUER_ANNOUNCES = re.compile(r"^(?:ubnd|uy ban nhan dan|hoi dong|van phong|ban)\b(?! cac)[^.]{0,60}\bthong bao\b")


def _unit_does(folded: str, original: str) -> bool:
    """"Phòng Tài chính - Kế hoạch cân đối kinh phí …": a unit or person as subject, then what it must do."""
    if not _OWN_SUBJECT.match(folded) or not folded.rstrip().endswith((".", ";")) or _ISSUER_ANNOUNCES.match(folded):
        return False
    return not _states(original)


def _states(original: str, width: int = 6) -> bool:
    """A verb of state in the few words after the subject's name ("Các xã Tân Phú, Hòa Lạc | có tỷ lệ …"); one in
    a relative clause further on ("cho các xã có khó khăn") does not make the sentence a statement."""
    words = original.split()
    rest = words[_subject_end(words):]
    found = _STATEMENT.search(" ".join(rest).lower())
    return bool(found) and found.start() < len(" ".join(rest[:width]))


def _subject_end(words: list[str]) -> int:
    """Where the subject's name ends: past its first capitalised words, then any list of names."""
    index = 0
    while index < len(words) and words[index][:1].isupper():
        index += 1  # "Sở Tài", "UBND", "Các"
    if index < len(words) and index + 1 < len(words) and words[index + 1][:1].isupper():
        index += 1  # a common noun before names: "xã" in "Các xã Tân Phú, …"
        while index < len(words) and (words[index][:1].isupper() or words[index] == "và"):
            index += 1
    return index


def _assigns_after_purpose(folded: str) -> bool:
    """"Để …, (Chủ tịch UBND tỉnh) giao / yêu cầu X …": an order despite its opening clause of purpose or scene."""
    if folded.rstrip().endswith(":"):
        return False
    return any(_MAIN_ORDER.match(clause) for clause in re.split(r"[,;]\s", folded)[1:])


#: The main clause after a scene-setting one: its subject (words, no figures), then the order.
_MAIN_ORDER = re.compile(r"(?:[^\d,;:]{0,60}\s)?(?<!da )(?<!duoc )(?<!vua )(?:" + GIVES
                         + r"|de nghi|yeu cau|chi dao)[\s:](?!ve viec)")


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
    aims = None
    for index, para in enumerate(paras):
        rank = _RANK.get(para.kind) if para.kind else None
        if para.kind in ("roman", "heading"):
            parent = None
            aims = _AIMS.match(fold(para.text))
            if _is_section(para) and index not in sections_with_items:
                parent = Item(para.label, para.text, 0)
                items.append(parent)
            continue
        if rank is not None and rank <= top_rank:
            parent = Item(para.label, para.text, rank)
            if (not is_information(para.text) and not aims
                    and not (para.kind != "article" and _states_a_fact(para.text))):
                items.append(parent)
        elif rank is not None and parent is not None:
            parent.lines.append(f"{_written_label(para)} {para.text}")
        elif rank is None and parent is not None and (parent.rank <= _RANK["article"]
                                                      or parent.full_text().endswith(":")
                                                      or _DEADLINE_LINE.match(fold(para.text))):
            parent.lines.append(para.text)
        elif rank is not None:
            parent = Item(para.label, para.text, rank)
            items.append(parent)
        else:
            parent = None
            items.extend(Item(None, sentence, 99) for sentence in directing_sentences(para.text))
    return _attach_report_logistics(items)


#: Where a sentence ends: ". " (or "./.") before a capital, not after a short abbreviation ("TP. Huế").
_SENTENCE_END = re.compile(r"(?<!\bTP)(?<!\bTp)(?<!\bTS)(?<!\bThS)(?<=[.!?:])\s+(?=[A-ZĐÀ-Ỹ])")
#: A clause after ";" that opens with its own subject: "…; Thủ trưởng các cơ quan kiểm tra …".
_OWN_SUBJECT = re.compile(
    r"^(?:ubnd|uy ban|so |phong |ban |chu tich|pho chu tich|thu truong|giam doc|truong |cong an|van phong|"
    r"cac (?:co quan|don vi|so|phong|ban|nganh|dia phuong|xa|huyen|thon|ho)|mat tran|doan |hoi |trung tam|"
    r"bo chi huy|kho bac|chi cuc|nguoi dung dau|lanh dao|thi sinh|nguoi dan|ho gia dinh|to cong tac|hoi dong|"
    r"(?:tong )?cong ty|doanh nghiep|chi nhanh|ngan hang|benh vien|truong |dai |bao |ban quan ly|bql)"
)


def directing_sentences(text: str) -> list[str]:
    """The sentences of an unnumbered paragraph that tell a unit or a person to do something, each one
    requirement; a clause after ";" with a subject of its own and a directing verb stands alone too."""
    if _is_title(text):
        return []
    found = []
    for sentence in _SENTENCE_END.split(text):
        if is_information(sentence):
            continue
        clauses = [c.strip() for c in sentence.split("; ")]
        parts = [clauses[0]]
        for clause in clauses[1:]:  # only an order's clauses: after scene-setting, "…; X không …" is a finding
            if asks_something(parts[0]) and _OWN_SUBJECT.match(fold(clause)) and asks_something(clause):
                parts.append(clause)
            else:
                parts[-1] = f"{parts[-1]}; {clause}"
        for part in (p for p in parts if asks_something(p) or _REPORT_LOGISTICS.match(fold(p))):
            if found and _SUBJECTLESS.match(_CONNECTIVE.sub("", fold(part))):
                found[-1] = f"{found[-1]} {part}"  # "Báo cáo UBND tỉnh trước ngày …": the same addressee's next step
            else:
                found.append(part)
    return found


#: A sentence that names no addressee of its own, only what to do next ("Yêu cầu hoàn thiện, gửi …").
_SUBJECTLESS = re.compile(r"^(?:yeu cau\s+|de nghi\s+)?(?:hoan thien|hoan thanh|bao cao|gui|nop|cap nhat|"
                          r"tong hop|thoi han)\b")


def _is_title(text: str) -> bool:
    """A headline or a link ("Tải đề cương báo cáo tại đây"): short, with no sentence's end."""
    return len(text) < 150 and not text.rstrip().endswith(_TERMINAL)


#: "Báo cáo gửi về UBND tỉnh … trước ngày …": says when and where a report goes, asks nothing of its own.
#: "Kết quả giải quyết báo cáo UBND huyện trong thời hạn 15 ngày …" too: the report is the subject, not a unit.
_REPORT_LOGISTICS = re.compile(r"^(?:bao cao|van ban|ket qua|so lieu)\b(?:(?!\b(?:giao|yeu cau|de nghi)\b).){0,160}?"
                               r"\b(?:gui|nop|bao cao)\b.*\b(?:truoc|cham nhat|han|trong(?: vong)? \d)")


def _attach_report_logistics(items: list[Item]) -> list[Item]:
    """Fold such a sentence into the report the requirement before it asks for, where its deadline belongs."""
    out: list[Item] = []
    asking = None  # the latest kept item that speaks of a report (lines added to it keep it one)
    for item in items:
        if item.label is None and asking is not None and _REPORT_LOGISTICS.match(fold(item.text)):
            asking.lines.append(item.text)
        else:
            out.append(item)
            if re.search(r"\bbao cao\b", fold(item.full_text())):
                asking = item
    return out


#: "Thời gian treo cờ: từ ngày …", "Địa điểm: …": an item that informs; "… được bố trí vào thứ Năm": a schedule.
_INFORMATION = re.compile(r"^[^:]{3,80}:[^;]*?\b\d[\d.,]*\s*(?:dong|trieu|ty|%|ha|m2|nguoi|ho)\b|"
                          # "Giá đất …: 12.000 đồng"
                          r"^(?:thoi gian|dia diem|thanh phan|lich|hinh thuc|doi tuong|kinh phi|tong so|danh sach|"
                          r"ket qua)\b[^:]{0,60}:|"
                          r"^(?:danh sach|ket qua)\b[^.]{0,80}\bduoc (?:niem yet|cong bo|dang tai|dang)\b|"
                          r"^(?:thu (?:hai|ba|tu|nam|sau|bay)|chu nhat|sang|chieu|toi|trua|ca ngay)\b[^:]{0,40}:|"
                          r"\bduoc bo tri\b")
#: What only an order says: an item with one of these is never mere information.
EXPLICIT_ASK = re.compile(r"\b(?:" + GIVES + r"|de nghi|" + REQUIRES + "|" + DIRECTS + r"|co trach nhiem|"
                          r"chiu trach nhiem|phai|can(?! cu))\b")


#: A conclusion that acknowledges or praises: "Ghi nhận sự nỗ lực …", "Biểu dương …".
_PRAISE = re.compile(r"^(?:ghi nhan|bieu duong|danh gia cao|khen ngoi|hoan nghenh|tran trong)\b")


#: The passive or the copula of an item that states: "Bảng giá đất được áp dụng …", "Mức thu là …".
_ITEM_STATES = re.compile(r"^\S+(?:\s+\S+){0,6}?\s+(?:được|là|gồm)\s")


def _states_a_fact(text: str) -> bool:
    """A numbered item that only states ("Bảng giá đất được áp dụng từ …"): no verb that asks, a passive or "là"
    a few words in (an order may say "không được" or qualify a noun with "bị"; those are not statements)."""
    folded = fold(text)
    if _ASKS.search(folded) or EXPLICIT_ASK.search(folded):
        return False
    found = _ITEM_STATES.match(text.lower())
    return bool(found) and "không được" not in found.group(0)


def is_information(text: str) -> bool:
    """A numbered item that informs (a time, a place, a schedule, a praise) and asks nothing."""
    folded = fold(text)
    return bool(_INFORMATION.search(folded) or _PRAISE.match(folded)) and not EXPLICIT_ASK.search(folded)


#: The closing of a notice given for information ("UBND xã thông báo để … được biết./."), or the title of a
#: schedule ("LỊCH TIẾP CÔNG DÂN", "LỊCH CÔNG TÁC TUẦN") on a line of its own.
_FOR_INFORMATION = re.compile(r"(?:^|\.\s)\s*(?:ubnd|uy ban nhan dan|hoi dong|ban|van phong)\b(?! cac)[^.]{0,80}"
                              r"\bthong bao\b[^.]{0,200}\b(?:duoc )?biet\b|"
                              r"^\s*lich (?:tiep cong dan|cong tac|lam viec|truc)\b", re.MULTILINE)


#: An invitation ("GIẤY MỜI" as its title) asks people to a meeting: no task to follow up.
_INVITATION = re.compile(r"^\s*giay moi\b", re.MULTILINE)


def for_information_only(body_text: str, items: list[Item]) -> bool:
    """A notice for information whose items ask nothing of anyone, or an invitation: it sets no requirement."""
    if _INVITATION.search(fold(body_text)):
        return True
    return bool(_FOR_INFORMATION.search(fold(body_text))) and not any(
        EXPLICIT_ASK.search(fold(item.full_text())) for item in items)


#: A line that only says when the item above it is due: "Thời hạn hoàn thành: 30/6/2024."
_DEADLINE_LINE = re.compile(r"^\(?(?:thoi (?:han|gian)(?: hoan thanh| thuc hien| bao cao| gui)?|han (?:cuoi|chot))\s*:|"
                            r"^hoan thanh\b[^.]{0,120}\b(?:truoc|cham nhat)\b")


#: A plan's "I. MỤC ĐÍCH, YÊU CẦU" (or "QUAN ĐIỂM"): what the plan is for, not what anyone must do.
_AIMS = re.compile(r"^(?:muc dich|muc tieu|quan diem|can cu)\b")


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
