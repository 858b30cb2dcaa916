"""Vision, effect goals, effect chains, indicators and roll-outs (issue: governance that follows effect)."""
