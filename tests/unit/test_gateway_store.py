"""The job store on SQLite and on a real PostgreSQL server: results, revisions, leases, the event
log, measured rates, an old database brought up to date; and two gateways sharing PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

from gateway import results
from gateway.errors import Superseded
from gateway.jobs import EventKind, JobError, JobRequest, JobState, Step, VoiceChoice
from gateway.store import JobStore, jobs_table, results_table
from gateway.views import job_view, timed_storyboard
from storyreel.domain import Storyboard
from tests.gateway_fakes import FakeServices, finished, gateway, submit, wait
from tests.gateway_postgres import PostgresServer


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer().start()  # fails, naming scripts/setup_postgres.sh, when PostgreSQL is absent
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
def store(database_url: str) -> Iterator[JobStore]:
    job_store = JobStore(database_url)
    yield job_store
    job_store.close()


def new_job(store: JobStore, story: str = "Meera lit the lantern.") -> str:
    return store.create(JobRequest(story=story, voices={"Meera": VoiceChoice(pitch=60)}))


def test_jobs_round_trip_with_their_options_and_errors(store: JobStore) -> None:
    job_id = new_job(store)
    record = store.get(job_id)
    assert record is not None and record.state == JobState.QUEUED and record.revision == 0
    assert record.request.voices["Meera"].pitch == 60
    error = JobError(step=Step.VISUALS, reason="the visual service failed", service="visual", shot_id="s01_02")
    assert store.set_state(job_id, JobState.FAILED, error)
    assert store.get(job_id).error == error  # type: ignore[union-attr]
    assert store.count_by_state()[JobState.FAILED] == 1 and store.count_by_state()[JobState.DONE] == 0
    assert store.get("missing") is None


def test_a_stale_revision_cannot_write(store: JobStore) -> None:
    job_id = new_job(store)
    assert store.set_state(job_id, JobState.RENDERING, revision=0)
    assert store.revise(job_id, JobState.QUEUED) == 1
    assert not store.set_state(job_id, JobState.DONE, revision=0), "the old run's state is refused"
    with pytest.raises(Superseded):
        store.put_result(job_id, "visuals/s01_01", {"hash": "old"}, revision=0)
    with pytest.raises(Superseded):
        store.drop_result(job_id, "visuals/s01_01", revision=0)
    assert store.put_result(job_id, "visuals/s01_01", {"hash": "a", "keys": ["x"]}, revision=1) is None
    assert store.put_result(job_id, "visuals/s01_01", {"hash": "b"}, revision=1) == {"hash": "a", "keys": ["x"]}
    assert store.get(job_id).state == JobState.QUEUED  # type: ignore[union-attr]


def test_the_first_stored_storyboard_wins(store: JobStore) -> None:
    job_id = new_job(store)
    assert store.add_result(job_id, "storyboard", {"storyboard": {"title": "edited"}})
    assert not store.add_result(job_id, "storyboard", {"storyboard": {"title": "planned later"}})
    assert store.result(job_id, "storyboard") == {"storyboard": {"title": "edited"}}


# Results as the gateway stored them before they had models (commit 35d745d and earlier): a
# store written then must still load, and a result read and stored again keeps its shape.
OLD_RESULTS: dict[str, dict[str, object]] = {
    "upload/music": {"key": "jobs/j/upload/music.mp3", "bytes": 1234, "name": "song.mp3"},
    # the old gateway stored storyboard.model_dump(mode="json"): the domain's own shape
    "storyboard": {"storyboard": Storyboard.model_validate({"title": "The lantern", "language": "en", "scenes": [
        {"id": "s01", "title": "Scene 1", "mood": "calm", "shots": [
            {"id": "s01_01", "visual_prompt": "a river at dusk", "lines": [{"text": "Meera lit the lantern."}],
             "duration_s": 3.0, "seed": 7}]}]}).model_dump(mode="json")},
    "speech/s01_01": {"hash": "h1", "keys": ["jobs/j/speech/s01_01-h1.wav"], "key": "jobs/j/speech/s01_01-h1.wav",
                      "duration_s": 2.25, "timings": [[0, 2.25]], "seconds": 0.4},
    "visuals/s01_01": {"hash": "h2", "keys": ["jobs/j/clips/s01_01-h2.mp4", "jobs/j/keyframes/s01_01-h2.png"],
                       "clip": "jobs/j/clips/s01_01-h2.mp4", "keyframe": "jobs/j/keyframes/s01_01-h2.png",
                       "seconds": 6.5},
    "music/track": {"hash": "h3", "keys": ["jobs/j/music/track-h3.wav"], "audio": "jobs/j/music/track-h3.wav",
                    "seconds": 1.0},
    "compose": {"hash": "h4", "video": "jobs/j/film-h4.mp4", "srt": "jobs/j/film-h4.srt",
                "vtt": "jobs/j/film-h4.vtt", "duration_s": 3.0,
                "keys": ["jobs/j/film-h4.mp4", "jobs/j/film-h4.srt", "jobs/j/film-h4.vtt"], "seconds": 0.8},
}
OLD_MODELS: dict[str, type[results.Stored]] = {
    "upload/music": results.MusicUpload, "storyboard": results.StoredStoryboard, "speech/s01_01": results.Spoken,
    "visuals/s01_01": results.Rendered, "music/track": results.Scored, "compose": results.Composed,
}


def test_results_stored_in_the_old_shape_load_and_keep_it(store: JobStore) -> None:
    job_id = new_job(store)
    with store.engine.begin() as conn:  # as an older gateway wrote them: plain JSON rows
        for name, value in OLD_RESULTS.items():
            conn.execute(results_table.insert().values(job_id=job_id, name=name, value=value))
    stored = store.results(job_id)
    for name, model in OLD_MODELS.items():
        loaded = results.load(model, stored[name])
        assert loaded is not None and loaded.to_json() == OLD_RESULTS[name], name
    spoken = results.load(results.Spoken, stored["speech/s01_01"])
    assert spoken is not None and spoken.timing().timings == [(0.0, 2.25)]
    view = job_view(store.get(job_id), results.JobResults(stored))  # type: ignore[arg-type]
    assert view.duration_s == 3.0 and view.links["video"].endswith("?v=h4")
    shot = view.shots[0]
    assert shot.speech_done and shot.visual_done and shot.duration_s == 2.25 and shot.links["clip"].endswith("?v=h2")
    assert view.steps[Step.VISUALS].seconds_per_item == 6.5 and view.scenes[0].music_done
    board = timed_storyboard(results.JobResults(stored), air_s=0.25, min_s=1.0, fps=24)
    assert board is not None and board.shots()[0].duration_s == 2.5

    # written back through the models: the same JSON the old gateway wrote
    for name, model in OLD_MODELS.items():
        store.put_result(job_id, name, results.load(model, stored[name]))  # type: ignore[arg-type]
    assert store.results(job_id) == OLD_RESULTS


def test_a_result_from_before_seconds_were_measured_loads(store: JobStore) -> None:
    job_id = new_job(store)
    store.put_result(job_id, "visuals/s01_01", {"hash": "h", "clip": "c.mp4", "keyframe": "k.png"})
    rendered = results.load(results.Rendered, store.result(job_id, "visuals/s01_01"))
    assert rendered is not None and rendered.keys == [] and rendered.seconds is None
    assert results.JobResults(store.results(job_id)).seconds("visuals/s01_01") is None
    with pytest.raises(ValueError, match="clip"):
        results.load(results.Rendered, {"hash": "h", "keyframe": "k.png"})


def test_leases_keep_a_job_with_one_gateway_until_it_lapses(store: JobStore) -> None:
    job_id = new_job(store)
    assert store.claim(job_id, "gateway-a", lease_s=0.3) is not None
    assert store.claim(job_id, "gateway-b", lease_s=0.3) is None, "a live lease is respected"
    assert store.claimable("gateway-b", 10) == []
    assert store.claim(job_id, "gateway-a", lease_s=0.3) is not None, "the owner may claim again (a restart)"
    time.sleep(0.4)
    assert store.claimable("gateway-b", 10) == [job_id]
    assert store.claim(job_id, "gateway-b", lease_s=5) is not None, "a lapsed lease is taken over"
    store.renew("gateway-a", [job_id], lease_s=5)  # the old owner cannot renew it back
    assert store.get(job_id).owner == "gateway-b"  # type: ignore[union-attr]
    store.release(job_id, "gateway-b")
    store.set_state(job_id, JobState.DONE)
    assert store.claim(job_id, "gateway-a", lease_s=5) is None, "finished jobs are never claimed"


def _lapse(store: JobStore, job_id: str) -> None:
    """The job's lease runs out now (as if its owner's renewal came late), without waiting."""
    with store.engine.begin() as conn:
        conn.execute(sqlalchemy.update(jobs_table).where(jobs_table.c.id == job_id).values(lease_until=time.time() - 1))


def test_renewing_reports_the_leases_this_gateway_lost(store: JobStore) -> None:
    kept, taken, gone = new_job(store), new_job(store), new_job(store)
    for job_id in (kept, taken, gone):
        assert store.claim(job_id, "gateway-a", lease_s=60) is not None
    assert store.renew("gateway-a", [kept, taken, gone], lease_s=60) == {}, "nothing lost: nothing reported"
    _lapse(store, taken)
    assert store.claim(taken, "gateway-b", lease_s=60) is not None, "a lapsed lease is taken over"
    store.set_state(gone, JobState.CANCELLED)  # cancelled and deleted through another gateway
    assert store.delete(gone)
    _lapse(store, kept)  # late, but no one took it: still ours, and renewed

    assert store.renew("gateway-a", [kept, taken, gone], lease_s=60) == {taken: "gateway-b", gone: None}
    assert store.get(taken).owner == "gateway-b", "the old owner cannot renew it back"  # type: ignore[union-attr]
    assert store.claimable("gateway-c", 10) == [], "the late renewal took the lapsed, untaken lease back"
    assert store.renew("gateway-b", [taken], lease_s=60) == {}
    assert store.renew("gateway-a", [], lease_s=60) == {}


def test_the_event_log_numbers_events_per_job(store: JobStore) -> None:
    first, second = new_job(store), new_job(store)
    assert [store.add_event(first, EventKind.STATE, {"n": n}) for n in range(3)] == [1, 2, 3]
    assert store.add_event(second, EventKind.SHOT, {"n": 0}) == 1
    assert [(seq, data["n"]) for seq, _, data in store.events(first, after=1)] == [(2, 1), (3, 2)]
    assert [kind for _, kind, _ in store.events(second, after=0)] == [EventKind.SHOT]
    assert store.last_seq(first) == 3 and store.last_seq("nobody") == 0


def test_step_rates_are_a_running_average(store: JobStore) -> None:
    store.record_rate("visuals", 10.0)
    store.record_rate("visuals", 20.0)
    assert store.rates()["visuals"] == pytest.approx(12.0)


def test_pages_are_newest_first(store: JobStore) -> None:
    ids = [new_job(store) for _ in range(3)]
    records, total = store.page(limit=2, offset=0)
    assert total == 3 and [r.id for r in records] == ids[::-1][:2]


def test_a_database_from_the_first_version_gains_the_new_columns(database_url: str) -> None:
    engine = sqlalchemy.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(
            "CREATE TABLE jobs (id VARCHAR(32) PRIMARY KEY, state VARCHAR(16) NOT NULL, request JSON NOT NULL, "
            "error JSON, created_at FLOAT NOT NULL, updated_at FLOAT NOT NULL)"))
        conn.execute(sqlalchemy.text(
            "INSERT INTO jobs VALUES ('old', 'rendering', '{\"story\": \"Once.\", \"title\": \"\", "
            "\"language\": null, \"max_minutes\": 0}', NULL, 1.0, 1.0)"))
    engine.dispose()
    store = JobStore(database_url)
    record = store.get("old")
    assert record is not None and record.revision == 0 and record.owner is None
    assert store.claimable("gateway-a", 10) == ["old"]
    store.close()


def test_two_gateways_share_a_postgresql_job_store(tmp_path: Path, postgres: PostgresServer) -> None:
    """A job runs on one gateway; a cancel sent to the other one reaches it; a gateway that stops
    hands its job over, and the other one finishes it without redoing finished work."""
    fakes = FakeServices(tmp_path / "artifacts").start()
    # The lease must outlive any stall of a loaded machine: with 0.9 s, and once in a full run under
    # load with 3 s, gateway b took a job over from a live gateway a whose renewal came late (a then
    # lost it; both had a render to cancel). A stopping gateway hands its lease back, so the
    # handover below does not wait for it to run out: a long lease costs this test nothing.
    common = {"database_url": postgres.new_database(), "visual_parallel": 1, "lease_s": 15.0}
    try:
        fakes.hold_renders(after=1)
        with gateway(tmp_path, fakes, instance_id="b", **common) as b:
            with gateway(tmp_path, fakes, instance_id="a", **common) as a:
                cancelled = submit(a)
                wait(a, cancelled, lambda job: fakes.count("RenderShot") == 2)  # its second shot is in flight
                handed_over = submit(a)
                assert b.delete(f"/v1/jobs/{cancelled}").json()["state"] == "cancelled"
                wait(b, cancelled, lambda job: len(fakes.cancelled) == 1)  # gateway a cancelled its call
                wait(b, handed_over, lambda job: job["state"] == "rendering")
                speech_calls = fakes.count("Speak")
            fakes.release_renders()  # gateway a has stopped and handed its lease back
            job = finished(b, handed_over)
        assert job["state"] == "done"
        assert fakes.count("Speak") == speech_calls, "speech was not redone"
        assert fakes.count("Plan") == 2
    finally:
        fakes.release_renders()
        fakes.stop()
