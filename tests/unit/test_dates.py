from datetime import date, datetime

import pytest

from zxfeed.extract.dates import SHANGHAI, date_from_url, find_date, parse_date

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-05", date(2024, 2, 5)),
        ("2024/2/5", date(2024, 2, 5)),
        ("2024.02.05", date(2024, 2, 5)),
        ("2024年2月5日", date(2024, 2, 5)),
        ("２０２４年０２月０５日", date(2024, 2, 5)),
        ("24-02-05", date(2024, 2, 5)),
        ("23-12-24", date(2023, 12, 24)),
        ("[02-05]", date(2024, 2, 5)),
        ("(2024-02-05)", date(2024, 2, 5)),
        ("[12-28]", date(2023, 12, 28)),  # December seen in March: last year
        ("02-29", date(2024, 2, 29)),
        ("发布时间：2024-02-05 10:30", date(2024, 2, 5)),
        ("2月5日", date(2024, 2, 5)),
        ("昨天", date(2024, 2, 29)),
        ("3天前", date(2024, 2, 27)),
    ],
)
def test_forms(text: str, expected: date) -> None:
    found = find_date(text, NOW)
    assert found is not None, text
    assert found.when.date() == expected
    assert found.when.utcoffset().total_seconds() == 8 * 3600


def test_time_of_day_kept_only_when_given() -> None:
    with_time = find_date("发布时间：2024-02-05 10:30", NOW)
    assert with_time.has_time and (with_time.when.hour, with_time.when.minute) == (10, 30)
    day_only = find_date("2024-02-05", NOW)
    assert not day_only.has_time and day_only.when.hour == 0


def test_never_in_the_future() -> None:
    assert find_date("2024-06-01", NOW) is None
    # MM-DD after today belongs to last year, not to the coming months.
    assert find_date("[03-05]", NOW).when.date() == date(2023, 3, 5)


def test_invalid_dates_rejected() -> None:
    assert find_date("2024-02-30", NOW) is None
    assert find_date("第3-5名", NOW) is None
    assert find_date("13-45", NOW) is None


def test_feed_dates() -> None:
    assert parse_date("2024-02-05 10:30:00", NOW).when.isoformat() == "2024-02-05T10:30:00+08:00"
    rfc = parse_date("Mon, 05 Feb 2024 02:30:00 GMT", NOW).when
    assert rfc.astimezone(SHANGHAI).hour == 10
    assert parse_date("2024-02-05T10:30:00+08:00", NOW).when.hour == 10
    assert parse_date("Mon, 05 Feb 2024 10:30:00 CST", NOW).when.utcoffset().total_seconds() == 28800


def test_dates_in_urls() -> None:
    assert date_from_url("http://a.gov.cn/zxww/2018/03/19/ARTI1521417471339723.shtml", NOW).when.date() == date(2018, 3, 19)
    assert date_from_url("http://a.gov.cn/xwzx/202402/t20240205_4512345.html", NOW).when.date() == date(2024, 2, 5)
    assert date_from_url("http://a.gov.cn/show.asp?id=20240205", NOW) is None
    assert date_from_url("http://a.gov.cn/art/123456.html", NOW) is None
