"""Which neurons fire: cable models in the induced field, thresholds, strength-duration, orientation.

Modules (import the one you need; nothing heavy loads with ``import tmslab.neuron``):

* :mod:`~tmslab.neuron.membranes`, :mod:`~tmslab.neuron.kinetics`: membranes and channel kinetics.
* :mod:`~tmslab.neuron.morphology`, :mod:`~tmslab.neuron.swc`, :mod:`~tmslab.neuron.cable`:
  geometry, SWC files, compartments.
* :mod:`~tmslab.neuron.models`: the named cell models (``axon-straight``, ``axon-bent``,
  ``hh-axon-straight``, ``hh-axon-bent``, ``mrg-axon``, ``l5-pyramidal``) and SWC cells.
* :mod:`~tmslab.neuron.drive`: pulse waveforms from the protocol layer for the solvers.
* :mod:`~tmslab.neuron.coupling`: quasipotentials (uniform fields, line integrals).
* :mod:`~tmslab.neuron.nrn` (the only module that imports NEURON) and
  :mod:`~tmslab.neuron.batched` (Numba): the two solvers of the same cable equations.
* :mod:`~tmslab.neuron.threshold`, :mod:`~tmslab.neuron.sd_curve`,
  :mod:`~tmslab.neuron.population`: thresholds, strength-duration curves, populations.
* :mod:`~tmslab.neuron.cortex`: cells placed in the cortex of a realistic head around a target,
  their threshold map and input-output curve (:func:`~tmslab.neuron.cortex.cortex_threshold_map`).
* :mod:`~tmslab.neuron.activation`: the activation of cells at a target (:class:`Activation`).
  Figures live in :mod:`tmslab.viz.neuron`; the scenario's neuron stage in :mod:`tmslab.stages.neurons`.
* :mod:`~tmslab.neuron.workflows`: what the commands run (:func:`threshold_from_field`,
  :func:`direction_map`, :func:`resolve_cell`), also as ``tmslab.neuron.NAME``.
"""

_WORKFLOWS = ("threshold_from_field", "direction_map", "resolve_cell")


def __getattr__(name: str):
    # The workflows behind `tmslab neuron`, loaded on first use (importing the package stays light).
    if name in _WORKFLOWS:
        from tmslab.neuron import workflows

        return getattr(workflows, name)
    raise AttributeError(f"module 'tmslab.neuron' has no attribute {name!r}")
