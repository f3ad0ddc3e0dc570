"""TMS protocols: pulse patterns, waveforms, dose units and safety."""
