"""URLs of `masthead.feeds`, mounted at the site root (see CONTRACT.md, Web).

Each feed scope has three formats: `feed/` (RSS 2.0), `feed/atom/` (Atom 1.0) and `feed.json`
(JSON Feed 1.1), under `/` for the site and under `/section/<slug>/`, `/tag/<slug>/` and
`/author/<slug>/`.
"""

from django.urls import path

from . import views

app_name = "feeds"

urlpatterns = [
    path("feed/", views.feed, {"fmt": "rss"}, name="site-rss"),
    path("feed/atom/", views.feed, {"fmt": "atom"}, name="site-atom"),
    path("feed.json", views.feed, {"fmt": "json"}, name="site-json"),
    path("sitemap.xml", views.sitemap_index, name="sitemap-index"),
    path("sitemap-<slug:name>-<int:page>.xml", views.sitemap_section, name="sitemap"),
    path("news-sitemap.xml", views.news_sitemap, name="news-sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]

for kind in ("section", "tag", "author"):
    urlpatterns += [
        path(f"{kind}/<slug:slug>/feed/", views.feed, {"fmt": "rss", "kind": kind},
             name=f"{kind}-rss"),
        path(f"{kind}/<slug:slug>/feed/atom/", views.feed, {"fmt": "atom", "kind": kind},
             name=f"{kind}-atom"),
        path(f"{kind}/<slug:slug>/feed.json", views.feed, {"fmt": "json", "kind": kind},
             name=f"{kind}-json"),
    ]
