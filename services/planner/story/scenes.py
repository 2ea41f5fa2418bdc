"""Scenes: where the story changes place or time, and what each scene looks and feels like.

A scene starts at a heading, a separator, or a paragraph that opens with a time or place break
("Next morning", "That night", "अगले दिन", "रात को"); otherwise paragraphs are grouped until a
scene is long enough (8 paragraphs holding 100 words or more, at most 16, and at most about 700 words,
which is about 40 shots). Setting, time
of day, weather and mood come from the English and Hindi lexicons; what a scene does not say it
keeps from the scene before, unless a break says time has moved on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from services.planner.story import lexicon
from services.planner.story.blocks import Block, BlockKind, Slug
from services.planner.story.lexicon import wordset
from services.planner.story.model import WORD_RE, Paragraph
from storyreel.domain import Mood, TimeOfDay, Weather

MAX_PARAGRAPHS = 8
MIN_WORDS_TO_CLOSE = 100
"""Eight one-line paragraphs of quick dialogue are too little for a scene; 100 words is about 40 s."""
HARD_MAX_PARAGRAPHS = 16
MAX_WORDS = 700
_TITLE_WORDS = 7
_SUMMARY_WORDS = 30
_LEADING_CONNECTIVES = wordset("and but so then लेकिन पर फिर और")
_BREAKS = tuple(sorted((*lexicon.SCENE_BREAKS_EN, *lexicon.SCENE_BREAKS_HI), key=len, reverse=True))


@dataclass
class SceneDraft:
    title: str = ""
    paragraphs: list[Paragraph] = field(default_factory=list)
    breaks_time: bool = False
    """It opens with a heading, separator or time break: weather and time are not carried over."""
    slug: Slug | None = None
    """A screenplay's slugline: it gives the setting, and the time unless it says CONTINUOUS."""

    @property
    def words(self) -> int:
        return sum(paragraph.words for paragraph in self.paragraphs)


@dataclass(frozen=True)
class SceneLook:
    setting: str
    time_of_day: TimeOfDay
    weather: Weather
    mood: Mood


# --------------------------------------------------------------------------- grouping


def group_scenes(blocks: list[Block], paragraphs: list[Paragraph]) -> list[SceneDraft]:
    """Paragraphs (one per PARAGRAPH block, in order) grouped into scenes."""
    scenes = [SceneDraft(breaks_time=True)]
    reading = iter(paragraphs)
    for block in blocks:
        current = scenes[-1]
        if block.kind is not BlockKind.PARAGRAPH:
            if current.paragraphs:
                scenes.append(current := SceneDraft(breaks_time=True))
            if block.kind is BlockKind.HEADING:
                current.title, current.slug = block.text, block.slug
            continue
        paragraph = next(reading)
        if current.paragraphs and (opens_with_break(paragraph.text) or _full(current, paragraph)):
            scenes.append(current := SceneDraft(breaks_time=opens_with_break(paragraph.text)))
        current.paragraphs.append(paragraph)
    return [scene for scene in scenes if scene.paragraphs]


def opens_with_break(text: str) -> bool:
    """'Next morning the sky...', 'But that night...', 'अगले दिन सुबह...'"""
    words = text.split()[:8]
    if words and words[0].lower().strip(",") in _LEADING_CONNECTIVES:
        words = words[1:]
    start = " ".join(words).lower()
    return any(start.startswith(phrase) and _ends_at_word(start, len(phrase)) for phrase in _BREAKS)


def _ends_at_word(text: str, position: int) -> bool:
    return position == len(text) or not (text[position].isalnum() or "\u0900" <= text[position] <= "\u0963")


def _full(scene: SceneDraft, paragraph: Paragraph) -> bool:
    if scene.words + paragraph.words > MAX_WORDS or len(scene.paragraphs) >= HARD_MAX_PARAGRAPHS:
        return True
    return len(scene.paragraphs) >= MAX_PARAGRAPHS and scene.words >= MIN_WORDS_TO_CLOSE


# --------------------------------------------------------------------------- look


