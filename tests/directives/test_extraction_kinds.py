"""Extraction by kind of sentence and form of deadline (CONTRACT.md `directive extract`), on short documents
written for these tests: an invented district (Đông Lâm, tỉnh Bắc Thành) and its communes."""

import pytest

from app.directives.extraction import extract
from app.directives.services import guess_kind

HEADER = """ỦY BAN NHÂN DÂN
HUYỆN ĐÔNG LÂM
Số: 318/UBND-VP
V/v triển khai một số nhiệm vụ trọng tâm
Đông Lâm, ngày 06 tháng 6 năm 2024

Kính gửi: Chủ tịch UBND các xã, thị trấn.

"""
FOOTER = """
Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH

Hoàng Minh Đức
"""


def doc(body: str) -> dict:
    return extract(HEADER + body + FOOTER)


def labels(result: dict) -> list:
    return [r["label"] for r in result["requirements"]]


def deadlines(result: dict) -> list:
    return [r["deadline"] for r in result["requirements"]]


# 1. A dispatch written as sentences, with no numbered items

TO_ONE_OFFICE = """ỦY BAN NHÂN DÂN
HUYỆN ĐÔNG LÂM
Số: 1147/UBND-TNMT
V/v rà soát quỹ đất công trên địa bàn huyện
Đông Lâm, ngày 29 tháng 7 năm 2024

Kính gửi: Phòng Tài nguyên và Môi trường huyện.

{body}

Nơi nhận:
- Như trên;
- Chủ tịch, các PCT UBND huyện;
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Lê Văn Tâm
"""


@pytest.mark.parametrize("body", [
    "Thực hiện Công văn số 2150/STNMT-QLĐĐ ngày 22/7/2024 của Sở Tài nguyên và Môi trường tỉnh Bắc Thành về "
    "việc rà soát quỹ đất công, UBND huyện có ý kiến như sau: Giao Phòng Tài nguyên và Môi trường chủ trì, phối "
    "hợp với Phòng Tài chính - Kế hoạch và UBND các xã, thị trấn tham mưu UBND huyện rà soát, lập danh mục quỹ "
    "đất công chưa đưa vào sử dụng, báo cáo UBND huyện trước ngày 15/8/2024.",
    "Xét đề nghị của Phòng Tài nguyên và Môi trường tại Tờ trình số 88/TTr-TNMT ngày 24/7/2024, Chủ tịch UBND "
    "huyện giao Phòng Tài nguyên và Môi trường chủ trì, phối hợp với UBND các xã, thị trấn rà soát quỹ đất công "
    "chưa sử dụng, tham mưu phương án quản lý, báo cáo UBND huyện trước ngày 15/8/2024.",
    "UBND huyện nhận được Công văn số 2150/STNMT-QLĐĐ ngày 22/7/2024 của Sở Tài nguyên và Môi trường tỉnh "
    "Bắc Thành. UBND huyện giao Phòng Tài nguyên và Môi trường chủ trì, phối hợp với các cơ quan liên quan "
    "tham mưu thực hiện nội dung Công văn nêu trên, báo cáo UBND huyện trước ngày 15/8/2024.",
], ids=["giao-after-lead-in", "chu-tich-giao-after-to-trinh", "ubnd-giao-after-context-sentence"])
def test_a_dispatch_written_as_one_paragraph_gives_its_directing_sentence_as_a_requirement(body):
    """A whole dispatch in one paragraph: the sentence that gives an office its task is one requirement."""
    result = extract(TO_ONE_OFFICE.format(body=body))
    assert labels(result) == [None]
    assert "Phòng Tài nguyên và Môi trường chủ trì" in result["requirements"][0]["text"]
    assert deadlines(result) == [{"kind": "date", "date": "2024-08-15"}]


