"""Site-wide template context: name, URL, language and the section navigation."""

from django.conf import settings

from . import reading


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "SITE_LANGUAGE": settings.SITE_LANGUAGE,
        # Evaluated lazily by the template, once, only on pages that show the navigation.
        "nav_sections": reading.navigation_sections,
    }
