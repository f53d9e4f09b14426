"""Extraction of a directive's structure (CONTRACT.md `directive extract`), on the
reference directive, the dev documents and small documents for each form."""

from pathlib import Path

import pytest

from app.directives.extraction import extract

SHARED = Path(__file__).resolve().parents[3] / "shared" / "directives"
REFERENCE = Path(__file__).resolve().parents[2] / "app" / "seed" / "data" / "tu-ky-2022-05-dvctt-muc-do-3-4.txt"

HEADER = """ỦY BAN NHÂN DÂN
HUYỆN AN LÃO
Số: 12/UBND-VP
V/v thử nghiệm
An Lão, ngày 02 tháng 3 năm 2023

Kính gửi: Chủ tịch UBND các xã, thị trấn.

"""
FOOTER = """
Yêu cầu Chủ tịch UBND các xã, thị trấn nghiêm túc thực hiện./.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH

Trần Văn Bình
"""


def doc(body: str) -> dict:
    return extract(HEADER + body + FOOTER)


def labels(result) -> list:
    return [r["label"] for r in result["requirements"]]


def test_reference_directive():
    result = extract(REFERENCE.read_text(encoding="utf-8"))
    assert result["number"] is None and result["issued_on"] is None  # blank day, no number
    assert result["place"] == "Tứ Kỳ" and result["issuer"] == "UBND huyện Tứ Kỳ"
    assert result["signer"] == {"name": "Vũ Thị Hà", "title": "CHỦ TỊCH"}
    assert result["addressees"] == ["Chủ tịch UBND các xã, thị trấn"]
    assert result["references"] == [{"number": "479/UBND-VP", "issued_on": "2022-04-14"}]
    assert result["named_units"] == ["Tái Sơn", "Quang Phục", "Phượng Kỳ", "Tiên Động", "Hà Kỳ", "Quang Khải",
                                     "Tân Kỳ", "Văn Tố", "Đại Hợp"]
    assert labels(result) == ["1", "2", "3", None]
    texts = [r["text"] for r in result["requirements"]]
    assert all("\n" not in t for t in texts)  # hard line breaks joined
    assert texts[2].startswith("Tổ chức rà soát các máy scan") and "Bộ phận Một cửa" in texts[2]
    assert texts[3].startswith("Tổng hợp các khó khăn") and texts[3].endswith("giải quyết kịp thời.")
    assert result["requirements"][3]["deadline"] == {"kind": "recurring", "freq": "monthly", "day": 25}
    assert [r["deadline"] for r in result["requirements"][:3]] == [None, None, None]
    assert result["recipients"] == ["Như trên", "Chủ tịch, các PCT UBND huyện",
                                    "Bí thư Đảng ủy các xã, thị trấn (để p/h chỉ đạo)",
                                    "Bộ phận Một cửa (ông Tùng, bà Tâm)", "Cổng Thông tin điện tử huyện", "Lưu: VT"]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is beside the clone in CI and for developers")
def test_dev_documents_extract_sensibly():
    constructed = extract((SHARED / "dev" / "90_constructed_tu-ky-bao-cao-dinh-ky.txt").read_text())
    assert constructed["number"] == "655/UBND-VP" and constructed["issued_on"] == "2022-06-03"
    assert constructed["signer"] == {"name": "Nguyễn Văn C", "title": "PHÓ CHỦ TỊCH"}
    assert constructed["subject"] == "thực hiện chế độ báo cáo định kỳ về giải quyết thủ tục hành chính"
    assert labels(constructed) == ["1", "2", "3", "4"]
    assert constructed["requirements"][0]["text"].split("\n")[1].startswith("a) Tiếp nhận")
    assert [r["deadline"] for r in constructed["requirements"]] == [
        None,
        {"kind": "recurring", "freq": "monthly", "day": 25},
        {"kind": "relative", "days": 3, "working_days": True, "from": "receipt"},
        {"kind": "date", "date": "2022-06-30"},
    ]
    assert constructed["named_units"] == ["Quang Phục", "Tiên Động", "Văn Tố"]
    notice = extract((SHARED / "dev" / "06_sonvi-hg-07-tb-cho-phien.txt").read_text())
    assert notice["number"] == "07/TB-UBND" and notice["requirements"] == []  # assigns nothing
    decision = extract((SHARED / "dev" / "13_cantho-qd37-2007-bao-ve-dan-pho.txt").read_text())
    assert labels(decision) == ["Điều 1", "Điều 2", "Điều 3"]
    assert decision["issuer"] == "UBND thành phố Cần Thơ"
    assert [r["number"] for r in decision["references"]] == ["38/2006/NĐ-CP", "02/2007/TTLT-BCA-BLĐTBXH-BTC"]


