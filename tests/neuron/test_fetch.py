"""fetch_cells: pinned downloads checked by SHA-256, atomic per file, one-line errors naming the URL.

Most tests serve a small fake registry (file:// or http.server on localhost); the last ones check
the real registry against the read-only mirrors of the two repositories, where present.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tmslab.errors import InvalidValueError, TmslabError
from tmslab.neuron import fetch
from tmslab.neuron.aberra import CELLS, MORPHOLOGY_ENV, MorphologyNotFoundError
from tmslab.neuron.fetch import CellDownloadError, CellSource, cell_sources, fetch_cells

MIRRORS = Path("/work/.mirror")
MIRROR_OF = {
    "OpitzLab/NeMo-TMS": MIRRORS / "OpitzLab+NeMo-TMS" / "repo",
    "Aman-A/TMSsim_Aberra2019": MIRRORS / "Aman-A+TMSsim_Aberra2019" / "repo",
}
COMMIT = "0123456789abcdef0123456789abcdef01234567"
CONTENT = {"cells/a.swc": b"1 1 0 0 0 5 -1\n", "nrn/x.hoc": b"// hoc\n" * 100}


def _source(name="fake", content=CONTENT, rel=lambda remote: remote.split("/", 1)[1]):
    files = tuple(
        (rel(remote), remote, hashlib.sha256(data).hexdigest()) for remote, data in content.items()
    )
    return CellSource(name, "owner/repo", COMMIT, files, "Fake licence.", ())


@pytest.fixture
def remote(tmp_path, monkeypatch):
    """A raw.githubusercontent.com-like tree with the fake files, the registry pointing at them."""
    root = tmp_path / "remote"
    for path, data in CONTENT.items():
        target = root / "owner" / "repo" / COMMIT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    monkeypatch.setattr(fetch, "cell_sources", lambda: {"nemo-tms": _source("nemo-tms")})
    return root


def _quiet(**kw):
    return functools.partial(fetch_cells, sources=("nemo-tms",), echo=None, **kw)


def test_downloads_each_file_to_its_relative_path(remote, tmp_path):
    lines = []
    result = fetch_cells(tmp_path / "dest", ["nemo-tms"], remote.as_uri(), echo=lines.append)
    assert (tmp_path / "dest" / "a.swc").read_bytes() == CONTENT["cells/a.swc"]
    assert (tmp_path / "dest" / "x.hoc").read_bytes() == CONTENT["nrn/x.hoc"]
    assert sorted(result.downloaded) == ["a.swc", "x.hoc"] and result.present == ()
    assert any("Fake licence." in line for line in lines)  # the licence is printed
    assert not list((tmp_path / "dest").glob(".*"))  # no temporary file left


def test_files_already_there_with_the_right_hash_are_not_downloaded_again(remote, tmp_path):
    dest = tmp_path / "dest"
    _quiet(dest=dest, base_url=remote.as_uri())()
    shutil.rmtree(remote)  # a second run needs no network at all
    result = _quiet(dest=dest, base_url=remote.as_uri())()
    assert result.downloaded == () and sorted(result.present) == ["a.swc", "x.hoc"]


def test_a_partial_file_is_replaced(remote, tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "x.hoc").write_bytes(CONTENT["nrn/x.hoc"][:50])  # e.g. copied by hand, interrupted
    result = _quiet(dest=dest, base_url=remote.as_uri())()
    assert (dest / "x.hoc").read_bytes() == CONTENT["nrn/x.hoc"]
    assert result.replaced == ("x.hoc",) and "1 replaced" in result.summary()


def test_hash_mismatch_is_a_one_line_error_naming_the_url_and_stores_nothing(remote, tmp_path):
    (remote / "owner" / "repo" / COMMIT / "nrn" / "x.hoc").write_bytes(b"changed upstream\n")
    dest = tmp_path / "dest"
    with pytest.raises(CellDownloadError) as caught:
        _quiet(dest=dest, base_url=remote.as_uri())()
    text = str(caught.value)
    assert isinstance(caught.value, TmslabError) and "\n" not in text
    assert "SHA-256" in text and f"/owner/repo/{COMMIT}/nrn/x.hoc" in text
    assert sorted(p.name for p in dest.iterdir()) == ["a.swc"]  # the good file is kept


def test_missing_file_is_a_one_line_error_naming_the_url(remote, tmp_path):
    (remote / "owner" / "repo" / COMMIT / "cells" / "a.swc").unlink()
    with pytest.raises(CellDownloadError, match=r"could not download file://\S+/cells/a\.swc"):
        _quiet(dest=tmp_path / "dest", base_url=remote.as_uri())()


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):  # a connection that drops after half of x.hoc
        if self.path.endswith("x.hoc"):
            data = CONTENT["nrn/x.hoc"]
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def server(remote):
    """http.server on localhost serving ``remote``; yields its base URL."""
    handler = functools.partial(_Handler, directory=str(remote))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_over_http_an_interrupted_download_leaves_no_partial_file(server, tmp_path):
    dest = tmp_path / "dest"
    with pytest.raises(CellDownloadError) as caught:
        _quiet(dest=dest, base_url=server)()
    assert f"{server}/owner/repo/{COMMIT}/nrn/x.hoc" in str(caught.value)
    assert (dest / "a.swc").read_bytes() == CONTENT["cells/a.swc"]  # served in full
    assert sorted(p.name for p in dest.iterdir()) == ["a.swc"]  # no x.hoc, no temporary file


def test_http_404_and_refused_connection_are_one_line_errors(server, tmp_path, monkeypatch):
    monkeypatch.setattr(
        fetch, "cell_sources", lambda: {"nemo-tms": _source("nemo-tms", {"cells/none.swc": b""})}
    )
    with pytest.raises(CellDownloadError, match="HTTP 404"):
        _quiet(dest=tmp_path / "dest", base_url=server)()
    port = server.rsplit(":", 1)[1]
    closed = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    free = closed.server_address[1]
    closed.server_close()  # a port nothing listens on
    assert str(free) != port
    with pytest.raises(CellDownloadError, match=rf"could not download http://127\.0\.0\.1:{free}/"):
        _quiet(dest=tmp_path / "dest", base_url=f"http://127.0.0.1:{free}")()


def test_unknown_source_is_refused():
    with pytest.raises(InvalidValueError, match="unknown cell source nope"):
        fetch_cells("/nonexistent", ["nope"], echo=None)


def test_default_dest_is_the_first_writable_morphology_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(MORPHOLOGY_ENV, str(tmp_path / "new" / "cells"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert fetch.default_dest() == tmp_path / "new" / "cells"  # created when written
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(MORPHOLOGY_ENV, str(blocker / "cells"))  # under a file: not writable
    assert fetch.default_dest() == tmp_path / "xdg" / "tmslab" / "morphologies"


def test_cli_fetches_and_prints_the_licence(remote, tmp_path, capsys):
    from tmslab.cli import main

    args = ["neuron", "fetch-cells", "--dest", str(tmp_path / "d"), "--base-url", remote.as_uri()]
    assert main([*args, "--source", "nemo-tms"]) == 0
    out = capsys.readouterr().out
    assert "2 files downloaded" in out and "Fake licence." in out
    assert main([*args, "--source", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown cell source") and len(err.strip().splitlines()) == 1


def test_missing_morphology_message_names_the_fetch_command():
    error = MorphologyNotFoundError("aberra-l5-pc needs Aberra_human_L5.swc")
    assert str(error).endswith("tmslab neuron fetch-cells") and "\n" not in str(error)


# -- the real registry --------------------------------------------------------------------------


def test_registry_pins_the_files_aberra_py_expects():
    sources = cell_sources()
    assert tuple(sources) == ("nemo-tms", "aberra2020")
    nemo = {rel: sha for rel, _, sha in sources["nemo-tms"].files}
    assert nemo == {cell.filename: cell.sha256 for cell in CELLS.values()}  # stored flat
    aberra = sources["aberra2020"]
    cells = {rel.split("/")[0] for rel, _, _ in aberra.files} - {"TMSsim_Aberra2019"}
    assert len(cells) == 25
    fixed = {
        "LICENSE",
        "README",
        "biophysics.hoc",
        "constants.hoc",
        "morphology.hoc",
        "template.hoc",
    }
    for cell in cells:
        names = {rel.split("/", 1)[1] for rel, _, _ in aberra.files if rel.startswith(f"{cell}/")}
        (asc,) = names - fixed
        assert fixed <= names and asc.startswith("morphology/") and asc.endswith(".asc")
    for rel, remote, _ in aberra.files:
        expected = remote.replace("nrn/cells/", "", 1) if "/cells/" in remote else f"TMSsim_Aberra2019/{remote}"  # fmt: skip
        assert rel == expected
    for source in sources.values():
        assert len(source.commit) == 40 and source.url("p").startswith(
            "https://raw.githubusercontent.com/"
        )


def _mirror_tree(root: Path, names=("nemo-tms", "aberra2020")) -> None:
    """The pinned files as raw.githubusercontent.com lays them out, from the local mirrors."""
    for source in (cell_sources()[n] for n in names):
        mirror = MIRROR_OF[source.repository]
        for _, remote, _ in source.files:
            target = root / source.repository / source.commit / remote
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(
                subprocess.run(
                    ["git", "-C", str(mirror), "show", f"{source.commit}:{remote}"],
                    capture_output=True,
                    check=True,
                ).stdout
            )


needs_mirrors = pytest.mark.skipif(
    not all(p.is_dir() for p in MIRROR_OF.values()), reason="needs the repositories' mirrors"
)


@needs_mirrors
def test_registry_hashes_match_the_pinned_commits_and_the_cells_are_then_found(
    tmp_path, monkeypatch
):
    _mirror_tree(tmp_path / "raw")  # every file is checked against its pinned SHA-256 here
    dest = tmp_path / "cells"
    monkeypatch.setenv(MORPHOLOGY_ENV, str(dest))
    result = fetch_cells(base_url=(tmp_path / "raw").as_uri(), echo=None)  # default dest
    assert result.dest == dest and len(result.downloaded) == 2 + 25 * 7 + 3
    from tmslab.neuron.aberra import available

    # the SWC cells and the three Blue Brain folder cells, with the pinned morphologies
    named = {"aberra-l5-pc", "aberra-l23-pc", "aberra-l1-ngc", "aberra-l4-lbc", "aberra-l6-pc"}
    assert set(available()) == named
    from tmslab.neuron.aberra import FOLDER_CELLS, find_folder, sha256

    for cell in FOLDER_CELLS.values():
        folder = find_folder(cell)
        (asc,) = (folder / "morphology").glob("*.asc")
        assert sha256(asc) == cell.sha256
    licence = (dest / "L5_TTPC2_cADpyr232_1" / "LICENSE").read_text()
    assert "CC-BY-NC-SA" in licence and "CC BY-NC-SA 4.0" in cell_sources()["aberra2020"].licence
