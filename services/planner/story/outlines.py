"""Scene outlines: what PlanScenes answers and PlanShots reads.

An outline is a scene (its look, title and summary) and its sentences as storyboard lines. A
sentence longer than a shot comes already split at its clauses, and one longer than ten shots
as several outline sentences, so that any scene can be cut where it must: a scene that would
hold more than 40 shots goes on as a scene of its own ("The Storm (2)").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.planner.plan import OutlineLine, OutlineSentence, SceneOutline
from services.planner.speakable import speakable_outline
from services.planner.story.language import count_words
from services.planner.story.model import Paragraph, Piece, Sentence
from services.planner.story.scenes import SceneDraft, SceneLook, look, title_for
from services.planner.story.shots import MAX_SHOT_S, pack_shots, split_long
from storyreel.domain import Line, Scene

MAX_SHOTS_PER_SCENE = 40
MAX_LINES_PER_SENTENCE = 10
_SUMMARY_WORDS = 30


@dataclass(frozen=True)
class SceneHead:
    """What a scene is called, how it looks, and what happens (empty: its most telling sentence)."""

    title: str
    look: SceneLook
    summary: str = ""


def rules_heads(drafts: list[SceneDraft], hindi: bool) -> list[SceneHead]:
    """Heads from the rules: a scene's look carries on from the one before."""
    heads: list[SceneHead] = []
    previous: SceneLook | None = None
    for draft in drafts:
        previous = look(draft, previous, hindi)
        heads.append(SceneHead(title_for(draft), previous))
    return heads


def outlines_of(
    drafts: list[SceneDraft], heads: list[SceneHead], words_per_second: float, count_names: Callable[[str], int]
) -> list[SceneOutline]:
    """Outlines with ids s01, s02, ... in order, one per draft (more for a draft over 40 shots)."""
    outlines: list[SceneOutline] = []
    for draft, head in zip(drafts, heads, strict=True):
        sentences = outline_sentences(draft.paragraphs, words_per_second)
        for part, chunk in enumerate(fit_in_scenes(sentences, words_per_second)):
            scene = Scene(
                id=f"s{len(outlines) + 1:02d}",
                title=head.title if part == 0 else f"{head.title} ({part + 1})",
                setting=head.look.setting,
                time_of_day=head.look.time_of_day,
                weather=head.look.weather,
                mood=head.look.mood,
                summary=head.summary or summary_of(chunk, count_names),
            )
            outlines.append(speakable_outline(SceneOutline(scene=scene, sentences=chunk)))
    return outlines


def outline_sentences(paragraphs: list[Paragraph], words_per_second: float) -> list[OutlineSentence]:
    """Each sentence's pieces as lines, long pieces split at clauses (a shot's worth at most)."""
    max_words = max(1, int(MAX_SHOT_S * words_per_second))
    sentences: list[OutlineSentence] = []
    for paragraph in paragraphs:
        first = True
        for sentence in paragraph.sentences:
            lines = [_line(part) for piece in sentence.pieces for part in split_long(piece, max_words)]
            for start in range(0, len(lines), MAX_LINES_PER_SENTENCE):
                sentences.append(
                    OutlineSentence(lines=lines[start : start + MAX_LINES_PER_SENTENCE], starts_paragraph=first)
                )
                first = False
    return sentences


def paragraphs_of(sentences: list[OutlineSentence]) -> list[Paragraph]:
    """Outline sentences back as the paragraphs the shot packer reads."""
    paragraphs: list[Paragraph] = []
    for sentence in sentences:
        if sentence.starts_paragraph or not paragraphs:
            paragraphs.append(Paragraph(text=""))
        pieces = [_piece(item) for item in sentence.lines]
        paragraphs[-1].sentences.append(Sentence(pieces))
        paragraphs[-1].text = " ".join(filter(None, (paragraphs[-1].text, sentence.text)))
    return paragraphs


def fit_in_scenes(sentences: list[OutlineSentence], words_per_second: float) -> list[list[OutlineSentence]]:
    """The sentences in runs that each pack into at most 40 shots (the longest such runs)."""
    most_words = MAX_SHOTS_PER_SCENE * max(1, int(MAX_SHOT_S * words_per_second))
    parts: list[list[OutlineSentence]] = []
    rest = sentences
    while rest:
        low, high = 1, _words_fit(rest, most_words)  # no run of more words can fit in 40 shots
        if high == len(rest) and _at_most_40_shots(rest, words_per_second):
            return [*parts, rest]
        while low < high:  # the most sentences that still fit
            middle = (low + high + 1) // 2
            if _shots(rest[:middle], words_per_second) <= MAX_SHOTS_PER_SCENE:
                low = middle
            else:
                high = middle - 1
        parts.append(rest[:low])
        rest = [rest[low].model_copy(update={"starts_paragraph": True}), *rest[low + 1 :]]
    return parts


def summary_of(sentences: list[OutlineSentence], count_names: Callable[[str], int]) -> str:
    """The scene's most telling narrated sentence: the one naming most characters, first if tied."""
    narrated = [s for s in sentences if not any(item.quoted for item in s.lines)] or sentences
    best = max(narrated, key=lambda sentence: count_names(sentence.text))
    words = best.text.split()
    return " ".join(words[:_SUMMARY_WORDS]) + ("…" if len(words) > _SUMMARY_WORDS else "")


def _words_fit(sentences: list[OutlineSentence], most_words: int) -> int:
    """How many sentences from the start hold at most most_words words (at least one)."""
    total = 0
    for index, sentence in enumerate(sentences):
        total += sum(count_words(item.line.text) for item in sentence.lines)
        if total > most_words:
            return max(1, index)
    return len(sentences)


def _at_most_40_shots(sentences: list[OutlineSentence], words_per_second: float) -> bool:
    """Every shot holds at least one line: a scene of at most 40 lines needs no packing to know."""
    lines = sum(len(sentence.lines) for sentence in sentences)
    return lines <= MAX_SHOTS_PER_SCENE or _shots(sentences, words_per_second) <= MAX_SHOTS_PER_SCENE


def _shots(sentences: list[OutlineSentence], words_per_second: float) -> int:
    return len(pack_shots(paragraphs_of(sentences), words_per_second))


def _line(piece: Piece) -> OutlineLine:
    return OutlineLine(
        line=Line(text=piece.text, language=piece.language, speaker_id=piece.speaker_id), quoted=piece.dialogue
    )


def _piece(item: OutlineLine) -> Piece:
    line = item.line
    return Piece(line.text, item.quoted, line.language, count_words(line.text), line.speaker_id)
