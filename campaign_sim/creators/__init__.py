"""Named creators: roster files and handles (MODEL.md §10, docs/rosters.md)."""
