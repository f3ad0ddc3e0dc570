"""The ``tmslab field head`` run: options checked before the solve, the solve, the output folder.

:func:`prepare_head_field` checks every option of a run before the solve (placement, target,
coil, dI/dt, output folder); :func:`run_head_field` solves (:func:`tmslab.efield.head.head_field`)
and writes the output folder whole or not at all (:func:`write_head_field`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tmslab.efield.head import CorticalField, as_coil, check_coil_outside, head_field
from tmslab.errors import InvalidValueError
from tmslab.units import A_PER_US, MM

__all__ = [
    "HEAD_FIELD_FILES",
    "MNI_NIFTI_NAME",
    "HeadFieldSetup",
    "parse_mni_mm",
    "prepare_head_field",
    "run_head_field",
    "write_head_field",
]

FIGURE_NAME = "cortex_field.png"
HEAD_FIELD_FILES = (
    "summary.json",
    "cortex_field.csv",
    "lh.mid.surf.gii",
    "lh.mid.func.gii",
    "rh.mid.surf.gii",
    "rh.mid.func.gii",
    "coil_pose.matsimnibs.txt",
    "magnE_mni.nii.gz",
    FIGURE_NAME,
)
MNI_NIFTI_NAME = "magnE_mni.nii.gz"


def parse_mni_mm(text: str | None, option: str) -> np.ndarray | None:
    """``"X,Y,Z"`` in mm (MNI coordinates as published) -> (3,) ndarray, m.

    Parameters
    ----------
    text : str or None
        Three comma-separated numbers, mm (None: the option was not given).
    option : str
        The option named in the error message.

    Returns
    -------
    (3,) ndarray, m, or None
        The point (None for None).

    Raises
    ------
    InvalidValueError
        Not three finite numbers.
    """
    if text is None:
        return None
    cells = str(text).replace(" ", "").split(",")
    try:
        values = [float(c) for c in cells]
    except ValueError:
        values = []
    if len(values) != 3 or not np.all(np.isfinite(values)):
        raise InvalidValueError(
            f"{option} {text!r}: give three comma-separated MNI coordinates in mm, e.g. -37,-21,58"
        )
    return np.array(values) * MM


@dataclass(frozen=True, eq=False)
class HeadFieldSetup:
    """A checked run of :func:`run_head_field` (everything decided before the solve).

    Attributes
    ----------
    head : HeadModel
        The head.
    coil : Coil
        The coil (its own frame).
    pose : (4, 4) ndarray, m
        Coil -> head transform.
    target : CorticalTarget or None
        The target.
    didt_a_per_s : float, A/s
        Coil dI/dt.
    out : Path or None
        Output folder (checked writable).
    placement : str
        How the coil was placed, for people.
    """

    head: Any
    coil: Any
    pose: np.ndarray
    target: Any
    didt_a_per_s: float
    out: Path | None = None
    placement: str = ""


def prepare_head_field(
    coil,
    *,
    at: str | None = None,
    at_mni_m=None,
    handle_angle_deg: float | None = None,
    handle_towards: str | None = None,
    distance_m: float = 0.0,
    target: str | None = None,
    target_mni_m=None,
    target_label: str | None = None,
    didt_a_per_s: float = A_PER_US,
    out: str | Path | None = None,
    head=None,
) -> HeadFieldSetup:
    """Check every option of a head-field run and place the coil, before any solve (a few s).

    Parameters
    ----------
    coil : Coil or str
        Coil or preset name / coil file.
    at : str or None
        10-05 label of the coil position (e.g. ``"C3"``); or give ``at_mni_m``.
    at_mni_m : (3,) array_like, m, or None
        MNI152 coordinate (as published), projected onto the scalp.
    handle_angle_deg : float or None, degrees
        Handle angle from posterior (:mod:`tmslab.conductors.head.placement`); default 0.
    handle_towards : str or None
        10-05 label the handle points to.
    distance_m : float, m
        Gap from the scalp to the coil centre.
    target : str or None
        A named target (``"M1-hand"``, ``"DLPFC-Fox2012"``).
    target_mni_m : (3,) array_like, m, or None
        An MNI152 coordinate on the cortex (as published).
    target_label : str or None
        A 10-05 label projected onto the cortex.
    didt_a_per_s : float, A/s
        Coil dI/dt.
    out : str, Path or None
        Output folder: checked writable and holding only files of an earlier run.
    head : HeadModel, str, Path or None
        A head, ``"fsaverage"`` (the template, the default) or a SimNIBS head mesh ``.msh``
        (:func:`tmslab.conductors.head.load_head`).

    Returns
    -------
    HeadFieldSetup
        Ready for :func:`run_head_field`.

    Raises
    ------
    TmslabError
        A one-line error for any bad option (unknown label, coil or target; a target far from
        the cortex; a coil inside the head; an unwritable ``out``).
    """
    from tmslab.conductors.head import load_head, place_coil, resolve_target
    from tmslab.errors import check_positive

    check_positive("--didt", didt_a_per_s, "A/s")
    if (at is None) == (at_mni_m is None):
        raise InvalidValueError(
            "give the coil position: either --position LABEL or --position-mni X,Y,Z"
        )
    given = [t for t in (target, target_mni_m, target_label) if t is not None]
    if len(given) > 1:
        raise InvalidValueError("give at most one of --target, --target-mni and --target-label")
    if handle_angle_deg is not None and handle_towards is not None:
        raise InvalidValueError("give either --handle-angle or --handle-towards, not both")
    if out is not None:
        from tmslab.outputs import prepare_output_folder

        out = prepare_output_folder(out, HEAD_FIELD_FILES)
    coil = as_coil(coil)
    head = load_head(head)
    goal = resolve_target(head, target, target_mni_m, target_label)  # quickest checks first
    pose, placement = place_coil(
        head,
        at,
        at_mni_m,
        handle_angle_deg=handle_angle_deg or 0.0,
        handle_towards=handle_towards,
        distance_m=distance_m,
    )
    check_coil_outside(head, coil.transformed(pose))
    return HeadFieldSetup(
        head=head,
        coil=coil,
        pose=pose,
        target=goal,
        didt_a_per_s=float(didt_a_per_s),
        out=out,
        placement=placement,
    )


def write_head_field(
    out: str | Path,
    result: CorticalField,
    figure: Callable[[CorticalField, Path], None] | None = None,
) -> Path:
    """Write a result's files into folder ``out``, all at once (:class:`tmslab.outputs.OutputSet`).

    Files (:data:`HEAD_FIELD_FILES`): ``summary.json``; ``cortex_field.csv`` (x,y,z m,
    ex,ey,ez, magn, normal V/m); ``lh.mid.surf.gii``/``rh.mid.surf.gii`` (mid surface, mm) with
    ``lh.mid.func.gii``/``rh.mid.func.gii`` (data arrays ``magnE``, ``E_normal``,
    ``E_tangential``, V/m, and ``E``, the vector); ``coil_pose.matsimnibs.txt`` (mm);
    ``magnE_mni.nii.gz``, |E| on the MNI152 2 mm grid (each voxel within 3 mm of a cortex vertex
    takes the nearest vertex's |E|, NaN elsewhere: :func:`tmslab.io.nifti.write_surface_nifti`;
    for heads registered to MNI152: fsaverage, or a charm mesh with its affine);
    and ``cortex_field.png`` if ``figure`` is given.

    Parameters
    ----------
    out : str or Path
        The folder (replaced as a whole).
    result : CorticalField
        The field.
    figure : callable or None
        ``figure(result, path)`` saves the figure at ``path`` (the viz layer's, from the caller).

    Returns
    -------
    Path
        The folder.
    """
    from tmslab.io.cortex import write_cortex_csv, write_cortex_gifti
    from tmslab.io.nifti import write_surface_nifti
    from tmslab.io.pose import write_pose
    from tmslab.outputs import OutputSet
    from tmslab.provenance import RESULT_SIGNIFICANT_DIGITS, dumps

    summary = dumps(result.to_dict(), RESULT_SIGNIFICANT_DIGITS) + "\n"
    data = {
        "magnE": result.magnitude,
        "E_normal": result.normal_component,
        "E_tangential": result.tangential,
        "E": result.efield,
    }
    units = dict.fromkeys(data, "V/m")
    with OutputSet(Path(out)) as files:
        files.write_text("summary.json", summary)
        files.write(
            "cortex_field.csv",
            lambda p: write_cortex_csv(
                p, result.vertices, result.efield, result.magnitude, result.normal_component
            ),
        )
        # one call writes the four GIfTI files beside the first
        gifti = lambda p: write_cortex_gifti(  # noqa: E731
            p.parent, result.vertices, result.triangles, result.hemispheres, data, units
        )
        files.write(HEAD_FIELD_FILES[2], gifti)
        files.write("coil_pose.matsimnibs.txt", lambda p: write_pose(p, result.pose, "mm"))
        if result.to_mni152 is not None:  # a head registered to MNI152 (fsaverage, charm's)
            cortex = result.cortex  # the cortex vertices only (not the medial wall)
            files.write(
                MNI_NIFTI_NAME,
                lambda p: write_surface_nifti(
                    p, result.vertices_mni152()[cortex], result.magnitude[cortex], "V/m"
                ),
            )
        if figure is not None:
            files.write(FIGURE_NAME, lambda p: figure(result, p))
    return Path(out)


def run_head_field(
    setup: HeadFieldSetup, figure: Callable[[CorticalField, Path], None] | None = None
) -> CorticalField:
    """Solve a checked setup and, if it has an ``out`` folder, write it (:func:`write_head_field`).

    Parameters
    ----------
    setup : HeadFieldSetup
        From :func:`prepare_head_field`.
    figure : callable or None
        ``figure(result, path)`` saving the PNG (passed on to :func:`write_head_field`).

    Returns
    -------
    CorticalField
        The field.
    """
    result = head_field(setup.head, setup.coil, setup.pose, setup.target, setup.didt_a_per_s)
    if setup.out is not None:
        write_head_field(setup.out, result, figure)
    return result
