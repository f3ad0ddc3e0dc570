"""Numerical E-field in piecewise-homogeneous conductors: charge-based BEM with FMM.

E = -dA/dt - grad(phi): the primary field of the coil plus the field of the surface charges
that build up on every interface between compartments of different conductivity (Makarov,
Noetscher, Raij & Nummenmaa 2018, IEEE TBME 65:2675, doi:10.1109/TBME.2018.2813261). The charge
density is constant per triangle; the integral equation is collocated at triangle centroids and
solved by GMRES, with the far field summed by the fast multipole method (fmm3dpy) and the near
field integrated exactly.

>>> from tmslab.coils import get_coil, pose_on_sphere
>>> from tmslab.conductors import get_conductor
>>> from tmslab.efield.bem import solve
>>> head = get_conductor("sphere-85mm")
>>> coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(0.085))
>>> solution = solve(head, coil, didt_a_per_s=1e8)
>>> solution.efield([[0.0, 0.0, 0.07]])   # (1, 3) V/m
"""

from __future__ import annotations

from tmslab.efield.bem.dish import DishField, cell_layer_points, dish_field, pose_above
from tmslab.efield.bem.solve import BemOperator, Solution, solve

__all__ = [
    "BemOperator",
    "DishField",
    "Solution",
    "cell_layer_points",
    "dish_field",
    "pose_above",
    "solve",
]
