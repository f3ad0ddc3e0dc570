"""Human-facing wording: counts with the right plural, numbers with sensible digits, and the
ASCII unit spellings used in code and data shown as a reader expects.

Sources and notes are written in ASCII ("303 us", "11.61 uH", "cm^3"); the report and the console
show "303 µs", "11.61 µH", "cm³". Only units after a number or inside a unit ("A/us", "(us)") are
touched, so words such as "us" in a sentence are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_MICRO_AFTER_NUMBER = re.compile(r"(?<=[\d.] )u(?=(?:s|m|H|F|V|A|T|L|g|S|mol)\b)")
_MICRO_IN_UNIT = re.compile(r"(?<=[/(])u(?=(?:s|m)\b)")
_OHM = re.compile(r"(?<=[\d.] )([mkM]?)Ohm\b")
_POWER = re.compile(r"(?<=[A-Za-z])\^([23])(?![\d(])")
_SUPERSCRIPT = {"2": "²", "3": "³"}


def human_text(text: str) -> str:
    """``text`` with ASCII unit spellings replaced: u -> µ (s, m, H, F, ...), Ohm -> Ω, ^2/^3 -> ²/³.

    >>> human_text("303 us at 155.3 A/us; 2 um x 1 um; 20 cm^3; 18.7 mOhm; let us see")
    '303 µs at 155.3 A/µs; 2 µm x 1 µm; 20 cm³; 18.7 mΩ; let us see'
    """
    text = _MICRO_AFTER_NUMBER.sub("µ", text)
    text = _MICRO_IN_UNIT.sub("µ", text)
    text = _OHM.sub(lambda m: m.group(1) + "Ω", text)
    return _POWER.sub(lambda m: _SUPERSCRIPT[m.group(1)], text)


# What the report's checks look for: an ASCII micro unit a reader would trip on.
ASCII_MICRO = re.compile(r"(?<=[\d.] )u(?:s|m|H|F)\b|/us\b|\(us\)")


def counted(n: float, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, plural unless n is 1: ``counted(1, "day")`` -> "1 day".

    >>> counted(1, "session"), counted(7, "day"), counted(0.5, "octave"), counted(1.0, "octave")
    ('1 session', '7 days', '0.5 octaves', '1 octave')
    >>> counted(3_000_000, "pulse")
    '3000000 pulses'
    """
    word = noun if n == 1 else (plural or noun + "s")
    number = f"{int(n)}" if float(n).is_integer() else f"{n:g}"  # 3000000, not 3e+06
    return f"{number} {word}"


def short_form(value: object) -> str:
    """A short human form of a value shown in a table: floats to 6 significant digits.

    >>> short_form(1 / 3), short_form(12), short_form(None)
    ('0.333333', '12', 'None')
    """
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


@dataclass(frozen=True)
class Listing:
    """A result as a titled table for people and as a record for machines (``--json``).

    title : str
        The table's title.
    columns : sequence of str
        Column names.
    rows : sequence of sequences
        Cells (text as it is; numbers are shown through :func:`short_form`).
    record : object
        The same result, JSON-ready.
    empty : str
        Shown instead of the table when there are no rows ("" shows the empty table).
    styles : mapping of str to mapping
        Layout hints for a column by name (``{"id": {"no_wrap": True}}``).
    style : mapping
        Layout hints for every column (``{"justify": "right"}``).
    """

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    record: Any = None
    empty: str = ""
    styles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    style: Mapping[str, Any] = field(default_factory=dict)
