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


# 8. Sentences that look like orders and are not, and orders that look like statements

@pytest.mark.parametrize("sentence", [
    "Hướng dẫn nông dân gieo cấy vụ Mùa, không gieo mạ trước ngày 10/6/2024 ở vùng trũng.",
    "Các chủ đầu tư không được khởi công trước ngày 15/7/2024 khi chưa có giấy phép.",
])
def test_a_day_not_to_act_before_is_not_a_deadline(sentence):
    """"không … trước ngày X" forbids acting before X; it does not ask for anything by X."""
    assert deadlines(doc(f"1. {sentence}\n")) == [None]


def test_the_results_sentence_gives_its_deadline_to_the_report_asked_before_it():
    """"Kết quả … báo cáo về … trước ngày …" after an order to report: one requirement, with that date."""
    result = doc("Chủ tịch UBND huyện yêu cầu UBND các xã tổ chức tiêm vắc xin cho đàn chó, mèo và báo cáo kết quả.\n\n"
                 "Kết quả thực hiện báo cáo về UBND huyện (qua Phòng Nông nghiệp) trước ngày 28/6/2024.\n")
    assert labels(result) == [None]
    assert deadlines(result) == [{"kind": "date", "date": "2024-06-28"}]


@pytest.mark.parametrize("sentence", [
    "Phòng Tư pháp có văn bản hướng dẫn UBND các xã trong thời hạn 05 ngày làm việc.",
    "Trưởng các thôn thông báo rộng rãi lịch tiêm phòng trên loa truyền thanh để nhân dân biết.",
    "UBND các xã phổ biến nội dung này đến các cơ quan, đơn vị và cơ sở.",
])
def test_a_unit_as_subject_directs_even_with_co_thong_bao_or_co_quan(sentence):
    """"có văn bản …" is a task, "thông báo rộng rãi" by others is a task, "cơ quan/cơ sở" is not "có"."""
    assert labels(doc(sentence + "\n")) == [None]


@pytest.mark.parametrize("text", [
    "THÔNG BÁO\nKết quả kiểm tra sát hạch\n\nHội đồng kiểm tra thông báo kết quả như sau:\n"
    "1. Tổng số người dự kiểm tra: 31 người; đạt yêu cầu 12 người.\n"
    "2. Danh sách người đạt yêu cầu được niêm yết tại trụ sở UBND huyện.\n"
    "Hội đồng thông báo để các cá nhân được biết./.\n",
    "LỊCH CÔNG TÁC TUẦN 20\n\nTHỨ HAI\n- Sáng: Chủ tịch UBND xã họp Ban Chỉ đạo phòng, chống thiên tai.\n"
    "- Chiều: Phó Chủ tịch UBND xã làm việc tại trụ sở.\n"
    "Ghi chú: Lịch có thể thay đổi theo chỉ đạo của cấp trên.\n",
])
def test_yeu_cau_and_chi_dao_as_nouns_order_nothing(text):
    """"đạt yêu cầu", "Ban Chỉ đạo", "theo chỉ đạo của cấp trên" in a results notice or a schedule."""
    assert extract(text)["requirements"] == []


def test_praise_in_a_conclusion_is_not_a_task():
    """"Ghi nhận …", "Biểu dương …" acknowledge; the conclusions that ask something are the requirements."""
    result = doc("1. Ghi nhận sự cố gắng của các xã trong công tác giải phóng mặt bằng.\n"
                 "2. Biểu dương UBND xã Tân Phú đã hoàn thành sớm kế hoạch.\n"
                 "3. Các xã còn chậm khẩn trương hoàn thành việc chi trả tiền bồi thường trước ngày 30/8/2024.\n")
    assert labels(result) == ["3"]


