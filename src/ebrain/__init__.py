"""ebrain: an on-premises enterprise brain."""

__version__ = "0.1.0"

__all__ = ["__version__"]
