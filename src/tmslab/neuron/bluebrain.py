"""Blue Brain cell folders as Aberra et al. 2020 used them: morphology, biophysics, "maxH" changes.

A Blue Brain neocortical microcircuit cell (Markram et al. 2015, Cell 163:456, doi
10.1016/j.cell.2015.09.029; CC BY-NC-SA, not shipped) is a folder such as
``L5_TTPC2_cADpyr232_1/`` with ``morphology/*.asc`` (read by :mod:`tmslab.neuron.asc`) and
``biophysics.hoc``: which mechanisms are inserted and at what density in each section list
(``somatic``, ``axonal``, ``apical``, ``basal``, ``all``). :func:`parse_biophysics` reads the
file's ``insert M``, ``name = value`` and ``distribute(list, "name", "(0.0 * %g + 1.0)*v")``
statements and refuses anything else with a one-line error (a non-uniform distribution is
accepted only for a channel tmslab holds at rest, :mod:`tmslab.neuron.held`).

:func:`bluebrain_model` then applies what Aberra, Wang, Grill & Peterchev 2020 (Brain Stimul
13:175, doi 10.1016/j.brs.2019.10.002) did for their adult human "maxH" models, as their code
does it (github.com/Aman-A/TMSsim_Aberra2019: mat/sim_control_functions/outputMorphParams.m,
nrn/cell_chooser.hoc, nrn/edit_morphology.hoc, nrn/myelin_biophysics.hoc):

- scaling (outputMorphParams.m "maxH"): soma area x 2.453, axon diameters x 2.453, apical
  diameters x 1.876, basal diameters x 1.946 and basal lengths x 1.17;
- rotation (edit_morphology.hoc ``x_rotate``): (x, y, z) -> (x, -z, y), so the apical dendrite
  points along +z and their field directions (theta, phi) apply as they are;
- myelination (edit_morphology.hoc ``add_myelin``; Aberra et al. 2018, J Neural Eng 15:066023,
  doi 10.1088/1741-2552/aadbb1): 1 um nodes, internodes of 100 x the axon diameter (70 x on
  terminal sections), nothing thinner than 0.2 um myelinated, the first 50 um from the soma
  unmyelinated; :func:`aberra_myelinate` counts the internodes as their code does (not
  :func:`tmslab.neuron.myelin.myelinate`, whose count, diameter and terminal rules differ);
  internode diameters divided by the Micheva et al. 2016 g-ratio fit (``scale_diam3``);
- membranes (myelin_biophysics.hoc): soma cm 1, dendrites cm 2 uF/cm^2; nodes the cell's own
  axonal NaTa_t (doubled), Nap_Et2, K_Pst, K_Tst and SKv3_1 densities; unmyelinated axon the
  same undoubled; axon leak, Ra 100 ohm cm, cm 1; myelin cm 0.02 uF/cm^2, g 1/1.125e6 S/cm^2.

Held at their resting state, listed in the model's warnings: the channels tmslab's solvers do
not integrate (Ca_HVA, Ca_LVAst, Ca, CaDynamics_E2, SK_E2, Ih, Im), at the file's densities (Ih
along the dendrites by its distance rule, :func:`held_channels`). Each section list keeps its own
e_pas and the cell starts from its steady state with every channel (:mod:`tmslab.neuron.rest`),
as Aberra et al.'s does (equal to NEURON's with the cells' own .mod files to 1e-8 mV); during
the run those channels are a conductance frozen at that rest (:mod:`tmslab.neuron.held`), which
in NEURON gives the five types the same thresholds as integrating them (within the 0.5 %
bisection; tools/bluebrain_left_out.py, docs/validation-neurons.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from tmslab.errors import SpecFileError
from tmslab.neuron.asc import asc_points, read_asc, soma_area_m2
from tmslab.neuron.membranes import ABERRA_MYELIN, Membrane, leak_reversal
from tmslab.neuron.swc import APICAL, AXON, BASAL, MYELIN, NODE, SOMA, UNMYELINATED, SwcPoint
from tmslab.sources import Source
from tmslab.units import MV, OHM_CM, S_PER_CM2, UF_PER_CM2, UM, UM_PER_M

SECTION_LISTS = ("somatic", "axonal", "apical", "basal")
# Mechanism -> (Membrane field, channel set it needs) for what tmslab's kinetics have
# (tmslab.neuron.kinetics: NaTa_t, NaTs2_t, Nap_Et2, K_Pst, K_Tst, SKv3_1).
SUPPORTED = {
    "NaTa_t": "g_na_s_per_m2",
    "NaTs2_t": "g_na_s_per_m2",
    "Nap_Et2": "g_nap_s_per_m2",
    "K_Pst": "g_kp_s_per_m2",
    "K_Tst": "g_kt_s_per_m2",
    "SKv3_1": "g_k_s_per_m2",
}
# held at their resting state (tmslab.neuron.held)
HELD = frozenset(("Ca_HVA", "Ca_LVAst", "Ca", "CaDynamics_E2", "SK_E2", "Ih", "Im"))
# Blue Brain's "distribute" expression for a uniform density: "(0.0 * %g + 1.0)*value"
_UNIFORM = re.compile(r"^\(\s*0(?:\.0*)?\s*\*\s*%g\s*\+\s*1(?:\.0*)?\s*\)\s*\*\s*([-+0-9.eE]+)$")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


@dataclass(frozen=True)
class SectionBiophysics:
    """Mechanisms and parameters of one Blue Brain section list.

    Attributes
    ----------
    inserted : tuple of str
        Mechanisms inserted, in file order.
    values : dict of str to float, NEURON's units
        Uniform parameters as the file gives them (``gNaTa_tbar_NaTa_t`` S/cm^2, ``e_pas`` mV,
        ``cm`` uF/cm^2, ``Ra`` ohm cm, ...).
    non_uniform : tuple of str
        Parameters with a distance-dependent distribution (only held channels allowed).
    expressions : dict of str to str
        Their ``distribute`` expressions, ``%g`` standing for the path distance from the soma
        (um).
    """

    inserted: tuple[str, ...] = ()
    values: dict[str, float] = field(default_factory=dict)
    non_uniform: tuple[str, ...] = ()
    expressions: dict[str, str] = field(default_factory=dict)


def parse_biophysics(text: str, where: str = "biophysics.hoc") -> dict[str, SectionBiophysics]:
    """The section lists of a Blue Brain ``biophysics.hoc``.

    Parameters
    ----------
    text : str
        The file's text.
    where : str
        File name used in messages.

    Returns
    -------
    dict of str to SectionBiophysics
        One entry per list of :data:`SECTION_LISTS` ("all" is applied to each).

    Raises
    ------
    SpecFileError
        One line, for a statement the reader does not know, an unknown mechanism or a
        non-uniform density of a channel tmslab models.
    """
    lines = text.splitlines()
    start = next((i for i, s in enumerate(lines) if re.match(r"\s*proc\s+biophys\s*\(", s)), None)
    if start is None:
        raise SpecFileError(f"{where}: no 'proc biophys()'; is this a Blue Brain biophysics.hoc?")
    inserted: dict[str, list[str]] = {k: [] for k in SECTION_LISTS}
    values: dict[str, dict[str, float]] = {k: {} for k in SECTION_LISTS}
    non_uniform: dict[str, list[str]] = {k: [] for k in SECTION_LISTS}
    expressions: dict[str, dict[str, str]] = {k: {} for k in SECTION_LISTS}
    current: str | None = None
    depth = 1
    for number in range(start + 2, len(lines) + 1):
        raw = lines[number - 1].split("//", 1)[0].strip()
        if not raw:
            continue
        targets = SECTION_LISTS if current == "all" else ((current,) if current is not None else ())
        m = re.fullmatch(r"forsec\s+\$o1\.(\w+)\s*\{", raw)
        if m and current is None:
            if m.group(1) not in (*SECTION_LISTS, "all"):
                raise SpecFileError(
                    f"{where}, line {number}: section list {m.group(1)!r} is not one tmslab "
                    f"knows ({', '.join(SECTION_LISTS)}, all)"
                )
            current = m.group(1)
            continue
        if raw == "}":
            if current is not None:
                current = None
                continue
            depth -= 1
            if depth == 0:
                break
            continue
        m = re.fullmatch(r"insert\s+(\w+)", raw)
        if m and current is not None:
            mech = m.group(1)
            if mech != "pas" and mech not in SUPPORTED and mech not in HELD:
                raise SpecFileError(
                    f"{where}, line {number}: mechanism {mech!r} is not one tmslab knows "
                    f"(models {', '.join(SUPPORTED)}; holds at rest {', '.join(sorted(HELD))})"
                )
            for t in targets:
                inserted[t].append(mech)
            continue
        m = re.fullmatch(rf"(\w+)\s*=\s*({_NUMBER})", raw)
        if m and current is not None:
            for t in targets:
                values[t][m.group(1)] = float(m.group(2))
            continue
        m = re.fullmatch(r'distribute\(\$o1\.(\w+)\s*,\s*"(\w+)"\s*,\s*"([^"]*)"\s*\)', raw)
        if m and current is None:
            target, name, expression = m.groups()
            if target not in SECTION_LISTS:
                raise SpecFileError(f"{where}, line {number}: unknown section list {target!r}")
            uniform = _UNIFORM.match(expression)
            if uniform:
                values[target][name] = float(uniform.group(1))
                continue
            mech = next((k for k in SUPPORTED if name.endswith("_" + k)), name)
            owner = next((k for k in HELD if name.endswith("_" + k)), None)
            if owner is None:
                raise SpecFileError(
                    f"{where}, line {number}: {name} of {target} has a non-uniform distribution "
                    f"{expression!r}; tmslab takes only uniform densities of the channels it "
                    f"models ({mech})"
                )
            non_uniform[target].append(name)
            expressions[target][name] = expression
            continue
        raise SpecFileError(
            f"{where}, line {number}: {raw[:60]!r} is not a statement tmslab reads (forsec "
            "$o1.<list> { insert M / name = value }, distribute(...))"
        )
    else:
        raise SpecFileError(f"{where}: 'proc biophys()' is never closed")
    return {
        k: SectionBiophysics(
            tuple(inserted[k]), dict(values[k]), tuple(non_uniform[k]), dict(expressions[k])
        )
        for k in SECTION_LISTS
    }


_CUT_REL_TOL = 1e-9  # relative: a point this close to a cut belongs to the piece after it

# -- Aberra et al. 2020 "maxH" ---------------------------------------------------------------


@dataclass(frozen=True)
class MaxHScaling:
    """Aberra et al. 2020's adult human scaling of a Blue Brain (rat P14) cell (their
    outputMorphParams.m, "maxH").

    Attributes
    ----------
    soma_area : float, dimensionless
        Factor on the soma's area.
    axon_diameter : float, dimensionless
        Factor on axon diameters.
    apical_diameter : float, dimensionless
        Factor on apical dendrite diameters.
    basal_diameter : float, dimensionless
        Factor on basal dendrite diameters.
    basal_length : float, dimensionless
        Factor on basal dendrite lengths.
    """

    soma_area: float = 2.453
    axon_diameter: float = 2.453
    apical_diameter: float = 1.876
    basal_diameter: float = 1.946
    basal_length: float = 1.17


MAXH = MaxHScaling()
ABERRA_2020 = Source(
    "Aberra AS, Wang B, Grill WM, Peterchev AV (2020). Simulation of transcranial magnetic "
    "stimulation in head model with morphologically-realistic cortical neurons. Brain Stimul "
    "13:175-189",
    "10.1016/j.brs.2019.10.002",
    "Blue Brain cell (Markram et al. 2015, doi 10.1016/j.cell.2015.09.029, user supplied) "
    "scaled, myelinated and given membranes as Aberra et al.'s 'maxH' models "
    "(github.com/Aman-A/TMSsim_Aberra2019 nrn/edit_morphology.hoc, nrn/myelin_biophysics.hoc, "
    "mat/sim_control_functions/outputMorphParams.m).",
)


def g_ratio(diameter_um: np.ndarray) -> np.ndarray:
    """Axon / fibre diameter ratio, Aberra's cubic fit to Micheva et al. 2016, clipped to 0.4-0.8.

    Parameters
    ----------
    diameter_um : ndarray, um
        Axon diameters (the fit is in micrometres).

    Returns
    -------
    ndarray, dimensionless
        g-ratios.
    """
    d = np.asarray(diameter_um, dtype=float)
    g = 0.6425 * d**3 - 1.778 * d**2 + 1.749 * d + 0.1518
    return np.clip(g, 0.40, 0.80)


def scaled_points(points: list[SwcPoint], soma_area_m2_: float, scaling: MaxHScaling):
    """The points scaled by ``scaling`` and rotated by Aberra's x_rotate (apical along +z).

    Parameters
    ----------
    points : list of SwcPoint
        The cell, parents before children (SI).
    soma_area_m2_ : float, m^2
        Area of the soma contour.
    scaling : MaxHScaling
        The factors.

    Returns
    -------
    list of SwcPoint
        The scaled and rotated points (SI).
    """
    by_id: dict[int, SwcPoint] = {}
    new_pos: dict[int, np.ndarray] = {}
    out = []
    for p in points:  # parents first
        pos = np.array(p.position_m)
        r = p.radius_m
        if p.kind == SOMA:
            # diam(0.5) = scale * area / (pi L): the area scales by the factor
            r = math.sqrt(scaling.soma_area * soma_area_m2_ / (4 * math.pi))
        elif p.kind == AXON:
            r *= scaling.axon_diameter
        elif p.kind == APICAL:
            r *= scaling.apical_diameter
        elif p.kind == BASAL:
            r *= scaling.basal_diameter
            parent = by_id.get(p.parent)
            if parent is not None and parent.kind == BASAL:
                # L = L * 1.17: every basal stretch longer, the trees follow
                pos = new_pos[p.parent] + scaling.basal_length * (pos - np.array(parent.position_m))
        by_id[p.ident] = p
        new_pos[p.ident] = pos
        x, y, z = pos
        out.append(replace(p, position_m=(float(x), float(-z), float(y)), radius_m=float(r)))
    return out


def _membrane(
    name: str, bio: SectionBiophysics, cm_uf: float, source: Source, na_factor: float = 1.0
) -> Membrane:
    values = bio.values
    kwargs: dict[str, float] = {}
    has = set(bio.inserted)
    if "NaTa_t" in has and "NaTs2_t" in has:
        raise SpecFileError(f"{name}: both NaTa_t and NaTs2_t; tmslab models one transient Na")
    for mech, key in SUPPORTED.items():
        if mech in has:
            factor = na_factor if mech == "NaTa_t" else 1.0
            kwargs[key] = factor * values.get(f"g{mech}bar_{mech}", 0.0) * S_PER_CM2
    # NaTa_t: the axon set; NaTs2_t or K channels alone: the soma set (NaTs2_t, g_na may be 0)
    channels = "ctx-axon" if "NaTa_t" in has else ("ctx-soma" if kwargs else "passive")
    return Membrane(
        name=name,
        channels=channels,
        cm_f_per_m2=cm_uf * UF_PER_CM2,
        g_leak_s_per_m2=values.get("g_pas", 3e-5) * S_PER_CM2,
        ra_ohm_m=values.get("Ra", 100.0) * OHM_CM,
        source=source,
        e_na_v=values.get("ena", 50.0) * MV,
        e_k_v=values.get("ek", -85.0) * MV,
        e_leak_v=values.get("e_pas", DEFAULT_E_PAS_MV) * MV,
        **kwargs,
    )


def section_membranes(
    bio: dict[str, SectionBiophysics], source: Source, prefix: str
) -> dict[str, Membrane]:
    """The membrane of each branch label, from a cell's section lists (myelin_biophysics.hoc).

    Parameters
    ----------
    bio : dict of str to SectionBiophysics
        The parsed ``biophysics.hoc``.
    source : Source
        Where the densities come from.
    prefix : str
        Start of the membranes' names.

    Returns
    -------
    dict of str to Membrane
        For "soma", "dend" (basal, cm 2), "apic" (cm 2), "axon" (an SWC type-2 initial segment)
        and "unmyelinated" (the axonal list), "node" (the axonal list, NaTa_t doubled) and
        "myelin" (Aberra's passive sheath with the axonal e_pas).
    """
    axonal = bio["axonal"]
    e_axon = axonal.values.get("e_pas", DEFAULT_E_PAS_MV) * MV
    return {
        "soma": _membrane(f"{prefix}-soma", bio["somatic"], 1.0, source),
        "dend": _membrane(f"{prefix}-basal", bio["basal"], 2.0, source),
        "apic": _membrane(f"{prefix}-apical", bio["apical"], 2.0, source),
        "axon": _membrane(f"{prefix}-axon", axonal, 1.0, source),
        "unmyelinated": _membrane(f"{prefix}-unmyelinated", axonal, 1.0, source),
        "node": _membrane(f"{prefix}-node", axonal, 1.0, source, na_factor=2.0),
        "myelin": replace(ABERRA_MYELIN, name=f"{prefix}-myelin", source=source, e_leak_v=e_axon),
    }


def natural_rest_v(membrane: Membrane, e_leak_v: float, celsius: float) -> float:
    """Most negative potential at which ``membrane`` with leak reversal ``e_leak_v`` rests.

    The leak reversal that makes v a rest is not monotonic in v (the Na window current above
    about -60 mV), so the first crossing from -110 mV upwards is taken (0.5 mV grid, then
    bisection).

    Parameters
    ----------
    membrane : Membrane
        The membrane.
    e_leak_v : float, V
        Its leak reversal potential.
    celsius : float, degC
        Temperature.

    Returns
    -------
    float, V
        The resting potential.

    Raises
    ------
    SpecFileError
        If there is no rest below -40 mV.
    """
    grid = np.arange(-0.110, -0.040, 0.0005)
    f = np.array([leak_reversal(membrane, v, celsius) - e_leak_v for v in grid])
    change = np.nonzero(np.sign(f[:-1]) != np.sign(f[1:]))[0]
    if not len(change):
        raise SpecFileError(
            f"membrane {membrane.name}: no resting potential between -110 and -40 mV with "
            f"e_pas {e_leak_v / MV:.2f} mV"
        )
    low, high = grid[change[0]], grid[change[0] + 1]
    f_low = f[change[0]]
    for _ in range(50):
        mid = 0.5 * (low + high)
        f_mid = leak_reversal(membrane, mid, celsius) - e_leak_v
        if (f_mid > 0) == (f_low > 0):
            low, f_low = mid, f_mid
        else:
            high = mid
    return float(0.5 * (low + high))


# edit_morphology.hoc (Aberra et al. 2020): internode length / diameter, 70 on terminal sections
INL_RATIO = 100.0
INL_RATIO_TERMINAL = 70.0
NODE_LENGTH_M = 1.0 * UM
MIN_MYELIN_DIAMETER_M = 0.2 * UM
MIN_MYELIN_LENGTH_M = 20.0 * UM
MIN_PMAS_M = 50.0 * UM  # premyelin axon segment: hillock + initial segment
SEGMENT_CHUNK_M = 40.0 * UM  # geom_nseg(40): nseg = 1 + 2 int(L / 40 um)


def aberra_myelinate(points: list[SwcPoint]) -> list[SwcPoint]:
    """The axon (SWC type 2) myelinated as edit_morphology.hoc ``add_myelin`` does it.

    Per unbranched axon section of length L whose first segment is d thick: internode target
    100 d (70 d on a terminal section); n = int(L / (target + 1 um)) internodes (if 0,
    int(L / 21 um)), each followed by a 1 um node, all internodes equal; thinner than 0.2 um or
    n = 0: unmyelinated (type 7). The first section from the soma (axon[0]) keeps its first
    50 um unmyelinated and, if at least 70 um long, has one internode and one node after it.

    Parameters
    ----------
    points : list of SwcPoint
        Points with a type-2 axon, parents first.

    Returns
    -------
    list of SwcPoint
        Points with types 5 (myelin), 6 (node), 7 (unmyelinated) instead of 2, parents first.
    """
    by_id = {p.ident: p for p in points}
    children: dict[int, list[int]] = {p.ident: [] for p in points}
    for p in points:
        if p.parent >= 0:
            children[p.parent].append(p.ident)
    next_id = max(by_id) + 1
    replaced: dict[int, SwcPoint] = {}
    inserted: list[SwcPoint] = []
    for p in points:
        if p.kind != AXON:
            continue
        parent = by_id.get(p.parent)
        if parent is not None and parent.kind == AXON and len(children[parent.ident]) == 1:
            continue  # not the first point of a section
        run = [p]
        while len(children[run[-1].ident]) == 1 and by_id[children[run[-1].ident][0]].kind == AXON:
            run.append(by_id[children[run[-1].ident][0]])
        chain = ([parent] if parent is not None else []) + run
        xyz = np.array([q.position_m for q in chain])
        arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(xyz, axis=0), axis=1))])
        length = float(arc[-1])
        terminal = not children[run[-1].ident]
        nseg = 1 + 2 * int(length / SEGMENT_CHUNK_M)
        first = arc <= length / nseg
        first[min(1, len(first) - 1)] = True
        d0 = 2.0 * float(np.mean([q.radius_m for q, f in zip(chain, first, strict=True) if f]))
        if parent is not None and parent.kind == SOMA:
            # axon[0]: the premyelin segment, then one internode and a node if it is long enough
            offset = MIN_PMAS_M + float(arc[1] if len(arc) > 1 else 0.0)
            if length - offset >= MIN_MYELIN_LENGTH_M:
                cuts, kinds = [offset, length - NODE_LENGTH_M, length], [UNMYELINATED, MYELIN, NODE]
            else:
                cuts, kinds = [length], [UNMYELINATED]
        else:
            n = 0
            if d0 >= MIN_MYELIN_DIAMETER_M:
                target = (INL_RATIO_TERMINAL if terminal else INL_RATIO) * d0
                n = int(length / (target + NODE_LENGTH_M))
                if n == 0:
                    n = int(length / (MIN_MYELIN_LENGTH_M + NODE_LENGTH_M))
            if n >= 1:
                inter = (length - n * NODE_LENGTH_M) / n
                cuts, kinds = [], []
                for k in range(n):
                    cuts += [(k + 1) * inter + k * NODE_LENGTH_M, (k + 1) * (inter + NODE_LENGTH_M)]
                    kinds += [MYELIN, NODE]
                cuts[-1] = length
            else:
                cuts, kinds = [length], [UNMYELINATED]
        edges = np.asarray(cuts)
        tol = _CUT_REL_TOL * max(length, UM)

        def kind_at(a: float, edges=edges, kinds=kinds, tol=tol) -> int:
            return kinds[min(int(np.searchsorted(edges, a - tol)), len(kinds) - 1)]

        start = 1 if parent is not None else 0
        events = sorted(
            [(float(arc[i]), 0, i) for i in range(start, len(chain))]
            + [(c, 1, j) for j, c in enumerate(cuts[:-1]) if tol < c < length - tol]
        )
        prev = parent.ident if parent is not None else -1
        for a, is_cut, k in events:
            if is_cut:
                j = min(max(int(np.searchsorted(arc, a)) - 1, 0), len(arc) - 2)
                f = (a - arc[j]) / (arc[j + 1] - arc[j]) if arc[j + 1] > arc[j] else 0.0
                pos = tuple(float(v) for v in xyz[j] + f * (xyz[j + 1] - xyz[j]))
                rad = chain[j].radius_m + f * (chain[j + 1].radius_m - chain[j].radius_m)
                q = SwcPoint(next_id, kind_at(a), pos, float(rad), prev, chain[j + 1].line)
                inserted.append(q)
                prev = next_id
                next_id += 1
            else:
                q = replace(chain[k], kind=kind_at(a), parent=prev)
                replaced[q.ident] = q
                prev = q.ident
    out = [replaced.get(p.ident, p) for p in points] + inserted
    return _parents_first(out)


def _parents_first(points: list[SwcPoint]) -> list[SwcPoint]:
    kids: dict[int, list[SwcPoint]] = {}
    roots = []
    for p in points:
        (roots if p.parent < 0 else kids.setdefault(p.parent, [])).append(p)
    out, stack = [], list(reversed(roots))
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(reversed(kids.get(p.ident, [])))
    return out


@dataclass(frozen=True)
class BlueBrainCell:
    """A Blue Brain cell folder read and modified as Aberra et al. 2020's "maxH" model.

    Attributes
    ----------
    points : list of SwcPoint
        Scaled, rotated and myelinated points (SWC types 1, 3, 4, 5 myelin, 6 node,
        7 unmyelinated).
    membranes : dict of int to Membrane
        Membrane of each SWC type.
    v_rest_v : float, V
        Resting potential of the cell (the unmyelinated axon's own rest).
    warnings : tuple of str
        What is held or assumed.
    asc : Path
        The morphology file.
    biophysics : dict of str to SectionBiophysics
        The parsed ``biophysics.hoc`` (for the held channels, :func:`held_channels`).
    """

    points: list[SwcPoint]
    membranes: dict[int, Membrane]
    v_rest_v: float
    warnings: tuple[str, ...]
    asc: Path
    biophysics: dict[str, SectionBiophysics] = field(default_factory=dict)


# e_pas where a file gives none (every Blue Brain biophysics.hoc sets it in "all"): Aberra et
# al.'s axon value (myelin_biophysics.hoc: "usually -75 mV").
DEFAULT_E_PAS_MV = -75.0
CELSIUS = 37.0  # Aberra et al. 2020 (loadParams.m: 37 degC for myelinated axons)


def read_cell_folder(folder: str | Path, scaling: MaxHScaling = MAXH) -> BlueBrainCell:
    """Read a Blue Brain cell folder and apply Aberra et al. 2020's "maxH" changes.

    Parameters
    ----------
    folder : str or Path
        The folder (``morphology/*.asc`` and ``biophysics.hoc`` inside).
    scaling : MaxHScaling
        Scale factors.

    Returns
    -------
    BlueBrainCell
        Points, membranes, rest and warnings.

    Raises
    ------
    SpecFileError
        If a file is missing or malformed.
    """
    folder = Path(folder)
    ascs = sorted((folder / "morphology").glob("*.asc"))
    if len(ascs) != 1:
        raise SpecFileError(
            f"{folder}: {len(ascs)} morphology/*.asc files; a Blue Brain cell folder has one"
        )
    hoc = folder / "biophysics.hoc"
    try:
        bio = parse_biophysics(hoc.read_text(errors="replace"), hoc.name)
    except FileNotFoundError:
        raise SpecFileError(f"{folder}: no biophysics.hoc") from None
    cell = read_asc(ascs[0])
    points = scaled_points(asc_points(cell), soma_area_m2(cell.soma_contour_m), scaling)
    points = aberra_myelinate(points)
    # internodes: diameter / g-ratio (edit_morphology.hoc scale_diam3)
    points = [
        replace(p, radius_m=p.radius_m / float(g_ratio(2 * p.radius_m * UM_PER_M)))
        if p.kind == MYELIN
        else p
        for p in points
    ]
    by_label = section_membranes(bio, ABERRA_2020, "bb")
    membranes = {
        SOMA: by_label["soma"],
        BASAL: by_label["dend"],
        APICAL: by_label["apic"],
        NODE: by_label["node"],
        UNMYELINATED: by_label["unmyelinated"],
        MYELIN: by_label["myelin"],
    }
    e_axon = by_label["myelin"].e_leak_v
    v_rest = round(natural_rest_v(by_label["unmyelinated"], e_axon, CELSIUS), 5)  # to 0.01 mV
    warnings = []
    present = {p.kind for p in points}
    has_list = {"somatic": SOMA in present, "axonal": True, "apical": APICAL in present}
    has_list["basal"] = BASAL in present
    left = {
        k: sorted({m for m in bio[k].inserted if m in HELD} | _owners(bio[k].non_uniform))
        for k in SECTION_LISTS
        if has_list[k]
    }
    no_e_pas = [k for k in SECTION_LISTS if has_list[k] and "e_pas" not in bio[k].values]
    if no_e_pas:  # the rest depends on it: say so rather than assume quietly
        warnings.append(
            f"{hoc.name} gives no uniform e_pas for {', '.join(no_e_pas)}: "
            f"{DEFAULT_E_PAS_MV:g} mV assumed there (Aberra et al.'s axon value)."
        )
    warnings += _held_assumptions(bio, left, hoc.name)
    listed = "; ".join(f"{k}: {', '.join(v)}" for k, v in left.items() if v)
    if listed:
        warnings.append(
            "Held at their resting state, their gating during the pulse not simulated ("
            + listed
            + "): they set the rest (tmslab.neuron.held), and in NEURON their gating changes "
            "no threshold within the response window (tools/bluebrain_left_out.py); "
            "integrated: NaTa_t, NaTs2_t, Nap_Et2, K_Pst, K_Tst, SKv3_1 and the leak."
        )
    warnings.append(
        "Each section list keeps the file's e_pas and the cell starts from its steady state "
        "with every channel, which varies along it (tmslab.neuron.rest), as Aberra et al.'s "
        "does."
    )
    warnings.append(
        "Myelinated as Aberra et al. 2020's add_myelin() (edit_morphology.hoc) counts it; the "
        "soma is tmslab's one-point soma of the contour's scaled area, and each tree starts at "
        "its centre (a few um more cable than NEURON's Import3d gives)."
    )
    return BlueBrainCell(points, membranes, v_rest, tuple(warnings), ascs[0], bio)


def _held_assumptions(bio, held: dict[str, list[str]], where: str) -> list[str]:
    """Where a held channel's reversal is not what NEURON would use, say so: calcium channels
    without CaDynamics_E2 (tmslab takes E_Ca by Nernst at minCai; NEURON keeps its default eca),
    Im or SK_E2 where the list sets no ek (tmslab -85 mV; NEURON's default -77 mV)."""
    out = []
    for name, mechs in held.items():
        has = set(mechs)
        if has & {"Ca_HVA", "Ca_LVAst", "Ca"} and "CaDynamics_E2" not in has:
            out.append(
                f"{where}: {name} has calcium channels without CaDynamics_E2; E_Ca taken by "
                "Nernst at 1e-4 mM [Ca]i (NEURON would keep its default eca there)."
            )
        if has & {"Im", "SK_E2"} and "ek" not in bio[name].values:
            out.append(
                f"{where}: {name} has Im or SK_E2 but sets no ek; -85 mV assumed (NEURON's "
                "default is -77 mV)."
            )
    return out


def _owners(names) -> set[str]:
    return {next((k for k in HELD if n.endswith("_" + k)), n) for n in names}


# -- the channels held at rest (tmslab.neuron.held) ----------------------------------------------

# an SWC type-2 "axon" is NeMo-TMS's initial segment, which keeps the axonal list's channels
_LIST_OF_LABEL = {"soma": "somatic", "dend": "basal", "apic": "apical", "axon": "axonal"}
_AXON_LABELS = ("unmyelinated", "myelin", "node")


def distribution_value(expression: str, distance_um: float, where: str = "biophysics.hoc") -> float:
    """A Blue Brain ``distribute`` expression at a path distance from the soma.

    Parameters
    ----------
    expression : str
        The expression, ``%g`` standing for the distance, e.g.
        ``"(-0.8696 + 2.087*exp((%g-0.0)*0.0031))*0.00008"``.
    distance_um : float, um
        Path distance from the middle of the soma.
    where : str
        File name used in messages.

    Returns
    -------
    float, the file's unit (S/cm^2, mV, ms, ...)
        The value.

    Raises
    ------
    SpecFileError
        For anything but numbers, + - * /, parentheses and exp().
    """
    import ast

    text = expression.replace("%g", repr(float(distance_um)))

    def value(node) -> float:
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            return sign * value(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(
            node.op, ast.Add | ast.Sub | ast.Mult | ast.Div
        ):
            a, b = value(node.left), value(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            return a * b if isinstance(node.op, ast.Mult) else a / b
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "exp"
            and len(node.args) == 1
        ):
            return math.exp(value(node.args[0]))
        raise ValueError

    try:
        return value(ast.parse(text, mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError):
        raise SpecFileError(
            f"{where}: distribution {expression!r} is not one tmslab reads (numbers, + - * /, "
            "exp() of the distance %g)"
        ) from None


def path_distance_um(branches, cable) -> np.ndarray:
    """Path distance of every cable node from the middle of the soma.

    NEURON's ``distance()`` from soma(0.5), which Blue Brain's ``distribute`` uses.

    Parameters
    ----------
    branches : sequence of Branch
        The branches, the soma first.
    cable : Cable
        Their compartments.

    Returns
    -------
    (M,) ndarray, um
        Distance of each node along the tree.
    """
    start = np.zeros(len(branches))
    for k, b in enumerate(branches):
        if b.parent < 0:
            continue
        p = branches[b.parent]
        at = b.parent_x * p.length_m
        start[k] = abs(at - 0.5 * p.length_m) if p.parent < 0 else start[b.parent] + at
    out = np.zeros(cable.n_nodes)
    for i in range(cable.n_nodes):
        b = branches[cable.branch[i]]
        x = (cable.segment[i] + 0.5) / b.n_segments
        if cable.branch[i] >= 0 and b.parent < 0:
            out[i] = abs(x - 0.5) * b.length_m
        else:
            out[i] = start[cable.branch[i]] + x * b.length_m
    return out * UM_PER_M


def held_channels(branches, cable, bio: dict[str, SectionBiophysics], where: str):
    """The held channels of a Blue Brain cell at every node, as ``biophysics.hoc`` sets them.

    On the soma, basal and apical dendrites by their section lists, and on the first axon
    section from the soma by the axonal list (Aberra et al.'s initial segment keeps the Blue
    Brain axon set; their nodes, internodes and the rest of the unmyelinated axon have none).

    Parameters
    ----------
    branches : sequence of Branch
        The model's branches (labels soma, dend, apic, unmyelinated, myelin, node).
    cable : Cable
        Their compartments.
    bio : dict of str to SectionBiophysics
        The parsed file.
    where : str
        File name used in messages.

    Returns
    -------
    HeldChannels or None
        None if no list inserts any.
    """
    from tmslab.neuron.held import (
        CA_DYNAMICS_DEFAULTS,
        DEFAULT_DENSITY_S_PER_M2,
        MECHANISMS,
        HeldChannels,
    )

    first_axon = next(
        (k for k, b in enumerate(branches) if b.parent == 0 and b.label in _AXON_LABELS), None
    )
    list_of = [
        "axonal" if k == first_axon else _LIST_OF_LABEL.get(b.label) for k, b in enumerate(branches)
    ]
    m = cable.n_nodes
    density = np.zeros((len(MECHANISMS), m))
    ca = {key: np.zeros(m) for key in CA_DYNAMICS_DEFAULTS}
    ca["minCai"][:] = CA_DYNAMICS_DEFAULTS["minCai"]
    distance = (
        path_distance_um(branches, cable)
        if any(bio[k].expressions for k in SECTION_LISTS)
        else None
    )
    node_list = np.array([list_of[b] if b >= 0 else None for b in cable.branch], dtype=object)
    any_held = False
    for name in SECTION_LISTS:
        nodes = np.flatnonzero((node_list == name) & cable.has_membrane)
        s = bio[name]
        if not len(nodes) or not (set(s.inserted) & {*MECHANISMS, "CaDynamics_E2"}):
            continue
        any_held = True

        def value(key: str, default: float, s=s, nodes=nodes) -> np.ndarray:
            if key in s.expressions:
                text = s.expressions[key]
                return np.array([distribution_value(text, distance[i], where) for i in nodes])
            return np.full(len(nodes), s.values.get(key, default))

        for j, mech in enumerate(MECHANISMS):
            if mech in s.inserted:
                default = DEFAULT_DENSITY_S_PER_M2[mech] / S_PER_CM2
                density[j, nodes] = value(f"g{mech}bar_{mech}", default) * S_PER_CM2
        if "CaDynamics_E2" in s.inserted:
            for key, default in CA_DYNAMICS_DEFAULTS.items():
                ca[key][nodes] = value(f"{key}_CaDynamics_E2", default)
    if not any_held:
        return None
    return HeldChannels(density, ca["gamma"], ca["decay"], ca["depth"], ca["minCai"])