def test_an_articles_later_paragraph_stays_in_the_article():
    """A decision's "Điều 2" with its tasks and a closing line of its own: still one requirement."""
    result = doc("Điều 1. Thành lập Tổ kiểm tra liên ngành về an toàn thực phẩm.\n"
                 "Điều 2. Tổ kiểm tra có nhiệm vụ kiểm tra các cơ sở kinh doanh trên địa bàn.\n\n"
                 "Tổ kiểm tra tự giải thể sau khi hoàn thành nhiệm vụ.\n\n"
                 "Điều 3. Quyết định này có hiệu lực kể từ ngày ký.\n")
    assert [r["label"] for r in result["requirements"]] == ["Điều 1", "Điều 2", "Điều 3"]
    assert "tự giải thể" in result["requirements"][1]["text"]


# 9. Kinds a second set of unseen documents showed

@pytest.mark.parametrize("lead, number, issued_on", [
    ("Chủ tịch UBND tỉnh Bắc Thành vừa ký Công văn số 2718/UBND-NNTN ngày 03/7/2024 về phòng, chống hạn hán.",
     "2718/UBND-NNTN", "2024-07-03"),
    ("UBND tỉnh Bắc Thành có Công văn số 466/UBND-KT, ngày 21/02/2024, chỉ đạo khắc phục hậu quả mưa đá.",
     "466/UBND-KT", "2024-02-21"),
])
def test_a_report_that_the_dispatch_was_signed_or_exists_gives_its_number(lead, number, issued_on):
    """"… vừa ký Công văn số …", "… có Công văn số …, ngày …" report a dispatch as "ban hành" does."""
    result = extract(f"{lead}\n\nTheo đó, Sở Nông nghiệp chủ trì kiểm tra các hồ chứa nước trên địa bàn.\n")
    assert (result["number"], result["issued_on"]) == (number, issued_on)


def test_a_portal_list_of_related_articles_ends_the_document():
    """"Tin liên quan:" and its links are the page's, not the dispatch's."""
    result = extract("Ngày 03/7/2024, UBND tỉnh Bắc Thành ban hành Công văn số 2718/UBND-NNTN.\n\n"
                     "Theo đó, Sở Nông nghiệp chủ trì kiểm tra các hồ chứa nước trên địa bàn.\n\n"
                     "Tin liên quan:\n- Bắc Thành: Kiểm tra an toàn hồ đập (01/7/2024)\n"
                     "- Tổ chức diễn tập phòng, chống lụt bão (28/6/2024)\n")
    assert labels(result) == [None]


def test_a_deadline_line_after_sub_items_belongs_to_their_item():
    """"Hạn cuối: …" or "Hoàn thành … trước ngày …" under the sub-items of item 1 is item 1's deadline."""
    result = doc("1. Rà soát hộ nghèo, hộ cận nghèo:\na) Lập danh sách hộ;\nb) Niêm yết công khai.\n"
                 "Hạn cuối: 10/10/2024.\n2. Tổ chức tuyên truyền cho người dân.\n")
    assert deadlines(result) == [{"kind": "date", "date": "2024-10-10"}, None]


def test_an_invitation_sets_no_task():
    """A "GIẤY MỜI" asks people to a meeting: nothing to follow up."""
    text = ("GIẤY MỜI\nHọp triển khai chuyển đổi số\n\nUBND huyện Đông Lâm trân trọng kính mời:\n"
            "- Lãnh đạo Phòng Văn hóa và Thông tin;\n- Chủ tịch UBND các xã, thị trấn.\n"
            "Thời gian: 8 giờ 00, ngày 12/8/2024.\nĐịa điểm: Hội trường UBND huyện.\n"
            "Đề nghị các đại biểu đến dự đúng thành phần, thời gian./.\n")
    assert extract(text)["requirements"] == []


@pytest.mark.parametrize("sentence, deadline", [
    ("Trong 4 tháng đầu năm, các xã đã giải ngân được 30% kế hoạch vốn; các xã tiếp tục đẩy nhanh tiến độ.", None),
    ("Sửa chữa xong các phòng học bị hư hỏng trước ngày khai giảng 05/9/2024.", {"kind": "date", "date": "2024-09-05"}),
])
def test_a_period_is_not_a_time_limit_and_a_named_day_with_its_date_is(sentence, deadline):
    """"trong 4 tháng đầu năm" is a period gone by; "trước ngày khai giảng 05/9/2024" is a deadline."""
    assert deadlines(doc(f"1. {sentence}\n")) == [deadline]


