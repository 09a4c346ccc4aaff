"""Extraction: a plain function of (html, url, site) in `extract.py`, and its stages.

Kept free of imports so that site declarations can use the rule types without loading
the whole extractor.
"""
