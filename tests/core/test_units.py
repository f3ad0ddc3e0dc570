"""parse_quantity: one parser for every "number + unit" the command line accepts (issue 21)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError
from tmslab.units import A_PER_US, DIMENSIONS, parse_quantity, split_quantity


@pytest.mark.parametrize(
    "text, unit, expected",
    [
        ("100A/us", "A/s", 1e8),
        ("100 A/µs", "A/s", 1e8),  # micro sign U+00B5
        ("100 A/μs", "A/s", 1e8),  # Greek mu U+03BC
        ("1e8 A/s", "A/s", 1e8),
        ("1e6A/s", "A/s", 1e6),
        ("1e8", "A/s", 1e8),  # a bare number is in the unit asked for
        ("0.1kA/us", "A/s", 1e8),
        ("150A/us", "A/us", 150.0),
        ("1.5e8A/s", "A/us", 150.0),
        ("800mT", "T", 0.8),
        ("1.2", "T", 1.2),
        ("2cm", "mm", 20.0),
        ("85mm", "m", 0.085),
        ("20 um", "um", 20.0),
        ("-3.5mm", "mm", -3.5),
        (".5mm", "mm", 0.5),
        ("1 mV/mm", "V/m", 1.0),
        ("5kA", "A", 5000.0),
        (2.5, "mm", 2.5),  # a declared default passes through
    ],
)
def test_known_values(text, unit, expected):
    assert parse_quantity(text, unit) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "text, unit, fragment",
    [
        ("100 furlongs", "A/s", "not one of A/s, A/ms, A/us"),
        ("100mm", "A/s", "not one of"),  # a length where dI/dt is due
        ("1.2T", "mm", "(a bare number is mm)"),
        ("abc", "A/s", "not a number"),
        ("", "mm", "not a number"),
        ("inf", "A/s", "not a number"),
        ("nan", "T", "not a number"),
        ("1e999", "A/s", "not a finite number"),
        ("1e300kA/us", "A/s", "out of range"),
    ],
)
def test_bad_values_name_the_accepted_units(text, unit, fragment):
    with pytest.raises(InvalidValueError, match=None) as info:
        parse_quantity(text, unit)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_target_unit():
    with pytest.raises(InvalidValueError, match="unknown unit 'furlong'"):
        parse_quantity("1", "furlong")


_finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
_units = st.sampled_from([(d, u) for d in DIMENSIONS.values() for u in d.factors])


@given(_finite, _units, st.sampled_from(["", " "]))
def test_round_trip_through_every_spelling(value, dim_unit, space):
    """value in unit u, written with u, read back in SI and in u, gives value again."""
    dimension, unit = dim_unit
    text = f"{value!r}{space}{unit}"
    si = parse_quantity(text, dimension.si_unit)
    assert si == pytest.approx(value * dimension.factors[unit], rel=1e-12, abs=1e-300)
    assert parse_quantity(text, unit) == pytest.approx(value, rel=1e-12, abs=1e-300)
    assert parse_quantity(repr(value), unit) == value  # bare: exactly the number


@given(st.text(max_size=12))
def test_any_text_parses_or_raises_the_tmslab_error(text):
    try:
        result = parse_quantity(text, "A/s")
    except InvalidValueError as error:
        assert "\n" not in str(error)
    else:
        assert math.isfinite(result)


@given(_finite)
def test_didt_in_a_per_us_is_a_million_a_per_s(value):
    assert parse_quantity(f"{value!r}A/us", "A/s") == pytest.approx(value * A_PER_US, rel=1e-12)


def test_split_quantity():
    assert split_quantity(" 100 A/us ") == (100.0, "A/us")
    assert split_quantity("1e8") == (1e8, "")


def test_implausible_bare_numbers_get_a_warning():
    from tmslab.units import implausible_warning

    assert implausible_warning("--didt", "100", "A/s") == (
        "--didt 100 is read as 100 A/s; did you mean 100A/us?"
    )
    assert implausible_warning("--didt", "100A/us", "A/s") is None  # a unit: meant as written
    assert implausible_warning("--didt", "1e8", "A/s") is None
    assert implausible_warning("--b", "500", "T") == "--b 500 is read as 500 T; did you mean 500mT?"
    assert implausible_warning("--b", "-1", "T") is None  # refused elsewhere
    assert implausible_warning("--r", "85", "mm") is None  # no rule for the unit


def test_parse_intensity_by_dose_unit():
    import pytest

    from tmslab.errors import InvalidValueError
    from tmslab.units import parse_intensity

    assert parse_intensity("--intensity", "60", "pct_mso") == (60.0, None)
    assert parse_intensity("--intensity", "60 %MSO", "pct_mso") == (60.0, None)
    assert parse_intensity("--intensity", "100A/us", "didt") == (1e8, None)
    value, warning = parse_intensity("--intensity", "100", "didt")
    assert value == 100.0 and warning.startswith("--intensity 100 is read as 100 A/s")
    with pytest.raises(InvalidValueError, match="pct_mso"):
        parse_intensity("--intensity", "60 T", "pct_mso")
    with pytest.raises(InvalidValueError, match="not known"):
        parse_intensity("--intensity", "60", "gauss")
