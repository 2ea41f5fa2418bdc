"""One keyframe per shot: a flat illustration composed from the shot's words and its scene.

Read top to bottom, draw_keyframe paints the sky in the scene's light, the place the words
name (with the props they mention) on a background plate, the shot's characters on a
foreground plate, then the weather, the mood's grade and a vignette. The landscape's layout and
the sky come from the scene (every shot of a scene shows the same village under the same clouds,
framed by the shot's type); the people's places come from the shot's seed. The same inputs always
give the same picture.

Everything behind the people (sky, place, props, fog, depth-of-field blur: the backdrop) is made
from a `Backdrop`, which holds exactly what it is drawn from, so the backdrop is drawn once and
reused by the scene's other shots that share it (a small LRU cache; on the Treasure Island
storyboard 57% of 418 shots hit with 3 entries). The backdrop is most of the drawing time: the
full-frame compositing, the blur of mediums and close-ups.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from services.visual.backends.animatic import landscapes, props, shapes, sky, weather
from services.visual.backends.animatic.figures import Look, Pose, draw_figure, look_of
from services.visual.backends.animatic.finish import grade, over, to_image, vignette
from services.visual.backends.animatic.paint import Painter
from services.visual.backends.animatic.palette import GRADES, LIGHTS, OVERCAST, Light, lit_by, mix
from services.visual.backends.animatic.places import WATER_PLACES, Place, choose_place, water_nearby
from storyreel.domain import Character, Scene, Shot, ShotType, TimeOfDay, Weather

HORIZON = {ShotType.ESTABLISHING: 0.58, ShotType.WIDE: 0.6, ShotType.MEDIUM: 0.62, ShotType.CLOSE_UP: 0.62}


@dataclass(frozen=True)
class Framing:
    adult_height: float
    """An adult's height as a fraction of the picture's height."""
    feet: float
    """Where feet stand, as a fraction of the picture's height (below 1: out of frame)."""
    most_shown: int
    background_blur: float
    """Depth of field: blur of everything behind the people, as a fraction of the height."""


FRAMINGS = {
    ShotType.ESTABLISHING: Framing(0.13, 0.86, 6, 0.0),
    ShotType.WIDE: Framing(0.26, 0.92, 5, 0.0),
    ShotType.MEDIUM: Framing(0.56, 1.04, 3, 0.002),
    ShotType.CLOSE_UP: Framing(1.1, 1.36, 2, 0.005),
}
CLOUDS = {Weather.CLEAR: 2, Weather.CLOUDY: 7, Weather.RAIN: 9, Weather.SNOW: 6, Weather.FOG: 2, Weather.STORM: 11}
NO_WATERFRONT = (*WATER_PLACES, Place.INTERIOR, Place.MARKET, Place.CITY, Place.DESERT)
LAMPLIT_ROOM = (0.62, 0.5, 0.4)
KEY_LIGHT = 0.3
"""How much of the way from the scene's light to plain white light falls on the people."""
DAYLIT_ROOM = (1.0, 0.95, 0.86)


@dataclass(frozen=True)
class Keyframe:
    image: Image.Image
    place: Place
    focus: tuple[float, float]
    """Where the eye goes (the people's faces), as fractions of width and height: a push-in aims here."""


@dataclass(frozen=True)
class ShotWords:
    """The texts a shot is drawn from, by how much each says about the picture."""

    setting: str
    prompt: str
    lines: str
    summary: str
    """The scene's title and summary: they may name the place, but tell nothing about this shot's props."""

    @classmethod
    def of(cls, shot: Shot, scene: Scene) -> ShotWords:
        lines = " ".join(line.text for line in shot.lines)
        return cls(scene.setting, shot.visual_prompt, lines, f"{scene.title} {scene.summary}")

    def weighted(self) -> list[tuple[str, int]]:
        return [(self.setting, 3), (self.prompt, 2), (f"{self.lines} {self.summary}", 1)]

    def things(self) -> set[str]:
        """The props this shot's words (and the scene's setting) mention."""
        return props.props_in(f"{self.prompt} {self.lines}", setting=self.setting)