def test_the_purpose_section_of_a_plan_holds_no_task():
    """"I. MỤC ĐÍCH, YÊU CẦU" says what the plan is for; "II. TỔ CHỨC THỰC HIỆN" says who does what."""
    result = doc("I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích: nâng cao tỷ lệ người dân có tài khoản định danh điện tử.\n"
                 "2. Yêu cầu: bảo đảm đúng tiến độ, hiệu quả.\nII. TỔ CHỨC THỰC HIỆN\n"
                 "1. Công an xã chủ trì tổ chức thu nhận hồ sơ định danh.\n"
                 "2. Các thôn tuyên truyền cho người dân.\n")
    assert [r["text"].split()[0] for r in result["requirements"]] == ["Công", "Các"]


@pytest.mark.parametrize("sentence", [
    "Sở Tài chính cân đối, bố trí kinh phí sửa chữa trường lớp cho các xã có khó khăn về ngân sách.",
    "Công ty Cổ phần Cấp nước Bắc Thành chuẩn bị phương án cấp nước cho người dân vùng bị ảnh hưởng.",
])
def test_a_relative_clause_does_not_make_an_order_a_statement(sentence):
    """"… cho các xã có khó khăn", "… vùng bị ảnh hưởng" qualify a noun; the unit's verb still directs."""
    assert labels(doc(sentence + "\n")) == [None]


# 10. Kinds a third set of unseen documents showed

def test_a_results_sentence_after_a_task_with_no_report_is_its_own_requirement_with_its_deadline():
    """"Kết quả giải quyết báo cáo UBND huyện trong thời hạn 15 ngày …": the report is the subject; no report was
    asked before it, so it stands as a requirement and keeps its deadline."""
    result = doc("Giao Chủ tịch UBND xã Tân Phú xem xét, giải quyết đơn của bà Lê Thị Mai theo thẩm quyền.\n\n"
                 "Kết quả giải quyết báo cáo UBND huyện trong thời hạn 15 ngày kể từ ngày nhận được văn bản này.\n")
    assert deadlines(result)[-1] == {"kind": "relative", "days": 15, "working_days": False, "from": "receipt"}


@pytest.mark.parametrize("lead, number, issued_on", [
    ("Chiều 12/9, Chủ tịch UBND tỉnh Bắc Thành đã ký Công điện số 09/CĐ-UBND về ứng phó với bão số 4.",
     "09/CĐ-UBND", "2024-09-12"),
    ("Thông báo số 211/TB-UBND ngày 14/6/2024 của UBND huyện Đông Lâm nêu ý kiến kết luận của Chủ tịch UBND huyện.",
     "211/TB-UBND", "2024-06-14"),
])
def test_a_news_lead_with_a_bare_date_or_the_notice_as_subject_gives_its_number(lead, number, issued_on):
    """"Chiều 12/9, … đã ký Công điện số …" (the year from the page); "Thông báo số … ngày … của … nêu …"."""
    result = extract(f"Cập nhật: 13/9/2024\n\n{lead}\n\nTheo đó, UBND các xã khẩn trương kiểm tra đê điều.\n")
    assert (result["number"], result["issued_on"]) == (number, issued_on)


def test_a_numbered_list_of_facts_sets_no_task():
    """A public notice of prices: "1. Bảng giá … được áp dụng từ …", "2. Giá đất …: 1.200.000 đồng/m2"."""
    result = doc("1. Bảng giá đất được áp dụng từ ngày 01/01/2025 đến ngày 31/12/2029.\n"
                 "2. Giá đất ở tại thị trấn Đông Lâm: từ 1.500.000 đồng/m2 đến 9.000.000 đồng/m2.\n"
                 "3. Giá đất trồng lúa: 40.000 đồng/m2.\n")
    assert result["requirements"] == []
