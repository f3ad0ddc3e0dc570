"""The records against the two reviews: counts per table, values quoted from the seed texts, DOIs.

Sources: Krasilnikova A.P. et al. 2024, Annals of Clinical and Experimental Neurology
18(4):96-109, doi 10.17816/ACEN.1152 (seed 000: Tables 2-3, text, reference list), and the
review of the anti-depressant mechanisms of rTMS in preclinical studies (seed 002: Table 1,
text). Every expected number below was read from those texts, which are quoted.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from tmslab.evidence.store import default_base, study_file_texts
from tmslab.evidence.table import arm_effect

BASE = default_base()
STUDY = {s.id: s for s in BASE.studies}


def _locations(review: str, section: str) -> list[tuple[int | None, int, str]]:
    return [
        (c.row, c.ref, s.id)
        for s in BASE.studies
        for c in s.cited_in
        if c.review == review and c.section == section
    ]


# ---------------------------------------------------------------- counts per table
# How the tables were counted (by reading the seeds, not the data files):
# * Krasilnikova Table 2 has 9 printed rows, with references [45]; [55, 56]; [46]; [48]; [52];
#   [53]; [58, 59]; [44]; [56]: 11 (row, reference) pairs and 10 distinct studies ([56] is in
#   rows 2 and 9).
# * Krasilnikova Table 3 has 5 rows, one reference each: [62], [63], [64], [66], [65].
# * The antidepressant review's Table 1 has 12 rows (Tian 2020 ... Tasset 2010), one study each.
TABLE_ROWS = {
    ("krasilnikova2024", "Table 2"): {
        1: {45},
        2: {55, 56},
        3: {46},
        4: {48},
        5: {52},
        6: {53},
        7: {58, 59},
        8: {44},
        9: {56},
    },
    ("krasilnikova2024", "Table 3"): {1: {62}, 2: {63}, 3: {64}, 4: {66}, 5: {65}},
    ("antidepressant-review", "Table 1"): {
        1: {21},
        2: {42},
        3: {45},
        4: {49},
        5: {48},
        6: {43},
        7: {68},
        8: {47},
        9: {44},
        10: {78},
        11: {46},
        12: {29},
    },
}


@pytest.mark.parametrize("table", sorted(TABLE_ROWS))
def test_every_table_row_is_a_record_with_the_printed_references(table):
    review, section = table
    found: dict[int, set[int]] = {}
    for row, ref, _ in _locations(review, section):
        found.setdefault(row, set()).add(ref)
    assert found == TABLE_ROWS[table]


def test_counts_of_studies_per_table_and_file():
    t2 = {sid for _, _, sid in _locations("krasilnikova2024", "Table 2")}
    t3 = {sid for _, _, sid in _locations("krasilnikova2024", "Table 3")}
    t1 = {sid for _, _, sid in _locations("antidepressant-review", "Table 1")}
    assert (len(t2), len(t3), len(t1)) == (10, 5, 12)
    assert len(_locations("krasilnikova2024", "Table 2")) == 11  # (row, ref) pairs
    # Text records (not in a table): Krasilnikova synaptogenesis text [51, 54, 57, 60],
    # neurogenesis text [67, 69, 71, 72, 73, 76, 77, 78, 79, 80], glia text [91-98] minus the
    # review [81] = 8 more; antidepressant review: Langguth [13], Zhao [14], Durmaz [26], [92].
    per_file = Counter(BASE.files.values())
    assert per_file == {
        "krasilnikova2024_table2.toml": 10,
        "krasilnikova2024_table3.toml": 5,
        "krasilnikova2024_text.toml": 22,
        "antidepressant_review_table1.toml": 12,
        "antidepressant_review_text.toml": 4,
    }
    assert len(BASE.studies) == 53


def test_every_reference_of_the_reviewed_krasilnikova_sections_is_a_record_or_excluded():
    # Reference numbers cited in the sections "Effects of TMS on synaptogenesis ..." (39-61),
    # "Neuroprotective ..." (62-66), "... neurogenesis ..." (57, 62, 63, 67-80) and "... glial
    # cells" (57, 81-98) of Krasilnikova 2024.
    cited = set(range(39, 99))
    records = {c.ref for s in BASE.studies for c in s.cited_in if c.review == "krasilnikova2024"}
    excluded = {r for e in BASE.exclusions if e.review == "krasilnikova2024" for r in e.refs}
    assert records.isdisjoint(excluded)
    assert cited == records | excluded


def test_antidepressant_review_studies_with_parameters_are_records():
    # Text: Langguth[13] 20 Hz 90% MT; Zhao[14] 10 Hz 80% MT; Durmaz[26] 20 Hz 110% MT;
    # [92] "rTMS at10 Hz/0.1 T for 5 d"; plus the 12 studies of Table 1.
    refs = {c.ref for s in BASE.studies for c in s.cited_in if c.review == "antidepressant-review"}
    assert refs == {13, 14, 21, 26, 29, 42, 43, 44, 45, 46, 47, 48, 49, 68, 78, 92}


# ---------------------------------------------------------------- DOIs
# Quoted from Krasilnikova 2024's reference list ("DOI: ...").
KRASILNIKOVA_DOIS = {
    44: "10.1016/j.brs.2021.10.001",
    45: "10.1016/j.bbr.2021.113352",
    46: "10.1007/s00429-014-0859-9",
    48: "10.1038/ncomms10020",
    51: "10.1101/2020.08.19.257295",
    52: "10.1074/jbc.M109.056077",
    53: "10.3389/fnins.2020.00558",
    54: "10.3389/fnmol.2017.00419",
    55: "10.1016/j.neuint.2012.11.010",
    56: "10.1111/pme.12832",
    57: "10.1002/jcb.29647",
    58: "10.1096/fj.11-194878",
    59: "10.1523/JNEUROSCI.0723-14.2014",
    60: "10.7717/peerj.4501",
    62: "10.1007/s13311-020-00915-5",
    63: "10.3389/fphys.2017.00559",
    64: "10.1016/j.redox.2022.102354",
    65: "10.1016/j.brs.2014.09.012",
    66: "10.2147/NDT.S199328",
    67: "10.1111/j.1440-1819.2010.02170.x",
    69: "10.3390/biomedicines9121827",
    71: "10.1371/journal.pone.0109267",
    72: "10.1016/S0893-133X(00)00099-3",
    73: "10.1016/j.pbb.2015.07.005",
    76: "10.1007/s11596-015-1505-3",
    77: "10.1177/0963689719834870",
    78: "10.3892/etm.2021.10469",
    79: "10.7150/thno.71832",
    80: "10.1016/j.expneurol.2018.12.002",
    91: "10.1016/j.brs.2020.12.007",
    92: "10.1002/jnr.24792",
    93: "10.1007/s12640-012-9333-8",
    94: "10.3109/15368378.2010.500568",
    95: "10.1523/JNEUROSCI.2226-22.2023",
    96: "10.1016/j.bbr.2022.114242",  # printed with a trailing full stop
    97: "10.1002/glia.23620",
    98: "10.1016/j.celrep.2020.108641",
}


def test_dois_are_those_of_the_reference_list_and_never_invented():
    seen = set()
    for study in BASE.studies:
        reviews = {c.review for c in study.cited_in}
        if reviews == {"antidepressant-review"}:
            # seed 002 has no reference list: no DOI may appear
            assert study.reference.doi is None, study.id
            continue
        (ref,) = {c.ref for c in study.cited_in if c.review == "krasilnikova2024"}
        assert study.reference.doi == KRASILNIKOVA_DOIS[ref], study.id
        seen.add(ref)
    assert seen == set(KRASILNIKOVA_DOIS)


# ---------------------------------------------------------------- spot checks against the text
def _arm(study_id: str, label: str | None = None):
    arms = STUDY[study_id].arms
    if label is None:
        assert len(arms) == 1
        return arms[0]
    return next(a for a in arms if a.label == label)


def test_tian2020_row():
    # Table 1: "Tian et al[21], 2020 | CUMS | 15 | 1.26 | 7 |
    # Inner diameter 2.5 cm; outer diameter 5 cm (SD rats)"
    s, a = STUDY["tian2020"], _arm("tian2020")
    assert (s.disease_model, s.species, s.strain) == ("CUMS", "rat", "Sprague-Dawley")
    assert (a.frequency_hz, a.intensity_value, a.intensity_unit, a.duration_days) == (
        15,
        1.26,
        "T",
        7,
    )
    assert (s.coil_inner_diameter_m, s.coil_outer_diameter_m) == (0.025, 0.05)
    assert s.reference.year == 2020 and s.cited_in[0].ref == 21


def test_zhao2018_intensity_in_percent_of_resting_motor_threshold():
    # Table 1: "Zhao et al[49], 2018 | CUMS | 10 | 50% of the resting motor threshold | 15 |
    # 5 cm in diameter (SD rats)"
    s, a = STUDY["zhao2018"], _arm("zhao2018")
    assert (a.intensity_value, a.intensity_unit) == (50, "%MT")
    assert a.intensity_reported == "50% of the resting motor threshold"
    assert a.peak_field_t is None  # a %MT is not a field
    assert (a.frequency_hz, a.duration_days, s.coil_diameter_m) == (10, 15, 0.05)


def test_heath2018_millitesla_and_mouse_coil():
    # Table 1: "Heath et al[48], 2018 | OB | 10 | 50 mT | 20 | 8 mm in diameter (C57BL/6J mice)";
    # text: "rTMS at 1 T increased the content of α-amino butyric acid ... [48]"
    s = STUDY["heath2018"]
    table_arm, text_arm = _arm("heath2018", "50 mT"), _arm("heath2018", "1 T")
    assert (s.species, s.strain, s.disease_model, s.coil_diameter_m) == (
        "mouse",
        "C57BL/6J",
        "OB",
        0.008,
    )
    assert math.isclose(table_arm.peak_field_t, 0.050) and table_arm.duration_days == 20
    assert text_arm.peak_field_t == 1.0 and text_arm.duration_days is None


def test_device_maximum_has_no_number():
    # Table 1: "Fang et al[43], 2018 | CUMS | 15 | rTMS device maximum power | 7 | Not mentioned";
    # "Feng et al[46], 2012 | ... | 21 | Inner diameter 5 cm; outer diameter 7 cm (SD rats)"
    for sid in ("fang2018", "wang2014", "feng2012"):
        a = _arm(sid)
        assert (a.intensity_unit, a.intensity_value, a.frequency_hz) == ("device maximum", None, 15)
    assert STUDY["fang2018"].species is None  # coil/species cell "Not mentioned"
    assert _arm("feng2012").duration_days == 21
    assert (STUDY["feng2012"].coil_inner_diameter_m, STUDY["feng2012"].coil_outer_diameter_m) == (
        0.05,
        0.07,
    )


def test_peng2017_four_conditions():
    # Text: "rTMS at 5 Hz/0.84 T, 5 Hz/1.26 T, 10 Hz/0.84 T, and 10 Hz/1.26 T [68]"
    arms = STUDY["peng2017"].arms
    assert sorted((a.frequency_hz, a.intensity_value) for a in arms) == [
        (5, 0.84),
        (5, 1.26),
        (10, 0.84),
        (10, 1.26),
    ]


def test_tasset_and_yang_low_fields():
    # Table 1: "Tasset et al[29], 2010 | OB | 60 | 0.7 mT | 14"; "Yang et al[42], 2019 | CUS | 1 |
    # 20 mT | 14"
    t, y = _arm("tasset2010"), _arm("yang2019")
    assert (t.frequency_hz, math.isclose(t.peak_field_t, 7e-4), t.duration_days) == (60, True, 14)
    assert (y.frequency_hz, math.isclose(y.peak_field_t, 0.02), y.duration_days) == (1, True, 14)
    assert STUDY["tasset2010"].disease_model == "OB" and STUDY["yang2019"].disease_model == "CUS"


def test_all_table1_studies_used_male_rodents():
    # Text: "all the studies in Table 1 used male rodents"
    for _, _, sid in _locations("antidepressant-review", "Table 1"):
        assert STUDY[sid].sex == "male"
        assert STUDY[sid].species in (None, "rat", "mouse")


def test_table2_first_and_negative_rows():
    # Table 2: "Positive | Low intensity | 15 | Density of dendritic spines on pyramidal neurons
    # increased | [45]"; "Negative | Low intensity | 50 | Density of dendritic spines decreased
    # after 45 h; loss rate increased after 21 h | [44]"
    c, t = _arm("cambiaghi2021"), _arm("tang2021")
    assert (c.frequency_hz, c.intensity_class, arm_effect(c)) == (15, "low", "positive")
    assert (t.frequency_hz, t.pattern, t.intensity_class, arm_effect(t)) == (
        50,
        "iTBS",
        "low",
        "negative",
    )
    details = {o.measure: o.detail for o in t.outcomes}
    assert details["dendritic spine density"] == "45 h after the session"
    assert details["dendritic spine loss rate"].startswith("21 h")


def test_ma_low_and_high_intensity():
    # Text: "low-intensity TMS (1.14 T, 1 Hz) caused dendritic sprouting ... while high-intensity
    # TMS (1.55 T, 1 Hz) had a destructive effect"; Table 2 row 9: "High intensity | 1 | Number
    # of processes and synapses decreased | [56]"
    assert (_arm("ma2013").intensity_value, arm_effect(_arm("ma2013"))) == (1.14, "positive")
    high = _arm("ma2015", "high intensity")
    assert (high.frequency_hz, high.intensity_value, high.intensity_class) == (1, 1.55, "high")
    assert arm_effect(high) == "negative"
    rows = sorted(c.row for c in STUDY["ma2015"].cited_in if c.row)
    assert rows == [2, 9]


def test_shared_row_frequency_is_not_assigned():
    # Table 2 row 7: "6,67/10 | Neuron connections remodelled | [58, 59]"; text: "Two-week
    # low-intensity rTMS (10 mT; 10 min/day)"
    for sid in ("rodger2012", "makowiecki2014"):
        a = _arm(sid)
        assert a.frequency_hz is None and a.frequency_candidates_hz == (6.67, 10)
        assert (a.intensity_value, a.intensity_unit, a.session_duration_s, a.duration_days) == (
            10,
            "mT",
            600,
            14,
        )


def test_table3_rows():
    # Table 3: "Not specified | Expression of aconitase and catalase ... | [66]"; text: "rTMS (40%
    # and 60% of the maximum power of the stimulator)"; "Negative | High intensity | 10/100 |
    # Number of apoptotic cells increased | [65]"
    wang = STUDY["wang2019"].arms
    assert all(a.frequency_hz is None for a in wang)
    assert sorted(a.intensity_value for a in wang if a.intensity_unit == "%MSO") == [40, 60]
    grehl = STUDY["grehl2015"].arms
    assert sorted(a.frequency_hz for a in grehl) == [10, 100]
    assert all(a.intensity_class == "high" and arm_effect(a) == "negative" for a in grehl)
    # "rTMS treatment was applied at a frequency of 10 Hz, 10 min per day during 14 days to mice
    # with spinal cord transection"
    ch = _arm("chalfouh2020")
    assert (ch.frequency_hz, ch.session_duration_s, ch.duration_days) == (10, 600, 14)
    assert (STUDY["chalfouh2020"].species, STUDY["chalfouh2020"].disease_model) == ("mouse", "SCI")


def test_glia_text_parameters():
    # "a very low-intensity magnetic field (0.5 mT) ... (continuous 50 Hz exposure for 7 days)"
    r = _arm("raus2013")
    assert (r.frequency_hz, r.pattern, r.duration_days, math.isclose(r.peak_field_t, 5e-4)) == (
        50,
        "continuous",
        7,
        True,
    )
    # "1 Hz magnetic stimulation with 5-min sessions on 14 consecutive days"
    f = _arm("fang2010")
    assert (f.frequency_hz, f.session_duration_s, f.duration_days) == (1, 300, 14)
    # "TMS (1 Hz for 10 min) increased STIM1 and ORAI3 protein expression in astrocytes"
    c = _arm("clarke2021", "1 Hz")
    assert c.session_duration_s == 600
    assert {o.measure: o.direction for o in c.outcomes}["STIM1 protein expression"] == "increase"


def test_liu2020_itbs_like_protocol():
    # "a protocol similar to iTBS (2-second trains of stimuli every 10 s, total exposure time
    # 180 s) stimulated PSD95 and synaptophysin transcription"
    a = _arm("liu2020", "iTBS-like")
    assert (a.train_duration_s, a.train_cycle_s, a.session_duration_s) == (2, 10, 180)
    assert {o.measure for o in a.outcomes} >= {"PSD95 transcription", "synaptophysin transcription"}


def test_clinical_studies_of_the_antidepressant_review():
    # "after receiving 20 Hz (intensity, 90% motor threshold) rTMS ... C-reactive protein and
    # interleukin-6 (IL-6) contents increased (from 6.7 mg/L to 25 mg/L and from 3.4 ng/L to
    # 15 ng/L, respectively)"
    lg = _arm("langguth-nd")
    assert (lg.frequency_hz, lg.intensity_value, lg.intensity_unit) == (20, 90, "%MT")
    details = {o.measure: o.detail for o in lg.outcomes}
    assert details["C-reactive protein"] == "from 6.7 mg/L to 25 mg/L"
    assert details["interleukin-6"] == "from 3.4 ng/L to 15 ng/L"
    # "58 elderly patients with TRD and 30 healthy controls ... 10 Hz (intensity, 80 % motor
    # threshold) rTMS for 4 wk"
    zh = STUDY["zhao-nd"]
    assert zh.n_subjects == 58 + 30
    patients = _arm("zhao-nd", "TRD patients")
    assert (patients.frequency_hz, patients.intensity_value, patients.duration_days) == (10, 80, 28)
    # "20 Hz (intensity, 110 % motor threshold) rTMS"
    assert (_arm("durmaz-nd").frequency_hz, _arm("durmaz-nd").intensity_value) == (20, 110)
    # "CUMS mice treated by rTMS at10 Hz/0.1 T for 5 d"
    own = _arm("reviewteam-nd")
    assert (own.frequency_hz, own.intensity_value, own.intensity_unit, own.duration_days) == (
        10,
        0.1,
        "T",
        5,
    )
    assert all(s.reference.year is None for s in (zh, STUDY["langguth-nd"], STUDY["durmaz-nd"]))


def test_species_conflicts_are_noted():
    # Text says "mice" where the reference titles say "rats"/"gerbils": the record notes it.
    for sid in ("ueyama2011", "raus2013", "chen2023"):
        assert "title" in STUDY[sid].notes and "mice" in STUDY[sid].notes


def test_shipped_files_all_declare_the_schema_version():
    for name, text in study_file_texts():
        assert "schema_version = 1" in text, name
