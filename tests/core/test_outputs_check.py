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


def test_save_figure_writes_the_named_format_and_closes(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tmslab.viz.files import save_figure

    fig = plt.figure()
    assert save_figure(fig, tmp_path / "f.svg").read_text().lstrip().startswith("<?xml")
    assert not plt.fignum_exists(fig.number)
    fig = plt.figure()
    with pytest.raises(InvalidValueError, match=r"cannot save a figure as 'f\.gif'"):
        save_figure(fig, tmp_path / "f.gif")
    assert not plt.fignum_exists(fig.number) and not (tmp_path / "f.gif").exists()
