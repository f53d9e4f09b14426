"""Tasks: one requirement for one unit and period, its comments and history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.models import one_of
from app.core.types import UTCDateTime
from app.extensions import db
from app.tasks.groups import report_group
from app.units.models import Unit

TASK_STATES = {
    "open": "Đang thực hiện",
    "submitted": "Chờ duyệt",
    "returned": "Thực hiện lại",
    "done": "Hoàn thành",
}
#: ``return`` is why a task was sent back; a leader's comment is guidance (ý kiến chỉ đạo).
COMMENT_KINDS = ("comment", "guidance", "return")
REQUEST_KINDS = {"extension": "Xin gia hạn", "not_applicable": "Không thuộc phạm vi đơn vị"}
REQUEST_STATES = ("pending", "granted", "refused")


class Task(db.Model):
    """A requirement for one unit (and one period when recurring)."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised from the requirement: boards filter by directive without a join.
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    #: ``YYYY-MM`` (or ``YYYY-Qn``, ``YYYY``) for recurring requirements, ``""`` otherwise.
    period: Mapped[str] = mapped_column(String(10), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="open")
    #: When the unit handed in the version now under review or accepted.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The local (Vietnamese) day of `submitted_at`: what on time or late is judged by, in SQL too.
    submitted_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: What the unit filled in: figures, inventory rows, a note.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    #: Optimistic lock: travels in forms; a stale save is refused (409).
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: The units whose tasks a merger (sáp nhập) gathered into this one; None for any other task.
    merged_from: Mapped[list | None] = mapped_column(JSON)

    unit: Mapped[Unit] = relationship()
    requirement = relationship("Requirement")
    directive = relationship("Directive")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("requirement_id", "unit_id", "period"),
        Index("ix_tasks_unit_state", "unit_id", "state"),
        Index("ix_tasks_directive_unit", "directive_id", "unit_id"),
        Index("ix_tasks_due_state", "due_on", "state"),
        one_of("state", TASK_STATES),
    )

    @property
    def state_label(self) -> str:
        """The state in Vietnamese."""
        return TASK_STATES.get(self.state, self.state)

    def group(self, today: date | None = None) -> str:
        """The report group of DOMAIN.md, derived now, never stored."""
        return report_group(self.state, self.due_on, self.submitted_on, today or clock.today())


class TaskHistory(db.Model):
    """One step in a task's life: who did what, when, from where."""

    __tablename__ = "task_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(64))
    #: The merged unit (sáp nhập) this entry came from, when the task gathers several units' tasks.
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))

    user = relationship("User")
    from_unit = relationship(Unit)

    __table_args__ = (one_of("from_state", TASK_STATES), one_of("to_state", TASK_STATES))


class Comment(db.Model):
    """A comment on a task; leaders' comments are guidance (ý kiến chỉ đạo)."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    #: ``comment``, ``guidance`` (ý kiến chỉ đạo) or ``return`` (why it was sent back).
    kind: Mapped[str] = mapped_column(String(20), default="comment")
    body: Mapped[str] = mapped_column(Text)
    #: The merged unit (sáp nhập) whose task the comment was written on.
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))

    user = relationship("User")
    from_unit = relationship(Unit)

    __table_args__ = (one_of("kind", COMMENT_KINDS),)


class TaskRequest(db.Model):
    """A unit's request on a task: more time (gia hạn), or that it does not apply to the unit."""

    __tablename__ = "task_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    #: ``extension`` or ``not_applicable``.
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    proposed_on: Mapped[date | None] = mapped_column(Date)
    #: ``pending``, ``granted`` or ``refused``.
    state: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (one_of("kind", REQUEST_KINDS), one_of("state", REQUEST_STATES))

    @property
    def kind_label(self) -> str:
        """The request in Vietnamese."""
        return REQUEST_KINDS.get(self.kind, self.kind)


#: How the history shows each action.
HISTORY_LABELS = {
    "saved": "Lưu kết quả", "submitted": "Nộp kết quả", "withdrawn": "Rút lại", "accepted": "Chấp nhận",
    "returned": "Trả lại", "assigned": "Phân công", "commented": "Góp ý", "guidance": "Ý kiến chỉ đạo",
    "requested_extension": "Xin gia hạn", "requested_not_applicable": "Báo không thuộc phạm vi",
    "extended": "Gia hạn", "not_applicable": "Xác nhận không thuộc phạm vi",
    "refused_extension": "Không đồng ý gia hạn",
    "refused_not_applicable": "Không đồng ý (không thuộc phạm vi)", "evidence_added": "Tải lên minh chứng",
    "evidence_removed": "Xoá minh chứng", "figures_kept_import": "Giữ số liệu nhập từ phần mềm một cửa",
    "deadline_changed": "Đổi hạn", "merged": "Sáp nhập đơn vị",
}
