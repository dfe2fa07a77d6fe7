"""zxfeed: feeds and email alerts for China's CPPCC (政协) websites."""

__version__ = "0.1.0"
DEFAULT_USER_AGENT = f"zxfeed/{__version__} (+https://github.com/zxfeed/zxfeed; feed aggregator)"
