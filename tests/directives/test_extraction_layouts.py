"""More layouts: a province's dispatch with the signature beside the recipients, a commune's plan in Roman sections."""

from pathlib import Path

from app.directives.extraction import extract

SAMPLES = Path(__file__).parent / "samples"


def test_province_dispatch_in_two_columns():
    result = extract((SAMPLES / "tinh-cong-van-hai-cot.txt").read_text(encoding="utf-8"))
    assert (result["number"], result["issued_on"], result["issuer"]) == ("3456/UBND-VP", "2023-12-12",
                                                                         "UBND tỉnh Hải Dương")
    assert result["subject"] == "tăng cường công tác phòng, chống dịch bệnh mùa đông xuân năm 2023"
    assert result["addressees"] == ["Các Sở, ban, ngành tỉnh", "UBND các huyện, thị xã, thành phố"]
    assert result["references"] == [{"number": "1234/CĐ-TTg", "issued_on": "2023-12-05"}]  # a lower-case symbol
    assert result["signer"] == {"name": "Lưu Văn Bản", "title": "PHÓ CHỦ TỊCH"}  # Lưu is a surname too
    assert result["recipients"] == ["Như trên", "Thường trực Tỉnh ủy (để b/c)", "Lưu: VT, KGVX"]
    labels = [(r["label"], r["deadline"]) for r in result["requirements"]]
    assert labels == [
        ("1", {"kind": "date", "date": "2023-12-20"}),
        ("2", {"kind": "recurring", "freq": "monthly", "day": 20}),
        ("3", {"kind": "relative", "days": 10, "working_days": False, "from": "issue"}),
        (None, None),  # a report deadline of a nested item is not the whole document's
    ]
    assert result["requirements"][0]["text"].split("\n")[1].startswith("- Chủ trì")


def test_commune_plan_in_roman_sections():
    result = extract((SAMPLES / "xa-ke-hoach-muc-la-ma.txt").read_text(encoding="utf-8"))
    assert result["subject"] == "Triển khai chuyển đổi số năm 2024"  # the title under KẾ HOẠCH
    assert result["issuer"] == "UBND xã Tân Kỳ" and result["number"] == "45/KH-UBND"
    assert [r["label"] for r in result["requirements"]] == ["I", "1", "2", "III"]
    assert result["requirements"][2]["deadline"] == {"kind": "date", "date": "2024-04-15"}  # the year of the plan
    assert result["signer"] == {"name": "Nguyễn Thị Lan", "title": "CHỦ TỊCH"}