def test_header_fields():
    result = doc("1. Giao Phòng Nội vụ thực hiện.\n")
    assert result["number"] == "12/UBND-VP" and result["issued_on"] == "2023-03-02"
    assert result["issuer"] == "UBND huyện An Lão" and result["place"] == "An Lão"
    assert result["subject"] == "thử nghiệm"
    assert result["signer"] == {"name": "Trần Văn Bình", "title": "CHỦ TỊCH"}
    assert result["recipients"] == ["Như trên", "Lưu: VT"]


def test_whole_header_on_one_line_and_blank_placeholders():
    text = ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM HUYỆN KIM SƠN Độc lập - Tự do - Hạnh phúc "
            "Số:     /UBND-VP Kim Sơn, ngày       tháng 8 năm 2024\nV/v rà soát hồ sơ\n\n"
            "1. Các xã rà soát hồ sơ trưóc ngày 20/8.\n")
    result = extract(text)
    assert result["number"] is None and result["issued_on"] is None
    assert result["issuer"] == "UBND huyện Kim Sơn" and result["place"] == "Kim Sơn"
    assert result["requirements"][0]["deadline"] == {"kind": "date", "date": "2024-08-20"}  # typo, no year


def test_roman_sections_hold_their_numbered_items():
    result = doc("I. ĐỐI VỚI PHÒNG BAN\n1. Phòng Nội vụ hướng dẫn.\n2. Phòng Tư pháp kiểm tra.\n"
                 "II. ĐỐI VỚI UBND CÁC XÃ\n1. Tổ chức tuyên truyền.\n")
    assert labels(result) == ["1", "2", "1"]
    assert result["requirements"][2]["text"] == "Tổ chức tuyên truyền."


def test_section_without_numbered_items_is_one_requirement():
    result = doc("I. Kết quả đạt được\nCác xã đã tổ chức tốt.\nII. Nhiệm vụ thời gian tới\n"
                 "1. Tiếp tục rà soát hồ sơ.\n2. Báo cáo kết quả.\n")
    assert labels(result) == ["I", "1", "2"]


def test_nested_items_stay_inside_their_parent_on_lines_of_their_own():
    result = doc("1) Chủ tịch UBND các xã chỉ đạo:\na) Cập nhật hồ sơ;\nb) Hướng dẫn người dân;\n"
                 "- nộp trực tuyến.\n2) Báo cáo kết quả.\n")
    assert labels(result) == ["1", "2"]
    assert result["requirements"][0]["text"] == ("Chủ tịch UBND các xã chỉ đạo:\na) Cập nhật hồ sơ;\n"
                                                  "b) Hướng dẫn người dân;\n- nộp trực tuyến.")


def test_lettered_and_dashed_items_at_top_level():
    assert labels(doc("a) Giao Phòng Nội vụ.\nb) Giao Phòng Tư pháp.\n")) == ["a", "b"]
    assert labels(doc("Chủ tịch UBND huyện yêu cầu:\n- Các xã rà soát hồ sơ;\n"
                      "- Các xã báo cáo kết quả.\n")) == ["-", "-"]


def test_articles_of_a_decision():
    result = doc("QUYẾT ĐỊNH:\nĐiều 1. Giao các xã thực hiện.\nĐiều 2. Quyết định này có hiệu lực kể từ ngày ký.\n")
    assert labels(result) == ["Điều 1", "Điều 2"]
    assert result["requirements"][1]["deadline"] is None  # an effective date is not a deadline


