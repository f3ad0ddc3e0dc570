"""Download the cells tmslab cannot ship (licences), pinned and checked by SHA-256.

:func:`fetch_cells` puts, as MNE's ``fetch_fsaverage`` does for the template head, the published
cells one command away (``tmslab neuron fetch-cells``):

- ``"nemo-tms"``: NeMo-TMS's myelinated Aberra et al. 2018 human L5 and L2/3 pyramidal cells
  (``Aberra_human_L5.swc``, ``Aberra_human_L23.swc``), stored flat where
  :mod:`tmslab.neuron.aberra` finds them (models ``aberra-l5-pc``, ``aberra-l23-pc``).
- ``"aberra2020"``: the 25 Blue Brain cells of Aberra et al. 2020 (``<CELL>/morphology/*.asc``
  with the cell's hoc files, README and LICENSE) and the authors' myelination and biophysics hoc
  files (``TMSsim_Aberra2019/nrn/``).

Every file comes from one pinned commit of its GitHub repository; the commits and each file's
SHA-256 are in ``tmslab/data/neuron/cell_files.json``. A file is written by a rename of a complete,
checked download, so an interrupted fetch leaves no partial file under its name.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.client import HTTPException
from importlib import resources
from pathlib import Path

from tmslab.errors import InvalidValueError, TmslabError
from tmslab.neuron.aberra import NEMO_TMS_2021, morphology_dirs
from tmslab.sources import Source

REGISTRY_FILE = "data/neuron/cell_files.json"
RAW_GITHUB = "https://raw.githubusercontent.com"
SOURCES = ("nemo-tms", "aberra2020")
_CHUNK = 1 << 16
_TIMEOUT_S = 60.0

ABERRA_2020 = Source(
    "Aberra AS, Wang B, Grill WM, Peterchev AV (2020). Simulation of transcranial magnetic "
    "stimulation in head model with morphologically-realistic cortical neurons. Brain Stimul "
    "13:175-189",
    "10.1016/j.brs.2019.10.002",
    "Cells: Blue Brain Project models (Markram et al. 2015, Cell 163:456, doi "
    "10.1016/j.cell.2015.09.029) as adapted in github.com/Aman-A/TMSsim_Aberra2019.",
)
ABERRA_2018 = Source(
    "Aberra AS, Peterchev AV, Grill WM (2018). Biophysically realistic neuron models for "
    "simulation of cortical stimulation. J Neural Eng 15:066023",
    "10.1088/1741-2552/aadbb1",
)


class CellDownloadError(TmslabError):
    """A cell file could not be downloaded, or its SHA-256 is not the pinned one."""


@dataclass(frozen=True)
class CellSource:
    """One downloadable set of cells.

    Attributes
    ----------
    name : str
        ``"nemo-tms"`` or ``"aberra2020"``.
    repository : str
        GitHub ``owner/name``.
    commit : str
        Pinned commit, 40 hex digits.
    files : tuple of (str, str, str)
        ``(path under the destination, path in the repository, SHA-256)`` per file.
    licence : str
        One line: the licence that applies and what it allows.
    cite : tuple of Source
        What to cite when using the cells.
    """

    name: str
    repository: str
    commit: str
    files: tuple[tuple[str, str, str], ...]
    licence: str
    cite: tuple[Source, ...]

    def url(self, remote: str, base_url: str = RAW_GITHUB) -> str:
        """URL of a file in the pinned commit.

        Parameters
        ----------
        remote : str
            Path in the repository.
        base_url : str
            Root laid out as raw.githubusercontent.com.

        Returns
        -------
        str
            ``<base_url>/<owner>/<name>/<commit>/<remote>``.
        """
        return f"{base_url.rstrip('/')}/{self.repository}/{self.commit}/{remote}"


_LICENCES = {
    "nemo-tms": (
        "NeMo-TMS files are GPL-3.0 (github.com/OpitzLab/NeMo-TMS/blob/main/LICENSE); the cells "
        "are Aberra et al. 2018's, derived from Blue Brain reconstructions.",
        (NEMO_TMS_2021, ABERRA_2018),
    ),
    "aberra2020": (
        "Blue Brain cells (each folder's LICENSE): CC BY-NC-SA 4.0: attribution, non-commercial "
        "use only, share adaptations alike; TMSsim_Aberra2019's hoc files carry no licence: "
        "for your own research use.",
        (ABERRA_2020, ABERRA_2018),
    ),
}


def cell_sources() -> dict[str, CellSource]:
    """The pinned sources, read from ``tmslab/data/neuron/cell_files.json``.

    Returns
    -------
    dict of str to CellSource
        Keyed by source name, in :data:`SOURCES` order.
    """
    text = resources.files("tmslab").joinpath(REGISTRY_FILE).read_text(encoding="utf-8")
    raw = json.loads(text)
    out = {}
    for name in SOURCES:
        entry = raw[name]
        files = tuple((rel, remote, sha) for rel, (remote, sha) in entry["files"].items())
        licence, cite = _LICENCES[name]
        out[name] = CellSource(name, entry["repository"], entry["commit"], files, licence, cite)
    return out


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch_cells` did.

    Attributes
    ----------
    dest : Path
        Folder the files are in.
    downloaded : tuple of str
        Files written now (paths under ``dest``).
    present : tuple of str
        Files already there with the pinned SHA-256 (not downloaded again).
    replaced : tuple of str
        Of ``downloaded``, those that were there with another SHA-256 (e.g. a partial copy).
    sources : tuple of CellSource
        The sources fetched.
    """

    dest: Path
    downloaded: tuple[str, ...]
    present: tuple[str, ...]
    replaced: tuple[str, ...]
    sources: tuple[CellSource, ...]

    def notices(self) -> tuple[str, ...]:
        """One line per source: its licence and what to cite."""
        return tuple(
            f"{s.name}: {s.licence} Cite: {'; '.join(str(c) for c in s.cite)}."
            for s in self.sources
        )

    def summary(self) -> str:
        """One line: how many files were downloaded, already present and replaced, and where."""
        replaced = f" ({len(self.replaced)} replaced: SHA-256 differed)" if self.replaced else ""
        return (
            f"{len(self.downloaded)} files downloaded{replaced}, {len(self.present)} already "
            f"present, in {self.dest}"
        )