@pytest.mark.parametrize("separator", [" ", "\n\n"], ids=["one-paragraph", "one-sentence-per-paragraph"])
def test_a_dispatch_written_as_sentences_gives_one_requirement_per_directing_sentence(separator):
    """Unnumbered sentences, in one paragraph or one per paragraph: each that directs a unit is a requirement."""
    sentences = [
        "Thời gian qua, mưa lớn kéo dài đã gây sạt lở tại một số tuyến đường giao thông nông thôn.",
        "Phòng Nông nghiệp và Phát triển nông thôn kiểm tra các hồ, đập xung yếu trên địa bàn huyện.",
        "UBND các xã Tân Phú, Hòa Lạc bố trí lực lượng trực tại các điểm ngầm tràn, cắm biển cảnh báo.",
        "Phòng Tài chính - Kế hoạch cân đối kinh phí khắc phục, tham mưu UBND huyện trước ngày 20/6/2024.",
    ]
    result = doc(separator.join(sentences) + "\n")
    assert labels(result) == [None, None, None]
    texts = [r["text"] for r in result["requirements"]]
    assert [t.split()[0] for t in texts] == ["Phòng", "UBND", "Phòng"]
    assert "Tân Phú, Hòa Lạc" in texts[1] and "mưa lớn" not in " ".join(texts)
    assert deadlines(result)[2] == {"kind": "date", "date": "2024-06-20"}


# 2. A closing sentence that gives a department its own task, after numbered items

@pytest.mark.parametrize("closing, starts", [
    ("Sở Nội vụ có trách nhiệm tổng hợp kết quả thực hiện của các cơ quan, đơn vị, báo cáo UBND tỉnh trước ngày "
     "10/12/2024.", "Sở Nội vụ có trách nhiệm"),
    ("Giao Văn phòng UBND tỉnh theo dõi, đôn đốc việc thực hiện Công văn này, tổng hợp báo cáo Chủ tịch UBND tỉnh "
     "trước ngày 10/12/2024.", "Giao Văn phòng UBND tỉnh"),
    ("Sở Tài chính chịu trách nhiệm hướng dẫn, kiểm tra các đơn vị và tổng hợp, báo cáo UBND tỉnh kết quả trước "
     "ngày 10/12/2024.", "Sở Tài chính chịu trách nhiệm"),
], ids=["so-noi-vu-co-trach-nhiem", "giao-van-phong", "so-tai-chinh-chiu-trach-nhiem"])
def test_a_closing_sentence_giving_a_department_its_task_is_a_requirement_after_the_numbered_items(closing, starts):
    """A department's own task stated after the numbered items is one more requirement."""
    body = ("1. Các sở, ban, ngành tỉnh rà soát, sắp xếp lại bộ phận tiếp nhận hồ sơ của cơ quan mình.\n"
            "2. UBND các huyện, thị xã chỉ đạo UBND cấp xã niêm yết công khai thủ tục hành chính.\n\n"
            f"{closing}\n")
    result = extract(HEADER.replace("HUYỆN ĐÔNG LÂM", "TỈNH BẮC THÀNH").replace("Đông Lâm, ngày", "Bắc Thành, ngày")
                     + body + FOOTER)
    assert labels(result) == ["1", "2", None]
    assert result["requirements"][2]["text"].startswith(starts)
    assert result["requirements"][2]["deadline"] == {"kind": "date", "date": "2024-12-10"}


# 3. A portal's or newspaper's account of a dispatch

@pytest.mark.parametrize("lead, number, issued_on", [
    ("Ngày 09/3/2024, UBND tỉnh Bắc Thành ban hành Công văn số 874/UBND-NNTN về việc tăng cường các biện pháp "
     "phòng cháy, chữa cháy rừng mùa khô năm 2024.", "874/UBND-NNTN", "2024-03-09"),
    ("UBND huyện Đông Lâm vừa ban hành Công văn số 1506/UBND-VP ngày 27/10/2023 về việc tăng cường công tác "
     "quản lý trật tự xây dựng trên địa bàn.", "1506/UBND-VP", "2023-10-27"),
    ("Ngày 16/5, Chủ tịch UBND tỉnh Bắc Thành đã có Công văn số 2291/UBND-KGVX chỉ đạo tổ chức các hoạt động "
     "Tháng hành động vì trẻ em năm 2024.", "2291/UBND-KGVX", "2024-05-16"),
    ("Ngày 02/12/2024, UBND tỉnh Bắc Thành ban hành Kế hoạch số 305/KH-UBND triển khai chuyển đổi số trong "
     "cơ quan nhà nước năm 2025.", "305/KH-UBND", "2024-12-02"),
], ids=["ngay-ban-hanh-cong-van", "vua-ban-hanh-date-after-number", "da-co-cong-van-date-without-year",
        "ban-hanh-ke-hoach"])
