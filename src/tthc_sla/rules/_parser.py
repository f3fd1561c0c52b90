"""Read the "thời hạn giải quyết" text of the national procedure database.

The parser normalises the text (Unicode NFC, exotic spaces, quotes, dashes, case, a few common
typos), splits it into tokens with one flat regular expression, and then works on the token
list only, looking a bounded distance back or forward: it runs in linear time on any input,
however hostile. It finds every duration ("05 ngày làm việc", "ba mươi ngày", "04 giờ", "03
tháng", "trong ngày", "ngay"), decides the role of each from the words around it (the main
limit, an extension clause, an extra for difficult areas, an excluded-time clause, a
condition, a date or clock time, a time for supplementing the dossier or for the completeness
check at reception), and returns one time, or one time per labelled case or step. Labels come
from the layout ("Label: time", "time (đối với ...)"); a first time stated before cases becomes
"các trường hợp khác"; consecutive steps, each opened by its time in its own sentence or list
item ("Trong thời hạn 05 ngày, kể từ ..., Sở thẩm định ...; ..."), or naming the agency first
("Sở Tư pháp thẩm định hồ sơ trong thời hạn 05 ngày ..."), are labelled by their words;
alternatives joined by "hoặc" by what each applies to. A total's breakdown ("trong đó", "bao
gồm", a split by agency in parentheses) goes to the note. An extension clause gets its mode
from its wording (:class:`~tthc_sla.rules._processing_time.ExtensionMode`: "kéo dài thêm" is
added to the time, "thì thời hạn giải quyết không quá N" or "N kể từ ngày thụ lý" is the whole
time), and so does a ceiling for a need that may arise ("03 ngày làm việc, trường hợp phải xác
minh thì ... không quá 08 ngày làm việc"). When the text states no time, or states several
that cannot be told apart, or cases nested in a case, it raises
:class:`~tthc_sla.errors.RuleParseError`: a wrong deadline is worse than none.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Final

import attrs

from tthc_sla.errors import InputTypeError, PolicyError, RuleParseError
from tthc_sla.rules._processing_time import (
    MAX_AMOUNTS,
    CompositeProcessingTime,
    ExtensionMode,
    ProcessingTime,
    ProcessingTimeKind,
    too_large,
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
# A minus sign (U+2212) is never a dash or a bullet: it binds to the number after it ("− 5"
# becomes "-5"), which the mention reader then takes as negative unless it ends a range.
_MINUS_SIGN: Final = re.compile(r"\u2212[^\S\n]*(?=\d)")


def _normalise(text: str) -> str:
    """NFC, ordinary spaces, straight quotes, ASCII dashes, fixed typos, single spaces."""
    s = unicodedata.normalize("NFC", text)
    if "\u2212" in s:
        s = _MINUS_SIGN.sub("-", s)
    s = s.translate(_TRANSLATE)
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
_EXACT_DIGITS: Final = 12


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
    mode: ExtensionMode | None = None  # an extension's mode, when its wording says it


_UNITS: Final = frozenset({"ngày", "ngay", "giờ", "phút", "tháng", "tuần"})
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


def _minus_before(tokens: Sequence[_Token], i: int, mentions: Sequence[_Mention]) -> bool:
    """Whether the number at ``i`` carries a minus sign: "-5", "–5" ("− 5" is glued by
    _normalise). The dash must touch the digits and not join them to what comes before: not
    "5-7", "TT-5" (touching both sides), "05 –10" or "05 ngày –10 ngày" (a range); "- 5 ngày"
    (a space after the dash) is a bullet or a separator, as published texts use it.
    """
    dash = tokens[i - 1] if i > 0 else None
    if dash is None or dash.text != "-" or dash.end != tokens[i].start:
        return False
    if i == 1:
        return True
    before = tokens[i - 2]
    if before.kind == _NUM or (mentions and mentions[-1].last == i - 1):
        return False
    return before.kind != _WORD or before.end < dash.start


def _check_size(m: _Mention, tokens: Sequence[_Token], src: str, negative: bool) -> _Mention:
    """Turn a negative or absurdly large time into one that cannot be used (kind None), with
    the reason, so that it is refused if it is read as the time, an extension or an extra."""
    kind, amount = m.kind, m.amount
    if kind is None or amount is None:
        return m
    start = tokens[m.first - 1 if negative else m.first].start
    shown = src[start : tokens[m.last - 1].end]
    if len(shown) > 60:
        shown = shown[:28] + "..." + shown[-28:]
    if negative and amount != 0:
        m.kind, m.amount, m.why = None, None, f"{_NEGATIVE} ({shown})"
    elif amount > MAX_AMOUNTS[kind]:
        m.kind, m.amount = None, None
        m.why = f"{_TOO_LARGE} ({shown}): expected {too_large(kind)}"
    return m


_NEGATIVE: Final = "a negative time"
_TOO_LARGE: Final = "an amount too large"
_REFUSED: Final = (_NEGATIVE, _TOO_LARGE)


def _find_mentions(tokens: Sequence[_Token], src: str) -> list[_Mention]:
    """The times a text states, in order: phrases without a number ("trong ngày", "ngay"),
    then numbers followed by a unit ("15 ngày làm việc", "4 giờ", "30 phút", "3 tháng")."""
    mentions: list[_Mention] = []
    n = len(tokens)

    def text(k: int) -> str:
        return tokens[k].text if 0 <= k < n else ""

    i = 0
    while i < n:
        tok = tokens[i]
        if tok.text == "trong" and text(i + 1) == "ngày":
            after = _same_day_mention(tokens, i, text, mentions)
            if after:
                i = after
                continue
        if (
            tok.text == "ngay"
            and text(i + 1) != "cả"
            and text(i + 1) != "trong"
            and _is_immediate(tokens, i, text)
        ):
            mentions.append(_Mention(i, i + 1, ProcessingTimeKind.IMMEDIATE, None))
            i += 1
            continue
        if tok.kind not in (_NUM, _WORD) or text(i - 1) == "ngày":
            i += 1
            continue
        number = _number_at(tokens, i)
        if (
            number is None
            and tok.kind == _NUM
            and len(tok.text) > _MAX_DIGITS
            and tok.text.isdigit()
        ):
            # More digits than a duration has ("1000000000 ngày"): if a unit follows, an amount
            # to refuse for its size, kept exact while cheap to convert (the maxima have 7).
            number = (int(tok.text) if len(tok.text) <= _EXACT_DIGITS else math.inf), i + 1
        if number is None:
            i += 1
            continue
        mention = _number_mention(tokens, src, i, number, text, mentions)
        if mention is None:
            i += 1
            continue
        mentions.append(mention)
        i = mention.last
    return mentions


def _same_day_mention(
    tokens: Sequence[_Token], i: int, text: Callable[[int], str], mentions: list[_Mention]
) -> int:
    """Read "trong ngày" at ``i`` (maybe "trong ngày làm việc", or the 15:00 cut-off's "trong
    ngày tiếp theo"): append its mention and return the index after it, or 0 if it is none
    (a date follows, or "trong ngày nghỉ, lễ, tết...")."""
    n = len(tokens)
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
    if date_follows or not (cutoff or of_receipt or text(after) not in _NOT_SAME_DAY_AFTER):
        return 0
    same = _Mention(i, after, ProcessingTimeKind.SAME_DAY, None)
    if cutoff:
        same.why = "cutoff"
        after += 2
    if text(i - 1) == "ngay":
        same.first = i - 1
    mentions.append(same)
    return after


def _is_immediate(tokens: Sequence[_Token], i: int, text: Callable[[int], str]) -> bool:
    """Whether "ngay" at ``i`` states an immediate time ("trả ngay", "ngay sau khi", "ngay."),
    not a date ("ngày" written without its accent after a number) or an adverb."""
    prev_is_number = i > 0 and tokens[i - 1].kind == _NUM
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    ends = nxt is None or nxt.kind in (_PUNCT, _NL)
    return not prev_is_number and (
        ends or text(i + 1) in _IMMEDIATE_AFTER or text(i - 1) in _IMMEDIATE_BEFORE
    )


def _number_mention(
    tokens: Sequence[_Token],
    src: str,
    i: int,
    number: tuple[int | float, int],
    text: Callable[[int], str],
    mentions: Sequence[_Mention],
) -> _Mention | None:
    """The time stated by the number at ``i`` (its value, and the index after it) and the unit
    after it, checked for its sign and size; None if no unit follows."""
    value, j = number
    start = tokens[i].start
    if tokens[i].kind == _NUM and start and src[start - 1].isalpha():
        return None  # "1e3", "HS12": digits inside a word or a code, not an amount
    negative = tokens[i].kind == _NUM and _minus_before(tokens, i, mentions)
    if negative:
        value = -value
    if (
        text(j) == "\n"
        and text(j + 1) in _UNITS
        and src[tokens[j + 1].start].islower()
    ):
        j += 1  # "10\nngày": a line wrapped inside the time (a lower-case unit goes on)
    unreadable = _unreadable_amount(tokens, src, i, j, text)
    if unreadable is not None:
        return unreadable
    mention = _unit_mention(tokens, i, j, value, text, mentions)
    if mention is None:
        return None
    if text(mention.last) == "rưỡi" or text(j + 1) == "rưỡi":  # "2 ngày rưỡi (làm việc)"
        shown = src[start : tokens[min(mention.last, len(tokens) - 1)].end]
        return _Mention(i, mention.last + 1, None, value, why=f"{_HALF} ({shown})")
    return _check_size(mention, tokens, src, negative)


_HALF: Final = "a time and a half ('rưỡi'): write it as a decimal, such as 2,5 ngày làm việc"
_FRACTION: Final = "a fraction written with '/': write it as a decimal, such as 0,5 ngày"
_TWO_UNITS: Final = "a time in two units, which no single kind of time holds"


def _unreadable_amount(
    tokens: Sequence[_Token], src: str, i: int, j: int, text: Callable[[int], str]
) -> _Mention | None:
    """A time whose amount cannot be read as one number of one unit, as a mention to refuse
    if it is read as the time: a fraction ("1/2 ngày làm việc" is not 2 working days) or two
    units ("03 tháng 15 ngày" is neither 3 months nor 15 days); None otherwise."""
    if text(j) not in _UNITS:
        return None
    slash = tokens[i - 1] if i > 1 else None
    if (
        slash is not None
        and slash.text == "/"
        and slash.end == tokens[i].start
        and tokens[i - 2].kind == _NUM
        and tokens[i - 2].end == slash.start
    ):
        shown = src[tokens[i - 2].start : tokens[j].end]
        return _Mention(i, j + 1, None, None, why=f"{_FRACTION} ({shown})")
    k = j + 1
    if (
        text(j) in ("tháng", "ngày")
        and k < len(tokens)
        and tokens[k].kind == _NUM
        and text(k + 1) in _UNITS - {"ngay", text(j)}
    ):
        shown = src[tokens[i].start : tokens[k + 1].end]
        return _Mention(i, k + 2, None, None, why=f"{_TWO_UNITS} ({shown})")
    return None


def _unit_mention(
    tokens: Sequence[_Token],
    i: int,
    j: int,
    value: int | float,
    text: Callable[[int], str],
    mentions: Sequence[_Mention],
) -> _Mention | None:
    """The time of the number ``value`` at ``i`` whose unit is at ``j``, or None: no unit, a
    date ("ngày 15 tháng 3", "tháng 3 năm"), a clock time ("lúc 7 giờ 30") is ignored."""
    n = len(tokens)
    unit = text(j)
    if unit in ("ngày", "ngay"):
        working = _working_after(tokens, j + 1, text)
        if working:
            return _Mention(i, working, ProcessingTimeKind.WORKING_DAYS, value)
        if text(j + 1) == "làm":  # "ngày làm ..." garbled: working days or not?
            return _Mention(i, j + 2, None, value, why="a garbled 'ngày làm ...' unit")
        if j + 1 >= n or tokens[j + 1].kind != _NUM:
            return _Mention(i, j + 1, ProcessingTimeKind.CALENDAR_DAYS, value)
        return None
    if unit == "giờ":
        working_end = _working_after(tokens, j + 1, text)
        end = working_end if working_end else j + 1
        if not working_end and j + 1 < n and tokens[j + 1].kind == _NUM:
            minutes = _digit_number(tokens[j + 1].text) if text(j + 2) == "phút" else None
            if minutes is not None and text(i - 1) not in _CLOCK_BEFORE:
                return _Mention(i, j + 3, ProcessingTimeKind.WORKING_HOURS, value + minutes / 60)
            return None  # "7 giờ 30": a clock time
        if not working_end and (
            text(i - 1) in _CLOCK_BEFORE
            or (text(i - 1) in ("đến", "tới") and mentions and mentions[-1].why == "clock")
        ):
            return _Mention(i, end, None, value, _IGNORED, "clock")
        return _Mention(i, end, ProcessingTimeKind.WORKING_HOURS, value)
    if unit == "phút":
        return _Mention(i, j + 1, ProcessingTimeKind.WORKING_HOURS, value / 60)
    if unit == "tháng":
        if not (j + 1 < n and tokens[j + 1].kind == _NUM):
            return _Mention(i, j + 1, ProcessingTimeKind.MONTHS, value)
        return None
    if unit == "tuần":
        return _Mention(i, j + 1, None, value, why=_WEEKS_REASON)
    return None


def _working_after(tokens: Sequence[_Token], k: int, text: Callable[[int], str]) -> int:
    """Index after "làm việc" starting at ``k`` (line breaks allowed), or 0."""
    n = len(tokens)
    while k < n and tokens[k].kind == _NL:
        k += 1
    return k + 2 if text(k) == "làm" and text(k + 1) == "việc" else 0


_EXTENSION_KEYS: Final = (
    " kéo dài ", " tăng thêm ", " cộng thêm ", " gia hạn thêm ", " thời gian gia hạn ",
    " được gia hạn ", " gia hạn thời ", " gia hạn không ", " gia hạn tối ", " gia hạn nhưng ",
    " gia hạn một ", " thời hạn gia hạn ", " gia hạn giải quyết ",
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


_INCOMPLETE_KEYS: Final = (
    " hồ sơ chưa đầy đủ ", " hồ sơ chưa hợp lệ ", " hồ sơ không đầy đủ ", " hồ sơ không hợp lệ ",
)  # fmt: skip
_SUPPLEMENT_REQUEST_KEYS: Final = (
    " cần bổ sung ", " yêu cầu bổ sung ", " đề nghị bổ sung ", " hướng dẫn bổ sung ",
    " thông báo bổ sung ",
)  # fmt: skip
_REMEDY_KEYS: Final = (" phải khắc phục ", " thực hiện khắc phục ", " phải thực hiện khắc phục ")
_REMEDY: Final = "the applicant's time to remedy (khắc phục), not the agency's"
_COMPLETENESS_KEYS: Final = (" kiểm tra tính đầy đủ ",)
_CONJUNCTIONS: Final = frozenset({"và", "hoặc", "còn", "nhưng", ","})
_LEAD_FILLERS: Final = frozenset(
    {"trong", "vòng", "thời", "hạn", "gian", "là", "không", "quá", "tối", "đa", "chậm", "nhất"}
)
_CLAUSE_STOPS: Final = _BOUNDARY | {","}


def _excluded_subjects(tokens: Sequence[_Token]) -> list[tuple[int, str]]:
    """Subjects declared not counted: "thời hạn xác minh không tính vào ..." gives " xác minh "."""
    found: list[tuple[int, str]] = []
    for k, tok in enumerate(tokens):
        if tok.text != "không":
            continue
        after = k + 2 if text_at(tokens, k + 1) == "được" else k + 1
        if text_at(tokens, after) != "tính" or text_at(tokens, after + 1) != "vào":
            continue
        a = _clause_start(tokens, k, _CLAUSE_STOPS, 12)
        words = [t.text for t in tokens[a:k]]
        if len(words) >= 3 and words[0] == "thời" and words[1] in ("hạn", "gian"):
            found.append((k, " " + " ".join(words[2:]) + " "))
    return found


def _parent_headings(tokens: Sequence[_Token]) -> list[tuple[int, int]]:
    """For each token on a "+" line, the span of the nearest line above not starting with "+".

    Tokens on other lines get an empty span. One pass over the tokens.
    """
    spans: list[tuple[int, int]] = []
    heading = (0, 0)
    line_start = 0
    for k, tok in enumerate(tokens):
        if tok.kind == _NL:
            if text_at(tokens, line_start) != "+":
                heading = (line_start, k)
            line_start = k + 1
        spans.append(heading if text_at(tokens, line_start) == "+" else (0, 0))
    return spans


def _assign_roles(tokens: Sequence[_Token], mentions: list[_Mention], low: str) -> None:
    subjects = _excluded_subjects(tokens) if " tính vào " in low else []
    headings = _parent_headings(tokens) if any(key in low for key in _COMPLETENESS_KEYS) else []
    incomplete = any(key in low for key in _INCOMPLETE_KEYS)
    flags = (" khắc phục " in low, " niêm yết " in low)
    previous_main: _Mention | None = None
    for idx, m in enumerate(mentions):
        if m.role != _MAIN:
            continue
        if m.kind not in (ProcessingTimeKind.SAME_DAY, ProcessingTimeKind.IMMEDIATE):
            _assign_role(tokens, mentions, idx, subjects, headings, incomplete, flags)
        if m.role == _EXTENSION:
            m.mode = _extension_cue(tokens, m)
        elif (
            m.role == _MAIN
            and previous_main is not None
            and _is_conditional_ceiling(tokens, previous_main, m)
        ):
            # "03 ngày làm việc, trường hợp phải xác minh thì ... không quá 08 ngày làm việc"
            m.role, m.mode = _EXTENSION, _extension_cue(tokens, m) or ExtensionMode.TOTAL
        if (
            m.role == _MAIN
            and previous_main is not None
            and _inside_case_description(tokens, previous_main, m)
        ):
            m.role, m.why = _IGNORED, "inside the description of a case"
        if m.role == _MAIN:
            previous_main = m


# ------------------------------------------------------------------ extension modes

_CEILING_WORDS: Final = frozenset({"quá", "đa"})  # "không quá N", "tối đa N"
_RESULT_FILLERS: Final = frozenset(
    {
        "thời", "hạn", "gian", "giải", "quyết", "xử", "lý", "hồ", "sơ", "là", "tối", "đa",
        "không", "quá", "được", "trong", "vòng", "chậm", "nhất", "cũng", "này", "đăng", "ký",
        "thủ", "tục", "việc", "cấp", "trả", "kết", "quả", "có", "thể", "sẽ",
    }
)  # fmt: skip
_NEED_WORDS: Final = frozenset({"cần", "phải"})
_VERB_WORDS: Final = frozenset({"kéo", "gia", "tăng", "thêm", "cộng"})
_RECEIPT_WORDS: Final = frozenset({"nhận", "thụ", "nộp", "tiếp"})
_CONDITION_STOPS: Final = frozenset({".", ";", ":", "(", ")", "\n", "[", "]"})


def _result_start(tokens: Sequence[_Token], m: _Mention, clause_start: int) -> int:
    """Where the consequence of a condition starts: after the last "thì" before ``m``."""
    for k in range(m.first - 1, clause_start - 1, -1):
        if tokens[k].text == "thì":
            return k + 1
    return clause_start


def _anchor_after(tokens: Sequence[_Token], m: _Mention) -> str:
    """The anchor after a ceiling: "additional" ("kể từ ngày hết thời hạn ..."), "receipt"
    ("kể từ ngày nhận / thụ lý / nhận được tin báo ...", the base time's start) or ""."""
    k = m.last
    if text_at(tokens, k) == ",":
        k += 1
    if text_at(tokens, k) not in ("kể", "tính") or text_at(tokens, k + 1) != "từ":
        return ""
    words: list[str] = []
    k += 2
    while k < len(tokens) and len(words) < 8 and tokens[k].text not in _CLAUSE_STOPS:
        words.append(tokens[k].text)
        k += 1
    joined = " " + " ".join(words) + " "
    if " hết hạn " in joined or " hết thời hạn " in joined or " kết thúc thời hạn " in joined:
        return "additional"
    head = words[1:3] if words[:1] in (["ngày"], ["khi"], ["thời"]) else words[:2]
    if any(w in _RECEIPT_WORDS for w in head) or " tin báo " in joined:
        return "receipt"
    return ""


def _extension_cue(tokens: Sequence[_Token], m: _Mention) -> ExtensionMode | None:
    """The mode an extension's wording states, or None when it states none.

    * additional: anchored at the end of the base time ("kể từ ngày hết thời hạn"), or "thêm"
      ("kéo dài thêm", "tăng thêm", "gia hạn thêm"), "gia hạn ... không quá N", or the length
      of the extension named as such ("thời gian gia hạn không quá N", "thời hạn kéo dài");
    * total: anchored at the base time's start ("không quá 45 ngày, kể từ ngày thụ lý") — but
      with "thêm" too the wording contradicts itself and states nothing —, or the exceptional
      case restating the limit ("... thì thời hạn giải quyết không quá 05 ngày làm việc").

    Legal basis: none; the wording decides (see ExtensionMode).
    """
    start = _clause_start(tokens, m.first, _CONDITION_STOPS, _WINDOW)
    result = [t.text for t in tokens[_result_start(tokens, m, start) : m.first]]
    joined = " " + " ".join(result) + " "
    anchor = _anchor_after(tokens, m)
    added = " thêm " in joined
    if anchor == "additional":
        return ExtensionMode.ADDITIONAL
    if anchor == "receipt":
        return None if added else ExtensionMode.TOTAL
    if added or any(key in joined for key in _ADDITIONAL_KEYS):
        return ExtensionMode.ADDITIONAL
    if "hạn" in result:
        tail = result[result.index("hạn") :]
        if not any(w in _VERB_WORDS for w in tail) and tail[-1] in _CEILING_WORDS | {"là"}:
            return ExtensionMode.TOTAL  # "thì thời hạn giải quyết không quá N"
    return None


# "gia hạn ... không quá N"; the length of the extension named as such.
_ADDITIONAL_KEYS: Final = (
    " gia hạn ", " thời gian kéo dài ", " thời hạn kéo dài ", " thời gian gia ", " thời hạn gia ",
)  # fmt: skip


def _is_conditional_ceiling(tokens: Sequence[_Token], prev: _Mention, m: _Mention) -> bool:
    """A ceiling for a need that may arise, after the time: an extension, not a case.

    "03 ngày làm việc, trường hợp phải xác minh thì ... không quá 08 ngày làm việc", "15 ngày
    làm việc (trường hợp cần lấy ý kiến thì tối đa không quá 25 ngày làm việc)", "Ngay ...
    Trường hợp cần xác minh ... thì thời hạn giải quyết không quá 05 ngày làm việc": a
    condition ("trường hợp", "nếu") with a need ("cần", "phải"), then "thì", then a ceiling
    ("không quá", "tối đa") longer than the time before it, in the same paragraph or list item.
    A case stated as a category ("trường hợp cấp lại thì ...") is not one.
    """
    if m.kind is None or m.amount is None or m.first - prev.last > _CEILING_REACH:
        return False
    k = m.first - 1
    if text_at(tokens, k) not in _CEILING_WORDS:
        return False
    while k >= 0 and m.first - k <= 12 and tokens[k].text in _RESULT_FILLERS:
        k -= 1
    if text_at(tokens, k) != "thì":
        return False
    condition: list[str] = []
    k -= 1
    while k >= prev.last and tokens[k].text not in _CONDITION_STOPS and len(condition) < 30:
        condition.append(tokens[k].text)
        k -= 1
    if not any(w in _NEED_WORDS for w in condition):
        return False
    words = " " + " ".join(reversed(condition)) + " "
    if " trường hợp " not in words and " nếu " not in words:
        return False
    if any(_is_hard_break(tokens, t) and tokens[t].kind == _NL for t in range(prev.last, m.first)):
        return False
    return _approx_days(m.kind, m.amount) > _approx_days(prev.kind, prev.amount)


_CEILING_REACH: Final = 200


# Rough lengths, only to tell a longer ceiling from a shorter one (never to compute with).
_APPROX_DAYS: Final = {
    ProcessingTimeKind.WORKING_DAYS: 1.4,
    ProcessingTimeKind.CALENDAR_DAYS: 1.0,
    ProcessingTimeKind.MONTHS: 30.0,
    ProcessingTimeKind.WORKING_HOURS: 1.4 / 8,
}


def _approx_days(kind: ProcessingTimeKind | None, amount: int | float | None) -> float:
    if kind is None:
        return math.inf
    if amount is None:  # same day, immediate
        return 0.0
    return amount * _APPROX_DAYS[kind]


def _inside_case_description(tokens: Sequence[_Token], prev: _Mention, m: _Mention) -> bool:
    """A time inside a case: "16 ngày đối với trường hợp ... mặc dù trong 12 tháng ...".

    The time follows another main time in the same clause (no comma or boundary between),
    after a case description ("đối với", "trường hợp"), and is not joined to it by a
    conjunction ("05 ngày đối với A và 07 ngày đối với B").
    """
    if m.first - prev.last > 80:
        return False
    between = [t.text for t in tokens[prev.last : m.first]]
    if any(t in _CLAUSE_STOPS for t in between):
        return False
    joined = " " + " ".join(between) + " "
    if " đối với " not in joined and " trường hợp " not in joined:
        return False
    k = m.first - 1
    while k >= prev.last and tokens[k].text in _LEAD_FILLERS:
        k -= 1
    return text_at(tokens, k) not in _CONJUNCTIONS


def _assign_role(
    tokens: Sequence[_Token],
    mentions: list[_Mention],
    idx: int,
    subjects: Sequence[tuple[int, str]],
    headings: Sequence[tuple[int, int]],
    incomplete: bool,
    flags: tuple[bool, bool],
) -> None:
    m = mentions[idx]
    remedy, posting = flags
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
    elif any(key in near for key in _MINIMUM_KEYS):
        # before the extension keys: "gia hạn ... gửi hồ sơ tối thiểu 06 tháng trước ..."
        m.role, m.why = _IGNORED, "a minimum, not a limit"
    elif (
        any(key in clause for key in _EXTENSION_KEYS)
        or " thêm " in near
        or _continues_extension(tokens, mentions, idx)
    ):
        sentence = _words(tokens, _clause_start(tokens, m.first, _SENTENCE_END, 80), m.first)
        m.role = _DIFFICULT if any(key in sentence for key in _AREA_KEYS) else _EXTENSION
    elif text_at(tokens, m.first - 1) == "quá" and text_at(tokens, m.first - 2) != "không":
        m.role, m.why = _IGNORED, "a condition ('quá N')"
    elif any(key in clause for key in _LABEL_KEYS) and _next_boundary(
        tokens, m.last, _WINDOW
    ) == ":":
        m.role, m.why = _IGNORED, "part of a case label"
    elif any(key in recent for key in _SUPPLEMENT_KEYS):
        m.role, m.why = _IGNORED, "a time for supplementing the dossier"
    elif remedy and _followed_by(tokens, m, _REMEDY_KEYS):
        # "trong thời hạn tối đa 90 ngày cơ sở phải thực hiện khắc phục ..."
        m.role, m.why = _IGNORED, _REMEDY
    elif _is_supplement_case(tokens, m, incomplete):
        m.role, m.why = _IGNORED, "a time for an incomplete dossier (supplement request)"
    elif subjects and _is_excluded_subject(tokens, m, subjects):
        m.role, m.why = _IGNORED, "a time declared not counted in the processing time"
    elif headings and _is_completeness_check(tokens, m, headings):
        m.role, m.why = _IGNORED, "a completeness check at reception"
    elif posting and _is_public_posting(tokens, m):
        m.why = _POSTING  # still a time of the procedure; refused if it is the only one


def _continues_extension(tokens: Sequence[_Token], mentions: Sequence[_Mention], idx: int) -> bool:
    """An extension continued: "gia hạn ... 30 ngày; đối với vụ việc phức tạp thì ... 60 ngày".

    A ceiling in the clause right after an extension clause, in the same sentence, naming a
    case and no time of its own ("thời hạn", "thời gian"), continues the extension.
    """
    m = mentions[idx]
    if idx == 0 or mentions[idx - 1].role != _EXTENSION:
        return False
    prev = mentions[idx - 1]
    if m.first - prev.last > 30:
        return False
    between = [t.text for t in tokens[prev.last : m.first]]
    if between.count(";") != 1 or any(t in (".", "\n") for t in between):
        return False
    clause = " " + " ".join(between[between.index(";") + 1 :]) + " "
    return (
        any(key in clause for key in _LABEL_KEYS)
        and " thời " not in clause
        and any(key in clause for key in (" không quá ", " tối đa "))
    )


_POSTING: Final = "only a public posting period (niêm yết) is stated, not the time to settle"


def _is_public_posting(tokens: Sequence[_Token], m: _Mention) -> bool:
    """A posting period: "Niêm yết công khai danh sách ...: 15 ngày làm việc" (the land rules
    exclude it from the processing time); not "Sau khi niêm yết ..., trong thời hạn ..."."""
    words = _words(tokens, _segment_start(tokens, m.first), m.first)
    at = words.find(" niêm yết ")
    return at >= 0 and not any(
        key in words[:at] + " " for key in (" sau ", " kể từ ", " hết ", " kết thúc ")
    )


def _followed_by(tokens: Sequence[_Token], m: _Mention, keys: Sequence[str]) -> bool:
    """Whether the clause right after ``m`` (up to a comma or boundary) holds one of ``keys``."""
    k = m.last
    while k < len(tokens) and k - m.last < 15 and tokens[k].text not in _CLAUSE_STOPS:
        k += 1
    following = _words(tokens, m.last, k)
    return any(key in following for key in keys)


def _is_supplement_case(tokens: Sequence[_Token], m: _Mention, incomplete: bool) -> bool:
    """A supplement time: "Trường hợp hồ sơ chưa đầy đủ: 30 ngày", "05 ngày ... cần bổ sung"."""
    if incomplete:
        label = _words(tokens, _segment_start(tokens, m.first), m.first)
        if any(key in label for key in _INCOMPLETE_KEYS):
            return True
    k = m.last
    while k < len(tokens) and k - m.last < 15 and tokens[k].text not in _CLAUSE_STOPS:
        if tokens[k].text == "kể" or (tokens[k].text == "từ" and text_at(tokens, k - 1) != "kể"):
            return False  # "... kể từ ngày nhận hồ sơ bổ sung": an anchor, not a request
        k += 1
    following = _words(tokens, m.last, k)
    return any(key in following for key in _SUPPLEMENT_REQUEST_KEYS)


def _is_excluded_subject(
    tokens: Sequence[_Token], m: _Mention, subjects: Sequence[tuple[int, str]]
) -> bool:
    """An excluded time: "thời hạn xác minh ... là 30 ngày; thời hạn xác minh không tính vào"."""
    clause = _words(tokens, _clause_start(tokens, m.first, _BOUNDARY, _WINDOW), m.first)
    first = bisect.bisect_left(subjects, (m.last, ""))
    for position, subject in subjects[first:]:
        if position - m.last > 40 or any(
            tokens[k].text in (".", "\n") for k in range(m.last, position)
        ):
            break
        if f" thời hạn{subject}" in clause or f" thời gian{subject}" in clause:
            return True
    return False


def _is_completeness_check(
    tokens: Sequence[_Token], m: _Mention, headings: Sequence[tuple[int, int]]
) -> bool:
    """A time under "Kiểm tra tính đầy đủ của hồ sơ:" (checked at reception, not processing)."""
    seg = _segment_start(tokens, m.first)
    context = _words(tokens, seg, m.first) + _words(tokens, *headings[m.first])
    return any(key in context for key in _COMPLETENESS_KEYS)


def text_at(tokens: Sequence[_Token], k: int) -> str:
    return tokens[k].text if 0 <= k < len(tokens) else ""


@attrs.frozen
class _Breakdown:
    """A total and the times that break it down ("30 ngày (bao gồm 20 ngày ... và 10 ngày ...)")."""

    total: _Mention
    parts: tuple[_Mention, ...]
    start: int  # token index of the breakdown's first token (its keyword or its parenthesis)
    end: int  # token index after its last token
    bounded: bool  # closed by a parenthesis, or one list of parts ("bao gồm"): they add up


_BREAKDOWN_REACH: Final = 6  # "30 ngày, bao gồm ...", "30 ngày (gồm ...": the keyword follows
_PAREN_REACH: Final = 20  # "07 ngày làm việc kể từ ngày nhận đủ hồ sơ (Sở Nội vụ: ...)"
_PAREN_SPAN: Final = 200


def _mark_breakdowns(
    tokens: Sequence[_Token], mentions: list[_Mention], splits: bool = True
) -> list[_Breakdown]:
    """Mark the times that break a total down, and return the breakdowns.

    * after "X ngày, trong đó ..." (to the end of the parenthesis it opens in, else of the
      text), or "X ngày (bao gồm / gồm ...)" right after the total;
    * "07 ngày làm việc (Sở Nội vụ: 03 ngày; UBND cấp xã: 04 ngày)": a parenthesis right after
      the total holding two or more times, each labelled "Label: time" by an agency or a step
      (not a case), and no alternative ("hoặc"); ``splits=False`` when the text has no "(" or
      no ":" (then there is none).
    """
    mains = [m for m in mentions if m.role == _MAIN]
    found: list[_Breakdown] = []
    k = 0
    while k < len(mains):
        m = mains[k]
        stop = mains[k + 1].first if k + 1 < len(mains) else len(tokens)
        scope = _keyword_scope(tokens, m, stop)
        if scope is None and splits:
            scope = _split_scope(tokens, mains, k, stop)
        if scope is None:
            k += 1
            continue
        start, scope_end, bounded = scope
        j = k + 1
        while j < len(mains) and mains[j].first < scope_end:
            mains[j].role, mains[j].why = _IGNORED, "breakdown of a total"
            j += 1
        parts = tuple(mains[k + 1 : j])
        if parts:
            end = _breakdown_end(tokens, parts[-1], scope_end)
            found.append(_Breakdown(m, parts, start, end, bounded))
        k = j
    return found


def _keyword_scope(
    tokens: Sequence[_Token], m: _Mention, stop: int
) -> tuple[int, int, bool] | None:
    """The span opened by "trong đó" (anywhere before the next time) or "bao gồm"/"gồm"
    (right after the total), and whether its parts must add up to at most the total (a
    parenthesis, or "gồm"; "trong đó" may open a list with breakdowns and cases of its own)."""
    depth = 0
    for t in range(m.last, stop):
        txt = tokens[t].text
        if txt == "(":
            depth += 1
        elif txt == ")":
            depth -= 1
        elif (txt == "trong" and text_at(tokens, t + 1) == "đó") or (
            txt == "gồm" and _opens_breakdown(tokens, m, t)
        ):
            bounded = txt == "gồm" or depth > 0
            if depth > 0:
                end = _closing_paren(tokens, t, depth)
            elif txt == "gồm":
                end = _sentence_end(tokens, t)  # "30 ngày, bao gồm ... và ...": this sentence
            else:
                end = len(tokens)
            if txt == "gồm" and text_at(tokens, t - 1) == "bao":
                t -= 1
            return t, end, bounded
    return None


def _sentence_end(tokens: Sequence[_Token], t: int) -> int:
    """The end of the sentence at ``t``: a full stop or ";", or a line break that does not go
    on with a list ("bao gồm:\n- thẩm định: 20 ngày;\n- phê duyệt: 10 ngày")."""
    while t < len(tokens):
        txt = tokens[t].text
        if txt in (".", ";") and text_at(tokens, t + 1) != "\n":
            return t
        if tokens[t].kind == _NL and text_at(tokens, t + 1) not in _BULLETS:
            return t
        t += 1
    return t


def _opens_breakdown(tokens: Sequence[_Token], m: _Mention, t: int) -> bool:
    """Whether "gồm" at ``t`` opens the total's breakdown: right after it ("30 ngày, bao gồm"),
    or first in a parenthesis soon after it ("30 ngày kể từ ... (bao gồm ...")."""
    k = t - 1 if text_at(tokens, t - 1) == "bao" else t
    if any(_is_hard_break(tokens, c) for c in range(m.last, k)):
        return False  # "05 ngày làm việc. Hồ sơ gồm: ...": another sentence
    if t - m.last <= _BREAKDOWN_REACH:
        return True
    return (
        text_at(tokens, k - 1) == "("
        and t - m.last <= _PAREN_REACH
        and not any(_is_hard_break(tokens, c) for c in range(m.last, k))
    )


def _split_scope(
    tokens: Sequence[_Token], mains: Sequence[_Mention], k: int, stop: int
) -> tuple[int, int, bool] | None:
    """A parenthesis after the total holding its split by agency or step, each "Label: time"."""
    m = mains[k]
    t = m.last
    while t < min(stop, m.last + _PAREN_REACH) and tokens[t].text != "(":
        if _is_hard_break(tokens, t) or tokens[t].text in (")", ":"):
            return None
        t += 1
    if text_at(tokens, t) != "(":
        return None
    close = t + 1
    while close < min(len(tokens), t + _PAREN_SPAN) and tokens[close].text not in ("(", ")"):
        if tokens[close].text == "hoặc":
            return None  # alternatives, not a split
        close += 1
    if text_at(tokens, close) != ")":
        return None
    inner = list(
        itertools.takewhile(lambda p: p.first < close, itertools.islice(mains, k + 1, None))
    )
    if len(inner) < 2:
        return None
    separator = t
    for p in inner:
        colon = next((c for c in range(p.first - 1, separator, -1) if tokens[c].text == ":"), None)
        if colon is None or colon - separator < 2 or _has_case_key(tokens, separator + 1, colon):
            return None
        separator = next(
            (c for c in range(p.last, close) if tokens[c].text in (";", ",")), close
        )
    return t, close, True


def _breakdown_end(tokens: Sequence[_Token], last: _Mention, scope_end: int) -> int:
    """The end of the breakdown's words: its last time's clause, within its scope."""
    k = last.last
    while k < min(scope_end, last.last + 30) and tokens[k].text not in _SEGMENT_STOPS | {")"}:
        k += 1
    return min(k, scope_end)


def _breakdown_note(src: str, tokens: Sequence[_Token], b: _Breakdown) -> str:
    a, z = b.start, b.end
    if tokens[a].text == "(":
        a += 1
    note = " ".join(src[tokens[a].start : tokens[z - 1].end].split()).rstrip(" ,;.")
    if len(note) > _MAX_NOTE:
        cut = note.rfind(" ", 0, _MAX_NOTE)
        note = note[: cut if cut > 0 else _MAX_NOTE] + " ..."
    return note


_MAX_NOTE: Final = 200


def _breakdown_excess(b: _Breakdown) -> bool:
    """Whether the parts add up to more than the total (in one unit; "ngày" and "ngày làm
    việc" compared by their numbers, as a split of "07 ngày làm việc" into "03 ngày" and
    "04 ngày" is written)."""
    if not b.bounded or b.total.amount is None:
        return False
    if any(p.amount is None or p.kind is None for p in b.parts):
        return False
    kinds = {p.kind for p in b.parts} | {b.total.kind}
    days = {ProcessingTimeKind.WORKING_DAYS, ProcessingTimeKind.CALENDAR_DAYS}
    if len(kinds) > 1 and not kinds <= days:
        return False
    return sum(p.amount or 0 for p in b.parts) > b.total.amount


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
    while b > a and (
        tokens[b - 1].kind in (_PUNCT, _NL)
        or tokens[b - 1].text in _LABEL_FILLERS
        or tokens[b - 1].text in ("hoặc", "và")  # "... cấp xã hoặc 10 ngày ..."
    ):
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


@attrs.frozen
class _Label:
    text: str
    case: bool  # names a case ("trường hợp ...", "đối với ...")
    colon: bool  # from the layout "Label: time"


def _is_hard_break(tokens: Sequence[_Token], k: int) -> bool:
    """A sentence or list break at ``k``: ";", "." or a line break that is not a wrapped line.

    A line break is a wrapped line (soft) unless it follows ".", ";" or ":" or comes before a
    bullet, a list marker ("(b)", "a)", "2.") or another line break.
    """
    tok = tokens[k]
    if tok.text in (";", "."):
        return True
    if tok.kind != _NL:
        return False
    if text_at(tokens, k - 1) in (".", ";", ":", "\n", ""):
        return True
    nxt = text_at(tokens, k + 1)
    return (
        nxt in _BULLETS
        or nxt in ("(", "\n", "")
        or (len(nxt) <= 2 and text_at(tokens, k + 2) in (")", "."))
    )


def _has_case_key(tokens: Sequence[_Token], a: int, b: int) -> bool:
    words = _words(tokens, a, b)
    return any(key in words for key in (" trường hợp ", " đối với ", " nếu "))


def _after_open_paren(tokens: Sequence[_Token], a: int, b: int) -> int:
    """Where a label before ``b`` starts: after a parenthesis still open at ``b`` ("30 ngày
    (Trường hợp A: 10 ngày": "Trường hợp A"), else at ``a``."""
    opened: list[int] = []
    for c in range(a, b):
        if tokens[c].text == "(":
            opened.append(c)
        elif tokens[c].text == ")" and opened:
            opened.pop()
    return opened[-1] + 1 if opened else a


def _label_for(src: str, tokens: Sequence[_Token], m: _Mention, next_first: int) -> _Label | None:
    seg = _segment_start(tokens, m.first)
    # "Label: 05 ngày làm việc"
    for k in range(m.first - 1, seg - 1, -1):
        if tokens[k].text == ":":
            start = _segment_start(tokens, k)
            start = _after_open_paren(tokens, start, k)
            label = _clean_label(src, tokens, start, k)
            if label is not None:
                return _Label(label, _has_case_key(tokens, start, k), colon=True)
            break
    # "05 ngày (đối với trường hợp cấp mới)", "10 ngày ... với trường hợp ...", wrapped lines
    k = m.last
    limit = min(next_first, len(tokens), m.last + 60)
    while k < limit and not _is_hard_break(tokens, k):
        if (tokens[k].text == "trường" and text_at(tokens, k + 1) == "hợp") or (
            tokens[k].text == "đối" and text_at(tokens, k + 1) == "với"
        ):
            end = k
            while (
                end < limit
                and not _is_hard_break(tokens, end)
                and tokens[end].text not in (")", ":")
            ):
                end += 1
            label = _clean_label(src, tokens, k, end)
            if label is not None:
                return _Label(label, case=True, colon=False)
            break
        k += 1
    # "đối với cấp mới là 07 ngày", "Bước 5 15 ngày", "cấp lại trong thời hạn 02 ngày"
    before = [t.text for t in tokens[seg : m.first]]
    for key in ("trường", "đối", "bước"):
        if key in before:
            label = _clean_label(src, tokens, seg + before.index(key), m.first)
            return None if label is None else _Label(label, key != "bước", colon=False)
    if 0 < len(before) <= _SHORT_PREFIX:
        label = _clean_label(src, tokens, seg, m.first)
        return None if label is None else _Label(label, case=False, colon=False)
    return None


_ANCHOR_WORDS: Final = frozenset({"kể", "tính", "sau", "từ"})
_STEP_WORDS: Final = 40
_OTHER_CASES: Final = "các trường hợp khác"


def _step_range(tokens: Sequence[_Token], m: _Mention, stop: int) -> tuple[int, int] | None:
    """The step a time opens: "05 ngày làm việc [kể từ ..., ] Sở Xây dựng thẩm định hồ sơ;".

    The words after the time, past an anchor clause ("kể từ ...", "sau khi ...") that ends at
    a comma or at "để", up to the end of the sentence or list item; None if there are none.
    """
    n = len(tokens)
    k = m.last
    while k < n and (tokens[k].text == "," or tokens[k].kind == _NL) and not _is_hard_break(
        tokens, k
    ):
        k += 1
    if text_at(tokens, k) in _ANCHOR_WORDS:
        limit = min(n, k + 60)
        while k < limit and not _is_hard_break(tokens, k):
            if tokens[k].text == "để" or (
                # "kể từ ngày nhận hồ sơ đầy đủ, hợp lệ, Sở ...": the comma is inside the anchor
                tokens[k].text == "," and text_at(tokens, k + 1) != "hợp"
            ):
                break
            k += 1
        if k >= limit or _is_hard_break(tokens, k):
            return None
        if tokens[k].text == ",":
            k += 1
    start = k
    limit = min(n, stop, start + _STEP_WORDS)
    while k < limit and not _is_hard_break(tokens, k) and tokens[k].text not in ("(", ")"):
        k += 1
    return (start, k) if k > start else None


_STEP_MARKERS: Final = frozenset({"tại", "để"})


def _step_joint(tokens: Sequence[_Token], prev: _Mention, m: _Mention) -> int | None:
    """Where "01 ngày làm việc tại Công an cấp xã, 01 ngày làm việc tại Cục ..." joins: the comma.

    Two times in one sentence are steps only when each is followed by "tại ..." (the agency)
    or "để ..." (the purpose) and a comma or "và" alone joins them.
    """
    if text_at(tokens, prev.last) not in _STEP_MARKERS or text_at(tokens, m.last) not in (
        _STEP_MARKERS
    ):
        return None
    k = m.first - 1
    while k > prev.last and tokens[k].text in _LEAD_FILLERS:
        k -= 1
    if tokens[k].text not in (",", "và") or k - prev.last > _STEP_WORDS:
        return None
    if any(t.text in _BOUNDARY or t.text == "," for t in tokens[prev.last : k]):
        return None
    return k


_ALTERNATIVE_OPENERS: Final = frozenset(
    {"tại", "nếu", "khi", "đối", "trường", "nộp", "ở", "do", "qua", "với", "cho"}
)
_ALTERNATIVE_SPAN: Final = 25


def _alternative_labels(
    src: str, tokens: Sequence[_Token], mains: Sequence[_Mention]
) -> list[str] | None:
    """Labels for alternatives joined by "hoặc", each time followed by what it applies to.

    "05 ngày làm việc (nộp tại UBND cấp xã) hoặc 10 ngày làm việc (nộp tại Sở Tư pháp)",
    "05 ngày làm việc tại UBND cấp xã hoặc 10 ngày làm việc tại Sở Tư pháp": the label is the
    parenthesis right after the time, or its words from "tại", "nộp", "đối với", "khi"... up to
    the "hoặc". None unless every time has such a label, the labels differ and each pair of
    times is joined by "hoặc" in the same sentence.
    """
    ends: list[int] = []
    for prev, m in itertools.pairwise(mains):
        k = m.first - 1
        while k > prev.last and tokens[k].text in _LEAD_FILLERS:
            k -= 1
        if tokens[k].text != "hoặc" or k - prev.last > _ALTERNATIVE_SPAN:
            return None
        if any(_is_hard_break(tokens, t) for t in range(prev.last, k)):
            return None
        ends.append(k)
    last = mains[-1].last
    end = last
    while end < min(len(tokens), last + _ALTERNATIVE_SPAN) and not _is_hard_break(tokens, end):
        end += 1
    ends.append(end)
    labels = []
    for m, stop in zip(mains, ends, strict=True):
        a = m.last
        if text_at(tokens, a) == ",":
            a += 1
        if text_at(tokens, a) in ("kể", "tính"):  # "... kể từ ngày nhận đủ hồ sơ (nếu nộp tại ...)"
            a = next((c for c in range(a, stop) if tokens[c].text in ("(", ",")), stop)
        if text_at(tokens, a) == "(":
            b = a + 1
            while b < stop and tokens[b].text not in ("(", ")"):
                b += 1
            if text_at(tokens, b) != ")":
                return None
            label = _clean_label(src, tokens, a + 1, b)
        elif text_at(tokens, a) in _ALTERNATIVE_OPENERS:
            b = a
            while b < stop and tokens[b].text not in (",", "(", ")", "kể"):
                b += 1
            label = _clean_label(src, tokens, a, b)
        else:
            return None
        if label is None:
            return None
        labels.append(label)
    return labels if len(set(labels)) == len(labels) else None


_NOT_A_STEP_KEYS: Final = (
    " trường hợp ", " nếu ", " khi ", " đối với ", " sau ", " bổ sung ", " hoàn thiện ",
    " khắc phục ", " niêm yết ", " công khai ", " thông báo ", " lệ phí ", " phí ",
)  # fmt: skip
_WITHIN_WORDS: Final = frozenset({"thời", "hạn", "gian", "vòng", "là"})


def _sentence_step_label(
    src: str, tokens: Sequence[_Token], m: _Mention, seg: int
) -> str | None:
    """A step stated as a sentence that names the agency and its action first: "Sở Tư pháp
    thẩm định hồ sơ trong thời hạn 05 ngày làm việc ...". The sentence must start there, the
    time follow "trong (thời hạn / thời gian / vòng)", and the words before it name no case,
    condition, supplement, notice or public posting (those are not the agency's step)."""
    if seg > 0 and not _is_hard_break(tokens, seg - 1):
        return None
    k = m.first - 1
    while k > seg and tokens[k].text in _WITHIN_WORDS:
        k -= 1
    if k <= seg or tokens[k].text != "trong":
        return None
    words = _words(tokens, seg, k)
    if any(key in words for key in _NOT_A_STEP_KEYS):
        return None
    return _clean_label(src, tokens, seg, k)


def _step_labels(src: str, tokens: Sequence[_Token], mains: Sequence[_Mention]) -> list[str] | None:
    """Labels for consecutive steps, each opened by its time in its own sentence or list item.

    "- 08 ngày làm việc ... để thẩm định hồ sơ; - 08 ngày làm việc ... để tổ chức đánh giá",
    "Trong thời hạn 05 ngày, kể từ ..., Sở thẩm định ...; Trong thời hạn 05 ngày ..., Bộ ban
    hành ...": the label is the step's words after the time, or a list item's words before it
    ("- Các bộ có văn bản trả lời chậm nhất 02 ngày ..."). None unless every time has its own
    item and the labels differ.
    """
    stops = [len(tokens)] * len(mains)
    for k, (prev, m) in enumerate(itertools.pairwise(mains)):
        if any(_is_hard_break(tokens, t) for t in range(prev.last, m.first)):
            stops[k] = m.first
            continue
        joint = _step_joint(tokens, prev, m)
        if joint is None:
            return None  # two times in one sentence: cases or a sum, not steps
        stops[k] = joint
    ranges = [_step_range(tokens, m, stop) for m, stop in zip(mains, stops, strict=True)]
    labels: list[str | None] = []
    for m, rng in zip(mains, ranges, strict=True):
        label = None
        if rng is not None:
            label = _clean_label(src, tokens, *rng)
        if label is None:
            seg = _segment_start(tokens, m.first)
            if text_at(tokens, seg) in _BULLETS:
                # "- Các bộ có văn bản trả lời chậm nhất 02 ngày ...": the item's words
                label = _clean_label(src, tokens, seg, m.first)
        labels.append(label)
    if all(label is None for label in labels):
        # Every step names its agency and action first, then its time (and only then).
        labels = [
            _sentence_step_label(src, tokens, m, _segment_start(tokens, m.first)) for m in mains
        ]
    if len(set(labels)) < len(labels) and all(r is not None for r in ranges):
        # "Cục ... có trách nhiệm kiểm tra ...", "Cục ... có trách nhiệm cấp ...": drop the
        # words every step starts with.
        spans = [r for r in ranges if r is not None]
        common = 0
        while all(
            a + common < b and tokens[a + common].text == tokens[spans[0][0] + common].text
            for a, b in spans
        ):
            common += 1
        labels = [_clean_label(src, tokens, a + common, b) for a, b in spans]
    if any(label is None for label in labels) or len(set(labels)) < len(labels):
        return None
    return [label for label in labels if label is not None]


# ------------------------------------------------------------------------------ results

_NO_TIME_REASON: Final = "no processing time is stated"
_FIXED_DATE_REASON: Final = "the result is due by a fixed date in the year, not after a period"
_WEEKS_REASON: Final = "a time in weeks (tuần), which is not supported"


def _is_plain_same_day(m: _Mention) -> bool:
    """A main same-day or immediate time (which the 15:00 cut-off already governs: an
    immediate rule is due as a same-day one)."""
    kinds = (ProcessingTimeKind.SAME_DAY, ProcessingTimeKind.IMMEDIATE)
    return m.kind in kinds and m.role == _MAIN and not m.why


# A row of the portal's table ("Dịch vụ bưu chính<TAB>02 Ngày làm việc<TAB>Phí : ..."): one
# bounded label, one number and unit, the rest of the line; linear on any input.
_PORTAL_ROW: Final = re.compile(r"\n[^\t\n]{1,60}\t(\d{1,4} (?:Ngày làm việc|Ngày|Giờ))\t[^\n]*")
# "- Thời hạn thẩm định: Không quy định." (not "... sau: không quy định trữ lượng ...")
_STEP_WITHOUT_TIME: Final = re.compile(r": ?không quy định ?(?:[.;\n]|$)")
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
    try:
        return ProcessingTime(kind, amount)
    except PolicyError as exc:  # defensive: _check_size refuses what the class would
        raise RuleParseError(
            text, f"amount {exc.value!r} not allowed: expected {exc.expected}"
        ) from exc


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


def _extension_of(
    text: str, pt: ProcessingTime, clauses: Sequence[tuple[ProcessingTime, ExtensionMode | None]]
) -> tuple[ProcessingTime, ExtensionMode]:
    """The extension of ``pt`` from its clauses and their cues.

    Clauses of one ceiling: that ceiling, in the mode their cues give. Clauses of several
    ceilings (an extension, then a further one: "trường hợp tiếp tục được kéo dài, thời hạn
    kéo dài không quá 02 tháng kể từ ngày nhận được tin báo", Luật Đường sắt): when each is a
    total counted from the same start (law-2026-11.md §5 B), the longest time allowed is the
    longest of them, a total; otherwise (additional ceilings may add to the time or to the
    extension before them, and ceilings in different units do not compare) the longest, or
    the last, *ambiguous*: ``ceiling()`` refuses it rather than guess.
    """
    first = clauses[0][0]
    if len({_key(e) for e, _ in clauses}) == 1:
        return first, _extension_mode(text, pt, first, {m for _, m in clauses})
    modes = {_extension_mode(text, pt, e, {m}) for e, m in clauses}
    if len({e.kind for e, _ in clauses}) > 1:
        return clauses[-1][0], ExtensionMode.AMBIGUOUS
    longest = max((e for e, _ in clauses), key=lambda e: e.amount or 0)
    if modes == {ExtensionMode.TOTAL}:
        return longest, ExtensionMode.TOTAL
    return longest, ExtensionMode.AMBIGUOUS


def _extension_mode(
    text: str,
    pt: ProcessingTime,
    extension: ProcessingTime,
    cues: set[ExtensionMode | None],
) -> ExtensionMode:
    """The mode of ``extension`` from its clauses' cues (one clause or several that agree).

    Without a cue ("thời hạn này được kéo dài không quá 03 tháng") the wording is ambiguous,
    unless the ceiling is no longer than the time in the same unit: then only "additional"
    extends anything ("04 tháng ... kéo dài ... không quá 02 tháng"). A total ceiling not
    longer than the time contradicts itself and is refused.
    """
    known = cues - {None}
    not_longer = (
        extension.kind is pt.kind
        and pt.amount is not None
        and extension.amount is not None
        and extension.amount <= pt.amount
    )
    if len(known) > 1:
        return ExtensionMode.AMBIGUOUS  # clauses that disagree
    mode = known.pop() if known else None
    if mode is ExtensionMode.TOTAL and not_longer:
        raise RuleParseError(
            text, f"a total ceiling ({extension}) that is not longer than the time ({pt})"
        )
    if mode is None:
        mode = ExtensionMode.ADDITIONAL if not_longer else ExtensionMode.AMBIGUOUS
    return mode


def _nested_cases(
    tokens: Sequence[_Token], mains: Sequence[_Mention], found: Sequence[_Label | None]
) -> bool:
    """Whether a time labelled by a case in a later sentence ("Trường hợp cơ sở đáp ứng điều
    kiện, trong thời hạn 01 ngày ...") lies inside the list item of a case laid out "Trường hợp
    X: 09 ngày ...", with no new item between: a case within a case, which one level of parts
    cannot hold."""
    in_item = False  # inside the item of a "Case: time" layout
    sentence_ended = False  # ... and past the end of its first sentence
    for k, m in enumerate(mains):
        lab = found[k]
        if in_item:
            gap = range(mains[k - 1].last, m.first)
            if any(_opens_item(tokens, t) for t in gap):
                in_item = False
            elif any(tokens[t].text == "." for t in gap):
                sentence_ended = True
        if lab is not None and lab.colon:
            in_item, sentence_ended = lab.case, False
        elif in_item and sentence_ended and lab is not None and lab.case:
            return True
    return False


def _opens_item(tokens: Sequence[_Token], t: int) -> bool:
    """A new list item at ``t``: a line break, or a bullet after a sentence ("...GCN.- Trường")."""
    if tokens[t].kind == _NL:
        return True
    return tokens[t].text in _BULLETS and text_at(tokens, t - 1) in (".", ";", "")


def _owner(firsts: Sequence[int], position: int) -> int:
    """Index of the main mention an auxiliary clause at ``position`` belongs to: the last one
    starting at or before it (the first one if none does). ``firsts``: the mains' first token
    indexes, in order (a binary search: many clauses stay linear)."""
    return max(bisect.bisect_right(firsts, position) - 1, 0)


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
    ``extension`` with its ``extension_mode`` read from the wording (``ADDITIONAL``: "kéo dài
    thêm", "tăng thêm", "gia hạn ... không quá N", "kể từ ngày hết thời hạn"; ``TOTAL``: "thì
    thời hạn giải quyết không quá N", "không quá N, kể từ ngày thụ lý"; ``AMBIGUOUS``: "kéo dài"
    alone, unless the ceiling is no longer than the time, which only "additional" extends), and
    so does a ceiling for a need after the time ("15 ngày làm việc (trường hợp cần lấy ý kiến
    thì tối đa không quá 25 ngày làm việc)": total); an extra for mountainous, island or
    difficult communes becomes ``difficult_area_extra``, an excluded-time clause ("không tính
    thời gian ...") ``note``. Several times, one per labelled case, level, agency or step, give a
    :class:`CompositeProcessingTime` whose labels are short pieces of the text; a total followed
    by its breakdown ("50 ngày, trong đó: ...", "30 ngày (bao gồm 20 ngày ... và 10 ngày ...)",
    "07 ngày làm việc (Sở Nội vụ: 03 ngày; UBND cấp xã: 04 ngày)") gives the total, with the
    breakdown in ``note``. Consecutive steps each opened by a time ("05 ngày làm việc để kiểm tra
    ..., 05 ngày làm việc để phê duyệt"; "Trong thời hạn 05 ngày, kể từ ..., Sở thẩm định ...")
    or naming the agency first ("Sở Tư pháp thẩm định hồ sơ trong thời hạn 05 ngày làm việc.
    Ủy ban nhân dân tỉnh quyết định trong thời hạn 03 ngày làm việc.") give one part per step,
    labelled by the step's words; alternatives joined by "hoặc" ("05 ngày làm việc (nộp tại UBND
    cấp xã) hoặc 10 ngày làm việc (nộp tại Sở Tư pháp)") one part each. Not processing times: a
    supplement request ("Trường hợp hồ sơ chưa đầy đủ: 30 ngày", "05 ngày ... thông báo hồ sơ cần
    bổ sung"), the applicant's time to remedy ("90 ngày cơ sở phải thực hiện khắc phục"), the
    completeness check at reception ("Kiểm tra tính đầy đủ của hồ sơ: 01 ngày"), a time the text
    declares not counted ("thời hạn xác minh là 30 ngày; thời hạn xác minh không tính vào ...",
    kept in ``note``), a condition inside a case ("mặc dù trong 12 tháng"). A row of the portal's
    table glued onto the text ("Dịch vụ bưu chính<TAB>02 Ngày làm việc<TAB>...") must repeat the
    text's time.

    Args:
        text: the text to read.

    Returns:
        The processing time, or one per labelled part.

    Raises:
        RuleParseError: the text states no time ("Không quy định", "Không có thông tin", a fixed
            date, a delegation), only an extension clause or a public posting period, several
            times that cannot be told apart, cases nested in a case, a breakdown larger than
            its total, a total ceiling no longer than the time, or a time, extension or extra
            that is negative ("-5 ngày", "–5", "− 5"; a dash followed by a space is a bullet,
            one between two numbers a range) or above ``MAX_AMOUNTS`` (a millennium); the
            error carries the text and the reason.
        InputTypeError: ``text`` is not a str (also a TypeError).

    Legal basis: Civil Code 2015, arts. 146-148 (periods); the processing time is the one the
    procedure's own law states (Decree 61/2018/NĐ-CP art. 19 for dossiers received before
    1/7/2025, Decree 118/2025/NĐ-CP from then; see ``rules._basis``). No text settles whether an
    extension's ceiling is added or total: the wording does (domain/law-2026-11.md §5).

    Examples:
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
        raise InputTypeError("text", text, "a str: the processing-time text")
    rows = list(_PORTAL_ROW.finditer(text)) if "\t" in text else []
    if not rows:
        return _parse(text, text)
    # "...\nDịch vụ bưu chính\t02 Ngày làm việc\tPhí : ...": a row of the portal's table glued
    # onto the text. It may repeat the text's time, never add to it or contradict it.
    result = _parse(_PORTAL_ROW.sub("", text), text)
    row_times = [_parse(row.group(1), text) for row in rows]
    if isinstance(result, ProcessingTime) and all(
        isinstance(row, ProcessingTime) and _key(row) == _key(result) for row in row_times
    ):
        return result
    raise RuleParseError(text, "the portal's row and the text state different times")


def _parse(body: str, text: str) -> ProcessingTime | CompositeProcessingTime:
    """Parse ``body``; errors name ``text``, the text the caller passed.

    In order: find the times the text mentions and their roles; keep the main ones (refusing a
    text that states none); build them; attach the auxiliary clauses (extensions, the extra for
    difficult areas, notes) to the main time they follow; label the main times; and make one
    time, or one part per label.
    """
    src = _normalise(body)
    tokens = _tokenise(_lower_same_length(src))
    mentions = _find_mentions(tokens, src)
    mains, breakdowns = _main_mentions(src, tokens, mentions, text)
    values = [_build(m, text) for m in mains]
    for b in breakdowns:
        if _breakdown_excess(b):
            shown = " + ".join(str(_build(p, text)) for p in b.parts)
            total = _build(b.total, text)
            raise RuleParseError(
                text, f"the breakdown ({shown}) adds up to more than the total {total}"
            )
    clauses = _clauses(src, tokens, mentions, mains, breakdowns, text)
    found, labels = _labels(src, tokens, mentions, mains)
    if len(mains) > 1 and all(labels) and _nested_cases(tokens, mains, found):
        raise RuleParseError(text, "cases or steps nested inside a case: no one level of parts")
    if len(mains) > 1 and all(labels):
        return _labelled_parts(text, src, labels, values, clauses)
    if len(mains) == 1:
        return _qualified(text, values, clauses, 0, [0])
    if len({_key(v) for v in values}) == 1:
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


def _main_mentions(
    src: str, tokens: Sequence[_Token], mentions: list[_Mention], text: str
) -> tuple[list[_Mention], list[_Breakdown]]:
    """Give each mention its role; return the main times and the breakdowns, or refuse a text
    that states a fixed date, no time, only an extension or only a posting period."""
    _assign_roles(tokens, mentions, _words(tokens, 0, len(tokens)))
    breakdowns = _mark_breakdowns(tokens, mentions, "(" in src and ":" in src)
    if any(_is_plain_same_day(m) for m in mentions):
        for m in mentions:
            if m.why == "cutoff":
                m.role = _IGNORED  # the 15:00 clause of a same-day or immediate rule, read
    mains = [m for m in mentions if m.role == _MAIN]
    if _FIXED_DATE.search(src.lower()):
        raise RuleParseError(text, _FIXED_DATE_REASON)
    if not mains:
        if any(m.role == _EXTENSION for m in mentions):
            raise RuleParseError(text, "only an extension clause is stated, not the time itself")
        raise RuleParseError(text, _NO_TIME_REASON)
    if all(m.why == _POSTING for m in mains):
        raise RuleParseError(text, _POSTING)
    return mains, breakdowns


@attrs.frozen
class _Clauses:
    """The auxiliary clauses of a text, by the index of the main time they follow."""

    extensions: dict[int, list[tuple[ProcessingTime, ExtensionMode | None]]]
    extras: dict[int, list[_Mention]]  # the extra time for difficult areas
    notes: dict[int, list[str]]  # excluded time, breakdowns


def _clauses(
    src: str,
    tokens: Sequence[_Token],
    mentions: Sequence[_Mention],
    mains: Sequence[_Mention],
    breakdowns: Sequence[_Breakdown],
    text: str,
) -> _Clauses:
    """Attach auxiliary clauses to the main time they follow."""
    firsts = [m.first for m in mains]
    extensions: dict[int, list[tuple[ProcessingTime, ExtensionMode | None]]] = {}
    extras: dict[int, list[_Mention]] = {}
    for m in mentions:
        if m.role in (_EXTENSION, _DIFFICULT) and m.kind is None and m.why.startswith(_REFUSED):
            raise RuleParseError(text, m.why)  # "gia hạn không quá -5 ngày": not a ceiling
        if m.role in (_EXTENSION, _DIFFICULT) and m.kind is not None:
            owner = _owner(firsts, m.first)
            if m.role == _EXTENSION:
                extensions.setdefault(owner, []).append((_build(m, text), m.mode))
            else:
                extras.setdefault(owner, []).append(m)
    notes: dict[int, list[str]] = {}
    for position, note in _excluded_notes(src, tokens):
        notes.setdefault(_owner(firsts, position), []).append(note)
    for b in breakdowns:
        notes.setdefault(_owner(firsts, b.total.first), []).append(_breakdown_note(src, tokens, b))
    return _Clauses(extensions, extras, notes)


def _qualified(
    text: str,
    values: Sequence[ProcessingTime],
    clauses: _Clauses,
    idx: int,
    owners: Sequence[int],
) -> ProcessingTime:
    """The main time ``values[idx]`` with the clauses of the main times ``owners``."""
    pt = values[idx]
    exts = [e for o in owners for e in clauses.extensions.get(o, [])]
    extra_ms = [e for o in owners for e in clauses.extras.get(o, [])]
    note_list = list(dict.fromkeys(n for o in owners for n in clauses.notes.get(o, [])))
    extension, mode = None, None
    if exts:
        extension, mode = _extension_of(text, pt, exts)
        if len({_key(e) for e, _ in exts}) > 1:
            shown = ", ".join(dict.fromkeys(str(e) for e, _ in exts))
            note_list.append("several extension clauses: " + shown)
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
        extension_mode=mode,
        difficult_area_extra=extra,
        note="; ".join(note_list) if note_list else None,
    )


def _labels(
    src: str, tokens: Sequence[_Token], mentions: Sequence[_Mention], mains: Sequence[_Mention]
) -> tuple[list[_Label | None], list[str | None]]:
    """The label found before or after each main time, and the label each one takes: the one
    found, or for times without one, the cases, alternatives or steps the layout shows."""
    found = [
        _label_for(src, tokens, m, mains[k + 1].first if k + 1 < len(mains) else len(tokens))
        for k, m in enumerate(mains)
    ]
    labels = [lab.text if lab is not None else None for lab in found]
    if len(mains) > 1 and not all(labels):
        if found[0] is None and all(lab is not None and lab.case for lab in found[1:]):
            # "03 ngày ...; 07 ngày ... trong trường hợp cần kiểm tra thực tế": the first time,
            # stated without a case before the exceptions, is the rule for the other cases.
            labels[0] = _OTHER_CASES
        elif not any(lab is not None and lab.colon for lab in found):
            steps = _alternative_labels(src, tokens, mains)
            if steps is None and not any(m.why == _REMEDY for m in mentions):
                # (a remedy loop makes a branch: the times left are not one line of steps)
                steps = _step_labels(src, tokens, mains)
            if steps is not None:
                labels = list(steps)
    return found, labels


def _labelled_parts(
    text: str,
    src: str,
    labels: Sequence[str | None],
    values: Sequence[ProcessingTime],
    clauses: _Clauses,
) -> ProcessingTime | CompositeProcessingTime:
    """One part per label (a label stated again must repeat its time), or the one time when
    every main time has the same label."""
    parts: dict[str, int] = {}
    for idx, label in enumerate(labels):
        assert label is not None
        if label in parts:
            if _key(values[parts[label]]) != _key(values[idx]):
                raise RuleParseError(text, f"two different times for the same case {label!r}")
            continue
        parts[label] = idx
    if len(parts) > 1:
        if _STEP_WITHOUT_TIME.search(src.lower()):
            raise RuleParseError(text, "a step or case of the procedure has no stated time")
        return CompositeProcessingTime(
            tuple(
                (label, _qualified(text, values, clauses, idx, [idx]))
                for label, idx in parts.items()
            )
        )
    # The same labelled time stated again (once per channel of submission, say).
    return _qualified(text, values, clauses, 0, range(len(values)))
