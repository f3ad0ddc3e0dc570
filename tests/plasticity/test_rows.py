"""What the plasticity commands print: prediction rows, model rows, curves over frequencies."""

import numpy as np
import pytest

from tmslab.errors import InvalidValueError
from tmslab.plasticity.curves import curve_rows, frequency_curves
from tmslab.plasticity.predict import predict_pairing
from tmslab.plasticity.registry import RTMS_MODEL, list_models
from tmslab.plasticity.table_markdown import write_table


def test_prediction_rows():
    prediction = predict_pairing(None, 10, 1.0, 0.01)
    rows = dict(prediction.rows())
    assert rows["verdict"] == prediction.verdict
    assert rows["model"].startswith(prediction.model)
    assert list(rows)[-2:] == ["method", "source"]
    assert prediction.title == f"{prediction.model}: {prediction.protocol}"


def test_model_rows():
    rows = [model.row() for model in list_models()]
    assert [row[0] for row in rows] == [model.name for model in list_models()]
    assert {row[1] for row in rows} == {"yes", ""}


def test_frequency_curves_default_model_and_rows():
    curves = frequency_curves(None, n_pulses=20, fmin_hz=1.0, fmax_hz=10.0, points=3)
    assert [c.model for c in curves] == [RTMS_MODEL]
    np.testing.assert_allclose(curves[0].x, [1.0, np.sqrt(10.0), 10.0])
    rows = curve_rows(curves)
    assert [row[0] for row in rows] == ["1", "3.16", "10"]
    with pytest.raises(InvalidValueError, match="below --fmin"):
        frequency_curves(None, 20, fmin_hz=10.0, fmax_hz=1.0)


def test_write_table(tmp_path):
    out = tmp_path / "table.md"
    out.write_text("old page\n")  # an existing page is rewritten
    table = write_table(out)
    assert table.variants and out.read_text().startswith("#")


def test_model_and_curve_listings():
    from tmslab.plasticity.curves import curves_listing, frequency_curves
    from tmslab.plasticity.registry import MODEL_COLUMNS, list_models, model_listing

    models = model_listing()
    assert models.columns == MODEL_COLUMNS and len(models.rows) == len(list_models())
    curves = frequency_curves(["bcm"], 20, 1.0, 10.0, 2, None, 0.05)
    listing = curves_listing(curves, 20)
    assert listing.title == "Relative synaptic strength after 20 pulses"
    assert listing.columns[1] == curves[0].model and len(listing.rows) == 2
    assert listing.record == [curves[0].to_dict()]
