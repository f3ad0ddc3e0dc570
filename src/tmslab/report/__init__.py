"""Self-contained HTML reports rendered from results (figures inlined as PNG)."""
