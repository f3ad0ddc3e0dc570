"""The stimulator commands' values: catalogue, pulse sheet, dose conversion (tmslab.protocols.views)."""

import pytest

from tmslab.protocols.views import StimulatorCatalogue, convert_dose, pulse_sheet
from tmslab.units import A_PER_US

DEVICE = "magventure-magpro-x100"


def test_catalogue_rows_match_its_record():
    catalogue = StimulatorCatalogue.load()
    record = catalogue.to_dict()
    assert [row[0] for row in catalogue.device_rows()] == [d["name"] for d in record["stimulators"]]
    for row, pair in zip(catalogue.pair_rows(), record["coil_didt"], strict=True):
        assert float(row[2]) == pytest.approx(pair["didt_max_a_per_s"] / A_PER_US, rel=1e-4)


def test_pulse_sheet_rows_in_manual_units():
    sheet = pulse_sheet(DEVICE, pct_mso=50)
    record, rows = sheet.to_dict(), dict(sheet.rows())
    assert sheet.title.endswith("at 50 % MSO") and record["pct_mso"] == 50
    assert rows["peak current"] == f"{record['peak_current_a'] / 1e3:.4g} kA"
    assert rows["duration"] == f"{record['duration_s'] * 1e6:.1f} us"


def test_dose_conversion_lines_and_record():
    conversion = convert_dose(pct_mt=120, mt_pct_mso=50)
    assert conversion.to_dict()["pct_mso"] == pytest.approx(60)
    assert conversion.lines() == ["  % MT: 120", " % MSO: 60", "  A/us: (needs --device/--coil)"]
