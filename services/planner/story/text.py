"""From raw story text to a document: a title and a run of headings, breaks and paragraphs.

Handles what real files look like: CRLF line endings, hard-wrapped lines (Project Gutenberg)
or one paragraph per line (the Hindi files), markdown (headings, emphasis, links, lists), scene
separators (***, * * *, ---), a title line and byline on top, and a book's front matter (a
dedication and a table of contents before the first chapter), which is not narrated.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, replace

from services.planner.story import screenplay
from services.planner.story.blocks import Block, BlockKind, Document
from services.planner.story.lexicon import wordset
from storyreel.storytext import normal_text

__all__ = ["Block", "BlockKind", "Document", "clean_inline", "display_title", "normalise", "read_document"]

# --------------------------------------------------------------------------- patterns

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_SEPARATOR = re.compile(r"^\s*(?:[*\-_~=•·#]\s*){3,}$")
_SETEXT_UNDERLINE = re.compile(r"^\s*(?:=+|-+)\s*$")
_NUMERAL = re.compile(r"^(?:[IVXLCDM]+|\d{1,3})\.?$")
_CHAPTER = re.compile(
    r"^(?:chapter|part|book|section|canto|volume|prologue|epilogue|अध्याय|भाग|खंड|परिच्छेद)\b", re.IGNORECASE
)
_NUMBERED_TITLE = re.compile(r"^(?:[IVXLCDM]+|\d{1,3})\.\s+\S")
_SENTENCE_END = tuple(".!?।॥,;:…\"”’'")
_CONTENTS = re.compile(r"^(?:table of )?contents\.?$|^अनुक्रम(?:णिका)?$|^विषय[- ]?सूची$", re.IGNORECASE)
_PAGE_REFERENCE = re.compile(r"\s\d{1,4}$")
_YAML = re.compile(r"\A---[ ]*\n((?:.*\n){0,80}?)---[ ]*(?:\n|\Z)")
_BYLINE = re.compile(r"^(?:by|written by|लेखक[:\s]|रचना[:\s])\s*\S", re.IGNORECASE)

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_STARS = re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1")
_UNDERSCORES = re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_SHELTER = 0xE000
"""Escaped markdown characters wait in the private-use area while marks are removed."""
_SHELTERED = re.compile("[\ue000-\ue07f]")
_LINE_PREFIX = re.compile(r"^\s*(?:>\s?)+|^\s*[-*+•]\s+")
_DOUBLE_DASH = re.compile(r"\s*--+\s*")

_SMALL_WORDS = wordset("a an and as at but by for in of on or the to")


@dataclass(frozen=True)
class _RawBlock:
    lines: list[str]
    blank_lines_before: int


# --------------------------------------------------------------------------- public


def read_document(story: str, title: str = "") -> Document:
    """Split a story into blocks; take the title (the requested one, else the first heading)."""
    yaml_title, text = _split_yaml_front_matter(normalise(story))
    title = " ".join(normalise(title).split()) or yaml_title
    if screenplay.is_screenplay(text):
        return _screenplay_document(text, title)
    raw = _raw_blocks(text)
    raw = _without_front_matter(raw)
    blocks = _classify(raw)
    if not any(block.kind is BlockKind.PARAGRAPH for block in blocks):
        blocks = _headings_as_paragraphs(blocks)
    found_title, blocks = _take_title(blocks, title)
    return Document(display_title(found_title), _merge_headings(blocks))


def _screenplay_document(text: str, title: str) -> Document:
    """A screenplay: its blocks come from its own reader; marks are cleaned as in prose."""
    title_page, blocks = screenplay.read_screenplay(text)
    cleaned = [
        replace(block, text=display_title(block.text) if block.kind is BlockKind.HEADING else _clean(block.text))
        for block in blocks
    ]
    cleaned = [block for block in cleaned if block.kind is not BlockKind.PARAGRAPH or block.text]
    return Document(display_title(title or title_page), cleaned)


def _clean(text: str) -> str:
    return " ".join(clean_inline(text).split())


def normalise(story: str) -> str:
    """The shared normal form (storyreel.storytext: NFC, one newline convention, no control
    characters), then plain spaces."""
    return normal_text(story).replace("\t", "    ").replace("\u00a0", " ")


def clean_inline(text: str) -> str:
    """Markdown marks out, words kept: emphasis, links, images, code ticks, tags, escapes."""
    text = _ESCAPED.sub(lambda match: chr(_SHELTER + ord(match.group(1))), text)  # \* is a real star
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _STARS.sub(r"\2", text)
    text = _UNDERSCORES.sub(r"\2", text)
    text = _HTML_TAG.sub("", text).replace("`", "").replace("*", "")
    text = _SHELTERED.sub(lambda match: chr(ord(match.group()) - _SHELTER), text)
    return _DOUBLE_DASH.sub("—", text)


def display_title(text: str) -> str:
    """A heading as a title: ALL-CAPS headings become Title Case; roman numerals stay."""
    text = " ".join(clean_inline(text).split())
    if not _is_all_caps(text):
        return text
    words = text.split(" ")
    first_word = next((i for i, word in enumerate(words) if not _NUMERAL.match(word)), 0)
    return " ".join(_title_word(word, index == first_word) for index, word in enumerate(words))


# --------------------------------------------------------------------------- blocks


def _raw_blocks(text: str) -> list[_RawBlock]:
    """Runs of non-blank lines, each with how many blank lines came before it."""
    blocks: list[_RawBlock] = []
    current: list[str] = []
    blanks = 0
    for line in text.split("\n"):
        if line.strip():
            current.append(line)
            continue
        if current:
            blocks.append(_RawBlock(current, blanks))
            current, blanks = [], 0
        blanks += 1
    if current:
        blocks.append(_RawBlock(current, blanks))
    return blocks


def _classify(raw_blocks: list[_RawBlock]) -> list[Block]:
    blocks: list[Block] = []
    for index, raw in enumerate(raw_blocks):
        after_heading = bool(blocks) and blocks[-1].kind is BlockKind.HEADING
        line = raw.lines[0]
        lone = len(raw.lines) == 1 and not _MD_HEADING.match(line) and not _SEPARATOR.match(line)
        if lone and _is_heading_line(line, raw.blank_lines_before, after_heading, index == 0):
            blocks.append(Block(BlockKind.HEADING, line.strip()))
        else:
            blocks.extend(_split_block(raw.lines))
    return blocks


def _split_block(lines: list[str]) -> list[Block]:
    """A block's lines: markdown headings and separators stand alone, the rest are paragraphs."""
    blocks: list[Block] = []
    pending: list[str] = []
    for index, line in enumerate(lines):
        heading = _MD_HEADING.match(line)
        underline = index + 1 < len(lines) and _SETEXT_UNDERLINE.match(lines[index + 1]) and _short_title(line)
        if heading or _SEPARATOR.match(line) or underline:
            blocks.extend(_paragraphs(pending))
            pending = []
            if heading:
                blocks.append(Block(BlockKind.HEADING, heading.group(1)))
            elif underline:
                blocks.append(Block(BlockKind.HEADING, line.strip()))
            elif not blocks or blocks[-1].kind is not BlockKind.HEADING:
                blocks.append(Block(BlockKind.BREAK))
            continue
        pending.append(line)
    return blocks + _paragraphs(pending)


