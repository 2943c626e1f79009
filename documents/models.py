"""公文 (documents): filled by its own issue."""
