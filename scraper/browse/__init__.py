"""What `scraper serve` gives Datasette: metadata, settings, templates and a small plugin.

The files here are data read by `scraper.serve`; this package imports nothing itself.
"""
