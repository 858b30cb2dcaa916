"""Results are computed from surveys' responses on demand (see rollup.py); no tables of their own yet."""