@dataclass(frozen=True)
class Backdrop:
    """Everything the backdrop is drawn from, and nothing else: the backdrop cache's key."""

    width: int
    height: int
    scene_id: str
    setting: str
    time_of_day: TimeOfDay
    weather: Weather
    shot_type: ShotType
    place: Place
    things: frozenset[str]
    people: bool
    """Whether the shot has people (a lantern is then held, not stood on the ground)."""
    waterfront: bool

    @property
    def light(self) -> Light:
        return light_for(self.place, self.time_of_day)

    @property
    def horizon(self) -> float:
        return self.height * HORIZON[self.shot_type]

    def draw(self) -> sky.Pixels:
        """The sky in the scene's light, the place and its props, fog, and the framing's blur."""
        width, height, horizon, light = self.width, self.height, self.horizon, self.light
        overcast = OVERCAST[self.weather]
        sky_rng = random.Random(zlib.crc32(f"{self.scene_id}|{self.setting}|{self.shot_type.value}|sky".encode()))
        scene_rng = random.Random(zlib.crc32(f"{self.scene_id}|{self.setting}".encode()))
        haze = sky.horizon_colour(light, overcast)

        pixels = sky.gradient(width, height, horizon, light, overcast)
        sky.add_stars(pixels, light, overcast, horizon, sky_rng)
        sky.add_sun_or_moon(pixels, light, overcast, height, "moon" in self.things)
        if self.weather == Weather.STORM and sky_rng.random() < 0.6:
            weather.lightning(pixels, horizon, sky_rng)
        cloud_colour = sky.cloud_colour(light, self.weather in (Weather.RAIN, Weather.STORM))
        over(pixels, sky.clouds(width, height, horizon, CLOUDS[self.weather], cloud_colour, sky_rng))

        back = Painter(
            width,
            height,
            haze,
            scene_rng,
            snow=1.0 if self.weather == Weather.SNOW else 0.0,
            haze_strength=1.7 if self.weather == Weather.FOG else 1.0,
            tint=light.tint,
            reflection=sky.reflected(light, overcast),
        )
        landscapes.LANDSCAPES[self.place](back, horizon, light.lamps_lit)
        if self.waterfront:
            landscapes.draw_waterfront(back, horizon)
        place_props(back, self.place, set(self.things), horizon, light.lamps_lit, people=self.people)
        show(pixels, back, light)
        if self.weather == Weather.FOG:
            fog_colour = mix(light.horizon, (200, 204, 210), 0.6)
            weather.fog(pixels, horizon, lit_by(fog_colour, light.tint))
        blur = FRAMINGS[self.shot_type].background_blur
        return blurred(pixels, blur * height) if blur else pixels


class BackdropCache:
    """The last few backdrops drawn, by what they were drawn from. Thread-safe; each caller gets
    its own copy to draw on. Two shots missing the same backdrop at once both draw it."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.hits = self.misses = 0
        self._kept: OrderedDict[Backdrop, sky.Pixels] = OrderedDict()
        self._lock = threading.Lock()

    def pixels(self, backdrop: Backdrop) -> sky.Pixels:
        with self._lock:
            kept = self._kept.get(backdrop)
            if kept is not None:
                self._kept.move_to_end(backdrop)
                self.hits += 1
                return kept.copy()
            self.misses += 1
        pixels = backdrop.draw()
        if self.entries > 0:
            with self._lock:
                self._kept[backdrop] = pixels.copy()
                self._kept.move_to_end(backdrop)
                while len(self._kept) > self.entries:
                    self._kept.popitem(last=False)
        return pixels

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


BACKDROP_ENTRIES = 3
"""Backdrops kept per process: 25 MB each for a 720p clip's 1920x1080 keyframe (56 MB at 1080p).
3 catch 57% of shots on the Treasure Island storyboard (4: 58%, 1: 41%)."""
BACKDROPS = BackdropCache(BACKDROP_ENTRIES)


def draw_keyframe(
    shot: Shot,
    scene: Scene,
    characters: Sequence[Character],
    width: int,
    height: int,
    vignetted: bool = True,
    looks: Mapping[str, Look] | None = None,
    backdrops: BackdropCache = BACKDROPS,
) -> Keyframe:
    """`looks`: the cast sheet's look of characters that have a reference picture (portrait.py).
    `backdrops`: where the backdrop is looked up (and kept)."""
    words = ShotWords.of(shot, scene)
    place = choose_place(words.weighted())
    things = words.things()
    backdrop = Backdrop(
        width,
        height,
        scene.id,
        scene.setting,
        scene.time_of_day,
        scene.weather,
        shot.shot_type,
        place,
        frozenset(things),
        people=bool(shot.character_ids),
        waterfront=place not in NO_WATERFRONT
        and bool(water_nearby(f"{words.setting} {words.prompt}") or "boat" in things),
    )
    pixels = backdrops.pixels(backdrop)
    light = backdrop.light
    haze = sky.horizon_colour(light, OVERCAST[scene.weather])
    shot_rng = random.Random(shot.seed)

    framing = FRAMINGS[shot.shot_type]
    front = Painter(width, height, haze, shot_rng)
    focus = draw_people(front, shot, characters, framing, "lantern" in things, light.lamps_lit, looks or {})
    show(pixels, front, dataclasses.replace(light, tint=key_light(light.tint)))

    falling = weather.precipitation(width, height, scene.weather, shot_rng)
    if falling is not None:
        over(pixels, falling)
    grade(pixels, GRADES[scene.mood])
    if vignetted:
        vignette(pixels)
    return Keyframe(to_image(pixels), place, focus)


def light_for(place: Place, time_of_day: TimeOfDay) -> Light:
    """The time of day's light; indoors it is the lamp's or the window's."""
    light = LIGHTS[time_of_day]
    if place != Place.INTERIOR:
        return light
    return dataclasses.replace(light, tint=LAMPLIT_ROOM if light.lamps_lit else DAYLIT_ROOM)


