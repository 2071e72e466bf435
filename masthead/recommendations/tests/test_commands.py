"""`masthead related rebuild` and `masthead related export [FILE]` (CONTRACT.md, Command line),
and the quality of the lists through the whole database path on a slice of the shared corpus."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from django.core.management import call_command

from masthead import cli
from masthead.articles import services as articles
from masthead.recommendations import services
from masthead.recommendations.engines import evaluation as ev
from masthead.recommendations.models import EngineState, RelatedArticle

from .test_services import story_text


def story(make_article, name: str, n: int, **fields):
    headline, body = story_text(name, n)
    return make_article(headline, body=body, **fields)


def export(tmp_path) -> dict:
    target = tmp_path / "related.json"
    call_command("related", "export", str(target))
    return json.loads(target.read_text())


def test_export_keys_are_external_ids_or_slugs_and_lists_are_best_first(
        make_article, tmp_path, capsys):
    made = {n: story(make_article, "bridge", n, external_key=f"wire-{n}" if n < 3 else None)
            for n in range(1, 4)}
    draft = make_article("Kestrel Bay viaduct draft", body=story_text("bridge", 4)[1],
                         status="draft")
    call_command("related", "rebuild")
    assert "Rebuilt related lists for 3 article(s)" in capsys.readouterr().out
    lists = export(tmp_path)
    third = made[3].slug  # no external id: the slug is its key
    assert set(lists) == {"wire-1", "wire-2", third}
    assert sorted(lists["wire-1"]) == sorted(["wire-2", third])
    assert all(isinstance(v, list) and all(isinstance(k, str) for k in v) for v in lists.values())
    assert draft.slug not in json.dumps(lists)
    # Best first: the order the page shows.
    assert lists[third] == [a.key for a in services.related_for(made[3]).articles]


def test_export_applies_pins_and_exclusions_as_the_page_does(make_article, tmp_path):
    made = [story(make_article, "chess", n, external_key=f"c{n}") for n in range(1, 5)]
    loner = make_article("Lavender honey", body="Apiarists tend hives in thyme meadows.",
                         external_key="bees")
    call_command("related", "rebuild")
    services.pin(made[0], loner)
    services.exclude(made[0], made[1])
    lists = export(tmp_path)
    assert lists["c1"] == ["bees", "c3", "c4"] or lists["c1"] == ["bees", "c4", "c3"]
    assert lists["bees"] == []


def test_export_to_standard_output_without_a_file(make_article, capsys):
    story(make_article, "balloon", 1, external_key="b1")
    story(make_article, "balloon", 2, external_key="b2")
    call_command("related", "export")
    assert json.loads(capsys.readouterr().out) == {"b1": ["b2"], "b2": ["b1"]}


def test_rebuild_keeps_pins_and_bumps_the_generation(make_article):
    a, b = story(make_article, "chess", 1), make_article("Unrelated harvest")
    call_command("related", "rebuild")
    services.pin(a, b)
    generation = EngineState.objects.get().generation
    call_command("related", "rebuild")
    assert EngineState.objects.get().generation == generation + 1
    assert [x.pk for x in services.related_for(a).articles] == [b.pk]


def test_rebuild_drops_lists_of_articles_no_longer_visible(make_article, tmp_path):
    story(make_article, "bridge", 1, external_key="a")
    b = story(make_article, "bridge", 2, external_key="b")
    call_command("related", "rebuild")
    articles.unpublish_article(b)  # signals not run: only the rebuild notices
    call_command("related", "rebuild")
    assert export(tmp_path) == {"a": []}
    assert not RelatedArticle.objects.filter(article=b).exists()


@pytest.mark.parametrize("argv, message", [
    (["related", "bogus"], "invalid choice"),
    (["related"], "required"),
    (["related", "rebuild", "extra"], "takes no argument"),
    (["related", "export", "/no/such/dir/out.json"], "no such directory"),
])
def test_bad_arguments_print_one_line_and_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    out, err = capsys.readouterr()
    assert exited.value.code == 2
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert out == ""


# -- quality through the database path --------------------------------------------------------
def _slice(shared_data, topics: int = 6, bbc: int = 300) -> list[dict]:
    news = shared_data / "news"
    ecb = [json.loads(line) for line in (news / "ecbplus.jsonl").open(encoding="utf-8")]
    chosen = sorted({r["category"] for r in ecb})[:topics]
    records = [r for r in ecb if r["category"] in chosen]
    with (news / "bbc.jsonl").open(encoding="utf-8") as fh:
        every = [json.loads(line) for line in fh]
    records += every[:: max(len(every) // bbc, 1)][:bbc]
    return records


@pytest.mark.slow
def test_story_precision_through_the_database_beats_latest_in_section(
        db, shared_data, tmp_path, django_capture_on_commit_callbacks):
    records = _slice(shared_data)
    source = tmp_path / "slice.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for r in records:  # labels withheld: id, title, body and date only
            row = {"id": r["id"], "title": r["title"], "body": r["body"]}
            if r.get("date"):
                row["published_at"] = r["date"] + "T12:00:00Z"
            fh.write(json.dumps(row) + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_jsonl", str(source))
    lists = export(tmp_path)
    assert set(lists) == {r["id"] for r in records}

    story = {r["id"]: r.get("story") for r in records}
    ecb = [k for k in story if story[k]]
    size = defaultdict(int)
    for k in ecb:
        size[story[k]] += 1
    same = lambda a, b: story.get(b) == story[a]  # noqa: E731
    engine_p4 = ev.precision_at_k(lists, ecb, same, 4)
    keys = [r["id"] for r in records]
    sections = {r["id"]: r["category"] for r in records}  # the labels, given to the baseline
    latest = ev.latest_in_section(keys, sections, {k: None for k in keys})
    baseline_p4 = ev.precision_at_k(latest, ecb, same, 4)
    assert engine_p4 > baseline_p4 + 0.3, (engine_p4, baseline_p4)
    assert engine_p4 > 0.9
