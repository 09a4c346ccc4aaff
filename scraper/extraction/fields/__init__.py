"""The field cascade: each field from the strongest evidence on the page, with its source.

Order for every field: the site's own selectors, structured data (JSON-LD, microdata,
meta), visible-text anchors ("By …", a date line), then generic selectors. Each function
returns the value and a provenance string such as "css:[itemprop=headline]" or "json-ld".

One module per field or group of fields: `headline` (title, subtitle), `layout` (the body
container and the lines between headline and body), `people` (byline, authors),
`timestamps` (published, modified), `tagging` (tags), `source` (original source); `common`
holds what they share.
"""

from scraper.extraction.fields.common import Found
from scraper.extraction.fields.headline import subtitle, title
from scraper.extraction.fields.layout import body_container, header_span
from scraper.extraction.fields.people import authors, byline
from scraper.extraction.fields.source import original_source
from scraper.extraction.fields.tagging import label_group, tags
from scraper.extraction.fields.timestamps import modified, published

__all__ = [
    "Found", "authors", "body_container", "byline", "header_span", "label_group", "modified",
    "original_source", "published", "subtitle", "tags", "title",
]
