"""A fast batched solver of the cable equations: many runs of one cell at once (Numba).

It integrates exactly the scheme NEURON's fixed step uses (see :mod:`tmslab.neuron.solver_base`),
so its thresholds match NEURON's to well within 1 %:

* backward Euler for the intracellular potentials, with the ionic currents linearised about the
  gates of the previous step (for these channels the currents are linear in v, so this is
  exact), solved by Hines' elimination on the compartment tree;
* the quasipotential phi enters the membrane potential, v_m = v_i - phi (NEURON's
  ``extracellular`` mechanism with its default, effectively infinite, conductance to ground);
* gates advanced with ``cnexp`` at the new potential; the update coefficients
  exp(-dt/tau) and x_inf (1 - exp(-dt/tau)) are tabulated every 0.02 mV from -200 to +150 mV
  and interpolated linearly (exact formulas outside), an error below 1e-6 (tested).

Runs are processed in chunks of a few dozen that stay in cache, spread over threads; a chunk
stops as soon as every run in it has fired (when ``stop_on_spike``). The kernel is serial and
releases the GIL, and Python threads hand it the chunks: a ``parallel=True`` build computes the
same but takes about 3x longer to compile (16 s against 7 s here), which a first run pays. Inside the kernel
the units are those of the kinetics: mV, ms, nF, uS and nA.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from tmslab.neuron._jit import jit
from tmslab.neuron.kinetics import (
    CTX_AXON,
    CTX_SOMA,
    GATES,
    HH,
    MRG,
    cnexp_table,
    gate_state,
)
from tmslab.neuron.rest import node_membranes, steady_gate_rows
from tmslab.neuron.solver_base import (
    SimulationResult,
    check_batch,
    midpoint_drive,
    time_grid,
)
from tmslab.units import MICROSIEMENS_PER_S, MS_PER_S, MV, MV_PER_V

TABLE_V_MIN_MV = -200.0
TABLE_V_MAX_MV = 150.0
TABLE_STEP_MV = 0.02
CHUNK = 32


@jit(nogil=True)
def _run(
    parent,
    g_ax,
    g_sum,
    cap,
    kind,
    gl,
    gna,
    gk,
    gnap,
    gkp,
    gkt,
    el,
    ena,
    ek,
    v0,
    gates0,
    gate_used,
    tab_hh,
    tab_mrg,
    tab_ctx,
    tab_ctxs,
    v_min,
    v_step,
    celsius,
    dt_ms,
    prof,
    dmid,
    rec,
    v_spike,
    stop_on_spike,
    chunk,
    c,
    spike_step,
    spike_frac,
    init_node,
    traces,
):
    m_nodes = parent.shape[0]
    n_runs = prof.shape[1]
    n_steps = dmid.shape[0]
    n_rec = rec.shape[0]
    keep = traces.shape[2] > 0
    inv_step = 1.0 / v_step
    # one chunk, runs c * chunk onwards (the caller's threads take the chunks)
    b0 = c * chunk
    nb = min(chunk, n_runs - b0)
    n_all = gates0.shape[1]
    v = np.empty((m_nodes, nb))
    gate = np.zeros((m_nodes, n_all, nb))
    d = np.empty((m_nodes, nb))
    r = np.empty((m_nodes, nb))
    init_step = np.full(nb, -1)
    init_v = np.zeros(nb)
    index = np.zeros(nb, dtype=np.int64)
    frac = np.zeros(nb)
    beyond = np.zeros(nb, dtype=np.bool_)
    exact = np.zeros((n_all, nb))
    # Lanes hold the runs still going: with stop_on_spike a run that fired leaves (the rest
    # of its run changes no output), and the lanes after it move down, so later steps loop
    # over fewer lanes. lane[b] is the run in lane b.
    pr = prof[:, b0 : b0 + nb].copy()
    lane = np.arange(b0, b0 + nb)
    na = nb
    compact = stop_on_spike and not keep
    for i in range(m_nodes):
        for b in range(na):
            v[i, b] = v0[i]
            for g in range(n_all):
                gate[i, g, b] = gates0[i, g]
    if keep:
        for j in range(n_rec):
            for b in range(na):
                traces[j, 0, b0 + b] = v0[rec[j]]
    for n in range(n_steps):
        fired = 0
        dm = dmid[n]
        # -- assemble the node equations for v_i(t + dt)
        for i in range(m_nodes):
            k = kind[i]
            if k < 0:
                for b in range(na):
                    d[i, b] = g_sum[i]
                    r[i, b] = 0.0
                continue
            c_dt = cap[i] / dt_ms
            if k == 0:
                g0 = gl[i] + g_sum[i] + c_dt
                e0 = gl[i] * el[i]
                for b in range(na):
                    ph = pr[i, b] * dm
                    d[i, b] = g0
                    r[i, b] = c_dt * (ph + v[i, b]) + gl[i] * ph + e0
            elif k == HH:
                for b in range(na):
                    ph = pr[i, b] * dm
                    m = gate[i, 0, b]
                    h = gate[i, 1, b]
                    nn = gate[i, 2, b]
                    a_na = gna[i] * m * m * m * h
                    a_k = gk[i] * nn * nn * nn * nn
                    g = gl[i] + a_na + a_k
                    d[i, b] = c_dt + g + g_sum[i]
                    r[i, b] = (
                        c_dt * (ph + v[i, b]) + g * ph + gl[i] * el[i] + a_na * ena[i] + a_k * ek[i]
                    )
            elif k == CTX_AXON or k == CTX_SOMA:  # noqa: PLR1714 (plain compares for Numba)
                for b in range(na):
                    ph = pr[i, b] * dm
                    m = gate[i, 0, b]
                    mp = gate[i, 2, b]
                    mkp = gate[i, 4, b]
                    mkt = gate[i, 6, b]
                    mkt2 = mkt * mkt
                    a_na = (
                        gna[i] * m * m * m * gate[i, 1, b] + gnap[i] * mp * mp * mp * gate[i, 3, b]
                    )
                    a_k = (
                        gkp[i] * mkp * mkp * gate[i, 5, b]
                        + gkt[i] * mkt2 * mkt2 * gate[i, 7, b]
                        + gk[i] * gate[i, 8, b]
                    )
                    g = gl[i] + a_na + a_k
                    d[i, b] = c_dt + g + g_sum[i]
                    r[i, b] = (
                        c_dt * (ph + v[i, b]) + g * ph + gl[i] * el[i] + a_na * ena[i] + a_k * ek[i]
                    )
            else:
                for b in range(na):
                    ph = pr[i, b] * dm
                    mp = gate[i, 0, b]
                    m = gate[i, 1, b]
                    h = gate[i, 2, b]
                    s = gate[i, 3, b]
                    a_na = gna[i] * m * m * m * h + gnap[i] * mp * mp * mp
                    a_k = gk[i] * s
                    g = gl[i] + a_na + a_k
                    d[i, b] = c_dt + g + g_sum[i]
                    r[i, b] = (
                        c_dt * (ph + v[i, b]) + g * ph + gl[i] * el[i] + a_na * ena[i] + a_k * ek[i]
                    )
        # -- Hines elimination, leaves to root, then back substitution
        for i in range(m_nodes - 1, 0, -1):
            p = parent[i]
            big_g = g_ax[i]
            for b in range(na):
                inv = 1.0 / d[i, b]
                d[i, b] = inv
                f = big_g * inv
                d[p, b] -= f * big_g
                r[p, b] += f * r[i, b]
        for b in range(na):
            d[0, b] = 1.0 / d[0, b]
            r[0, b] *= d[0, b]
        for i in range(1, m_nodes):
            p = parent[i]
            big_g = g_ax[i]
            for b in range(na):
                r[i, b] = (r[i, b] + big_g * r[p, b]) * d[i, b]
        # -- spikes at the recording sites (before v is overwritten)
        for j in range(n_rec):
            i = rec[j]
            for b in range(na):
                if spike_step[lane[b]] < 0:
                    new = r[i, b] - pr[i, b] * dm
                    old = v[i, b]
                    if old < v_spike <= new:
                        spike_step[lane[b]] = n
                        spike_frac[lane[b]] = (v_spike - old) / (new - old)
                        fired += 1
        # -- new membrane potentials, where an action potential starts, gates
        for i in range(m_nodes):
            k = kind[i]
            for b in range(na):
                v[i, b] = r[i, b] - pr[i, b] * dm
            if k < 0:
                continue
            for b in range(na):
                new = v[i, b]
                if new >= v_spike and (init_step[b] < 0 or (init_step[b] == n and new > init_v[b])):
                    init_step[b] = n
                    init_v[b] = new
                    init_node[lane[b]] = i
            if k == 0:
                continue
            if k == HH:
                table = tab_hh
                n_gates = 3
            elif k == CTX_AXON:
                table = tab_ctx
                n_gates = 9
            elif k == CTX_SOMA:
                table = tab_ctxs
                n_gates = 9
            else:
                table = tab_mrg
                n_gates = 4
            n_table = table.shape[1]
            outside = False
            for b in range(na):
                pos = (v[i, b] - v_min) * inv_step
                beyond[b] = pos < 0.0 or pos >= n_table - 1
                if beyond[b]:
                    outside = True
                    pos = min(max(pos, 0.0), n_table - 1.0)
                j = min(int(pos), n_table - 2)
                index[b] = j
                frac[b] = pos - j
            if outside:  # exact rates beyond the table (far from any threshold)
                for b in range(na):
                    if beyond[b]:
                        for g in range(n_gates):
                            if not gate_used[i, g]:
                                continue
                            inf, tau = gate_state(k, v[i, b], g, celsius)
                            a = np.exp(max(-dt_ms / tau, -700.0))
                            exact[g, b] = a * gate[i, g, b] + inf * (1.0 - a)
            for g in range(n_gates):
                if not gate_used[i, g]:  # a channel this node does not have
                    continue
                for b in range(na):
                    j = index[b]
                    f = frac[b]
                    a = table[g, j, 0] + f * table[g, j, 1]
                    bb = table[g, j, 2] + f * table[g, j, 3]
                    gate[i, g, b] = a * gate[i, g, b] + bb
            if outside:
                for b in range(na):
                    if beyond[b]:
                        for g in range(n_gates):
                            if gate_used[i, g]:
                                gate[i, g, b] = exact[g, b]
        if keep:
            for j in range(n_rec):
                for b in range(na):
                    traces[j, n + 1, b0 + b] = v[rec[j], b]
        if compact and fired:
            k = 0
            for b in range(na):
                if spike_step[lane[b]] < 0:
                    if k != b:
                        for i in range(m_nodes):
                            v[i, k] = v[i, b]
                            pr[i, k] = pr[i, b]
                            for g in range(n_all):
                                gate[i, g, k] = gate[i, g, b]
                        init_step[k] = init_step[b]
                        init_v[k] = init_v[b]
                        lane[k] = lane[b]
                    k += 1
            na = k
            if na == 0:
                break


class BatchedSolver:
    """Runs ``model`` with ``drive`` for many quasipotential profiles and amplitudes at once.

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The normalised pulse; its step is the solver step.
    threads : int or None
        Threads to use; None: Numba's thread count (all cores unless NUMBA_NUM_THREADS is set).
    """

    name = "batched"

    def __init__(self, model, drive, threads: int | None = None) -> None:
        self.model = model
        self.drive = drive
        self.threads = threads
        self.grid = time_grid(model, drive)
        self._dmid = midpoint_drive(drive, self.grid)
        self._arrays = _prepare(model, drive.dt_s)

    @property
    def n_threads(self) -> int:
        """Threads a simulation uses."""
        import numba

        return min(self.threads or numba.get_num_threads(), numba.config.NUMBA_NUM_THREADS)

    @property
    def batch(self) -> int:
        """Runs simulated at about the cost of one: 15 on two or more threads (twice the time
        of one run, straight HH axon), so a lone threshold search looks four levels ahead."""
        return 15 if self.n_threads > 1 else 1

    @property
    def n_nodes(self) -> int:
        return self.model.cable.n_nodes

    def inputs(self) -> dict[str, np.ndarray]:
        """Every array a simulation reads besides the quasipotentials, by name (kernel units),
        plus the node positions (m) the quasipotentials are computed from: what decides its
        result, for cache keys."""
        scalars = (
            self.model.celsius,
            self.drive.dt_s,
            self.model.v_spike_v,
            self.grid.n_steps,
            self.grid.onset_steps,
        )
        return {
            **self._arrays,
            "drive": self._dmid,
            "record": np.asarray(self.model.record_nodes, dtype=np.int64),
            "position_m": self.model.cable.position_m,
            "scalars": np.array(scalars, dtype=float),
        }

    def simulate(
        self,
        profiles_v: np.ndarray,
        amplitudes: np.ndarray,
        stop_on_spike: bool = True,
        keep_traces: bool = False,
    ) -> SimulationResult:
        """Run B copies of the cell.

        Parameters
        ----------
        profiles_v : (B, M) ndarray, V
            Quasipotentials at the M nodes per unit amplitude.
        amplitudes : (B,) ndarray, V/m
            V/m for unit-direction uniform fields; a dimensionless scale otherwise.
        stop_on_spike : bool
            Stop a copy at its first spike.
        keep_traces : bool
            Keep the membrane potential at the recording sites.

        Returns
        -------
        SimulationResult
            Spikes and, with ``keep_traces``, traces at the recording sites.
        """

        profiles, amps = check_batch(profiles_v, amplitudes, self.n_nodes)
        n_runs = len(amps)
        prof = np.ascontiguousarray((profiles * amps[:, None] * MV_PER_V).T)  # (M, B), mV
        a = self._arrays
        rec = self.model.record_nodes
        spike_step = np.full(n_runs, -1, dtype=np.int64)
        spike_frac = np.zeros(n_runs)
        init_node = np.full(n_runs, -1, dtype=np.int64)
        n_keep = n_runs if keep_traces else 0
        traces = np.zeros((len(rec), self.grid.n_steps + 1, n_keep))
        threads = self.n_threads
        chunk = max(1, min(CHUNK, -(-n_runs // threads)))
        args = (
            a["parent"], a["g_ax"], a["g_sum"], a["cap"], a["kind"],
            a["gl"], a["gna"], a["gk"], a["gnap"], a["gkp"], a["gkt"], a["el"], a["ena"], a["ek"],
            a["v0"], a["gates0"], a["gate_used"],
            a["tab_hh"], a["tab_mrg"], a["tab_ctx"], a["tab_ctxs"],
            TABLE_V_MIN_MV, TABLE_STEP_MV, self.model.celsius, self.drive.dt_s * MS_PER_S,
            prof, self._dmid, rec, self.model.v_spike_v * MV_PER_V, stop_on_spike, chunk,
        )  # fmt: skip
        outputs = (spike_step, spike_frac, init_node, traces)

        def run_chunk(c: int) -> None:
            _run(*args, c, *outputs)  # each chunk writes its own runs' slots

        n_chunks = -(-n_runs // chunk)
        if threads == 1 or n_chunks == 1:
            for c in range(n_chunks):
                run_chunk(c)
        else:
            with ThreadPoolExecutor(min(threads, n_chunks)) as pool:
                list(pool.map(run_chunk, range(n_chunks)))  # list(): re-raise a chunk's error
        fired = spike_step >= 0
        dt = self.drive.dt_s
        spike_time = np.where(fired, (spike_step + spike_frac - self.grid.onset_steps) * dt, np.nan)
        kept = np.transpose(traces, (2, 0, 1)) * MV if keep_traces else np.zeros((0, 0, 0))
        return SimulationResult(
            fired=fired,
            spike_time_s=spike_time,
            initiation_node=init_node,
            t_s=self.grid.t_s if keep_traces else np.zeros(0),
            traces_v=kept,
        )


def _prepare(model, dt_s: float) -> dict[str, np.ndarray]:
    """Per-node arrays of the cell in kernel units (mV, ms, nF, uS) and the gate tables."""
    cable = model.cable
    g_ax = cable.g_axial_s * MICROSIEMENS_PER_S
    g_sum = g_ax.copy()
    np.add.at(g_sum, cable.parent[1:], g_ax[1:])
    out = {
        "parent": np.ascontiguousarray(cable.parent, dtype=np.int64),
        "g_ax": g_ax,
        "g_sum": g_sum,
        **node_membranes(model),
        "v0": model.rest_v * MV_PER_V,
    }
    # gate slots: as many as the largest channel set present (9 only for the cortical axon)
    n_slots = max([GATES[m.kind] for m in cable.membranes] + [1])
    rows = steady_gate_rows(out["kind"], out["v0"], model.celsius)
    out["gates0"] = np.ascontiguousarray(rows[:, :n_slots])
    out["gate_used"] = _gates_used(out, n_slots)
    n_table = round((TABLE_V_MAX_MV - TABLE_V_MIN_MV) / TABLE_STEP_MV) + 1
    dt_ms = dt_s * MS_PER_S
    kinds = set(out["kind"].tolist())
    tables = (("tab_hh", HH), ("tab_mrg", MRG), ("tab_ctx", CTX_AXON), ("tab_ctxs", CTX_SOMA))
    for key, kind in tables:
        if kind in kinds:
            raw = cnexp_table(
                kind, GATES[kind], TABLE_V_MIN_MV, TABLE_STEP_MV, n_table, dt_ms, model.celsius
            )
            out[key] = _slope_table(raw)
        else:
            out[key] = np.zeros((GATES[kind], 2, 4))
    return out


def _gates_used(arrays: dict[str, np.ndarray], n_slots: int) -> np.ndarray:
    """(M, slots) bool: the gates each node must advance. A cortical set without, say, K_Pst
    (the soma's and apical dendrite's NaTs2_t and Kv3.1 only) skips that channel's gates, which
    no current reads; every gate of the other sets is advanced."""
    used = np.ones((len(arrays["kind"]), n_slots), dtype=np.bool_)
    ctx = (arrays["kind"] == CTX_AXON) | (arrays["kind"] == CTX_SOMA)
    # gate slots of the cortical set (tmslab.neuron.kinetics): Na m h, NaP m h, K_P m h, K_T m h,
    # Kv3.1 m
    for slots, key in (
        ((0, 1), "gna"),
        ((2, 3), "gnap"),
        ((4, 5), "gkp"),
        ((6, 7), "gkt"),
        ((8,), "gk"),
    ):
        for g in slots:
            if g < n_slots:
                used[ctx, g] = arrays[key][ctx] > 0
    return used


def _slope_table(raw: np.ndarray) -> np.ndarray:
    """(G, 2, N) tables of A and B -> (G, N, 4) rows (A_j, A_j+1 - A_j, B_j, B_j+1 - B_j)."""
    n_gates, _, n = raw.shape
    out = np.zeros((n_gates, n, 4))
    out[:, :, 0] = raw[:, 0, :]
    out[:, :, 2] = raw[:, 1, :]
    out[:, :-1, 1] = np.diff(raw[:, 0, :], axis=1)
    out[:, :-1, 3] = np.diff(raw[:, 1, :], axis=1)
    return out