def test_a_portal_account_gives_the_dispatch_number_and_date(lead, number, issued_on):
    """A news item ("Ngày …, UBND tỉnh ban hành Công văn số …") gives that dispatch's number and date."""
    text = (f"{lead}\n\n"
            "Theo đó, Chủ tịch UBND tỉnh yêu cầu các sở, ngành và UBND các huyện triển khai thực hiện nghiêm "
            "các nội dung tại văn bản, báo cáo kết quả về UBND tỉnh qua Văn phòng UBND tỉnh.\n")
    result = extract(text)
    assert (result["number"], result["issued_on"]) == (number, issued_on)


def test_a_portal_page_with_a_headline_and_dateline_gives_the_dispatch_number_and_date():
    """A portal page: headline and posting time above the lead sentence naming the dispatch."""
    text = ("Tăng cường quản lý an toàn thực phẩm dịp Tết Nguyên đán\n\n"
            "Cập nhật lúc 15:42, 19/01/2024\n\n"
            "Ngày 17/01, UBND tỉnh Bắc Thành vừa ban hành Công văn số 196/UBND-KGVX về việc bảo đảm an toàn "
            "thực phẩm dịp Tết Nguyên đán Giáp Thìn và mùa Lễ hội Xuân 2024.\n\n"
            "Theo đó, UBND tỉnh giao Sở Y tế chủ trì, phối hợp với các sở, ngành liên quan tổ chức kiểm tra liên "
            "ngành về an toàn thực phẩm.\n")
    result = extract(text)
    assert (result["number"], result["issued_on"]) == ("196/UBND-KGVX", "2024-01-17")


# 4. Announcements and schedules that give no task to anyone

RECEPTION_SCHEDULE = """ỦY BAN NHÂN DÂN
HUYỆN ĐÔNG LÂM
Số: 52/LTCD-UBND
Đông Lâm, ngày 30 tháng 9 năm 2024

LỊCH TIẾP CÔNG DÂN
Của Chủ tịch, các Phó Chủ tịch UBND huyện tháng 10 năm 2024

1. Thứ Ba, ngày 08/10/2024: ông Hoàng Minh Đức, Chủ tịch UBND huyện tiếp công dân.
2. Thứ Ba, ngày 15/10/2024: ông Lê Văn Tâm, Phó Chủ tịch UBND huyện tiếp công dân.
3. Thứ Ba, ngày 22/10/2024: bà Phạm Thị Thu Hằng, Phó Chủ tịch UBND huyện tiếp công dân.

Địa điểm: Trụ sở Tiếp công dân huyện, số 12 đường Trần Phú, thị trấn Đông Lâm.
Thời gian: buổi sáng từ 7 giờ 30 đến 11 giờ 00; buổi chiều từ 13 giờ 30 đến 17 giờ 00.

Nơi nhận:
- Thường trực Huyện ủy;
- Ban Tiếp công dân huyện;
- Cổng Thông tin điện tử huyện;
- Lưu: VT.

TL. CHỦ TỊCH
CHÁNH VĂN PHÒNG

Nguyễn Hữu Phước
"""