def _paragraphs(lines: list[str]) -> list[Block]:
    """Hard-wrapped lines join into one paragraph; long unwrapped lines are a paragraph each."""
    lines = [_LINE_PREFIX.sub("", line) for line in lines]
    lines = [line for line in lines if line.strip()]
    if not lines:
        return []
    groups = [[line] for line in lines] if _unwrapped(lines) else [lines]
    texts = (" ".join(clean_inline(_join_wrapped(group)).split()) for group in groups)
    return [Block(BlockKind.PARAGRAPH, text) for text in texts if text]


def _unwrapped(lines: list[str]) -> bool:
    return len(lines) > 1 and statistics.median(len(line) for line in lines) > 100


def _join_wrapped(lines: list[str]) -> str:
    """Join a wrapped paragraph; a word hyphenated across a line break joins without a space."""
    text = lines[0].strip()
    for line in lines[1:]:
        glue = "" if text.endswith("-") and not text.endswith("--") and text[-2:-1].isalpha() else " "
        text += glue + line.strip()
    return text


# --------------------------------------------------------------------------- headings


def _is_heading_line(line: str, blank_lines_before: int, after_heading: bool, first: bool) -> bool:
    """A lone short line that reads as a title: numbered, 'Chapter ...', ALL CAPS, or Title Case."""
    text = line.strip()
    words = text.split()
    if not words or len(words) > 12 or len(text) > 90:
        return False
    if _NUMERAL.match(text):
        return True
    if text.endswith(_SENTENCE_END) and not _is_all_caps(text):
        return False
    if _CHAPTER.match(text) or _NUMBERED_TITLE.match(text) or _is_all_caps(text):
        return True
    if first or after_heading:
        return True
    return blank_lines_before >= 2 and _is_title_case(words)


