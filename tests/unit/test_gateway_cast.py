"""The cast sheet through the gateway, with the fake services: one reference picture per
character, made once and given to every shot of that character (and no other); a user's picture
or another take re-renders exactly that character's shots, then the film; a bad picture is
refused at the door with the job unchanged; GET .../characters links to the pictures."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from gateway import messages
from gateway.jobs import JobOptions
from storyreel.convert import to_proto
from storyreel.domain import Character, Scene, Shot, Storyboard, Voice
from storyreel.storyboard.v1 import storyboard_pb2 as sb
from tests.gateway_fakes import FakeServices, finished, gateway, submit

MEERAS_SHOTS = {"s01_01", "s03_01"}  # the fake planner puts Meera in the sentences that name her
EVERY_SHOT = {"s01_01", "s01_02", "s02_01", "s02_02", "s03_01"}


@pytest.fixture
def done_job(client: TestClient) -> str:
    job_id = submit(client)
    assert finished(client, job_id)["state"] == "done"
    return job_id


def picture(colour: tuple[int, int, int], size: tuple[int, int] = (64, 96), kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=kind)
    return out.getvalue()


def done(client: TestClient, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = finished(client, job_id)
    assert job["state"] == "done", job["error"]
    return job


def calls_since(fakes: FakeServices, before: Counter[tuple[str, str]]) -> dict[tuple[str, str], int]:
    return {key: count - before[key] for key, count in fakes.calls.items() if count > before[key]}


def clip_links(job: dict[str, Any]) -> dict[str, str]:
    """Each shot's clip link: it carries the hash of the request that made the clip."""
    return {shot["id"]: shot["links"]["clip"] for shot in job["shots"]}


def references_since(fakes: FakeServices, start: int) -> dict[str, dict[str, str]]:
    """The reference keys each shot rendered since call `start` got (the latest per shot)."""
    return {shot: refs for shot, refs, _ in fakes.shot_references[start:]}


def cast_key(client: TestClient, job_id: str, character_id: str) -> str:
    stored = client.app.state.gateway.store.result(job_id, f"cast/{character_id}")  # type: ignore[attr-defined]
    assert stored is not None, f"no cast picture of {character_id}"
    return str(stored["picture"])


def put_picture(client: TestClient, job_id: str, character_id: str, body: bytes, kind: str = "image/png") -> Any:
    headers = {"Content-Type": kind} if body else {}
    return client.put(f"/v1/jobs/{job_id}/characters/{character_id}/reference", content=body, headers=headers)


# ---------------------------------------------------------------------- made once, reused

