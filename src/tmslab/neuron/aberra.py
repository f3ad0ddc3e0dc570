"""Named Aberra et al. 2018 cells (``aberra-l5-pc``, ``aberra-l23-pc``) from the users' SWC files.

The human L5 and L2/3 pyramidal cells of Aberra, Peterchev & Grill 2018 (J Neural Eng
15:066023, doi 10.1088/1741-2552/aadbb1) are distributed, already myelinated (SWC types 5 myelin,
6/7 node and unmyelinated axon), by NeMo-TMS (Shirinpour et al. 2021, Brain Stimul 14:1470,
doi 10.1016/j.brs.2021.09.004) as ``Model_Generation/morphos/Aberra_human_L5.swc`` and
``Aberra_human_L23.swc`` (https://github.com/OpitzLab/NeMo-TMS). NeMo-TMS is GPL-3 and the
cells derive from Blue Brain reconstructions (CC BY-NC-SA), so tmslab does not ship them: put
the two files in a folder named by ``TMSLAB_MORPHOLOGIES`` (several folders separated by the
path separator) or in ``~/.local/share/tmslab/morphologies`` (``$XDG_DATA_HOME/tmslab/...``).

The files are checked by SHA-256: another file under the same name is modelled, with a warning
that its thresholds are not the validated ones. The models are built by
:func:`tmslab.neuron.models.get_model` with :func:`tmslab.neuron.models.model_from_swc`'s
``"aberra"`` membranes (what they leave out is in the model's warnings).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from tmslab.errors import TmslabError
from tmslab.sources import Source

MORPHOLOGY_ENV = "TMSLAB_MORPHOLOGIES"
NEMO_TMS_URL = "https://github.com/OpitzLab/NeMo-TMS/tree/main/Model_Generation/morphos"


class MorphologyNotFoundError(TmslabError):
    """A named cell's morphology file is not on this machine; the message names the fetch command."""

    def __init__(self, message: str) -> None:
        hint = "or download it with: tmslab neuron fetch-cells"
        super().__init__(message if hint in message else f"{message}; {hint}")


@dataclass(frozen=True)
class AberraCell:
    """A named Aberra et al. 2018 cell.

    Attributes
    ----------
    name : str
        Model name.
    filename : str
        File name as NeMo-TMS distributes it.
    sha256 : str
        SHA-256 of NeMo-TMS's file (the one validated in docs/validation-neurons.md).
    description : str
        One sentence.
    swc_types : tuple of (int, str)
        Roles of SWC types 6 and 7 in this file (NeMo-TMS's L5 and L2/3 scripts swap them; the
        run lengths, about 1 um for nodes, say which is which).
    """

    name: str
    filename: str
    sha256: str
    description: str
    swc_types: tuple[tuple[int, str], ...]


CELLS = {
    "aberra-l5-pc": AberraCell(
        "aberra-l5-pc",
        "Aberra_human_L5.swc",
        "b5c4a6511fe0a2f12a05b18aad74c3eb6aeb36e1f5feb160de5c10c432717338",
        "Aberra et al. 2018 human layer-5 pyramidal cell (NeMo-TMS file), myelinated axon",
        ((6, "node"), (7, "unmyelinated")),
    ),
    "aberra-l23-pc": AberraCell(
        "aberra-l23-pc",
        "Aberra_human_L23.swc",
        "711a4fee31a6f587cbf2da8232fbdbc5fea836ff41652b4fb1d5be68650441cb",
        "Aberra et al. 2018 human layer-2/3 pyramidal cell (NeMo-TMS file), myelinated axon",
        ((6, "unmyelinated"), (7, "node")),
    ),
}
NEMO_TMS_2021 = Source(
    "Shirinpour S, Hananeia N, Rosado J, et al. (2021). Multi-scale modeling toolbox for "
    "single neuron and subcellular activity under transcranial magnetic stimulation. Brain "
    "Stimul 14:1470-1482",
    "10.1016/j.brs.2021.09.004",
    "Morphology: NeMo-TMS's myelinated Aberra et al. 2018 human cell (user supplied, checked by "
    "SHA-256); membranes after Aberra et al. 2018 as NeMo-TMS's Aberra_L5_model.m sets them.",
)


def morphology_dirs() -> tuple[Path, ...]:
    """Folders searched for named cells' morphologies, in order.

    Returns
    -------
    tuple of Path
        ``$TMSLAB_MORPHOLOGIES`` entries, then ``$XDG_DATA_HOME/tmslab/morphologies`` (default
        ``~/.local/share``).
    """
    dirs = [Path(p).expanduser() for p in os.environ.get(MORPHOLOGY_ENV, "").split(os.pathsep) if p]
    data = os.environ.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    dirs.append(Path(data) / "tmslab" / "morphologies")
    return tuple(dirs)


def find_morphology(cell: AberraCell) -> Path | None:
    """The first ``cell.filename`` in :func:`morphology_dirs`.

    Parameters
    ----------
    cell : AberraCell
        The cell.

    Returns
    -------
    Path or None
        The file, or None when no folder has it.
    """
    for folder in morphology_dirs():
        path = folder / cell.filename
        if path.is_file():
            return path
    return None


def available() -> tuple[str, ...]:
    """Names of the Aberra cells whose files are on this machine."""
    return tuple(name for name, cell in CELLS.items() if find_morphology(cell) is not None)


def sha256(path: Path) -> str:
    """SHA-256 of a file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    str
        The digest, hexadecimal.
    """
    return hashlib.sha256(path.read_bytes()).hexdigest()
