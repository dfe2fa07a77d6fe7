"""End-to-end tier: the real CLI and daemon in subprocesses against real HTTP, SMTP and browser servers."""
