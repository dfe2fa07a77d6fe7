"""``zxfeed extract`` as text: each item with the list it came from, and the lists left out."""

from __future__ import annotations

from . import Extraction


def render_text(result: Extraction) -> str:
    """Readable lines: a summary, one line per list found (taken or why not), then the items."""
    lines = [f"# {len(result.items)} items ({result.kind}, {result.encoding})"]
    source: dict[str, str] = {}
    for block in result.blocks:
        if block.kept:
            lines.append(f"# 采用  「{block.label}」 {len(block.urls)} 条")
            for url in block.urls:
                source.setdefault(url, block.label)
        else:
            lines.append(f"# 未采用「{block.label}」 {len(block.urls)} 条：{block.reason}")
    lines += [f"# 注意：{w}" for w in result.warnings]
    for i in result.items:
        when = i.published.strftime("%Y-%m-%d %H:%M" if i.has_time else "%Y-%m-%d") \
            if i.published else "????-??-??"
        where = f"  〔{source[i.url]}〕" if i.url in source else ""
        lines.append(f"{when}  {i.title}{where}\n            {i.url}")
    return "\n".join(lines)
