"""The words a record may use for an event kind, a channel or a yes/no flag.

One vocabulary for every way in: ``Event(at, "tiếp nhận")``, ``Dossier(..., channel="trực
tuyến", difficult_area="không")``, the table readers and the columnar engine all read values
through the functions here. Words are matched after Unicode NFC, trimming, collapsing inner
whitespace and case folding, so "Tiếp  Nhận" and "RECEIVED" are read alike. The tables are data:
adding a word is one line. docs/reports.md lists them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Final

__all__ = [
    "CHANNEL_WORDS",
    "FLAG_WORDS",
    "KIND_WORDS",
    "fold",
    "word_of",
]


def fold(text: str) -> str:
    """A word as compared: NFC, trimmed, inner whitespace collapsed, case-folded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


# Each value is the enum value (history.EventKind / history.Channel) the word stands for; the
# enum values themselves are accepted too (added by the enums' users, not repeated here).
KIND_WORDS: Final[Mapping[str, str]] = {
    "nộp hồ sơ": "submitted",
    "nộp": "submitted",
    "tiếp nhận": "received",
    "tiếp nhận hồ sơ": "received",
    "tiếp nhận hồ sơ đầy đủ, hợp lệ": "received",
    "bắt đầu bước": "step_started",
    "bắt đầu bước xử lý": "step_started",
    "chuyển xử lý": "step_started",
    "kết thúc bước": "step_finished",
    "kết thúc bước xử lý": "step_finished",
    "hoàn thành bước": "step_finished",
    "yêu cầu bổ sung": "supplement_requested",
    "yêu cầu bổ sung hồ sơ": "supplement_requested",
    "đã bổ sung": "supplement_received",
    "nhận bổ sung": "supplement_received",
    "nhận hồ sơ bổ sung": "supplement_received",
    "tạm dừng": "paused",
    "tiếp tục": "resumed",
    "xin lỗi và hẹn lại": "rescheduled",
    "hẹn lại": "rescheduled",
    "xin lỗi và đề nghị gia hạn": "rescheduled",  # Circular 03/2025/TT-VPCP Mẫu 04's wording
    "đã giải quyết": "resolved",
    "hoàn thành": "resolved",
    "giải quyết xong": "resolved",
    "có kết quả": "resolved",
    "từ chối": "rejected",
    "không giải quyết": "rejected",
    "từ chối giải quyết": "rejected",
    "trả kết quả": "returned",
    "đã trả kết quả": "returned",
    "rút hồ sơ": "withdrawn",
    "dừng thực hiện tthc": "withdrawn",  # Decree 118/2025 art. 21 (fold() lower-cases the key)
    "dừng thực hiện thủ tục hành chính": "withdrawn",
    "hủy": "cancelled",
    "huỷ": "cancelled",  # the older tone placement, still common in exports
    "hủy hồ sơ": "cancelled",
    "huỷ hồ sơ": "cancelled",
}

CHANNEL_WORDS: Final[Mapping[str, str]] = {
    "trực tuyến": "online",
    "trực tiếp": "direct",
    "bưu chính": "postal",
    "dịch vụ bưu chính": "postal",
    "bưu chính công ích": "postal",
}

FLAG_WORDS: Final[Mapping[str, bool]] = {
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "có": True,
    "không": False,
    "yes": True,
    "no": False,
}


def word_of(text: str, table: Mapping[str, str], values: frozenset[str]) -> str | None:
    """The enum value a word stands for (one of ``values`` or a word of ``table``), or None."""
    key = fold(text)
    if key in values:
        return key
    return table.get(key)
