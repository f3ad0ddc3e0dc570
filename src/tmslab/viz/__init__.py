"""Matplotlib figures. Nothing here computes: each function draws values it is given."""