HOLIDAY_NOTICE = """ỦY BAN NHÂN DÂN
XÃ TÂN PHÚ
Số: 41/TB-UBND
Tân Phú, ngày 20 tháng 12 năm 2024

THÔNG BÁO
Lịch nghỉ Tết Dương lịch năm 2025

Căn cứ Bộ luật Lao động năm 2019, UBND xã Tân Phú thông báo lịch nghỉ Tết Dương lịch năm 2025 như sau:
Cán bộ, công chức và người lao động của UBND xã được nghỉ 01 ngày vào thứ Tư, ngày 01/01/2025.
Bộ phận Một cửa xã tiếp nhận hồ sơ trở lại từ thứ Năm, ngày 02/01/2025.
UBND xã Tân Phú trân trọng thông báo./.

Nơi nhận:
- Các ban, ngành, đoàn thể xã;
- Các thôn;
- Lưu: VP.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Đinh Quốc Hưng
"""

WEEKLY_AGENDA = """ỦY BAN NHÂN DÂN
HUYỆN ĐÔNG LÂM

LỊCH CÔNG TÁC TUẦN
Của lãnh đạo UBND huyện (từ ngày 14/10/2024 đến ngày 18/10/2024)

Thứ Hai, ngày 14/10: 8 giờ 00, Chủ tịch UBND huyện chủ trì họp giao ban tại Hội trường UBND huyện.
Thứ Tư, ngày 16/10: 14 giờ 00, Phó Chủ tịch Lê Văn Tâm dự Hội nghị sơ kết công tác dân vận tại xã Hòa Lạc.
Thứ Sáu, ngày 18/10: cả ngày, lãnh đạo UBND huyện làm việc tại cơ quan.

VĂN PHÒNG HĐND VÀ UBND HUYỆN
"""


@pytest.mark.parametrize("text", [RECEPTION_SCHEDULE, HOLIDAY_NOTICE, WEEKLY_AGENDA],
                         ids=["reception-schedule", "holiday-notice", "weekly-agenda"])
def test_a_schedule_or_announcement_assigns_nothing(text):
    """A citizen-reception schedule, a holiday notice or a weekly agenda gives no task: no requirement."""
    assert extract(text)["requirements"] == []


# 5. The signer's title and name run together

@pytest.mark.parametrize("signature, signer", [
    ("CHỦ TỊCHĐinh Quốc Hưng", {"name": "Đinh Quốc Hưng", "title": "CHỦ TỊCH"}),
    ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCHPhạm Thị Thu Hằng", {"name": "Phạm Thị Thu Hằng", "title": "PHÓ CHỦ TỊCH"}),
    ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCHÂu Văn Khánh", {"name": "Âu Văn Khánh", "title": "PHÓ CHỦ TỊCH"}),
    ("KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐCVi Thị Lệ", {"name": "Vi Thị Lệ", "title": "PHÓ GIÁM ĐỐC"}),
], ids=["chu-tich", "kt-pho-chu-tich", "tm-kt-pho-chu-tich-accented-surname", "kt-pho-giam-doc"])
def test_a_signer_title_run_into_the_name_is_split(signature, signer):
    """A page that drops the line break between the title and the name ("CHỦ TỊCHĐinh Quốc Hưng")."""
    text = (HEADER + "1. Giao UBND các xã rà soát hồ sơ tồn đọng.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\n"
            + signature + "\n")
    assert extract(text)["signer"] == signer


# 6. Deadline phrases (the document is dated 06/6/2024)

@pytest.mark.parametrize("sentence, date", [
    ("Gửi báo cáo về Văn phòng UBND huyện chậm nhất 10h00' ngày 05/9/2024.", "2024-09-05"),
    ("Gửi danh sách về Phòng Nội vụ chậm nhất 16 giờ 30 ngày 12/8/2024.", "2024-08-12"),
    ("Các xã gửi danh sách đề nghị khen thưởng về Phòng Nội vụ trước ngày 20.7.2024.", "2024-07-20"),
    ("Đăng ký danh sách tham gia hội thao về Phòng Văn hóa và Thông tin trước 14 giờ ngày 17-11-2024.",
     "2024-11-17"),
], ids=["cham-nhat-10h00", "cham-nhat-16-gio-30", "truoc-ngay-dotted", "truoc-14-gio-dashed"])
def test_a_deadline_with_an_hour_or_dotted_or_dashed_date_is_that_date(sentence, date):
    """"chậm nhất 10h00' ngày …", "trước ngày 20.7.2024", "trước 14 giờ ngày 17-11-2024" are dates."""
    assert doc(f"1. {sentence}\n")["requirements"][0]["deadline"] == {"kind": "date", "date": date}


