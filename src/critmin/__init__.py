"""critmin: open critical-minerals supply-chain intelligence."""

__version__ = "0.1.0"
