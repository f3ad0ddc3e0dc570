"""Errors cross process boundaries (Dask workers of a sweep) as themselves."""

import pickle

import pytest

from tmslab.conductors.sphere import UnknownTargetError
from tmslab.errors import InvalidValueError, SpecFileError, UnknownNameError


@pytest.mark.parametrize(
    "error",
    [
        UnknownNameError("waveform shape", "nope", ["monophasic", "biphasic"]),
        UnknownTargetError("unknown target 'x'; did you mean 'motor-cortex-hand'?"),
        InvalidValueError("--didt 0 is not allowed"),
        SpecFileError("bad.ccd line 3: expected 6 numbers"),
    ],
)
def test_tmslab_errors_survive_pickling(error):
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
