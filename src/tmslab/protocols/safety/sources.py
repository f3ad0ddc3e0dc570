"""The sources the safety check cites: the Wassermann 1998 table and the guidance around it."""

from __future__ import annotations

from tmslab.sources import Source

# --- sources ---------------------------------------------------------------------------------
WASSERMANN_1998 = Source(
    citation="Wassermann 1998, Electroencephalogr Clin Neurophysiol 108:1-16",
    doi="10.1016/S0168-5597(97)00096-8",
    note=(
        "Maximum safe duration (s) of a single rTMS train by frequency (1-25 Hz) and intensity "
        "(100-220 % MT), as reproduced in Table 4 of Rossi et al. 2009 "
        "(doi 10.1016/j.clinph.2009.08.016); '>' cells are the longest durations tested."
    ),
)
ROSSI_2009 = Source(
    citation="Rossi et al. 2009, Clin Neurophysiol 120:2008-2039",
    doi="10.1016/j.clinph.2009.08.016",
    note="Safety of TMS consensus guidelines; Table 1 (side effects by protocol), Table 4.",
)
ROSSI_2021 = Source(
    citation="Rossi et al. 2021, Clin Neurophysiol 132:269-306",
    doi="10.1016/j.clinph.2020.10.003",
    note="IFCN expert guidelines updating Rossi et al. 2009 (abstract).",
)
OBERMAN_2011 = Source(
    citation="Oberman et al. 2011, J Clin Neurophysiol 28:67-74",
    doi="10.1097/WNP.0b013e318205135f",
    note="Systematic review of theta burst safety, studies May 2004 - December 2009 (abstract).",
)
CHEN_1997 = Source(
    citation="Chen et al. 1997, Electroencephalogr Clin Neurophysiol 105:415-421",
    doi="10.1016/s0924-980x(97)00036-2",
    note="Safety of inter-train intervals for 20 Hz rTMS (abstract).",
)
LERNER_2019 = Source(
    citation="Lerner et al. 2019, Clin Neurophysiol 130:1409-1416",
    doi="10.1016/j.clinph.2019.03.016",
    note="Survey of seizures from TMS 2012-2016 in 174 laboratories and clinics (abstract).",
)
