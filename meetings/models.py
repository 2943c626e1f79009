"""会议 (meetings): filled by its own issue."""
