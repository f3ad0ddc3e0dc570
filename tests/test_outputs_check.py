"""tmslab.outputs.check_out: output paths refused before the work (extension, location)."""

import pytest

from tmslab.errors import InvalidValueError, TmslabError
from tmslab.outputs import FIGURE_SUFFIXES, check_figure_path, check_out


def test_known_extensions_pass_and_unknown_are_named(tmp_path):
    assert check_out(tmp_path / "a.csv", (".csv", ".json")) == tmp_path / "a.csv"
    assert check_out(None, (".csv",)) is None
    with pytest.raises(InvalidValueError, match=r"use a file ending in \.csv or \.json"):
        check_out(tmp_path / "a.txt", (".csv", ".json"))
    with pytest.raises(InvalidValueError, match=r"cannot save a figure as 'a.gif'"):
        check_figure_path(tmp_path / "a.gif")
    check_out(tmp_path / "fig.PNG", FIGURE_SUFFIXES)


def test_folders_and_files_in_the_way(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(TmslabError, match="not a directory"):
        check_out(tmp_path / "afile", None)
    with pytest.raises(TmslabError):
        check_out(tmp_path / "afile" / "b.csv", (".csv",), "--table")