def key_light(tint: tuple[float, float, float]) -> tuple[float, float, float]:
    """People get more light than the land behind them, so they read even at night (a film's key light)."""
    r, g, b = (value + (1.0 - value) * KEY_LIGHT for value in tint)
    return r, g, b


def show(pixels: sky.Pixels, plate: Painter, light: Light) -> None:
    """Lay a plate over the picture: its surfaces in the scene's light, its lights as they are."""
    over(pixels, plate.surface, light.tint)
    over(pixels, plate.lights)
    for halo in plate.halos:
        sky.add_glow(pixels, halo.x, halo.y, halo.radius, halo.colour, halo.strength)


def blurred(pixels: sky.Pixels, radius: float) -> sky.Pixels:
    image = to_image(pixels).filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(image, dtype=np.float32) * np.float32(1 / 255)


def place_props(p: Painter, place: Place, things: set[str], horizon: float, lit: bool, people: bool) -> None:
    """The props the words mention, where such things stand in a landscape (a lantern is held when
    there are people to hold it)."""
    side = 1 if p.rng.random() < 0.5 else -1
    outdoors = place != Place.INTERIOR
    place_story_props(p, things, horizon, lit, side, outdoors)
    if "tree" in things and place != Place.FOREST:
        shapes.round_tree(p, p.width * (0.5 + side * 0.4), p.height * 1.02, p.unit * 0.62, landscapes.FOLIAGE)
    for top, bottom in p.water if "boat" in things else []:
        for index in range(2 + p.rng.randrange(2)):
            waterline = top + (bottom - top) * (0.3 + 0.5 * p.rng.random())
            size = p.unit * 0.16 * (waterline - top + p.unit * 0.05) / (bottom - top + p.unit * 0.05)
            props.boat(p, p.width * (index + 0.3 + 0.4 * p.rng.random()) / 3, waterline, size, 0.15, lit)
    well_x = p.width * (0.5 - side * 0.28)
    if "well" in things:
        props.well(p, well_x, horizon + p.unit * 0.25, p.unit * 0.2, 0.05)
    if "lamp" in things:
        base = horizon + p.unit * 0.25 - p.unit * 0.07 if "well" in things else p.height * 0.9
        props.lamp(p, well_x if "well" in things else p.width * 0.56, base, p.unit * 0.035, lit)
    if "lantern" in things and not people:
        props.lantern(p, p.width * (0.5 + side * 0.1), p.height * 0.9 - p.unit * 0.06, p.unit * 0.06, lit)
    if "fire" in things:
        props.fire(p, p.width * (0.5 + side * 0.12), p.height * 0.9, p.unit * 0.07)