def test_the_cast_is_made_once_per_character_and_every_shot_of_hers_is_drawn_from_it(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    assert fakes.count("RenderReference") == 1 and fakes.count("RenderReference", "meera") == 1
    made = fakes.reference_requests[0]
    assert made.character.description == "an old woman in a blue shawl"
    assert made.character.voice == to_proto(Voice(), sb.Voice), "looks, not voice: a voice edit redraws nothing"
    assert made.seed == 0 and not made.upload_key and (made.width, made.height) == (0, 0)
    key = cast_key(client, done_job, "meera")
    assert key.startswith(f"jobs/{done_job}/cast/meera-") and key.endswith(".png")
    with Image.open(fakes.files.path(key)) as portrait:
        assert portrait.format == "PNG" and portrait.size == (768, 1152)  # the backend's default portrait
    got = references_since(fakes, 0)
    assert set(got) == EVERY_SHOT
    assert {shot for shot, refs in got.items() if refs} == MEERAS_SHOTS
    assert all(got[shot] == {"meera": key} for shot in MEERAS_SHOTS)
    before, shots = fakes.calls.copy(), len(fakes.shot_references)
    response = client.post(f"/v1/jobs/{done_job}/render", json={})  # run again: nothing changed
    assert response.status_code == 202
    done(client, done_job)
    assert calls_since(fakes, before) == {} and len(fakes.shot_references) == shots, "a rerun makes nothing"


def test_a_restarted_gateway_makes_no_cast_picture_again(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes) as client:
        job_id = submit(client)
        done(client, job_id)
    before = fakes.calls.copy()
    with gateway(tmp_path, fakes) as client:
        assert client.post(f"/v1/jobs/{job_id}/render", json={}).status_code == 202
        done(client, job_id)
    assert fakes.count("RenderReference") == 1 and calls_since(fakes, before) == {}


# ---------------------------------------------------------------------- a user's picture, another take

def test_a_users_picture_reaches_every_shot_of_that_character_and_no_other(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    board = client.get(f"/v1/jobs/{done_job}/storyboard").json()
    board["characters"].append({"id": "tom", "name": "Tom", "description": "a fisherman in a yellow coat"})
    board["scenes"][1]["shots"][0]["character_ids"] = ["tom"]  # s02_01
    assert client.put(f"/v1/jobs/{done_job}/storyboard", json=board).status_code == 202
    before_job = done(client, done_job)
    toms = cast_key(client, done_job, "tom")
    assert references_since(fakes, 0)["s02_01"] == {"tom": toms}
    before, start = fakes.calls.copy(), len(fakes.shot_references)

    response = put_picture(client, done_job, "meera", picture((200, 30, 40)))
    assert response.status_code == 202, response.text
    assert response.json()["revision"] == before_job["revision"] + 1
    after_job = done(client, done_job)

    assert calls_since(fakes, before) == {("RenderReference", "meera"): 1, ("RenderShot", "s01_01"): 1,
                                          ("RenderShot", "s03_01"): 1, ("Compose", ""): 1}
    upload = fakes.reference_requests[-1].upload_key
    assert upload.startswith(f"jobs/{done_job}/upload/cast/meera-") and upload.endswith(".png")
    meeras = cast_key(client, done_job, "meera")
    got = references_since(fakes, start)
    assert set(got) == MEERAS_SHOTS and all(got[shot] == {"meera": meeras} for shot in MEERAS_SHOTS)
    changed = {s for s, link in clip_links(after_job).items() if clip_links(before_job)[s] != link}
    assert changed == MEERAS_SHOTS
    assert cast_key(client, done_job, "tom") == toms
    with Image.open(fakes.files.path(meeras)) as stored:
        assert stored.format == "PNG" and stored.size == (64, 96) and stored.getpixel((5, 5)) == (200, 30, 40)
    cast = {c["id"]: c for c in client.get(f"/v1/jobs/{done_job}/characters").json()}
    assert cast["meera"]["picture"]["uploaded"] is True and cast["tom"]["picture"]["uploaded"] is False

    before = fakes.calls.copy()  # a JPEG works too, and replaces the PNG
    assert put_picture(client, done_job, "meera", picture((20, 90, 200), kind="JPEG"), "image/jpeg").status_code == 202
    done(client, done_job)
    assert calls_since(fakes, before) == {("RenderReference", "meera"): 1, ("RenderShot", "s01_01"): 1,
                                          ("RenderShot", "s03_01"): 1, ("Compose", ""): 1}
    assert not fakes.files.path(upload).exists(), "the replaced upload is removed"


def test_another_take_of_one_cast_member_rerenders_exactly_her_shots_then_the_film(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    before_job = client.get(f"/v1/jobs/{done_job}").json()
    film = client.get(before_job["links"]["video"]).content
    portrait = fakes.files.path(cast_key(client, done_job, "meera")).read_bytes()
    before = fakes.calls.copy()
    response = put_picture(client, done_job, "meera", b"")
    assert response.status_code == 202, response.text
    after_job = done(client, done_job)
    assert calls_since(fakes, before) == {("RenderReference", "meera"): 1, ("RenderShot", "s01_01"): 1,
                                          ("RenderShot", "s03_01"): 1, ("Compose", ""): 1}
    assert fakes.reference_requests[-1].seed != 0, "another take: another seed"
    assert fakes.files.path(cast_key(client, done_job, "meera")).read_bytes() != portrait
    changed = {s for s, link in clip_links(after_job).items() if clip_links(before_job)[s] != link}
    assert changed == MEERAS_SHOTS
    assert client.get(after_job["links"]["video"]).content != film
    assert len(list((fakes.files.root / "jobs" / done_job / "cast").glob("*.png"))) == 1, "the old take is removed"
    cast = client.get(f"/v1/jobs/{done_job}/characters").json()
    assert cast[0]["picture"]["take"] == 1
    seeds = {fakes.reference_requests[-1].seed}
    assert put_picture(client, done_job, "meera", b"").status_code == 202
    done(client, done_job)
    assert fakes.reference_requests[-1].seed not in seeds and client.get(
        f"/v1/jobs/{done_job}/characters").json()[0]["picture"]["take"] == 2


# ---------------------------------------------------------------------- refused at the door

def _truncated_png() -> bytes:
    whole = picture((10, 200, 10), size=(256, 256))
    return whole[: len(whole) // 2]


@pytest.mark.parametrize(
    ("body", "kind", "status", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n this is not really a png", "image/png", 422, "not a picture Pillow can read"),
        (b"hello", "image/jpeg", 422, "not a picture Pillow can read"),
        (None, "image/png", 422, "damaged"),  # a PNG cut short
        (picture((1, 2, 3), size=(8, 8)), "image/png", 422, "only 8x8 pixels"),
        (picture((1, 2, 3), kind="GIF"), "image/png", 415, "is a GIF picture; give a PNG or JPEG"),
        (picture((1, 2, 3)), "text/plain", 415, "image/png or image/jpeg, not text/plain"),
        (b"\x00" * (50 * 1024 * 1024), "image/png", 413, "50.0 MB, over the 20 MB limit"),
    ],
)
def test_a_bad_picture_is_refused_with_a_reason_and_the_job_is_unchanged(
    client: TestClient, fakes: FakeServices, done_job: str, body: bytes | None, kind: str, status: int, reason: str
) -> None:
    store = client.app.state.gateway.store  # type: ignore[attr-defined]
    job, results, calls = client.get(f"/v1/jobs/{done_job}").json(), store.results(done_job), fakes.calls.copy()
    response = put_picture(client, done_job, "meera", _truncated_png() if body is None else body, kind)
    assert response.status_code == status and reason in response.json()["detail"], response.text
    assert "STORYREEL_GATEWAY_MAX_REFERENCE_MB" in response.json()["detail"] or status != 413
    assert client.get(f"/v1/jobs/{done_job}").json()["revision"] == job["revision"]
    assert store.results(done_job) == results and fakes.calls == calls
    assert not (fakes.files.root / "jobs" / done_job / "upload").exists(), "nothing is stored"


def test_the_picture_limit_is_a_setting(tmp_path: Path, fakes: FakeServices) -> None:
    with gateway(tmp_path, fakes, max_reference_mb=0.01) as client:
        job_id = submit(client)
        done(client, job_id)
        response = put_picture(client, job_id, "meera", picture((9, 9, 9), size=(400, 400), kind="BMP"))
        assert response.status_code == 413 and "over the 0.01 MB limit" in response.json()["detail"]
        chunked = client.put(f"/v1/jobs/{job_id}/characters/meera/reference", headers={"Content-Type": "image/png"},
                             content=iter([b"\0" * 4096] * 4))  # no Content-Length: counted as it comes
        assert chunked.status_code == 413 and "over 0.01 MB" in chunked.json()["detail"], chunked.text
        assert put_picture(client, job_id, "meera", picture((9, 9, 9))).status_code == 202


def test_unknown_characters_and_jobs_are_404(client: TestClient, done_job: str) -> None:
    assert put_picture(client, done_job, "ghost", picture((1, 1, 1))).status_code == 404
    assert client.get(f"/v1/jobs/{done_job}/characters/ghost/reference").status_code == 404
    assert client.get("/v1/jobs/nojob/characters").status_code == 404


# ---------------------------------------------------------------------- GET .../characters

def test_the_characters_are_listed_with_their_look_voice_shots_and_a_working_picture_link(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    cast = client.get(f"/v1/jobs/{done_job}/characters").json()
    assert [c["id"] for c in cast] == ["meera"]
    meera = cast[0]
    assert meera["name"] == "Meera" and meera["description"] == "an old woman in a blue shawl"
    assert set(meera["shots"]) == MEERAS_SHOTS and "engine" in meera["voice"]
    assert meera["picture"] == {"uploaded": False, "take": 0, "width": 768, "height": 1152}
    got = client.get(meera["links"]["picture"])
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert got.content == fakes.files.path(cast_key(client, done_job, "meera")).read_bytes()
    with Image.open(io.BytesIO(got.content)) as shown:
        assert shown.size == (768, 1152)
    assert meera["links"]["reference"] == f"/v1/jobs/{done_job}/characters/meera/reference"
    assert put_picture(client, done_job, "meera", b"").status_code == 202
    done(client, done_job)
    moved = client.get(f"/v1/jobs/{done_job}/characters").json()[0]["links"]["picture"]
    assert moved != meera["links"]["picture"], "a new picture has a new link (no stale browser cache)"
    assert hashlib.sha256(client.get(moved).content).digest() != hashlib.sha256(got.content).digest()


# ---------------------------------------------------------------------- recurring settings

def test_a_place_two_scenes_share_gets_one_picture_that_their_shots_are_drawn_from(
    client: TestClient, fakes: FakeServices, done_job: str
) -> None:
    board = client.get(f"/v1/jobs/{done_job}/storyboard").json()
    board["scenes"][0]["setting"] = "the river bank"
    board["scenes"][2]["setting"] = "The  River bank"  # the same words
    before, start = fakes.calls.copy(), len(fakes.shot_references)
    assert client.put(f"/v1/jobs/{done_job}/storyboard", json=board).status_code == 202
    done(client, done_job)
    settings = [r for r in fakes.reference_requests if r.WhichOneof("subject") == "setting"]
    assert len(settings) == 1 and settings[0].setting.setting == "the river bank"
    made = calls_since(fakes, before)
    assert made[("RenderReference", settings[0].setting.id)] == 1
    rendered = {shot: setting for shot, _, setting in fakes.shot_references[start:]}
    assert set(rendered) == {"s01_01", "s01_02", "s03_01"} and len(set(rendered.values())) == 1, "s02 is elsewhere"
    assert next(iter(rendered.values())).endswith(".png")


# ---------------------------------------------------------------------- what goes into a shot's hash

def test_reference_keys_are_part_of_a_shots_request_hash() -> None:
    meera = Character(id="meera", name="Meera", description="an old woman")
    with_her = Shot(id="a", visual_prompt="by the river", character_ids=["meera"])
    without = Shot(id="b", visual_prompt="the boats")
    scene = Scene(id="s01", shots=[with_her, without])
    board = Storyboard(characters=[meera], scenes=[scene])
    film, options = messages.FilmProfile(320, 180, 24), JobOptions()

    def digest(shot: Shot, cast: messages.CastSheet) -> str:
        return messages.request_hash(messages.render_request(board, scene, shot, options, film, cast))

    one, two = messages.CastSheet({"meera": "jobs/j/cast/meera-1.png"}), messages.CastSheet({"meera": "x-2.png"})
    assert digest(with_her, one) != digest(with_her, two) != digest(with_her, messages.CastSheet())
    assert digest(without, one) == digest(without, two) == digest(without, messages.CastSheet())
    placed = messages.CastSheet({"meera": "x-2.png"}, {"s01": "jobs/j/cast/setting.ab-1.png"})
    assert digest(without, placed) != digest(without, two)
