"""Named Aberra et al. cells from the users' files: NeMo-TMS SWC files and Blue Brain cell folders.

The human L5 and L2/3 pyramidal cells of Aberra, Peterchev & Grill 2018 (J Neural Eng
15:066023, doi 10.1088/1741-2552/aadbb1) are distributed, already myelinated (SWC types 5 myelin,
6/7 node and unmyelinated axon), by NeMo-TMS (Shirinpour et al. 2021, Brain Stimul 14:1470,
doi 10.1016/j.brs.2021.09.004) as ``Model_Generation/morphos/Aberra_human_L5.swc`` and
``Aberra_human_L23.swc`` (https://github.com/OpitzLab/NeMo-TMS). NeMo-TMS is GPL-3 and the
cells derive from Blue Brain reconstructions (CC BY-NC-SA), so tmslab does not ship them: put
the two files in a folder named by ``TMSLAB_MORPHOLOGIES`` (several folders separated by the
path separator) or in ``~/.local/share/tmslab/morphologies`` (``$XDG_DATA_HOME/tmslab/...``).

The L1 neurogliaform, L4 large basket and L6 pyramidal cells of Aberra et al. 2020 (Brain
Stimul 13:175, doi 10.1016/j.brs.2019.10.002; ``aberra-l1-ngc``, ``aberra-l4-lbc``,
``aberra-l6-pc``, clone 1 of each type) are Blue Brain cell folders as Aberra et al.'s code
ships them (github.com/Aman-A/TMSsim_Aberra2019, ``nrn/cells/<name>/`` with
``morphology/*.asc`` and ``biophysics.hoc``; CC BY-NC-SA, not shipped): put the folders under
their Blue Brain names in one of the same folders (``TMSLAB_MORPHOLOGIES`` may be a clone's
``nrn/cells``). They are built by :func:`tmslab.neuron.models.model_from_bluebrain` as Aberra et
al.'s adult human "maxH" models (:mod:`tmslab.neuron.bluebrain`).

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
    "SHA-256); membranes after Aberra et al. 2018 as NeMo-TMS's Aberra_L5_model.m and "
    "Aberra_L23_model.m set them for each cell (tmslab/data/neuron/nemo_tms/*.biophysics.hoc).",
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
    """Names of the Aberra cells whose files are on this machine (SWC and folder cells)."""
    swc = tuple(name for name, cell in CELLS.items() if find_morphology(cell) is not None)
    return swc + available_folders()


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


ABERRA_2020_URL = "https://github.com/Aman-A/TMSsim_Aberra2019/tree/master/nrn/cells"


@dataclass(frozen=True)
class BlueBrainFolderCell:
    """A named Blue Brain cell of Aberra et al. 2020, found as its cell folder.

    Attributes
    ----------
    name : str
        Model name.
    folder : str
        The folder's Blue Brain name, e.g. ``L1_NGC-DA_bNAC219_1``.
    asc : str
        Its morphology file (``<folder>/morphology/<asc>``).
    sha256 : str
        SHA-256 of that file in Aberra et al.'s repository (commit 8ec575a).
    description : str
        One sentence.
    """

    name: str
    folder: str
    asc: str
    sha256: str
    description: str


FOLDER_CELLS = {
    "aberra-l1-ngc": BlueBrainFolderCell(
        "aberra-l1-ngc",
        "L1_NGC-DA_bNAC219_1",
        "C060106B_-_Scale_x1.000_y0.950_z1.000_-_Clone_0.asc",
        "057fe95601a6a80fbe195aeec3e4efd89011029d4b98029e95635276fa7d8fb3",
        "Aberra et al. 2020 adult human layer-1 neurogliaform cell (Blue Brain "
        "L1_NGC-DA_bNAC219_1), myelinated axon",
    ),
    "aberra-l4-lbc": BlueBrainFolderCell(
        "aberra-l4-lbc",
        "L4_LBC_cACint209_1",
        "C310897A-I2_-_Scale_x1.000_y1.025_z1.000_-_Clone_1.asc",
        "95cbaff8938a1536b708845ae19e0919f6d55c885f8b8102cce24e26a994d8ed",
        "Aberra et al. 2020 adult human layer-4 large basket cell (Blue Brain "
        "L4_LBC_cACint209_1), myelinated axon",
    ),
    "aberra-l6-pc": BlueBrainFolderCell(
        "aberra-l6-pc",
        "L6_TPC_L4_cADpyr231_1",
        "dend-tkb061126a4_ch0_cc2_h_zk_60x_1_axon-tkb071119a1_ch8_cc2_n_db_100x_1_-_Clone_0.asc",
        "49401da20b68f22852199d91501303a506c9a34e9d7390d8f1eefa2bc284fc7c",
        "Aberra et al. 2020 adult human layer-6 pyramidal cell (Blue Brain "
        "L6_TPC_L4_cADpyr231_1), myelinated axon",
    ),
}
# Clone 1 of each of the five types in Aberra et al. 2020's repository (validation); the L2/3 and
# L5 ones are not named models (``aberra-l23-pc``/``aberra-l5-pc`` are NeMo-TMS's SWC files).
TYPE_FOLDERS = {
    "L1 NGC": FOLDER_CELLS["aberra-l1-ngc"],
    "L2/3 PC": BlueBrainFolderCell(
        "L23_PC_cADpyr229_1",
        "L23_PC_cADpyr229_1",
        "dend-C170897A-P3_axon-C260897C-P4_-_Clone_4.asc",
        "254a5269762a0fe44ce5c57280f4d3c74229ef500c1c997f1632ffbfed8ea804",
        "Blue Brain L23_PC_cADpyr229_1 as Aberra et al. 2020's maxH model",
    ),
    "L4 LBC": FOLDER_CELLS["aberra-l4-lbc"],
    "L5 PC": BlueBrainFolderCell(
        "L5_TTPC2_cADpyr232_1",
        "L5_TTPC2_cADpyr232_1",
        "dend-C060114A7_axon-C060116A3_-_Clone_2.asc",
        "8f114fca8159cfefc91f8553d9d244996d5ec1d341a9e28b526946fc9d481570",
        "Blue Brain L5_TTPC2_cADpyr232_1 as Aberra et al. 2020's maxH model",
    ),
    "L6 PC": FOLDER_CELLS["aberra-l6-pc"],
}


def find_folder(cell: BlueBrainFolderCell) -> Path | None:
    """The first ``<dir>/<cell.folder>`` of :func:`morphology_dirs` with its .asc and biophysics.

    Parameters
    ----------
    cell : BlueBrainFolderCell
        The cell.

    Returns
    -------
    Path or None
        The cell folder, or None when no folder has it.
    """
    for folder in morphology_dirs():
        path = folder / cell.folder
        if (path / "morphology" / cell.asc).is_file() and (path / "biophysics.hoc").is_file():
            return path
    return None


def available_folders() -> tuple[str, ...]:
    """Names of the Blue Brain folder cells (:data:`FOLDER_CELLS`) found on this machine."""
    return tuple(name for name, cell in FOLDER_CELLS.items() if find_folder(cell) is not None)