def _short_title(line: str) -> bool:
    text = line.strip()
    return 0 < len(text.split()) <= 12 and not text.endswith(_SENTENCE_END)


def _is_all_caps(text: str) -> bool:
    letters = [char for char in text if char.isalpha() and char.isascii()]
    return len(letters) >= 3 and not any(char.islower() for char in letters)


def _is_title_case(words: list[str]) -> bool:
    significant = [word for word in words if len(word) >= 4 and word[0].isalpha()]
    return bool(significant) and all(word[0].isupper() for word in significant)


def _title_word(word: str, first: bool) -> str:
    if re.fullmatch(r"[IVXLCDM]+\.?", word):
        return word
    lower = word.lower()
    if lower in _SMALL_WORDS and not first:
        return lower
    return lower[:1].upper() + lower[1:]


def _merge_headings(blocks: list[Block]) -> list[Block]:
    """Consecutive headings ("PART ONE", "1", "The Old Sea-dog") become one scene title."""
    merged: list[Block] = []
    parts: list[str] = []
    for block in blocks:
        if block.kind is BlockKind.HEADING:
            parts.append(display_title(block.text))
            continue
        if parts:
            merged.append(Block(BlockKind.HEADING, _join_titles(parts)))
            parts = []
        merged.append(block)
    if parts:
        merged.append(Block(BlockKind.HEADING, _join_titles(parts)))
    return merged


def _join_titles(parts: list[str]) -> str:
    """["Part One", "1", "The Sea-dog"] -> "Part One — 1. The Sea-dog"."""
    title = parts[0]
    for previous, part in itertools.pairwise(parts):
        numbered = _NUMERAL.match(previous) and not previous.endswith(".")
        title += (". " if numbered else " — ") + part
    return title


def _headings_as_paragraphs(blocks: list[Block]) -> list[Block]:
    """A story that is only short lines is still a story: narrate them."""
    return [Block(BlockKind.PARAGRAPH, b.text) if b.kind is BlockKind.HEADING else b for b in blocks]


# --------------------------------------------------------------------------- title and front matter


def _take_title(blocks: list[Block], requested: str) -> tuple[str, list[Block]]:
    """The story's title, and the blocks without the title line, its byline and its repeats."""
    title = requested
    if blocks and blocks[0].kind is BlockKind.HEADING and (not requested or _same(blocks[0].text, requested)):
        title = title or blocks[0].text
        blocks = blocks[1:]
        if blocks and len(blocks[0].text.split()) <= 8 and _BYLINE.match(blocks[0].text):
            blocks = blocks[1:]
    return title, [b for b in blocks if not (b.kind is BlockKind.HEADING and _same(b.text, title))]


def _same(a: str, b: str) -> bool:
    return " ".join(clean_inline(a).split()).casefold() == " ".join(clean_inline(b).split()).casefold()


def _split_yaml_front_matter(text: str) -> tuple[str, str]:
    """Markdown files may open with YAML between --- lines: not story; its title: is a title."""
    match = _YAML.match(text)
    if not match:
        return "", text
    title = re.search(r"^title:\s*[\"']?(.*?)[\"']?\s*$", match.group(1), re.MULTILINE)
    return (title.group(1) if title else ""), text[match.end() :]


def _without_front_matter(raw_blocks: list[_RawBlock]) -> list[_RawBlock]:
    """Drop a book's front matter: everything between its title and the end of its contents list."""
    start = next(
        (i for i, raw in enumerate(raw_blocks[:40]) if i > 0 and _CONTENTS.match(raw.lines[0].strip())),
        None,
    )
    if start is None:
        return raw_blocks
    end = start + 1
    while end < len(raw_blocks) and _looks_like_contents(raw_blocks[end]):
        end += 1
    return raw_blocks[:1] + raw_blocks[end:]


def _looks_like_contents(raw: _RawBlock) -> bool:
    """Entries with page numbers, or short part titles between them."""
    lines = [line.strip() for line in raw.lines]
    with_pages = sum(1 for line in lines if _PAGE_REFERENCE.search(line))
    short_titles = all(len(line.split()) <= 8 and not line.endswith(_SENTENCE_END) for line in lines)
    return with_pages * 2 >= len(lines) or (short_titles and len(lines) <= 3 and raw.blank_lines_before <= 1)
