"""Page furniture that survives extraction, recognised block by block and dropped.

Owns the rules that run after trafilatura on the Markdown blocks of one page: the headline
repeated at the top of the body, a standfirst that is the meta description, "Articles You May
Like"/"Related" lists, "Leave a Reply" forms and their notes, newsletter and app promotions,
share and follow lines, and runs of bare links at either end of the body. The phrases are the
stock wording of news and blog templates (WordPress, Blogger, common newspaper CMSs), not
wording of any one page; docs/extraction.md records what each rule gained on the benchmark.
"""

from __future__ import annotations

import re
from collections import Counter

from .html_markdown import Block

# A heading that opens a block of furniture: everything under it up to the next substantial
# paragraph or heading goes too.
FURNITURE_HEADING_RE = re.compile(
    r"^(?:articles? you may (?:also )?like|you (?:may|might) (?:also )?(?:like|enjoy)"
    r"|(?:more )?related(?: articles?| posts?| stories| content| news| coverage| reading| links)?"
    r"|recommended(?: for you| stories| articles| reading)?|read (?:more|next|also)|also read"
    r"|more (?:from|stories|on|in|like this|to explore|news)\b.*|most (?:popular|read|viewed)\b.*"
    r"|popular (?:posts|stories|articles)|trending(?: now| stories)?|don'?t miss(?: this)?"
    r"|leave a (?:reply|comment)|post a comment|add a comment|join the (?:conversation|discussion)"
    r"|\d*\s*(?:comments?|responses?|replies)|share (?:this|the) (?:article|story|post)"
    r"|share(?: this)?|sign up\b.*|subscribe\b.*|newsletter|follow us\b.*|tags?|categories"
    r"|about the author|other (?:articles|stories|posts)|latest (?:news|stories|posts|articles)"
    r"|top stories|explore further|see also|you may be interested in)[\s:!.]*$",
    re.IGNORECASE,
)

# A block that is a template's stock line rather than journalism, when short. Calls to act
# ("Sign up", "Follow ... on Twitter") count only at the start of the line, or when the
# publication speaks of itself ("our newsletter", "follow us"): an article may well report
# that people "subscribe to the service" or "follow her on Instagram".
FURNITURE_TEXT_RE = re.compile(
    r"your email address will not be published|required fields are marked"
    r"|save my name, email|notify me (?:of|when)|leave a (?:reply|comment)"
    r"|you must be logged in to post|comments are closed"
    r"|^(?:sign up|subscribe|join|get)\b[^.!?]{0,80}\b(?:newsletters?|inbox|content|edition)\b"
    r"|^(?:sign up|subscribe)\b[^.!?]{0,40}\b(?:our|today|now|free)\b"
    r"|\b(?:sign up|subscribe)\b[^.!?]{0,20}\b(?:our|my)\b|\bnewsletters?[.!]?$"
    r"|thanks? (?:you )?for (?:signing up|subscribing)|error processing your subscription"
    r"|keep an eye on your inbox|delivered (?:straight |directly )?to your inbox"
    r"|^follow [\w@&'’. -]{1,40}? on (?:twitter|facebook|instagram|linkedin|youtube|tiktok|x\b)"
    r"|\bfollow us\b|like us on facebook|share (?:this|on) (?:article|story|post|facebook|twitter)"
    r"|like this (?:story|article)\?|share it with a friend|\bplease (?:subscribe|log in|sign in)\b"
    r"|(?:want|like|love) to hear (?:what you think|from you)"
    r"|click here to (?:subscribe|sign up|get|read more)"
    r"|^(?:get|download) (?:the|our) [\w -]{0,30}apps?\b"
    r"|\b(?:get|download) (?:the|our) [\w -]{0,30}apps? (?:for|on) (?:ios|android|iphone)"
    r"|all rights reserved|^copyright\b|^©|^also on [\w-]+\.[a-z]{2,}\b"
    r"|^(?:related|read more|see more|also read|read also|more|advertisement)\s*:",
    re.IGNORECASE,
)
# Shorter lines where a looser phrase is enough.
FURNITURE_SHORT_RE = re.compile(
    r"^(?:sign up|subscribe|follow us|join us)\b|\b(?:tell us|let us know) what you think"
    r"|^advertisement$|^share$",
    re.IGNORECASE,
)
FURNITURE_MAX_WORDS = 40  # longer than this, a matching phrase is the article talking
FURNITURE_SHORT_MAX_WORDS = 15
TEASER_MAX_WORDS = 25  # a related-story teaser: headline plus one line
LINK_SHARE = 0.75  # a block with at least this share of its text in links is navigation

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text.casefold())


