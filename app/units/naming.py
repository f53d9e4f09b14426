"""How an issuing unit names itself in the documents it signs: its leaders in Nơi nhận, its office symbol."""

from __future__ import annotations

import re

from app.units.models import Unit

#: The level word a unit's name starts with ("UBND thị xã Kinh Môn"); longer words first, so "thị xã" is not "xã".
_NAMED_LEVEL = re.compile(r"^(?:UBND\s+|Ủy ban nhân dân\s+)?(thành phố|thị xã|thị trấn|đặc khu|huyện|quận|tỉnh|"
                          r"phường|xã)\s", re.IGNORECASE)
#: The level word of each kind of committee, when the name does not say it (a district may be a quận or thị xã).
_KIND_LEVEL = {"province": "tỉnh", "district": "huyện", "commune": "xã", "ward": "phường", "town": "thị trấn",
               "special_zone": "đặc khu"}
#: What the documents said before they asked the unit: a district's committee.
_DEFAULT_LEVEL = "huyện"
#: Số ký hiệu of a dispatch drafted by the district's office (Văn phòng HĐND-UBND). Units have no field for
#: their own office's symbol, so this stays the default whenever the directive's number does not give one.
OFFICE_SYMBOL = "UBND-VP"


def level_word(unit: Unit | None) -> str:
    """"huyện", "thị xã", "tỉnh"…: the committee's level, from its name, else its kind, else its parent's."""
    while unit is not None:
        named = _NAMED_LEVEL.match(unit.name or "")
        if named:
            return named.group(1).lower()
        if unit.kind in _KIND_LEVEL:
            return _KIND_LEVEL[unit.kind]
        unit = unit.parent  # a department answers to the committee above it
    return _DEFAULT_LEVEL


def leaders_recipient(unit: Unit | None) -> str:
    """"Chủ tịch, các PCT UBND huyện": the issuing committee's chair and vice-chairs, as Nơi nhận lists them."""
    return f"Chủ tịch, các PCT UBND {level_word(unit)}"
