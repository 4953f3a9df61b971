"""kubectl's views: the same columns, formats and messages as the real client."""
