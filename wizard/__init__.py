"""Connect a Plivo account to Ultravox: a terminal wizard and a scriptable CLI."""

__version__ = "0.1.0"
