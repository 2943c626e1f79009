"""议事协调 (coordination): filled by its own issue."""
