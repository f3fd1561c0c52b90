"""Read the "thời hạn giải quyết" text of the national procedure database.

The parser normalises the text (Unicode NFC, exotic spaces, quotes, dashes, case, a few common
typos), splits it into tokens with one flat regular expression, and then works on the token
list only, looking a bounded distance back or forward: it runs in linear time on any input,
however hostile. It finds every duration ("05 ngày làm việc", "ba mươi ngày", "04 giờ", "03
tháng", "trong ngày", "ngay"), decides the role of each from the words around it (the main
limit, an extension clause, an extra for difficult areas, an excluded-time clause, a
condition, a date or clock time), and returns one time, or one time per labelled case or step.
When the text states no time, or states several that cannot be told apart, it raises
:class:`~tthc_sla.errors.RuleParseError`: a wrong deadline is worse than none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

import attrs

from tthc_sla.errors import RuleParseError
from tthc_sla.rules._processing_time import (
    CompositeProcessingTime,
    ProcessingTime,
    ProcessingTimeKind,
)

__all__ = ["parse_processing_time"]

# --------------------------------------------------------------------------- normalisation

_SPACE_CHARS: Final = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000\t\v\f"
)
_ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_TRANSLATE: Final = {
    **{ord(c): " " for c in _SPACE_CHARS},
    **{ord(c): None for c in _ZERO_WIDTH},
    **{ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033"},
    **{ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032"},
    **{ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"},
    ord("\r"): "\n",
    ord("\u2028"): "\n",
    ord("\u2029"): "\n",
    ord("\u2026"): ".",
    ord("\uff1a"): ":",
    ord("\uff1b"): ";",
}
# Typos seen in published texts; each pattern is a plain alternation, without nesting.
_TYPOS: Final = (
    (re.compile(r"\bl[aà]m ?v(?:i[eêẹệ]|[eêệ])c\b", re.IGNORECASE), "làm việc"),
    (re.compile(r"\bk[ẻẽ] từ\b", re.IGNORECASE), "kể từ"),
    (re.compile(r"hạn(?=giải|xử)", re.IGNORECASE), "hạn "),
    (re.compile(r"ngày(?=làm)", re.IGNORECASE), "ngày "),
    (re.compile(r"làm(?=việc)", re.IGNORECASE), "làm "),
    (re.compile(r"\btrường hơp\b", re.IGNORECASE), "trường hợp"),
    (re.compile(r"(?<=\d)(?=[^\W\d_])"), " "),
)
_SPACES: Final = re.compile(r" {2,}")
_NEWLINES: Final = re.compile(r" ?\n[ \n]*")


def _normalise(text: str) -> str:
    """NFC, ordinary spaces, straight quotes, ASCII dashes, fixed typos, single spaces."""
    s = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    for pattern, repl in _TYPOS:
        s = pattern.sub(repl, s)
    s = _SPACES.sub(" ", s)
    return _NEWLINES.sub("\n", s).strip()


def _lower_same_length(s: str) -> str:
    return "".join(lc if len(lc := c.lower()) == 1 else c for c in s)


# ------------------------------------------------------------------------------- tokens

_TOKEN_RE: Final = re.compile(r"(\d+(?:[.,]\d+)*)|([^\W\d_]+)|(\n)|(\S)")
_NUM, _WORD, _NL, _PUNCT = "num", "word", "nl", "punct"


@attrs.frozen
class _Token:
    kind: str
    text: str  # lower case
    start: int
    end: int


def _tokenise(low: str) -> list[_Token]:
    tokens = []
    for m in _TOKEN_RE.finditer(low):
        kind = (_NUM, _WORD, _NL, _PUNCT)[m.lastindex - 1 if m.lastindex else 3]
        tokens.append(_Token(kind, m.group(), m.start(), m.end()))
    return tokens


_DIGIT_WORDS: Final = {
    "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
    "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9,
}  # fmt: skip
_MAX_DIGITS: Final = 6


def _digit_number(text: str) -> int | float | None:
    """The value of a digit token: ``05`` -> 5, ``1,5`` -> 1.5; None for ``1.2.1``, ``20.000``."""
    parts = re.split(r"[.,]", text)
    if len(parts) > 2 or len(parts[0]) > _MAX_DIGITS:
        return None
    if len(parts) == 1:
        return int(parts[0])
    if len(parts[1]) > 2:  # "20.000", "1,500": a thousands separator, not a duration
        return None
    return float(f"{parts[0]}.{parts[1]}")


def _word_number(tokens: Sequence[_Token], i: int) -> tuple[int, int] | None:
    """Read written-out numbers ("mười lăm", "ba mươi hai", "một trăm hai mươi") at ``i``.

    Returns the value and the index after it, or None.
    """

    def word(k: int) -> str:
        return tokens[k].text if k < len(tokens) and tokens[k].kind == _WORD else ""

    j, total = i, 0
    if word(j) in _DIGIT_WORDS and word(j + 1) == "trăm":
        total, j = _DIGIT_WORDS[word(j)] * 100, j + 2
        if word(j) in ("linh", "lẻ") and word(j + 1) in _DIGIT_WORDS:
            return total + _DIGIT_WORDS[word(j + 1)], j + 2
    if word(j) == "mười":
        total, j = total + 10, j + 1
        if word(j) in _DIGIT_WORDS and word(j) != "mốt":
            total, j = total + _DIGIT_WORDS[word(j)], j + 1
    elif word(j) in _DIGIT_WORDS and word(j + 1) == "mươi":
        total, j = total + _DIGIT_WORDS[word(j)] * 10, j + 2
        if word(j) in _DIGIT_WORDS:
            total, j = total + _DIGIT_WORDS[word(j)], j + 1
    elif word(j) in _DIGIT_WORDS:
        total, j = total + _DIGIT_WORDS[word(j)], j + 1
    return (total, j) if j > i and total > 0 else None


# ----------------------------------------------------------------------------- mentions

_MAIN, _EXTENSION, _DIFFICULT, _IGNORED = "main", "extension", "difficult", "ignored"


@attrs.define
class _Mention:
    first: int  # token index of the first token
    last: int  # token index after the last token
    kind: ProcessingTimeKind | None  # None: a unit the library does not model (weeks)
    amount: int | float | None
    role: str = _MAIN
    why: str = ""


_CLOCK_BEFORE: Final = frozenset({"sau", "trước", "lúc", "vào", "từ"})
_NOT_SAME_DAY_AFTER: Final = frozenset({"nghỉ", "lễ", "tết", "thứ", "tiếp"})
_IMMEDIATE_BEFORE: Final = frozenset(
    {"trả", "quyết", "cấp", "lý", "hiện", "nhận", "ký", "xét", "giao", "báo", "khóa", "khoá"}
)
_IMMEDIATE_AFTER: Final = frozenset({"sau", "khi", "lập"})
_BOUNDARY: Final = frozenset({".", ";", ":", "(", ")", "\n", "[", "]"})
_SENTENCE_END: Final = frozenset({".", "\n", ";"})
_WINDOW: Final = 40


def _words(tokens: Sequence[_Token], a: int, b: int) -> str:
    """The words of tokens[a:b] joined by spaces (punctuation kept as its own word)."""
    return " " + " ".join(t.text for t in tokens[max(a, 0) : b]) + " "


def _number_at(tokens: Sequence[_Token], i: int) -> tuple[int | float, int] | None:
    """A number at ``i`` (digits, maybe confirmed by words in parentheses, or words)."""
    tok = tokens[i]
    if tok.kind == _NUM:
        value = _digit_number(tok.text)
        if value is None:
            return None
        j = i + 1
        # "05 (năm)", "15 (mười lăm)": the words confirm the digits.
        if j < len(tokens) and tokens[j].text == "(":
            words = _word_number(tokens, j + 1)
            if words is not None and words[1] < len(tokens) and tokens[words[1]].text == ")":
                if words[0] != value:
                    return None
                j = words[1] + 1
        return value, j
    if tok.kind == _WORD:
        words = _word_number(tokens, i)
        if words is not None:
            return words
    return None


def _find_mentions(tokens: Sequence[_Token]) -> list[_Mention]:
    mentions: list[_Mention] = []
    n = len(tokens)

    def text(k: int) -> str:
        return tokens[k].text if 0 <= k < n else ""

    def working_after(k: int) -> int:
        """Index after "làm việc" starting at ``k`` (line breaks allowed), or 0."""
        while k < n and tokens[k].kind == _NL:
            k += 1
        return k + 2 if text(k) == "làm" and text(k + 1) == "việc" else 0

    i = 0
    while i < n:
        tok = tokens[i]
        # Phrases without a number: "trong ngày", "ngay".
        if tok.text == "trong" and text(i + 1) == "ngày":
            after = i + 2
            if text(after) == "làm" and text(after + 1) == "việc":
                after += 2
            date_follows = after < n and tokens[after].kind == _NUM
            cutoff = (
                text(after) == "tiếp"
                and text(after + 1) == "theo"
                and any(m.why == "clock" and i - m.last < 20 for m in mentions[-2:])
            )
            of_receipt = text(after) == "tiếp" and text(after + 1) == "nhận"  # "...tiếp nhận"
            if not date_follows and (
                cutoff or of_receipt or text(after) not in _NOT_SAME_DAY_AFTER
            ):
                same = _Mention(i, after, ProcessingTimeKind.SAME_DAY, None)
                if cutoff:
                    same.why = "cutoff"
                    after += 2
                if text(i - 1) == "ngay":
                    same.first = i - 1
                mentions.append(same)
                i = after
                continue
        if tok.text == "ngay" and text(i + 1) != "cả" and text(i + 1) != "trong":
            prev_is_number = i > 0 and tokens[i - 1].kind == _NUM
            nxt = tokens[i + 1] if i + 1 < n else None
            ends = nxt is None or nxt.kind in (_PUNCT, _NL)
            if not prev_is_number and (
                ends or text(i + 1) in _IMMEDIATE_AFTER or text(i - 1) in _IMMEDIATE_BEFORE
            ):
                mentions.append(_Mention(i, i + 1, ProcessingTimeKind.IMMEDIATE, None))
                i += 1
                continue
        if tok.kind not in (_NUM, _WORD) or text(i - 1) == "ngày":
            i += 1
            continue
        number = _number_at(tokens, i)
        if number is None:
            i += 1
            continue
        value, j = number
        unit = text(j)
        mention: _Mention | None = None
        if unit in ("ngày", "ngay"):
            if working_after(j + 1):
                mention = _Mention(i, working_after(j + 1), ProcessingTimeKind.WORKING_DAYS, value)
            elif text(j + 1) == "làm":  # "ngày làm ..." garbled: working days or not?
                mention = _Mention(i, j + 2, None, value, why="a garbled 'ngày làm ...' unit")
            elif j + 1 >= n or tokens[j + 1].kind != _NUM:
                mention = _Mention(i, j + 1, ProcessingTimeKind.CALENDAR_DAYS, value)
        elif unit == "giờ":
            working = bool(working_after(j + 1))
            end = working_after(j + 1) if working else j + 1
            if not working and j + 1 < n and tokens[j + 1].kind == _NUM:
                minutes = _digit_number(tokens[j + 1].text) if text(j + 2) == "phút" else None
                if minutes is not None and text(i - 1) not in _CLOCK_BEFORE:
                    mention = _Mention(
                        i, j + 3, ProcessingTimeKind.WORKING_HOURS, value + minutes / 60
                    )
                # else "7 giờ 30": a clock time
            elif not working and (
                text(i - 1) in _CLOCK_BEFORE
                or (text(i - 1) in ("đến", "tới") and mentions and mentions[-1].why == "clock")
            ):
                mention = _Mention(i, end, None, value, _IGNORED, "clock")
            else:
                mention = _Mention(i, end, ProcessingTimeKind.WORKING_HOURS, value)
        elif unit == "phút":
            mention = _Mention(i, j + 1, ProcessingTimeKind.WORKING_HOURS, value / 60)
        elif unit == "tháng":
            if not (j + 1 < n and tokens[j + 1].kind == _NUM):
                mention = _Mention(i, j + 1, ProcessingTimeKind.MONTHS, value)
        elif unit == "tuần":
            mention = _Mention(i, j + 1, None, value, why=_WEEKS_REASON)
        if mention is None:
            i += 1
            continue
        mentions.append(mention)
        i = mention.last
    return mentions


_EXTENSION_KEYS: Final = (
    " kéo dài ", " tăng thêm ", " cộng thêm ", " gia hạn thêm ", " thời gian gia hạn ",
    " được gia hạn ", " gia hạn thời ", " gia hạn không ", " gia hạn tối ", " gia hạn nhưng ",
    " gia hạn một ", " thời hạn gia hạn ",
)  # fmt: skip
_AREA_KEYS: Final = (
    " miền núi ", " hải đảo ", " vùng sâu ", " vùng xa ", " khó khăn ", " biên giới ",
    " cách xa ", " vùng cao ",
)  # fmt: skip
_EXCLUDED_KEYS: Final = (" không tính ", " không kể ")
_SUPPLEMENT_KEYS: Final = (
    " bổ sung ", " hoàn thiện ", " sửa đổi hồ sơ ", " khắc phục ", " chưa hợp lệ ", " chưa đầy đủ ",
)  # fmt: skip
_LABEL_KEYS: Final = (" trường hợp ", " đối với ")
_MINIMUM_KEYS: Final = (" ít nhất ", " tối thiểu ")


def _clause_start(tokens: Sequence[_Token], i: int, stops: frozenset[str], limit: int) -> int:
    k = i - 1
    while k >= 0 and i - k <= limit and tokens[k].text not in stops:
        k -= 1
    return k + 1


def _next_boundary(tokens: Sequence[_Token], i: int, limit: int) -> str:
    k = i
    while k < len(tokens) and k - i < limit:
        if tokens[k].text in _BOUNDARY:
            return tokens[k].text
        k += 1
    return ""


def _assign_roles(tokens: Sequence[_Token], mentions: list[_Mention]) -> None:
    for idx, m in enumerate(mentions):
        if m.role != _MAIN:
            continue
        if m.kind in (ProcessingTimeKind.SAME_DAY, ProcessingTimeKind.IMMEDIATE):
            continue
        start = _clause_start(tokens, m.first, _BOUNDARY, _WINDOW)
        clause = _words(tokens, start, m.first)
        near = _words(tokens, m.first - 4, m.first)
        recent = _words(tokens, max(start, m.first - 12), m.first)
        # "từ 01 ngày đến 03 ngày": the upper bound is the limit.
        nxt = mentions[idx + 1] if idx + 1 < len(mentions) else None
        if (
            nxt is not None
            and nxt.first == m.last + 1
            and tokens[m.last].text in ("đến", "tới", "-")
            and nxt.kind is not None
        ):
            m.role, m.why = _IGNORED, "lower bound of a range"
        elif any(key in clause for key in _EXCLUDED_KEYS):
            m.role, m.why = _IGNORED, "inside an excluded-time clause"
        elif any(key in clause for key in _EXTENSION_KEYS) or " thêm " in near:
            sentence = _words(tokens, _clause_start(tokens, m.first, _SENTENCE_END, 80), m.first)
            m.role = _DIFFICULT if any(key in sentence for key in _AREA_KEYS) else _EXTENSION
        elif any(key in near for key in _MINIMUM_KEYS):
            m.role, m.why = _IGNORED, "a minimum, not a limit"
        elif text_at(tokens, m.first - 1) == "quá" and text_at(tokens, m.first - 2) != "không":
            m.role, m.why = _IGNORED, "a condition ('quá N')"
        elif any(key in clause for key in _LABEL_KEYS) and _next_boundary(
            tokens, m.last, _WINDOW
        ) == ":":
            m.role, m.why = _IGNORED, "part of a case label"
        elif any(key in recent for key in _SUPPLEMENT_KEYS):
            m.role, m.why = _IGNORED, "a time for supplementing the dossier"


def text_at(tokens: Sequence[_Token], k: int) -> str:
    return tokens[k].text if 0 <= k < len(tokens) else ""


def _mark_breakdowns(tokens: Sequence[_Token], mentions: list[_Mention]) -> None:
    """After "X ngày, trong đó: ...", the times that follow are the breakdown of X."""
    mains = [m for m in mentions if m.role == _MAIN]
    k = 0
    while k < len(mains):
        m = mains[k]
        stop = mains[k + 1].first if k + 1 < len(mains) else len(tokens)
        depth, found, scope_end = 0, False, len(tokens)
        for t in range(m.last, stop):
            txt = tokens[t].text
            if txt == "(":
                depth += 1
            elif txt == ")":
                depth -= 1
            elif txt == "trong" and text_at(tokens, t + 1) == "đó":
                found = True
                if depth > 0:
                    scope_end = _closing_paren(tokens, t, depth)
                break
        if not found:
            k += 1
            continue
        k += 1
        while k < len(mains) and mains[k].first < scope_end:
            mains[k].role, mains[k].why = _IGNORED, "breakdown of a total"
            k += 1


def _closing_paren(tokens: Sequence[_Token], t: int, depth: int) -> int:
    while t < len(tokens):
        if tokens[t].text == ")":
            depth -= 1
            if depth == 0:
                return t
        elif tokens[t].text == "(":
            depth += 1
        t += 1
    return len(tokens)


# ------------------------------------------------------------------------------- labels

_SEGMENT_STOPS: Final = frozenset({"\n", ";", "."})
_BULLETS: Final = frozenset({"-", "+", "*", "•", "·"})
_LABEL_FILLERS: Final = frozenset(
    {
        "thời", "hạn", "gian", "giải", "quyết", "xử", "lý", "là",
        "trong", "vòng", "không", "quá", "tối", "đa", "chậm", "nhất", "thì", "thủ", "tục",
        "hành", "chính", "được", "tính", "sau",
    }
)  # fmt: skip
_MAX_LABEL: Final = 80
_SHORT_PREFIX: Final = 6


def _segment_start(tokens: Sequence[_Token], i: int) -> int:
    k = i - 1
    while k >= 0 and i - k <= 200:
        txt = tokens[k].text
        if txt in _SEGMENT_STOPS:
            return k + 1
        if txt in _BULLETS and (k == 0 or tokens[k - 1].text in _BOUNDARY | {","}):
            return k
        k -= 1
    return k + 1


def _is_generic(words: list[str]) -> bool:
    return all(w in _LABEL_FILLERS or not w.isalnum() for w in words)


def _clean_label(src: str, tokens: Sequence[_Token], a: int, b: int) -> str | None:
    """The original text of tokens[a:b] as a short label, or None if it says nothing."""
    while a < b and (tokens[a].text in _BULLETS or tokens[a].kind in (_PUNCT, _NL)):
        a += 1
    # list markers: "a)", "1.", "(1)"
    if a + 1 < b and tokens[a + 1].text in (")", ".") and len(tokens[a].text) <= 2:
        a += 2
    while a < b and tokens[a].kind in (_PUNCT, _NL):
        a += 1
    while a + 1 < b and tokens[a].text == "đối" and tokens[a + 1].text == "với":
        a += 2
    while b > a and (tokens[b - 1].kind in (_PUNCT, _NL) or tokens[b - 1].text in _LABEL_FILLERS):
        b -= 1
    while a < b and tokens[a].text in _LABEL_FILLERS:
        a += 1
    if a >= b or _is_generic([t.text for t in tokens[a:b]]):
        return None
    label = src[tokens[a].start : tokens[b - 1].end]
    label = " ".join(label.split())
    if len(label) > _MAX_LABEL:
        cut = label.rfind(" ", 0, _MAX_LABEL)
        label = label[: cut if cut > 0 else _MAX_LABEL].rstrip(",;:-") + "..."
    return label


def _label_for(
    src: str, tokens: Sequence[_Token], m: _Mention, next_first: int
) -> str | None:
    seg = _segment_start(tokens, m.first)
    # "Label: 05 ngày làm việc"
    for k in range(m.first - 1, seg - 1, -1):
        if tokens[k].text == ":":
            label = _clean_label(src, tokens, _segment_start(tokens, k), k)
            if label is not None:
                return label
            break
    # "05 ngày (đối với trường hợp cấp mới)", "10 ngày ... với trường hợp ..."
    k = m.last
    limit = min(next_first, len(tokens), m.last + 60)
    while k < limit and tokens[k].text not in _SEGMENT_STOPS:
        if (tokens[k].text == "trường" and text_at(tokens, k + 1) == "hợp") or (
            tokens[k].text == "đối" and text_at(tokens, k + 1) == "với"
        ):
            end = k
            while end < limit and tokens[end].text not in _SEGMENT_STOPS | {")", ":"}:
                end += 1
            label = _clean_label(src, tokens, k, end)
            if label is not None:
                return label
            break
        k += 1
    # "đối với cấp mới là 07 ngày", "Bước 5 15 ngày", "cấp lại trong thời hạn 02 ngày"
    before = [t.text for t in tokens[seg : m.first]]
    for key in ("trường", "đối", "bước"):
        if key in before:
            return _clean_label(src, tokens, seg + before.index(key), m.first)
    if 0 < len(before) <= _SHORT_PREFIX:
        return _clean_label(src, tokens, seg, m.first)
    return None


# ------------------------------------------------------------------------------ results

_NO_TIME_REASON: Final = "no processing time is stated"
_FIXED_DATE_REASON: Final = "the result is due by a fixed date in the year, not after a period"
_WEEKS_REASON: Final = "a time in weeks (tuần), which is not supported"


def _is_plain_same_day(m: _Mention) -> bool:
    return m.kind is ProcessingTimeKind.SAME_DAY and m.role == _MAIN and not m.why
_STEP_WITHOUT_TIME: Final = re.compile(r": ?không quy định")
# "trước ngày 31 tháng 12 hàng năm", "trước ngày 20/12 hằng năm": bounded repetitions only.
_FIXED_DATE: Final = re.compile(
    r"trước ngày \d{1,2}(?:/\d{1,2}| tháng \d{1,2})[ ,.]{1,3}h[àằ]ng năm"
)


def _build(m: _Mention, text: str) -> ProcessingTime:
    kind, amount = m.kind, m.amount
    if kind is None:
        raise RuleParseError(text, m.why or "a time in a unit that is not supported")
    if kind in (ProcessingTimeKind.SAME_DAY, ProcessingTimeKind.IMMEDIATE):
        return ProcessingTime(kind)
    if isinstance(amount, float) and kind not in (
        ProcessingTimeKind.WORKING_DAYS,
        ProcessingTimeKind.WORKING_HOURS,
    ):
        amount = float(amount)
        if not amount.is_integer():
            raise RuleParseError(text, f"a fractional amount ({amount}) of {kind.value}")
    if amount is None or amount <= 0:
        raise RuleParseError(text, "a duration of zero")
    return ProcessingTime(kind, amount)


def _key(pt: ProcessingTime) -> tuple[ProcessingTimeKind, int | float | None]:
    return pt.kind, pt.amount


def _excluded_notes(src: str, tokens: Sequence[_Token]) -> list[tuple[int, str]]:
    """Excluded-time clauses ("không tính thời gian ...") with their token positions."""
    notes: list[tuple[int, str]] = []
    for k, tok in enumerate(tokens):
        if tok.text != "không" or text_at(tokens, k + 1) not in ("tính", "kể"):
            continue
        if text_at(tokens, k + 2) == "từ":  # "không kể từ": not an exclusion
            continue
        a = _clause_start(tokens, k, _BOUNDARY - {":"} | {","}, 20)
        if "thời" not in {t.text for t in tokens[a : k + 4]}:
            a = k
        b = k
        while b < len(tokens) and b - k < 60 and tokens[b].text not in _BOUNDARY - {":"}:
            b += 1
        note = " ".join(src[tokens[a].start : tokens[b - 1].end].split())
        if note and note not in {n for _, n in notes}:
            notes.append((k, note))
    return notes


def _owner(mains: Sequence[_Mention], position: int) -> int:
    """Index of the main mention an auxiliary clause at ``position`` belongs to."""
    owner = 0
    for idx, m in enumerate(mains):
        if m.first <= position:
            owner = idx
    return owner


def parse_processing_time(text: str) -> ProcessingTime | CompositeProcessingTime:
    """Read a processing time from the text of the national procedure database.

    Reads both the free "Thời hạn giải quyết" sentence ("15 ngày làm việc kể từ ngày nhận đủ
    hồ sơ hợp lệ") and the portal's structured value ("5 Ngày làm việc", "30 Ngày", "8 Giờ").
    Plain "ngày" is a calendar day (Civil Code); plain "giờ" is read as working hours, since
    a processing time runs inside working time; "30 phút" is 0.5 working hours; "trong ngày"
    (with or without the 15:00 cut-off clause) is ``SAME_DAY``; "ngay", "trả ngay", "ngay sau
    khi nhận" are ``IMMEDIATE``; "từ 01 đến 03 ngày" is 3 days, the legal limit. Dates ("ngày
    30/11/2024"), clock times ("sau 15 giờ"), law numbers, list markers and counts ("02 bộ hồ
    sơ") are not durations. An extension clause ("gia hạn/kéo dài không quá 15 ngày") becomes
    ``extension``, an extra for mountainous, island or difficult communes ``difficult_area_extra``,
    an excluded-time clause ("không tính thời gian ...") ``note``. Several times, one per
    labelled case, level, agency or step, give a :class:`CompositeProcessingTime` whose labels
    are short pieces of the text; a total followed by its breakdown ("50 ngày, trong đó: ...")
    gives the total.

    Args:
        text: the text to read.

    Returns:
        The processing time, or one per labelled part.

    Raises:
        RuleParseError: the text states no time ("Không quy định", "Không có thông tin", a fixed
            date, a delegation), only an extension clause, or several times that cannot be
            told apart; the error carries the text and the reason.
        TypeError: ``text`` is not a str.

    Legal basis: Civil Code 2015, arts. 146-148; Decree 61/2018/NĐ-CP, art. 19.

    Example:
        >>> parse_processing_time("15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ")
        ProcessingTime(kind=<ProcessingTimeKind.WORKING_DAYS: 'working_days'>, amount=15, ...)
        >>> str(parse_processing_time("Trong thời hạn 30 (ba mươi) ngày kể từ ngày 01/7/2025"))
        '30 ngày'
        >>> str(parse_processing_time("UBND cấp xã: 05 ngày làm việc; UBND cấp tỉnh: 10 ngày"))
        'UBND cấp xã: 5 ngày làm việc; UBND cấp tỉnh: 10 ngày'
        >>> parse_processing_time("Không quy định")
        Traceback (most recent call last):
        ...
        tthc_sla.errors.RuleParseError: cannot read a processing time from 'Không quy định': ...
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    src = _normalise(text)
    tokens = _tokenise(_lower_same_length(src))
    mentions = _find_mentions(tokens)
    _assign_roles(tokens, mentions)
    _mark_breakdowns(tokens, mentions)
    if any(_is_plain_same_day(m) for m in mentions):
        for m in mentions:
            if m.why == "cutoff":
                m.role = _IGNORED  # the 15:00 clause of a same-day rule already read
    mains = [m for m in mentions if m.role == _MAIN]
    if _FIXED_DATE.search(src.lower()):
        raise RuleParseError(text, _FIXED_DATE_REASON)
    if not mains:
        if any(m.role == _EXTENSION for m in mentions):
            raise RuleParseError(text, "only an extension clause is stated, not the time itself")
        raise RuleParseError(text, _NO_TIME_REASON)
    values = [_build(m, text) for m in mains]

    # Attach auxiliary clauses to the main time they follow.
    extensions: dict[int, list[ProcessingTime]] = {}
    extras: dict[int, list[_Mention]] = {}
    for m in mentions:
        if m.role in (_EXTENSION, _DIFFICULT) and m.kind is not None:
            target = extensions if m.role == _EXTENSION else None
            owner = _owner(mains, m.first)
            if target is not None:
                target.setdefault(owner, []).append(_build(m, text))
            else:
                extras.setdefault(owner, []).append(m)
    notes: dict[int, list[str]] = {}
    for position, note in _excluded_notes(src, tokens):
        notes.setdefault(_owner(mains, position), []).append(note)

    def qualified(idx: int, owners: Sequence[int]) -> ProcessingTime:
        pt = values[idx]
        exts = [e for o in owners for e in extensions.get(o, [])]
        extra_ms = [e for o in owners for e in extras.get(o, [])]
        note_list = list(dict.fromkeys(n for o in owners for n in notes.get(o, [])))
        extension = None
        if exts and len({_key(e) for e in exts}) == 1:
            extension = exts[0]
        elif exts:
            note_list.append("several extension clauses: " + ", ".join(str(e) for e in exts))
        extra: int | float = 0
        if extra_ms:
            kinds = {e.kind for e in extra_ms}
            amounts = {e.amount for e in extra_ms}
            if kinds != {pt.kind} or len(amounts) != 1:
                raise RuleParseError(
                    text, "the extra time for difficult areas is not in the unit of the time"
                )
            extra = amounts.pop() or 0
        if pt.kind in (ProcessingTimeKind.SAME_DAY, ProcessingTimeKind.IMMEDIATE):
            extra = 0
        return attrs.evolve(
            pt,
            extension=extension,
            difficult_area_extra=extra,
            note="; ".join(note_list) if note_list else None,
        )

    labels = [
        _label_for(src, tokens, m, mains[k + 1].first if k + 1 < len(mains) else len(tokens))
        for k, m in enumerate(mains)
    ]
    distinct_values = {_key(v) for v in values}
    if len(mains) > 1 and all(labels):
        parts: dict[str, int] = {}
        for idx, label in enumerate(labels):
            assert label is not None
            if label in parts:
                if _key(values[parts[label]]) != _key(values[idx]):
                    raise RuleParseError(
                        text, f"two different times for the same case {label!r}"
                    )
                continue
            parts[label] = idx
        if len(parts) > 1:
            if _STEP_WITHOUT_TIME.search(src.lower()):
                raise RuleParseError(text, "a step or case of the procedure has no stated time")
            return CompositeProcessingTime(
                tuple((label, qualified(idx, [idx])) for label, idx in parts.items())
            )
    if len(mains) == 1:
        return qualified(0, [0])
    if len(distinct_values) == 1:
        # The same time stated twice without labels is most often two consecutive steps
        # ("05 ngày ... Sở thẩm định; 05 ngày ... Bộ ban hành"), which add up.
        raise RuleParseError(
            text,
            f"the time {values[0]} is stated {len(mains)} times without labels: repeated, or "
            "consecutive steps that add up?",
        )
    shown = ", ".join(dict.fromkeys(str(v) for v in values))
    raise RuleParseError(
        text, f"several different times ({shown}) without labels to tell them apart"
    )
