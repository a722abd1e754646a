"""Ingest: one reader module per agency source, and the dataset build.

Readers follow one pattern (``read_<source>(path)`` returns tidy frames in the layouts of
:mod:`critmin.ingest._common`, names kept as published); :mod:`critmin.ingest.build` runs
them all, resolves names through :mod:`critmin.catalog`, and writes the packaged dataset.
"""