def place_story_props(p: Painter, things: set[str], horizon: float, lit: bool, side: int, outdoors: bool) -> None:
    """The stories' common nouns (props.py), far things first: a road and birds only outdoors, a
    house outdoors (a room has its own door and window), an island only on water, a lighthouse
    on the shore (or the horizon), the animals and furniture on the ground to either side."""
    if "road" in things and outdoors:
        props.road(p, horizon, p.width * (0.5 - side * 0.1))
    if "bird" in things and outdoors:
        props.birds(p, horizon)
    shore = p.water[0][0] if p.water else horizon
    if "island" in things and p.water:
        top, bottom = p.water[0]
        props.island(p, p.width * (0.5 - side * 0.15), top + (bottom - top) * 0.3, p.unit * 0.14, 0.3)
    if "lighthouse" in things and outdoors:
        props.lighthouse(p, p.width * (0.5 + side * 0.36), shore + p.unit * 0.01, p.unit * 0.3, lit)
    if "house" in things and outdoors:
        shapes.house(p, p.width * (0.5 - side * 0.36), horizon + p.unit * 0.1, p.unit * 0.2, landscapes.PLASTER,
                     landscapes.ROOF_TILE, 0.1, lit)  # fmt: skip
    if "cave" in things and outdoors:
        props.cave(p, p.width * (0.5 - side * 0.08), horizon + p.unit * 0.08, p.unit * 0.16)
    if "elephant" in things:
        props.animal(p, "elephant", p.width * (0.5 + side * 0.34), horizon + p.unit * 0.2, p.unit * 0.2, -side)
    if "horse" in things:
        props.animal(p, "horse", p.width * (0.5 - side * 0.3), horizon + p.unit * 0.22, p.unit * 0.16, side)
    if "bed" in things:
        props.bed(p, p.width * (0.5 + side * 0.34), p.height * 0.95, p.unit * 0.35)
    if "table" in things:
        props.table(p, p.width * (0.5 - side * 0.32), p.height * 0.95, p.unit * 0.26)
    if "rock" in things:
        props.rock(p, p.width * (0.5 + side * 0.4), p.height * 0.96, p.unit * 0.12)
    if "dog" in things:
        props.animal(p, "dog", p.width * (0.5 - side * 0.2), p.height * 0.95, p.unit * 0.09, side)
    if "cat" in things:
        props.animal(p, "cat", p.width * (0.5 + side * 0.12), p.height * 0.95, p.unit * 0.08, -side)


def draw_people(
    p: Painter,
    shot: Shot,
    characters: Sequence[Character],
    framing: Framing,
    lantern: bool,
    lit: bool,
    looks: Mapping[str, Look],
) -> tuple[float, float]:
    """The shot's characters, spread around the middle and facing each other; returns the focus."""
    known = {character.id: character for character in characters}
    cast = [known.get(cid) or Character(id=cid, name=cid) for cid in shot.character_ids][: framing.most_shown]
    poses = poses_for(len(cast), framing, p.width, p.height, p.rng)
    for index, (character, pose) in enumerate(zip(cast, poses, strict=True)):
        hand = draw_figure(p, looks.get(character.id) or look_of(character), pose)
        if lantern and index == 0:
            props.lantern(p, hand[0], hand[1], pose.height * 0.16, lit)
    if not poses:
        return 0.5, HORIZON[shot.shot_type]
    centre = sum(pose.x for pose in poses) / len(poses)
    head = poses[0].feet_y - poses[0].height * 0.9
    return centre / p.width, min(1.0, max(0.0, head / p.height))


def poses_for(count: int, framing: Framing, width: int, height: int, rng: random.Random) -> list[Pose]:
    """Where `count` people stand: a group around the middle, the outer ones turned inwards."""
    size = framing.adult_height * height
    spacing = min(size * 0.55, width * 0.7 / max(1, count - 1)) if count > 1 else 0.0
    if framing.adult_height > 1:
        spacing = width * 0.34
    drift = 0.0 if framing.adult_height > 0.5 else width * 0.08 * (rng.random() - 0.5)
    centre = width / 2 + drift
    poses = []
    for index in range(count):
        offset = (index - (count - 1) / 2) * spacing
        x = centre + offset + spacing * 0.15 * (rng.random() - 0.5)
        facing = (1 if rng.random() < 0.5 else -1) if count == 1 or offset == 0 else (1 if offset < 0 else -1)
        feet = framing.feet * height + size * 0.03 * (rng.random() - 0.5)
        poses.append(Pose(x, feet, size * (0.96 + 0.08 * rng.random()), facing))
    return poses