@pytest.mark.parametrize("item", [
    "1. Rà soát, cập nhật danh mục thủ tục hành chính trên Cổng dịch vụ công. Thời hạn hoàn thành: 30/6/2024.",
    "1. Rà soát, cập nhật danh mục thủ tục hành chính trên Cổng dịch vụ công.\nThời hạn hoàn thành: 30/6/2024.",
    "1. Rà soát, cập nhật danh mục thủ tục hành chính trên Cổng dịch vụ công (thời hạn hoàn thành: 30/6/2024).",
], ids=["same-line", "next-line", "in-brackets"])
def test_a_stated_completion_date_is_the_deadline(item):
    """"Thời hạn hoàn thành: 30/6/2024" under or beside a requirement is its deadline."""
    result = doc(item + "\n2. Tổ chức tuyên truyền cho người dân.\n")
    assert deadlines(result) == [{"kind": "date", "date": "2024-06-30"}, None]


@pytest.mark.parametrize("sentence, date", [
    ("Hoàn thành việc số hóa hồ sơ đất đai trong tháng 7/2024.", "2024-07-31"),
    ("Tổ chức hội nghị sơ kết 6 tháng đầu năm trong tháng 6/2024.", "2024-06-30"),
    ("Các xã hoàn thành việc kiện toàn tổ công nghệ số cộng đồng trong tháng 9 năm 2024.", "2024-09-30"),
], ids=["thang-7-2024", "thang-6-2024", "thang-9-nam-2024"])
def test_within_a_month_is_the_last_day_of_that_month(sentence, date):
    """"trong tháng 7/2024" is due on the month's last day."""
    assert doc(f"1. {sentence}\n")["requirements"][0]["deadline"] == {"kind": "date", "date": date}


@pytest.mark.parametrize("sentence", [
    "Triển khai ngay các biện pháp phòng, chống dịch tả lợn châu Phi trên địa bàn.",
    "Khẩn trương kiểm tra, khắc phục sự cố sạt lở tại tuyến đê bao thôn Đông.",
    "Ngay sau khi nhận được Công văn này, UBND các xã tổ chức di dời người dân ra khỏi vùng nguy hiểm.",
    "Chỉ đạo lực lượng xung kích có mặt ngay tại các điểm xung yếu.",
], ids=["trien-khai-ngay", "khan-truong", "ngay-sau-khi-nhan-duoc", "co-mat-ngay"])
def test_act_at_once_without_a_date_is_asap(sentence):
    """"ngay", "khẩn trương", "ngay sau khi nhận được" with no date written is {"kind": "asap"}."""
    assert doc(f"1. {sentence}\n")["requirements"][0]["deadline"] == {"kind": "asap"}


@pytest.mark.parametrize("sentence, date", [
    ("Khẩn trương hoàn thiện hồ sơ, gửi về Phòng Tài chính - Kế hoạch trước ngày 20/7/2024.", "2024-07-20"),
    ("Triển khai ngay và báo cáo kết quả về UBND huyện chậm nhất ngày 15/7/2024.", "2024-07-15"),
], ids=["khan-truong-truoc-ngay", "trien-khai-ngay-cham-nhat"])
def test_a_written_date_wins_over_asap(sentence, date):
    """"khẩn trương … trước ngày 20/7/2024" is due on that date, not "asap"."""
    assert doc(f"1. {sentence}\n")["requirements"][0]["deadline"] == {"kind": "date", "date": date}


