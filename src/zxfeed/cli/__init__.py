"""Command line: `zxfeed check | run | poll | serve | ...` wiring config to the stages."""