def default_dest() -> Path:
    """The first folder of :func:`~tmslab.neuron.aberra.morphology_dirs` that can be written.

    Returns
    -------
    Path
        ``$TMSLAB_MORPHOLOGIES``'s first writable entry, else
        ``~/.local/share/tmslab/morphologies`` (``$XDG_DATA_HOME``).

    Raises
    ------
    CellDownloadError
        If none of them can be written.
    """
    dirs = morphology_dirs()
    for folder in dirs:
        if _writable(folder):
            return folder
    where = ", ".join(str(d) for d in dirs)
    raise CellDownloadError(f"none of the morphology folders can be written ({where}); give --dest")


def _writable(folder: Path) -> bool:
    # a folder that does not exist yet is writable if its nearest existing ancestor is
    for path in (folder, *folder.parents):
        if path.exists():
            return path.is_dir() and os.access(path, os.W_OK | os.X_OK)
    return False


def fetch_cells(
    dest: str | os.PathLike | None = None,
    sources: Iterable[str] = SOURCES,
    base_url: str | None = None,
    echo: Callable[[str], object] | None = print,
) -> FetchResult:
    """Download the pinned cell files that are missing, each checked by SHA-256.

    Parameters
    ----------
    dest : path, optional
        Folder to store the files in; default :func:`default_dest`. Give a folder of
        ``$TMSLAB_MORPHOLOGIES`` (or the default) for ``aberra-l5-pc`` to find its file.
    sources : iterable of str
        Any of ``"nemo-tms"``, ``"aberra2020"`` (default both).
    base_url : str, optional
        Root laid out as raw.githubusercontent.com, ``<base>/<owner>/<name>/<commit>/<path>``
        (a mirror, or ``file://`` of a local copy); default ``https://raw.githubusercontent.com``.
    echo : callable, optional
        Called with each progress and licence line; None to stay quiet.

    Returns
    -------
    FetchResult
        The files downloaded and already present, and the licence notices.

    Raises
    ------
    InvalidValueError
        If a source name is unknown.
    CellDownloadError
        On a network failure or a SHA-256 mismatch (naming the URL); files already complete are
        kept, no partial file is left.
    """
    known = cell_sources()
    names = list(dict.fromkeys(sources))
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise InvalidValueError(
            f"unknown cell source {', '.join(unknown) or '(none given)'}; known: {', '.join(SOURCES)}"
        )
    folder = Path(dest).expanduser() if dest is not None else default_dest()
    base = base_url or RAW_GITHUB
    say = echo or (lambda line: None)
    downloaded, present, replaced = [], [], []
    chosen = tuple(known[n] for n in names)
    for source in chosen:
        say(
            f"{source.name}: {len(source.files)} files from {source.repository}@{source.commit[:7]}"
        )
        for rel, remote, sha in source.files:
            target = folder / rel
            if target.is_file():
                if _sha256(target) == sha:
                    present.append(rel)
                    continue
                replaced.append(rel)
            _download(source.url(remote, base), target, sha)
            downloaded.append(rel)
    result = FetchResult(folder, tuple(downloaded), tuple(present), tuple(replaced), chosen)
    say(result.summary())
    for line in result.notices():
        say(line)
    return result


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(url: str, target: Path, sha256: str) -> None:
    # into a temporary file beside the target, renamed only when complete and checked
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CellDownloadError(f"cannot create {target.parent}: {error.strerror}") from None
    handle = tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    temp = Path(handle.name)
    try:
        digest = hashlib.sha256()
        with handle, urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:
            for block in iter(lambda: response.read(_CHUNK), b""):
                digest.update(block)
                handle.write(block)
        if digest.hexdigest() != sha256:
            raise CellDownloadError(
                f"SHA-256 of {url} is {digest.hexdigest()[:12]}..., not the pinned "
                f"{sha256[:12]}...: file not stored (changed upstream or a wrong --base-url?)"
            )
        os.replace(temp, target)
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as error:
        if isinstance(error, urllib.error.HTTPError):
            reason = f"HTTP {error.code} {error.reason}"
        else:
            reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or error
        raise CellDownloadError(f"could not download {url}: {reason}") from None
    finally:
        temp.unlink(missing_ok=True)
