"""The version of the explain library, recorded in every explanation."""

__version__ = "0.1.0"
