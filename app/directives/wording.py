"""The wording of follow-up dispatches: plain administrative Vietnamese from templates the office can edit.

Templates use ``{name}`` placeholders; the office's own versions are stored per
issuing unit and fall back to these defaults.
"""

from __future__ import annotations

import re

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core.errors import DomainError
from app.extensions import db

DEFAULTS = {
    "subject": "Đôn đốc thực hiện {cited}",  # as offices head a follow-up: "V/v đôn đốc thực hiện Công văn số …"
    "opening": "Ngày {cited_date}, {issuer_short} ban hành {cited_kind} số {cited_number} về việc {cited_subject}.",
    "situation": ("Tuy nhiên, tính đến ngày {as_of}, trong tổng số {tasks} nhiệm vụ đã giao cho {units} đơn vị, "
                  "mới có {done} nhiệm vụ hoàn thành; còn {overdue} nhiệm vụ quá hạn tại {overdue_units} đơn vị."),
    "figures": ("Kết quả tiếp nhận hồ sơ trực tuyến tháng {month}: {below_count} đơn vị chưa đạt chỉ tiêu {target} "
                "của UBND tỉnh giao."),
    "missed": "Có {missed_count} đơn vị không gửi báo cáo định kỳ tháng {month} theo yêu cầu.",
    "lagging": "Các {level} {names} {reason}.",
    "lead_in": ("Để khắc phục tình trạng trên, {signer_role} yêu cầu {addressee} tập trung thực hiện "
                "các nội dung sau:"),
    "lagging_requirement": ("Các {level} {names} khẩn trương khắc phục, báo cáo kết quả và giải trình lý do chậm "
                            "trong thời hạn 05 ngày làm việc kể từ ngày nhận được Công văn này."),
    "closing": "Yêu cầu {addressee} nghiêm túc thực hiện./.",
}
LABELS = {
    "subject": "Trích yếu (V/v)", "opening": "Đoạn mở đầu (nhắc văn bản trước)", "situation": "Tình hình thực hiện",
    "figures": "Số liệu dịch vụ công trực tuyến", "missed": "Đơn vị không gửi báo cáo", "lagging": "Nêu tên đơn vị",
    "lead_in": "Câu dẫn trước các yêu cầu", "lagging_requirement": "Yêu cầu riêng cho các đơn vị bị nêu tên",
    "closing": "Câu kết",
}
REASONS = {
    "below_target": "có tỷ lệ tiếp nhận hồ sơ trực tuyến thấp, chưa đạt chỉ tiêu",
    "overdue": "còn nhiệm vụ quá hạn chưa hoàn thành",
    "missed_report": "chưa gửi báo cáo định kỳ",
    "list": "chưa thực hiện nghiêm túc các nội dung chỉ đạo",
}


class WordingTemplate(db.Model):
    """An office's own version of one template."""

    __tablename__ = "wording_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("issuer_unit_id", "key"),)


def templates_for(issuer_unit_id: int) -> dict[str, str]:
    """The defaults with the office's own versions over them."""
    own = dict(db.session.execute(select(WordingTemplate.key, WordingTemplate.text)
                                  .where(WordingTemplate.issuer_unit_id == issuer_unit_id)).all())
    return {key: own.get(key, text) for key, text in DEFAULTS.items()}


#: Longest template an office may keep; the defaults are under 300 characters.
MAX_TEMPLATE = 2000
#: A slot: a name in braces and nothing else (no format spec, no attribute, no index).
SLOT = re.compile(r"\{(\w+)\}")


def save_templates(issuer_unit_id: int, texts: dict[str, str]) -> None:
    """Keep the office's versions; a template must only use the placeholders its default uses."""
    for key, text in texts.items():
        if key not in DEFAULTS:
            continue
        _check_template(key, text)
        row = db.session.scalar(select(WordingTemplate).where(WordingTemplate.issuer_unit_id == issuer_unit_id,
                                                              WordingTemplate.key == key))
        if text.strip() == DEFAULTS[key] or not text.strip():
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = WordingTemplate(issuer_unit_id=issuer_unit_id, key=key)
            db.session.add(row)
        row.text = text.strip()


def _check_template(key: str, text: str) -> None:
    """Refuse a template that is too long, names a slot that does not exist, or has braces that are not a slot."""
    problem = None
    unknown = sorted(set(SLOT.findall(text)) - set(_sample()))
    if len(text) > MAX_TEMPLATE:
        problem = f"dài {len(text)} ký tự, tối đa {MAX_TEMPLATE}"
    elif unknown:
        problem = f"dùng chỗ trống không có: {', '.join('{' + name + '}' for name in unknown)}"
    elif "{" in SLOT.sub("", text) or "}" in SLOT.sub("", text):
        problem = "chỗ trống chỉ được viết {tên}, không kèm định dạng hay dấu chấm"
    if problem:
        error = DomainError(f"Mẫu “{LABELS[key]}” {problem}.")
        error.field = key  # the page marks the template that is wrong
        raise error


def fill(template: str, **values) -> str:
    """A template with its placeholders filled; an empty one goes with the "số" or "ngày" before it and the comma
    after it ("Ngày {cited_date}, …" without a date reads "…"), so a document never shows an empty slot.

    Only ``{name}`` is replaced, by the value's text: no format spec or attribute is ever evaluated, so an
    office's template cannot blow up a subject or reach into objects."""
    empty = [key for key, value in values.items() if value in ("", None)]
    for key in empty:
        template = re.sub(rf"\s*(?:\b(?:ngày|số)\s+)?\{{{key}\}}(?:\s*,)?", "", template, flags=re.IGNORECASE)
    text = SLOT.sub(lambda slot: str(values[slot.group(1)]), template)
    return text.strip()[:1].upper() + text.strip()[1:] if empty else text


def tidy(text: str) -> str:
    """Text drafted before empty slots were left out, without them: "Ngày , " and "số (chưa có số)"."""
    text = re.sub(r"\s*\b[Ss]ố \(chưa có số\)", "", text)
    text = re.sub(r"(^|\n)\s*Ngày\s*,\s*(\w)", lambda m: m.group(1) + m.group(2).upper(), text)
    return text


def _sample() -> dict:
    keys = ("cited", "cited_date", "issuer_short", "cited_kind", "cited_number", "cited_subject", "as_of", "tasks",
            "units", "done", "overdue", "overdue_units", "month", "below_count", "target", "missed_count", "level",
            "names", "reason", "signer_role", "addressee")
    return dict.fromkeys(keys, "x")
