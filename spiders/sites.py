"""A spider class per declared site (`scrapy crawl globalresearch`), made from SITES so that
adding a site needs no spider code."""

from scraper.sites import SITES, Site
from spiders.site import SiteSpider


def spider_class(site: Site) -> type[SiteSpider]:
    camel = "".join(part.capitalize() for part in site.name.split("_"))
    return type(f"{camel}Spider", (SiteSpider,), {
        "name": site.name, "site": site, "__module__": __name__,
        "__doc__": f"Crawl {site.title} ({site.home}).",
    })


for _site in SITES.values():
    _cls = spider_class(_site)
    globals()[_cls.__name__] = _cls

del _site, _cls  # the loader must see each class once
