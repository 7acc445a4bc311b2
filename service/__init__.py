"""planreview: AI-assisted review of operational and business plans."""

__version__ = "0.1.0"
