"""Configuration: the TOML file's model, its loading with includes, and the checks `zxfeed check` runs."""
