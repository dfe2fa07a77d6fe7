"""Normalize stage: raw items become stored items (absolute link, Shanghai time, region, story key)."""
