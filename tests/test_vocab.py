"""One vocabulary for event kinds, channels and yes/no flags: in Python values and in tables."""

from __future__ import annotations

from datetime import datetime

import pytest

from tthc_sla import (
    Channel,
    Dossier,
    Event,
    EventKind,
    InputTypeError,
    PolicyError,
    Procedure,
)
from tthc_sla._vocab import CHANNEL_WORDS, FLAG_WORDS, KIND_WORDS, fold

AT = datetime(2026, 11, 20, 9, 30)
PROC = Procedure("1.001", "Cấp phép", "5wd")


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("tiếp nhận", EventKind.RECEIVED),
        ("  Tiếp   Nhận ", EventKind.RECEIVED),  # spaces and case do not matter
        ("TIẾP NHẬN", EventKind.RECEIVED),
        ("tie\u0302\u0301p nha\u0302\u0323n", EventKind.RECEIVED),  # decomposed (NFD) letters
        ("nộp hồ sơ", EventKind.SUBMITTED),
        ("chuyển xử lý", EventKind.STEP_STARTED),
        ("yêu cầu bổ sung", EventKind.SUPPLEMENT_REQUESTED),
        ("đã bổ sung", EventKind.SUPPLEMENT_RECEIVED),
        ("tạm dừng", EventKind.PAUSED),
        ("tiếp tục", EventKind.RESUMED),
        ("hoàn thành", EventKind.RESOLVED),
        ("không giải quyết", EventKind.REJECTED),
        ("đã trả kết quả", EventKind.RETURNED),
        ("rút hồ sơ", EventKind.WITHDRAWN),
        ("hủy", EventKind.CANCELLED),
        ("huỷ", EventKind.CANCELLED),  # the older tone placement
        ("RESOLVED", EventKind.RESOLVED),
        # The words docs/histories.md gives, as the legal texts and forms write them.
        ("tiếp nhận hồ sơ đầy đủ, hợp lệ", EventKind.RECEIVED),
        ("hoàn thành bước", EventKind.STEP_FINISHED),
        ("xin lỗi và đề nghị gia hạn", EventKind.RESCHEDULED),  # Circular 03/2025 Mẫu 04
        ("dừng thực hiện TTHC", EventKind.WITHDRAWN),  # Decree 118/2025 art. 21
        ("dừng thực hiện thủ tục hành chính", EventKind.WITHDRAWN),
    ],
)
def test_event_kind_words(word: str, kind: EventKind) -> None:
    step = "Thẩm định" if kind in (EventKind.STEP_STARTED, EventKind.STEP_FINISHED) else None
    new_due = AT.date() if kind is EventKind.RESCHEDULED else None
    assert Event(AT, word, step=step, new_due=new_due).kind is kind


def test_every_word_names_a_member_and_is_folded() -> None:
    values = {k.value for k in EventKind}
    assert set(KIND_WORDS.values()) == values  # every kind has a Vietnamese word
    assert set(CHANNEL_WORDS.values()) == {c.value for c in Channel}
    for table in (KIND_WORDS, CHANNEL_WORDS, FLAG_WORDS):
        assert all(fold(word) == word for word in table)  # found after folding


def test_unknown_kind_is_refused_with_the_word() -> None:
    with pytest.raises(PolicyError, match="'đã xong': expected an event kind"):
        Event(AT, "đã xong")


@pytest.mark.parametrize(
    ("word", "channel"),
    [("trực tuyến", Channel.ONLINE), ("Trực tiếp", Channel.DIRECT),
     ("DỊCH VỤ BƯU CHÍNH", Channel.POSTAL), ("online", Channel.ONLINE)],
)  # fmt: skip
def test_channel_words(word: str, channel: Channel) -> None:
    assert Dossier("A", PROC, [], channel=word).channel is channel


@pytest.mark.parametrize(
    ("value", "flag"),
    [("no", False), ("không", False), ("KHÔNG", False), ("0", False), (0, False),
     (None, False), (False, False), ("yes", True), ("Có", True), ("1", True), (1, True),
     ("true", True), (True, True)],
)  # fmt: skip
def test_difficult_area_is_strict(value: object, flag: bool) -> None:
    # "no" used to count as yes (a non-empty string is truthy); now it reads as a person reads.
    assert Dossier("A", PROC, [], difficult_area=value).difficult_area is flag


@pytest.mark.parametrize("value", ["maybe", "x", "", 2, 0.5, "n"])
def test_other_flags_are_refused(value: object) -> None:
    with pytest.raises(PolicyError, match="a yes/no flag"):
        Dossier("A", PROC, [], difficult_area=value)


def test_events_must_be_a_sequence() -> None:
    with pytest.raises(InputTypeError, match="events=None: expected a sequence of Event"):
        Dossier("A", PROC, None)  # type: ignore[arg-type]
