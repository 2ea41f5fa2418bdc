"""Which place a scene shows, chosen from its words (English and Hindi)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from services.visual.backends.animatic.words import mentions


class Place(StrEnum):
    INTERIOR = "interior"
    MARKET = "market"
    PALACE = "palace"
    CITY = "city"
    VILLAGE = "village"
    SEA = "sea"
    LAKE = "lake"
    RIVER = "river"
    FOREST = "forest"
    DESERT = "desert"
    HILLS = "hills"
    MOUNTAINS = "mountains"
    FIELD = "field"
    COUNTRYSIDE = "countryside"
    """Rolling land with a few trees: what a scene with no place words shows."""


KEYWORDS: dict[Place, tuple[str, ...]] = {
    Place.INTERIOR: (
        "room",
        "interior",
        "inside",
        "indoors",
        "kitchen",
        "bedroom",
        "hall",
        "कमरा",
        "कमरे",
        "रसोई",
        "अंदर",
        "भीतर",
    ),
    Place.MARKET: ("market", "bazaar", "bazar", "stall", "shop", "बाज़ार", "बाजार", "मेला", "मेले", "दुकान"),
    Place.PALACE: (
        "palace",
        "fort",
        "castle",
        "temple",
        "court",
        "kingdom",
        "throne",
        "महल",
        "किला",
        "किले",
        "मंदिर",
        "दरबार",
    ),
    Place.CITY: ("city", "town", "street", "building", "lane", "alley", "शहर", "नगर", "सड़क", "गली"),
    Place.VILLAGE: ("village", "hamlet", "cottage", "hut", "houses", "गाँव", "गांव", "झोपड़ी", "बस्ती"),
    Place.SEA: ("sea", "ocean", "shore", "beach", "coast", "harbour", "harbor", "waves", "समुद्र", "सागर"),
    Place.LAKE: ("lake", "pond", "pool", "तालाब", "झील", "सरोवर"),
    Place.RIVER: ("river", "stream", "riverbank", "ghat", "नदी", "धारा", "घाट"),
    Place.FOREST: ("forest", "woods", "jungle", "grove", "trees", "जंगल", "वन"),
    Place.DESERT: ("desert", "dune", "sand", "रेगिस्तान", "मरुस्थल", "रेत"),
    Place.HILLS: ("hill", "hillside", "slope", "पहाड़ी", "टीला", "टीले"),
    Place.MOUNTAINS: ("mountain", "peak", "cliff", "summit", "valley", "पर्वत", "पहाड़", "चोटी"),
    Place.FIELD: ("field", "farm", "meadow", "crop", "wheat", "paddy", "खेत", "फसल"),
    Place.COUNTRYSIDE: (),
}

WATER_PLACES = (Place.SEA, Place.LAKE, Place.RIVER)


def choose_place(weighted_texts: Sequence[tuple[str, int]]) -> Place:
    """The place whose words occur most, counting each text by its weight.

    The scene's setting is the strongest witness, the visual prompt next, the narration last;
    on a tie the more specific place (earlier in Place) wins.
    """
    best, best_score = Place.COUNTRYSIDE, 0
    for place, keywords in KEYWORDS.items():
        score = sum(weight * mentions(text, keywords) for text, weight in weighted_texts)
        if score > best_score:
            best, best_score = place, score
    return best


def water_nearby(text: str) -> Place | None:
    """A river, lake or sea the words mention, which a land scene shows in front of it."""
    counts = {place: mentions(text, KEYWORDS[place]) for place in WATER_PLACES}
    place, count = max(counts.items(), key=lambda item: item[1])
    return place if count else None
