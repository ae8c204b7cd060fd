"""ledgerbridge: a self-hosted finance integration engine."""

__version__ = "0.1.0"
