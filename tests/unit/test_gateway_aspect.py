"""The job's frame shape: a profile names its wide frame; 9:16 turns it on its side, 1:1 keeps its height."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.jobs import JobOptions
from gateway.messages import FilmProfile
from storyreel.profiles import Aspect, ProfileName


@pytest.mark.parametrize(("profile", "aspect", "size"), [
    (None, Aspect.WIDE, (320, 180)),
    (None, Aspect.TALL, (180, 320)),
    (ProfileName.PREVIEW, Aspect.TALL, (360, 640)),
    (ProfileName.HD720, Aspect.SQUARE, (720, 720)),
    (ProfileName.HD1080, Aspect.WIDE, (1920, 1080)),
    (ProfileName.HD1080, Aspect.TALL, (1080, 1920)),
])
def test_the_film_size_follows_profile_and_shape(
    profile: ProfileName | None, aspect: Aspect, size: tuple[int, int]
) -> None:
    film = FilmProfile.for_job(JobOptions(profile=profile, aspect=aspect), 320, 180, 24)
    assert (film.width, film.height, film.fps, film.name) == (*size, 24, profile)


def test_a_shape_other_than_the_three_is_refused() -> None:
    with pytest.raises(ValidationError, match="'16:9', '9:16' or '1:1'"):
        JobOptions.model_validate({"aspect": "4:3"})


def test_the_default_is_wide() -> None:
    assert JobOptions().aspect is Aspect.WIDE
