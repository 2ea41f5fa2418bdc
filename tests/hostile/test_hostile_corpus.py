"""The hostile corpus (tests/hostile/stories, tests/hostile/music), posted to the gateway: each
file is either a clear 422 at the door, with the reason and nothing stored, or accepted, and
then what was stored plans (with the real rules planner) into requests every service accepts,
timed from synthetic speech and composed as the gateway would (tests/property/pipeline_requests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.gateway_fakes import STORY, FakeServices, gateway
from tests.property.pipeline_requests import accepted

HERE = Path(__file__).parent
STORIES = sorted((HERE / "stories").iterdir())
MUSIC = sorted((HERE / "music").iterdir())
REFUSED = {
    "cjk.txt": "written in Chinese/Japanese (CJK) script",
    "emoji_only.txt": "no words a voice can read",
    "punctuation_only.txt": "no words a voice can read",
    "rtl_arabic.txt": "written in Arabic script",
    "rtl_hebrew.txt": "written in Hebrew script",
    "text_named.mp3": "it is text, not audio",
    "truncated.mp3": "cut short",
    "truncated.wav": "cut short",
    "truncated.flac": "its last flac frame is incomplete",
    "header_claims_hours.wav": "its header says 3.0 hours of audio",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp_path = tmp_path_factory.mktemp("hostile")
    fakes = FakeServices(tmp_path / "artifacts").start()
    try:
        with gateway(tmp_path, fakes) as test_client:
            yield test_client
    finally:
        fakes.stop()


def _jobs(client: TestClient) -> int:
    return int(client.get("/v1/jobs").json()["total"])


def _outcome(client: TestClient, response: object, name: str, before: int) -> str:
    status = response.status_code  # type: ignore[attr-defined]
    detail = response.json().get("detail", "")  # type: ignore[attr-defined]
    if name in REFUSED:
        assert status == 422, (name, status, detail)
        assert REFUSED[name] in detail, (name, detail)
        assert _jobs(client) == before, f"{name}: a refused submission stores nothing"
        return "refused"
    assert status == 202, (name, status, detail)
    return "accepted"


def test_the_corpus_is_what_the_issue_lists() -> None:
    names = {path.name for path in STORIES}
    for wanted in ("quotes_inside_quotes.txt", "json_story.json", "emoji_only.txt", "rtl_arabic.txt",
                   "nul_inside.txt", "five_thousand_one_word_paragraphs.txt", "ffmpeg_metacharacters.txt",
                   "markdown_noise.md", "mixed_hindi_english.txt"):
        assert wanted in names
    assert (HERE / "stories" / "five_thousand_one_word_paragraphs.txt").read_text().count("\n\n") == 4999
    assert b"\x00" in (HERE / "stories" / "nul_inside.txt").read_bytes()


@pytest.mark.parametrize("path", STORIES, ids=[path.name for path in STORIES])
def test_each_story_is_refused_at_the_door_or_makes_only_valid_requests(client: TestClient, path: Path) -> None:
    before = _jobs(client)
    response = client.post("/v1/jobs", files={"story_file": (path.name, path.read_bytes())})
    if _outcome(client, response, path.name, before) == "refused":
        as_json = client.post("/v1/jobs", json={"story": path.read_text(encoding="utf-8")})
        assert as_json.status_code == 422 and as_json.json()["detail"] == response.json()["detail"]
        return
    job_id = response.json()["id"]
    client.delete(f"/v1/jobs/{job_id}")  # the fakes' film of it proves nothing; the checks below do
    record = client.app.state.gateway.store.get(job_id)  # type: ignore[attr-defined]
    checked = accepted(record.request)
    assert checked.shots >= 1 and checked.lines >= 1 and checked.cues >= 1


@pytest.mark.parametrize("path", MUSIC, ids=[path.name for path in MUSIC])
def test_each_music_file_is_refused_at_the_door_or_accepted(client: TestClient, path: Path) -> None:
    before = _jobs(client)
    files = {"story_file": ("s.txt", STORY.encode()), "music_file": (path.name, path.read_bytes())}
    response = client.post("/v1/jobs", files=files)
    outcome = _outcome(client, response, path.name, before)
    assert outcome == ("refused" if path.name in REFUSED else "accepted")
    if outcome == "accepted":
        client.delete(f"/v1/jobs/{response.json()['id']}")
