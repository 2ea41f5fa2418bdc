"""Reading a story file: line endings, markdown, titles, separators, front matter."""

from __future__ import annotations

from services.planner.story.text import BlockKind, clean_inline, display_title, read_document


def kinds(story: str) -> list[tuple[str, str]]:
    return [(block.kind.value, block.text) for block in read_document(story).blocks]


def test_crlf_and_hard_wrapped_lines_make_one_paragraph_each() -> None:
    document = read_document("Title\r\n\r\nOne line\r\nwrapped here.\r\n\r\nSecond paragraph.\r\n")
    assert document.title == "Title"
    assert document.paragraphs() == ["One line wrapped here.", "Second paragraph."]


def test_long_unwrapped_lines_are_a_paragraph_each() -> None:
    first, second = "a " * 80 + "end.", "b " * 80 + "end."
    assert len(read_document(f"{first}\n{second}").paragraphs()) == 2


def test_markdown_headings_become_scene_titles_and_emphasis_is_not_spoken() -> None:
    story = "# The Well\n\n## Chapter 1\nShe *ran* to the __old__ well with `Ravi` and [a dog](http://x).\n"
    document = read_document(story)
    assert document.title == "The Well"
    assert document.blocks[0] == read_document(story).blocks[0]
    assert kinds(story) == [
        ("heading", "Chapter 1"),
        ("paragraph", "She ran to the old well with Ravi and a dog."),
    ]


def test_separators_break_scenes_and_the_requested_title_wins() -> None:
    story = "First part.\n\n* * *\n\nSecond part.\n\n---\n\nThird part.\n"
    document = read_document(story, title="Given")
    assert document.title == "Given"
    assert [block.kind for block in document.blocks] == [
        BlockKind.PARAGRAPH,
        BlockKind.BREAK,
        BlockKind.PARAGRAPH,
        BlockKind.BREAK,
        BlockKind.PARAGRAPH,
    ]


def test_a_hindi_story_without_a_title_line_keeps_its_first_paragraph() -> None:
    story = "गाँव में एक किसान रहता था। वह रोज़ खेत जाता था, और शाम को लौटता था।\n\nअगले दिन वह बाज़ार गया।"
    document = read_document(story)
    assert document.title == ""
    assert len(document.paragraphs()) == 2


def test_title_line_byline_and_table_of_contents_are_not_narrated() -> None:
    story = (
        "TREASURE ISLAND\n\nby Robert Louis Stevenson\n\n\n\nTo S.L.O., this is dedicated.\n\n"
        "     CONTENTS\n\n     PART ONE\n     The Old Buccaneer\n\n"
        "     1.  THE OLD SEA-DOG . . . .  11\n     2.  BLACK DOG . . . . . . .  17\n\n\n\n"
        "TREASURE ISLAND\n\n\n\nPART ONE--The Old Buccaneer\n\n\n\n1\n\nThe Old Sea-dog\n\n\n"
        "SQUIRE TRELAWNEY asked me to write it down.\n"
    )
    document = read_document(story)
    assert document.title == "Treasure Island"
    assert kinds(story) == [
        ("heading", "PART ONE—The Old Buccaneer — 1. The Old Sea-dog"),
        ("paragraph", "SQUIRE TRELAWNEY asked me to write it down."),
    ]


def test_yaml_front_matter_gives_the_title() -> None:
    document = read_document('---\ntitle: "कुएँ का दीपक"\nauthor: x\n---\n\nकहानी यहाँ है।\n')
    assert document.title == "कुएँ का दीपक"
    assert document.paragraphs() == ["कहानी यहाँ है।"]


def test_a_story_of_one_short_line_is_still_narrated() -> None:
    assert read_document("Hello there").paragraphs() == ["Hello there"]


def test_inline_cleaning_keeps_underscores_inside_words_and_turns_double_dashes_into_dashes() -> None:
    assert clean_inline("in the year 17__ and wild--as wild") == "in the year 17__ and wild—as wild"
    assert clean_inline(r"a \*literal\* star and **bold**") == "a *literal* star and bold"


def test_all_caps_titles_read_as_title_case_with_roman_numerals_kept() -> None:
    assert display_title("VIII. THE ADVENTURE OF THE SPECKLED BAND") == "VIII. The Adventure of the Speckled Band"
    assert display_title("THE ELEPHANT’S CHILD") == "The Elephant’s Child"
    assert display_title("The Lantern Keeper") == "The Lantern Keeper"