def clean_blocks(blocks: list[Block], title: str = "") -> list[Block]:
    """The blocks without furniture; the order of the rest is kept."""
    blocks = _drop_title(blocks, title)
    blocks = _drop_furniture_sections(blocks)
    blocks = [b for b in blocks if not _is_furniture_line(b) and not _is_teaser_link(b)]
    return _trim_link_runs(blocks)


def _drop_title(blocks: list[Block], title: str) -> list[Block]:
    # the headline (and any kicker before it) is the record's title, not body text
    wanted = words(title)
    if not wanted:
        return blocks
    for i, block in enumerate(blocks[:3]):
        if _similar(words(block.text), wanted):
            if all(len(words(b.text)) <= 6 for b in blocks[:i]):
                return blocks[i + 1 :]
            break
    return blocks


def _similar(a: list[str], b: list[str]) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    # "Headline" vs "Headline | Site name" or a headline shortened for <title>
    return len(shorter) >= 0.6 * len(longer) and (
        longer[: len(shorter)] == shorter or longer[-len(shorter) :] == shorter
    )


def _drop_furniture_sections(blocks: list[Block]) -> list[Block]:
    kept: list[Block] = []
    skipping = False
    for block in blocks:
        n = len(words(block.text))
        if _is_furniture_heading(block):
            skipping = True
            continue
        if skipping:
            is_body = (block.kind == "heading" and not _links_only(block)) or (
                block.kind in {"paragraph", "quote"}
                and n > TEASER_MAX_WORDS
                and not _links_only(block)
            )
            if not is_body:
                continue
            skipping = False
        kept.append(block)
    return kept


def _is_furniture_heading(block: Block) -> bool:
    text = block.text.strip()
    if block.kind not in {"heading", "paragraph"} or len(words(text)) > 8:
        return False
    if block.kind == "paragraph" and text.endswith("."):  # a short sentence, not a label
        return False
    return bool(FURNITURE_HEADING_RE.match(text))


def _is_furniture_line(block: Block) -> bool:
    if block.kind in {"code", "table"}:
        return False
    text = block.text.strip()
    n = len(words(text))
    if n <= FURNITURE_SHORT_MAX_WORDS and FURNITURE_SHORT_RE.search(text):
        return True
    return n <= FURNITURE_MAX_WORDS and bool(FURNITURE_TEXT_RE.search(text))


def _is_teaser_link(block: Block) -> bool:
    # a paragraph that is nothing but one short link, worded as a headline (no full stop),
    # is a "read this next" teaser, not prose
    text = " ".join(block.text.split())
    return (
        block.kind == "paragraph"
        and bool(text)
        and block.linked >= 0.95 * len(text)
        and len(words(text)) <= TEASER_MAX_WORDS
        and not text.endswith(".")
    )


def _links_only(block: Block) -> bool:
    length = len(" ".join(block.text.split()))
    return length > 0 and block.linked >= LINK_SHARE * length


def _trim_link_runs(blocks: list[Block]) -> list[Block]:
    # breadcrumbs and tag lists before the story, "more stories" link lists after it
    start, end = 0, len(blocks)
    while start < end and _links_only(blocks[start]):
        start += 1
    while end > start and _links_only(blocks[end - 1]):
        end -= 1
    return blocks[start:end]


def split_standfirst(blocks: list[Block], description: str) -> tuple[list[Block], str]:
    """The standfirst (the page's description) and the body, which keeps all its blocks.

    A description that only repeats the body (most often its opening: many CMSs fill it with
    the first sentences) is no standfirst.
    """
    description = " ".join(description.split())
    wanted = words(description.rstrip(".…"))
    if len(wanted) < 4:
        return blocks, ""
    body = " ".join(b.text for b in blocks)
    opening = words(" ".join(b.text for b in blocks[:3]))
    if opening[: len(wanted)] == wanted or shingle_overlap(description, body) >= 0.8:
        return blocks, ""
    return blocks, description


def shingles(text: str, n: int = 4) -> Counter:
    tokens = words(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def shingle_overlap(reference: str, text: str) -> float:
    """Share of the reference's word 4-grams that also occur in text (0 when it has none)."""
    wanted = shingles(reference)
    total = sum(wanted.values())
    return sum((wanted & shingles(text)).values()) / total if total else 0.0
