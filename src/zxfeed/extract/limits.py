"""Bounds on what one page may cost: items kept, title length, markup depth and size.

A hostile or broken page must cost memory and time in proportion to these, not to
what it sends (``[fetch] max_bytes`` bounds the bytes, these the work done on them).
"""

from __future__ import annotations

MAX_ITEMS = 1000        # items kept from one page (a real list page shows tens)
MAX_TITLE = 300         # characters of a title (real ones stay under ~150)
MAX_SUMMARY = 1000      # characters of a summary
MAX_ATTACHMENTS = 50    # attachment links kept from one article
MAX_DEPTH = 1000        # element nesting kept before deeper tags are flattened
MAX_ELEMENTS = 100_000  # elements parsed from one page; the rest of the markup is cut
