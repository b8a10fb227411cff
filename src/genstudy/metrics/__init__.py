"""Image and likelihood metrics: one yardstick for every family (see DESIGN.md §5)."""
