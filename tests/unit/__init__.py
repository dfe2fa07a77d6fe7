"""Unit tier: fast, in-process tests of one stage at a time (no servers, no subprocesses, no sleeps)."""
