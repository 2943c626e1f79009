"""督查督办 (supervision): filled by its own issue."""