@pytest.mark.parametrize("sentence, rule", [
    ("Báo cáo kết quả về UBND huyện trong thời hạn 05 ngày làm việc kể từ ngày nhận được Công văn này.",
     {"kind": "relative", "days": 5, "working_days": True, "from": "receipt"}),
    ("Gửi văn bản góp ý về Phòng Tư pháp trong vòng 07 ngày làm việc, kể từ ngày nhận được dự thảo.",
     {"kind": "relative", "days": 7, "working_days": True, "from": "receipt"}),
    ("Hoàn thành việc rà soát trong vòng 10 ngày kể từ ngày ký.",
     {"kind": "relative", "days": 10, "working_days": False, "from": "issue"}),
    ("Các xã xây dựng kế hoạch chi tiết trong thời hạn 15 ngày kể từ ngày ban hành Kế hoạch này.",
     {"kind": "relative", "days": 15, "working_days": False, "from": "issue"}),
], ids=["5-working-days-from-receipt", "7-working-days-from-receipt", "10-days-from-signing", "15-days-from-issue"])
def test_a_relative_deadline_says_what_it_counts_from(sentence, rule):
    """"… ngày làm việc kể từ ngày nhận được" counts from receipt; "kể từ ngày ký / ban hành" from issue."""
    assert doc(f"1. {sentence}\n")["requirements"][0]["deadline"] == rule


@pytest.mark.parametrize("sentence", [
    "Tiếp tục thực hiện nghiêm Công văn số 219/UBND-VP ngày 14/5/2024 của UBND huyện.",
    "Căn cứ kết quả kiểm tra ngày 20/5/2024, các xã chấn chỉnh việc niêm yết thủ tục hành chính.",
    "Tổ chức Tuần lễ văn hóa - du lịch từ ngày 28/4 đến ngày 02/5/2025 tại trung tâm huyện.",
    "Treo cờ Tổ quốc tại trụ sở cơ quan từ ngày 30/8 đến ngày 03/9.",
    "Tổ chức các hoạt động hưởng ứng Ngày Môi trường thế giới 05/6 trên địa bàn.",
], ids=["cited-document", "inspection-date", "event-period-with-year", "event-period-without-year", "named-day"])
def test_a_date_that_is_not_a_deadline_gives_none(sentence):
    """The date of a cited document, of an inspection, of an event period or a named day is not a deadline."""
    assert doc(f"1. {sentence}\n")["requirements"][0]["deadline"] is None


# 7. What a requirement wants: a figures report or an inventory (guessed when the draft is made)

@pytest.mark.parametrize("sentence, kind", [
    ("Báo cáo số liệu tiếp nhận, giải quyết hồ sơ trực tuyến về Văn phòng UBND huyện trước ngày 30/6/2024.",
     "figures"),
    ("Báo cáo kết quả thực hiện chỉ tiêu thu ngân sách 6 tháng đầu năm về UBND huyện trước ngày 30/6/2024.",
     "figures"),
    ("Báo cáo tỷ lệ hồ sơ giải quyết đúng hạn của Bộ phận Một cửa về UBND huyện trước ngày 30/6/2024.", "figures"),
    ("Rà soát, thống kê số máy tính, máy in tại Bộ phận Một cửa, đề xuất sửa chữa, mua sắm.", "inventory"),
    ("Kiểm kê tài sản công tại trụ sở UBND xã, lập danh sách tài sản hư hỏng đề nghị thanh lý.", "inventory"),
    ("Rà soát, thống kê hồ sơ địa chính còn lưu trữ bằng giấy để phục vụ việc số hóa.", "inventory"),
    ("Báo cáo bằng văn bản những khó khăn, vướng mắc trong quá trình thực hiện về UBND huyện.", "written_report"),
    ("Rà soát, sửa đổi quy chế làm việc của UBND xã cho phù hợp với quy định mới.", "action"),
], ids=["figures-so-lieu", "figures-ket-qua", "figures-ty-le", "inventory-may", "inventory-tai-san", "inventory-ho-so",
        "written-report", "action-ra-soat-quy-che"])
def test_a_requirement_kind_follows_what_it_asks_for(sentence, kind):
    """"Báo cáo … số liệu / kết quả / tỷ lệ" wants figures; "rà soát, thống kê, kiểm kê" of things, an inventory."""
    requirement = doc(f"1. {sentence}\n")["requirements"][0]
    assert guess_kind(requirement["text"], requirement["deadline"]) == kind
