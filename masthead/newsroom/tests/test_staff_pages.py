"""Admin pages: users (create, role, deactivate) and sections (create, rename, reorder)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from lxml import html as lxml_html

from masthead.articles import signals
from masthead.articles.models import Author, Section
from masthead.newsroom.roles import role_of


@pytest.fixture
def admin(make_user):
    return make_user("admin", "boss")


@pytest.fixture
def admin_client(admin, client_for):
    return client_for(admin)


def test_admin_creates_a_user_and_sees_the_generated_password_once(admin_client):
    response = admin_client.post("/newsroom/users/new/", {
        "username": "rita", "display_name": "Rita Reporter", "role": "author", "password": ""})
    assert response.status_code == 200
    password = lxml_html.fromstring(response.content).get_element_by_id("new-password").text
    user = get_user_model().objects.get(username="rita")
    assert user.check_password(password)
    assert role_of(user) == "author"
    assert Author.objects.get(user=user).name == "Rita Reporter"


def test_creating_a_duplicate_user_is_refused(admin_client, make_user):
    make_user("author", "rita")
    response = admin_client.post("/newsroom/users/new/", {"username": "Rita", "role": "author"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert get_user_model().objects.filter(username__iexact="rita").count() == 1


def test_creating_a_user_with_a_weak_password_is_refused(admin_client):
    response = admin_client.post("/newsroom/users/new/",
                                 {"username": "weak", "role": "author", "password": "123"})
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="weak").exists()


def test_admin_changes_a_role(admin_client, make_user):
    user = make_user("contributor")
    response = admin_client.post(f"/newsroom/users/{user.pk}/",
                                 {"role": "editor", "is_active": "on"})
    assert response.status_code == 302
    user = get_user_model().objects.get(pk=user.pk)
    assert role_of(user) == "editor"
    assert user.has_perm("articles.publish_article")


def test_admin_deactivates_a_user(admin_client, make_user):
    user = make_user("author")
    admin_client.post(f"/newsroom/users/{user.pk}/", {"role": "author"})
    user.refresh_from_db()
    assert user.is_active is False


def test_admin_cannot_deactivate_or_demote_themselves(admin_client, admin):
    response = admin_client.post(f"/newsroom/users/{admin.pk}/", {"role": "admin"})
    assert response.status_code == 400
    response = admin_client.post(f"/newsroom/users/{admin.pk}/",
                                 {"role": "editor", "is_active": "on"})
    assert response.status_code == 400
    admin.refresh_from_db()
    assert admin.is_active and role_of(admin) == "admin"


def test_admin_creates_a_section_which_is_announced(admin_client,
                                                    django_capture_on_commit_callbacks):
    received = []
    signals.taxonomy_changed.connect(lambda sender, obj, **kw: received.append(obj.name),
                                     weak=False, dispatch_uid="test-created")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post("/newsroom/sections/",
                                         {"name": "Opinion", "description": "Views."})
    finally:
        signals.taxonomy_changed.disconnect(dispatch_uid="test-created")
    assert response.status_code == 302
    assert Section.objects.get(name="Opinion").slug == "opinion"
    assert received == ["Opinion"]


def test_duplicate_section_name_is_refused(admin_client):
    admin_client.post("/newsroom/sections/", {"name": "Opinion"})
    response = admin_client.post("/newsroom/sections/", {"name": "opinion"})
    assert response.status_code == 400
    assert Section.objects.filter(name__iexact="opinion").count() == 1


def test_renaming_a_section_goes_through_change_taxonomy(admin_client,
                                                         django_capture_on_commit_callbacks):
    section = Section.objects.create(name="Tech", slug="tech")
    received = []
    signals.taxonomy_changed.connect(
        lambda sender, obj, old_url, **kw: received.append((obj.slug, old_url)),
        weak=False, dispatch_uid="test-renamed")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(f"/newsroom/sections/{section.pk}/", {
                "name": "Technology", "slug": "technology", "description": ""})
    finally:
        signals.taxonomy_changed.disconnect(dispatch_uid="test-renamed")
    assert response.status_code == 302
    section.refresh_from_db()
    assert (section.name, section.slug) == ("Technology", "technology")
    assert received == [("technology", "/section/tech/")]


def test_section_slug_clash_is_refused(admin_client):
    Section.objects.create(name="Tech", slug="tech")
    other = Section.objects.create(name="Science", slug="science")
    response = admin_client.post(f"/newsroom/sections/{other.pk}/",
                                 {"name": "Science", "slug": "tech"})
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.slug == "science"


def test_sections_are_reordered_up_and_down(admin_client):
    a = Section.objects.create(name="A", slug="a", position=10)
    Section.objects.create(name="B", slug="b", position=20)
    c = Section.objects.create(name="C", slug="c", position=30)
    admin_client.post(f"/newsroom/sections/{c.pk}/move/", {"direction": "up"})
    assert list(Section.objects.navigation().values_list("name", flat=True)) == ["A", "C", "B"]
    admin_client.post(f"/newsroom/sections/{a.pk}/move/", {"direction": "down"})
    assert list(Section.objects.navigation().values_list("name", flat=True)) == ["C", "A", "B"]


def test_section_can_be_hidden_from_navigation(admin_client):
    section = Section.objects.create(name="Archive", slug="archive")
    admin_client.post(f"/newsroom/sections/{section.pk}/move/", {"direction": "navigation"})
    assert not Section.objects.navigation().filter(pk=section.pk).exists()


def test_unknown_move_direction_is_a_bad_request(admin_client):
    section = Section.objects.create(name="Archive", slug="archive")
    response = admin_client.post(f"/newsroom/sections/{section.pk}/move/", {"direction": "left"})
    assert response.status_code == 400


def test_user_and_section_edit_pages_render_their_current_values(admin_client, make_user):
    user = make_user("author", "valued")
    section = Section.objects.create(name="Travel", slug="travel")
    user_page = lxml_html.fromstring(admin_client.get(f"/newsroom/users/{user.pk}/").content)
    assert user_page.xpath("//select[@name='role']/option[@selected]/@value") == ["author"]
    section_page = lxml_html.fromstring(
        admin_client.get(f"/newsroom/sections/{section.pk}/").content)
    assert section_page.xpath("//input[@name='slug']/@value") == ["travel"]
