"""The ComfyUI client's failure paths, against the fake server (fast, no real ComfyUI)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.stack import free_port
from services.visual.backends.comfyui.client import ComfyClient, Timeouts
from services.visual.backends.comfyui.errors import (
    ComfyTimeout,
    ComfyUnreachable,
    ExecutionFailed,
    Interrupted,
    ModelFileMissing,
    WorkflowRejected,
)
from services.visual.backends.comfyui.workflow import Role, load_workflow
from services.visual.control import RenderCancelled
from tests.comfyui.conftest import WORKFLOWS
from tests.comfyui.fake_comfy import Running

FAST = Timeouts(request_s=2.0, silence_s=0.3, tick_s=0.05)
SVD = load_workflow(WORKFLOWS / "svd_xt_1_1_i2v.json", Role.ANIMATE)
GRAPH = SVD.filled(
    {"$init_image": "storyreel/k.png", "$seed": 5, "$width": 256, "$height": 144, "$output": "storyreel/s01"}
)


@pytest.fixture(autouse=True)
def _keyframe_uploaded(fake_comfy: Running, media: dict[str, Path]) -> None:
    """The picture GRAPH animates is on the server (the real one refuses a LoadImage of a missing file)."""
    with ComfyClient(fake_comfy.url, FAST) as comfy:
        comfy.upload_image(media["picture"], "k.png")
    fake_comfy.fake.seen.uploads.clear()


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    for made in OPEN:
        made.close()
    OPEN.clear()


OPEN: list[ComfyClient] = []


def client(running: Running, timeouts: Timeouts = FAST) -> ComfyClient:
    OPEN.append(ComfyClient(running.url, timeouts))
    return OPEN[-1]


def test_a_run_submits_with_its_own_ids_follows_progress_and_lists_the_video(fake_comfy: Running) -> None:
    progress: list[float] = []
    outputs = client(fake_comfy).run(SVD.name, GRAPH, time.monotonic() + 10, on_progress=progress.append)

    submitted = fake_comfy.fake.seen.prompts[0]
    assert submitted["prompt"] == GRAPH and submitted["client_id"] and submitted["prompt_id"]
    assert fake_comfy.fake.seen.sockets == [submitted["client_id"]]  # the socket was open before the prompt
    assert progress == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert [(o.node_id, o.subfolder, o.suffix, o.animated) for o in outputs] == [("8", "storyreel", ".mp4", True)]


def test_upload_and_download_round_trip(fake_comfy: Running, media: dict[str, Path], tmp_path: Path) -> None:
    comfy = client(fake_comfy)
    assert comfy.upload_image(media["picture"], "shot.png") == "storyreel/shot.png"
    outputs = comfy.run(SVD.name, GRAPH, time.monotonic() + 10)
    comfy.download(outputs[0], tmp_path / "clip.mp4")
    assert (tmp_path / "clip.mp4").read_bytes() == (fake_comfy.fake.folder / "output" / "storyreel" /
                                                    outputs[0].filename).read_bytes()


def test_a_dropped_websocket_is_reconnected_and_the_history_polled(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour = "drop"
    outputs = client(fake_comfy).run(SVD.name, GRAPH, time.monotonic() + 10)
    assert len(outputs) == 1
    client_id = fake_comfy.fake.seen.prompts[0]["client_id"]
    assert fake_comfy.fake.seen.sockets.count(client_id) >= 2


def test_a_silent_websocket_falls_back_to_polling(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour = "silent"
    assert len(client(fake_comfy).run(SVD.name, GRAPH, time.monotonic() + 10)) == 1


def test_cancel_interrupts_the_prompt_and_deletes_it_from_the_queue(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour = "hang"
    progress: list[float] = []
    with pytest.raises(RenderCancelled):
        client(fake_comfy).run(
            SVD.name, GRAPH, time.monotonic() + 10, on_progress=progress.append, should_stop=lambda: len(progress) >= 2
        )
    prompt_id = fake_comfy.fake.seen.prompts[0]["prompt_id"]
    assert fake_comfy.fake.seen.interrupts == [{"prompt_id": prompt_id}]
    assert fake_comfy.fake.seen.deletes == [prompt_id]


def test_the_deadline_cancels_the_prompt(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour = "hang"
    started = time.monotonic()
    with pytest.raises(ComfyTimeout, match="deadline"):
        client(fake_comfy).run(SVD.name, GRAPH, time.monotonic() + 0.5)
    assert time.monotonic() - started < 3
    assert fake_comfy.fake.seen.interrupts


def test_an_execution_error_in_a_loader_names_the_model_file_and_its_folder(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour = "error"
    with pytest.raises(ModelFileMissing) as error:
        client(fake_comfy).run(SVD.name, GRAPH, time.monotonic() + 10)
    assert "model file svd_xt_1_1.safetensors is missing or invalid; put it in models/checkpoints" in str(error.value)
    assert "header too small" in str(error.value)
    assert not fake_comfy.fake.seen.interrupts  # it is over on the server: nothing to cancel


def test_an_execution_error_elsewhere_names_the_node_and_the_exception(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour, fake_comfy.fake.error_node = "error", "5"
    fake_comfy.fake.error_message = "CUDA out of memory"
    with pytest.raises(ExecutionFailed, match=r"node 5 \(KSampler\).*CUDA out of memory"):
        client(fake_comfy).run(SVD.name, GRAPH, time.monotonic() + 10)


def test_an_execution_error_found_by_polling_is_the_same_error(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour, fake_comfy.fake.error_node, fake_comfy.fake.quiet = "error", "5", True
    with pytest.raises(ExecutionFailed, match=r"node 5 \(KSampler\)"):
        client(fake_comfy).run(SVD.name, GRAPH, time.monotonic() + 10)


def test_a_prompt_interrupted_by_someone_else_says_so(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour = "interrupted"
    with pytest.raises(Interrupted, match="interrupted"):
        client(fake_comfy).run(SVD.name, GRAPH, time.monotonic() + 10)


def test_http_400_lists_each_nodes_errors(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour = "reject"
    fake_comfy.fake.node_errors = {
        "5": {
            "errors": [
                {
                    "type": "value_not_in_list",
                    "message": "Value not in list",
                    "details": "sampler_name: 'eulr' not in (list of length 42)",
                    "extra_info": {"input_name": "sampler_name", "input_config": None, "received_value": "eulr"},
                }
            ],
            "dependent_outputs": ["8"],
            "class_type": "KSampler",
        }
    }
    with pytest.raises(WorkflowRejected, match=r"node 5 \(KSampler\): Value not in list: sampler_name: 'eulr'"):
        client(fake_comfy).run(SVD.name, GRAPH, time.monotonic() + 10)


def test_http_400_for_a_model_the_server_lacks_says_where_to_put_it(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour = "reject"
    missing = {"input_name": "ckpt_name", "input_config": None, "received_value": "svd_xt_1_1.safetensors"}
    fake_comfy.fake.node_errors = {
        "1": {
            "errors": [
                {"type": "value_not_in_list", "message": "Value not in list", "details": "", "extra_info": missing}
            ],
            "dependent_outputs": ["8"],
            "class_type": "ImageOnlyCheckpointLoader",
        }
    }
    with pytest.raises(
        ModelFileMissing, match=r"svd_xt_1_1\.safetensors is missing or invalid; put it in models/checkpoints"
    ):
        client(fake_comfy).run(SVD.name, GRAPH, time.monotonic() + 10)


def test_a_server_that_never_answers_times_out(fake_comfy: Running) -> None:
    fake_comfy.fake.behaviour = "stall_http"
    started = time.monotonic()
    with pytest.raises(ComfyTimeout, match=r"within 0\.5 s"):
        client(fake_comfy, Timeouts(request_s=0.5, silence_s=0.3, tick_s=0.05)).run(
            SVD.name, GRAPH, time.monotonic() + 10
        )
    assert time.monotonic() - started < 3


def test_no_server_at_all_is_unreachable() -> None:
    with ComfyClient(f"http://127.0.0.1:{free_port()}", FAST) as comfy, pytest.raises(ComfyUnreachable, match="cannot"):
        comfy.run(SVD.name, GRAPH, time.monotonic() + 10)
