"""NEURON's mechanisms are compiled into the per-user cache, never into site-packages, and a
failed compilation is one actionable line."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.neuron


@pytest.mark.slow
def test_compiled_library_lives_in_the_user_cache(tmp_path, monkeypatch):
    from tmslab.neuron import nrn

    monkeypatch.setenv("TMSLAB_CACHE_DIR", str(tmp_path))
    library = nrn.compiled_library()
    assert library.is_file() and tmp_path in library.parents
    assert nrn.compiled_library() == library  # second call: cached, not rebuilt


def test_failed_compilation_is_one_line(tmp_path, monkeypatch):
    from tmslab.errors import TmslabError
    from tmslab.neuron import nrn

    monkeypatch.setenv("TMSLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(nrn, "_nrnivmodl", lambda: "false")
    with pytest.raises(TmslabError) as info:
        nrn.compiled_library()
    message = str(info.value)
    assert "could not compile" in message and "gcc" in message and "\n" not in message
    assert not any(p.name.startswith("build-") for p in (tmp_path / "neuron").iterdir())