def look(scene: SceneDraft, previous: SceneLook | None, hindi: bool) -> SceneLook:
    """Setting, time of day, weather and mood of a scene (inheriting what it does not say)."""
    words = [word for paragraph in scene.paragraphs for word in WORD_RE.findall(paragraph.text)]
    narrated = [word for piece in _narration(scene) for word in WORD_RE.findall(piece)]
    opening = WORD_RE.findall(scene.paragraphs[0].sentences[0].text) if scene.paragraphs[0].sentences else []
    carry = previous is not None and not scene.breaks_time
    slug_time = scene.slug.time_of_day if scene.slug else None
    earlier_time = previous.time_of_day if previous else TimeOfDay.AFTERNOON
    time_of_day = slug_time or _time_of_day(opening, words) or earlier_time
    weather = _weather(words) or (previous.weather if carry and previous else Weather.CLEAR)
    mood = _mood(words, weather) or (previous.mood if previous else Mood.CALM)
    setting = scene.slug.setting if scene.slug else _setting(narrated, hindi) or _setting(words, hindi)
    setting = setting or (previous.setting if previous else _default_setting(hindi))
    return SceneLook(setting, time_of_day, weather, mood)


def _narration(scene: SceneDraft) -> list[str]:
    return [piece.text for paragraph in scene.paragraphs for piece in paragraph.pieces() if not piece.dialogue]


def _time_of_day(opening: list[str], words: list[str]) -> TimeOfDay | None:
    for scope in (opening, words):
        counts = lexicon.count_hits(scope, lexicon.TIME_EN, lexicon.TIME_HI)
        if counts:
            return max(counts, key=lambda t: counts[t])
    return None


def _weather(words: list[str]) -> Weather | None:
    counts = lexicon.count_hits(words, lexicon.WEATHER_EN, lexicon.WEATHER_HI)
    return next((weather for weather in lexicon.WEATHER_PRECEDENCE if counts.get(weather)), None)


def _mood(words: list[str], weather: Weather | None) -> Mood | None:
    counts = Counter(lexicon.count_hits(words, lexicon.MOOD_EN, lexicon.MOOD_HI))
    if weather in lexicon.MOOD_FROM_WEATHER:
        counts[lexicon.MOOD_FROM_WEATHER[weather]] += 2
    if not counts:
        return None
    order = list(Mood)
    return max(counts, key=lambda mood: (counts[mood], -order.index(mood)))


def _setting(words: list[str], hindi: bool) -> str:
    """Up to three places named in the scene, most named first: 'small stone cottage, village, river'."""
    places: Counter[str] = Counter()
    for index, word in enumerate(words):
        phrase = _place_phrase(words, index) if word.isascii() else _hindi_place_phrase(words, index)
        if phrase:
            places[phrase] += 1
    nouns: dict[str, str] = {}
    for phrase, _ in places.most_common():
        nouns.setdefault(phrase.split()[-1], phrase)
    setting = ", ".join(list(nouns.values())[:3])
    return f"{setting}, India" if setting and hindi else setting


def _place_phrase(words: list[str], index: int) -> str:
    noun = words[index].lower()
    if noun not in lexicon.PLACES_EN:
        return ""
    adjectives = [w.lower() for w in words[max(0, index - 2) : index] if w.lower() in lexicon.SETTING_ADJECTIVES_EN]
    return " ".join([*adjectives, noun])


def _hindi_place_phrase(words: list[str], index: int) -> str:
    place = lexicon.stem_lookup(words[index], lexicon.PLACES_HI)
    if place is None:
        return ""
    adjective = lexicon.stem_lookup(words[index - 1], lexicon.SETTING_ADJECTIVES_HI) if index else None
    return f"{adjective} {place}" if adjective else place


def _default_setting(hindi: bool) -> str:
    return "Indian village" if hindi else "countryside"


# --------------------------------------------------------------------------- words


def title_for(scene: SceneDraft) -> str:
    """The heading, else the first words of the scene's first sentence."""
    if scene.title:
        return scene.title
    first = scene.paragraphs[0].sentences[0].text if scene.paragraphs[0].sentences else ""
    words = first.split()
    title = " ".join(words[:_TITLE_WORDS]).rstrip(",;:—–-.!?।\"”’'")
    return title + ("…" if len(words) > _TITLE_WORDS else "")


def summary_for(scene: SceneDraft, count_names: Callable[[str], int]) -> str:
    """The scene's most telling narrated sentence: the one naming most characters, first if tied."""
    sentences = [s for p in scene.paragraphs for s in p.sentences if not any(piece.dialogue for piece in s.pieces)]
    if not sentences:
        sentences = [s for p in scene.paragraphs for s in p.sentences]
    if not sentences:
        return ""
    best = max(sentences, key=lambda sentence: count_names(sentence.text))
    words = best.text.split()
    return " ".join(words[:_SUMMARY_WORDS]) + ("…" if len(words) > _SUMMARY_WORDS else "")