def test_unnumbered_paragraphs_that_assign_are_requirements_and_closing_is_not():
    result = doc("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ;\n\n"
                 "Giao Phòng Văn hóa chủ trì tổ chức kiểm tra.\n\n"
                 "Đề nghị UBND các xã phối hợp thực hiện.\n\n"
                 "Trong quá trình thực hiện, có khó khăn, vướng mắc, kịp thời báo cáo UBND huyện.\n")
    assert labels(result) == [None, None]
    assert result["references"] == [{"number": "30/2020/NĐ-CP", "issued_on": "2020-03-05"}]


@pytest.mark.parametrize(
    "sentence, rule",
    [
        ("Hoàn thành trước ngày 15/6/2023.", {"kind": "date", "date": "2023-06-15"}),
        ("Gửi báo cáo chậm nhất ngày 20 tháng 6 năm 2023.", {"kind": "date", "date": "2023-06-20"}),
        ("Gửi báo cáo chậm nhất là ngày 05/7.", {"kind": "date", "date": "2023-07-05"}),
        ("Báo cáo trong thời hạn 05 ngày làm việc kể từ ngày nhận được văn bản.",
         {"kind": "relative", "days": 5, "working_days": True, "from": "receipt"}),
        ("Hoàn thành trong vòng 10 ngày.", {"kind": "relative", "days": 10, "working_days": False}),
        ("Hoàn thành trong 02 tháng.", {"kind": "relative", "months": 2}),
        ("Báo cáo kết quả trước ngày 25 hằng tháng.", {"kind": "recurring", "freq": "monthly", "day": 25}),
        ("Báo cáo định kỳ vào ngày 20 hàng tháng.", {"kind": "recurring", "freq": "monthly", "day": 20}),
        ("Cập nhật số liệu hằng ngày lên phần mềm.", {"kind": "recurring", "freq": "daily"}),
        ("Thực hiện nghiêm Công văn số 479/UBND-VP ngày 14/4/2022.", None),
        ("Tổ chức Tháng hành động từ ngày 01/6/2023 đến ngày 30/6/2023.", None),
        ("Quy định này có hiệu lực từ ngày 01/7/2023.", None),
        ("Kể từ ngày 01/7/2023, các xã tiếp nhận hồ sơ trực tuyến.", None),
        ("Tính đến ngày 30/4/2023 các xã đạt tỷ lệ thấp, yêu cầu khắc phục.", None),
    ],
)
def test_deadline_forms(sentence, rule):
    result = doc(f"1. {sentence}\n")
    assert result["requirements"][0]["deadline"] == rule


def test_page_furniture_and_web_leftovers_are_dropped():
    result = doc("1. Giao các xã rà soát\n\n- 2 -\n\nTrang 2/3\n\nhồ sơ tồn đọng.\n")
    assert result["requirements"][0]["text"] == "Giao các xã rà soát hồ sơ tồn đọng."


def test_old_and_new_tone_placement_read_alike():
    result = extract(HEADER.replace("V/v thử nghiệm", "V/v số hoá hồ sơ").replace("HUYỆN AN LÃO", "HUYỆN AN LÃO")
                     + "1. Thực hiện số hoá hồ sơ, hoàn thành trước ngày 1/9/2023.\n" + FOOTER)
    assert result["subject"] == "số hoá hồ sơ"
    assert result["requirements"][0]["deadline"] == {"kind": "date", "date": "2023-09-01"}


def test_deputy_signs_for_the_chair():
    result = extract(HEADER + "1. Giao các xã thực hiện.\n\nNơi nhận:                         KT. CHỦ TỊCH\n"
                     "- Như trên;                        PHÓ CHỦ TỊCH\n- Lưu: VT.\n\n\nLê Thị Mai\n")
    assert result["signer"] == {"name": "Lê Thị Mai", "title": "PHÓ CHỦ TỊCH"}
    assert result["recipients"] == ["Như trên", "Lưu: VT"]
