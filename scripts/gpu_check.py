"""Run every backend that uses torch once, on CUDA when there is a GPU, else on the CPU, with tiny
random models built here (no downloads): one line per backend, and exit 1 if any failed.

    python scripts/gpu_check.py            # everything
    python scripts/gpu_check.py parler-en  # some checks, by name

What a real GPU run would break first shows here: a dtype or attention choice the card refuses, a
library that cannot see CUDA, ComfyUI failing to start in GPU mode. The weights are noise, so the
checks look at what does not depend on them: sizes, rates, frame counts, durations, no NaNs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
import wave
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may come from the hub: a download is a failure

from storyreel.domain import Character, Language, Line, Mood  # noqa: E402


class Skipped(Exception):
    """The check cannot run on this machine (said why); not a failure."""


def device() -> str:
    try:
        import torch
    except ImportError:
        return "cpu"
    return "cuda" if torch.cuda.is_available() else "cpu"


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return float(wav.getnframes() / wav.getframerate())


# ---------------------------------------------------------------------------------------- checks


def check_torch(where: str, work: Path) -> str:
    """bfloat16 matrix work and SDPA attention: what Parler and the video models use on CUDA."""
    import torch

    dtype = torch.bfloat16 if where == "cuda" else torch.float32
    a = torch.randn(256, 256, device=where, dtype=dtype)
    product = (a @ a).float()
    q = torch.randn(1, 2, 64, 16, device=where, dtype=dtype)
    attention = torch.nn.functional.scaled_dot_product_attention(q, q, q).float()
    if not (torch.isfinite(product).all() and torch.isfinite(attention).all()):
        raise AssertionError("non-finite results")
    name = torch.cuda.get_device_name(0) if where == "cuda" else "cpu"
    return f"torch {torch.__version__}, {name}, {str(dtype).removeprefix('torch.')} matmul + sdpa"


def _speak(where: str, work: Path, speakers: str, lines: list[Line], cast: list[Character]) -> str:
    from services.audio import tiny
    from services.audio.backends import make_speech_engine
    from services.audio.models import SpeakInput
    from services.audio.settings import AudioSettings

    model = tiny.build_parler(work / f"tiny-parler-{speakers}")
    settings = AudioSettings.model_validate(
        {"speech_backend": "parler", "parler_model": str(model), "device": where, "parler_speakers": speakers}
    )
    engine = make_speech_engine(settings)
    out = work / f"parler-{speakers}.wav"
    clip = engine.speak(SpeakInput(shot_id="s01_01", lines=lines, characters=cast, output_key="s.wav"), out)
    seconds = wav_seconds(out)
    if not (seconds > 0 and abs(seconds - clip.duration_s) < 0.05 and len(clip.spans) == len(lines)):
        raise AssertionError(f"{seconds:.2f} s of WAV for a reported {clip.duration_s:.2f} s, {len(clip.spans)} spans")
    return f"{len(lines)} lines, {seconds:.2f} s of speech"


def check_parler_en(where: str, work: Path) -> str:
    cast = [Character(id="meera", name="Meera", description="an old woman")]
    lines = [Line(text="One autumn evening the wind rose."),
             Line(text="Hold the lantern high!", speaker_id="meera")]
    return _speak(where, work, "parler", lines, cast)


def check_parler_indic(where: str, work: Path) -> str:
    cast = [Character(id="arjun", name="Arjun", description="a young boy")]
    lines = [Line(text="गाँव के बाहर एक पुराना कुआँ था।", language=Language.HI),
             Line(text="दादी, आप रोज़ दीपक क्यों जलाती हैं?", language=Language.HI, speaker_id="arjun")]
    return _speak(where, work, "indic", lines, cast)


def check_musicgen(where: str, work: Path) -> str:
    from services.audio import tiny
    from services.audio.backends import make_music_engine
    from services.audio.models import MusicInput
    from services.audio.settings import AudioSettings

    model = tiny.build_musicgen(work / "tiny-musicgen")
    settings = AudioSettings.model_validate(
        {"music_backend": "musicgen", "musicgen_model": str(model), "device": where}
    )
    out = work / "musicgen.wav"
    duration = make_music_engine(settings).compose(
        MusicInput(scene_id="s01", mood=Mood.CALM, duration_s=3.0, seed=7, output_key="m.wav"), out
    )
    seconds = wav_seconds(out)
    if abs(seconds - 3.0) > 0.05 or abs(duration - seconds) > 0.05:
        raise AssertionError(f"asked for 3.00 s of music, got {seconds:.2f} s (reported {duration:.2f} s)")
    return f"{seconds:.2f} s of music"


def check_comfyui(where: str, work: Path) -> str:
    """The real ComfyUI server, in GPU mode when there is a GPU, renders an exact shot with the
    weightless smoke workflows through the visual service's ComfyUI backend."""
    from services.visual.backends.base import RenderSpec
    from services.visual.backends.comfyui import ComfyRenderer
    from services.visual.settings import VisualSettings
    from storyreel.domain import Scene, Shot, ShotType
    from tests.comfyui import real_comfy

    missing = real_comfy.missing_install()
    if missing:
        raise Skipped(missing)
    server = real_comfy.start(work / "comfy", cpu=where != "cuda")
    try:
        settings = VisualSettings.model_validate({
            "comfyui_url": server.url, "comfyui_workflow_dir": str(ROOT / "comfy_workflows" / "smoke"),
            "comfyui_keyframe_workflow": "smoke_keyframe.json", "comfyui_keyframe_img2img_workflow": "",
            "comfyui_animate_workflow": "smoke_i2v.json",
        })
        spec = RenderSpec(320, 180, 24, 2.5, work / "clip.mp4", work / "key.png")
        shot = Shot(id="s01_01", shot_type=ShotType.MEDIUM, visual_prompt="a lighthouse at dusk")
        result = ComfyRenderer(settings).render(shot, Scene(id="s01", setting="coast"), [], spec)
        if result.frame_count != 60:
            raise AssertionError(f"a 2.5 s shot at 24 fps came back with {result.frame_count} frames, not 60")
        mode = "GPU" if where == "cuda" else "CPU"
        return f"ComfyUI in {mode} mode started in {server.started_in_s:.1f} s; a 60-frame shot rendered"
    finally:
        real_comfy.stop(server)


def _diffusers(where: str, work: Path, settings: Mapping[str, object], pipelines: int) -> str:
    """A 1.5 s shot at 8 fps through the diffusers backend with tiny random pipelines (bfloat16
    on CUDA), its clip checked frame by frame; the pipelines are loaded once and leave the GPU in turn."""
    import importlib.util

    if importlib.util.find_spec("diffusers") is None:
        raise Skipped("diffusers is not installed: run scripts/install_visual_models.sh")
    from services.visual.backends.base import RenderSpec
    from services.visual.backends.diffusers import DiffusersRenderer, tiny
    from services.visual.settings import VisualSettings
    from storyreel.domain import Scene, Shot, ShotType

    folders = {name: str(path) for name, path in tiny.write(work / "models").items()}
    values = {key: folders.get(str(value), value) for key, value in settings.items()}
    renderer = DiffusersRenderer(VisualSettings.model_validate({
        "diffusers_device": where, "diffusers_keyframe_steps": 2, "diffusers_video_steps": 2,
        "diffusers_keyframe_pixels": 64 * 64, "diffusers_video_pixels": 32 * 32, "diffusers_rerolls": 0, **values,
    }))  # fmt: skip
    shot = Shot(id="s01_01", shot_type=ShotType.MEDIUM, visual_prompt="a lighthouse at dusk")
    for index in (1, 2):  # the second shot reuses what the first loaded
        spec = RenderSpec(64, 36, 8, 1.5, work / f"clip{index}.mp4", work / f"key{index}.png")
        result = renderer.render(shot, Scene(id="s01", setting="coast"), [], spec)
        if result.frame_count != 12:
            raise AssertionError(f"a 1.5 s shot at 8 fps came back with {result.frame_count} frames, not 12")
    loaded = renderer.pipelines.loaded
    if len(loaded) != pipelines or set(renderer.pipelines.loads.values()) != {1}:
        raise AssertionError(f"pipelines {sorted(name for _, name in loaded)}, loads {dict(renderer.pipelines.loads)}")
    names = " + ".join(sorted({type(pipe).__name__ for pipe in loaded.values()}))
    return f"{names}: two 12-frame shots, each model loaded once, {renderer.pipelines.dtype}"


def check_diffusers_svd(where: str, work: Path) -> str:
    return _diffusers(where, work, {"diffusers_keyframe_model": "sdxl", "diffusers_video_model": "svd"}, 2)


def check_diffusers_wan(where: str, work: Path) -> str:
    settings = {"diffusers_mode": "text_to_video", "diffusers_video_model": "wan_t2v",
                "diffusers_continue_model": "wan_i2v", "diffusers_max_frames": 9}  # fmt: skip
    return _diffusers(where, work, settings, 2)


def check_diffusers_ltx(where: str, work: Path) -> str:
    settings = {"diffusers_keyframe_model": "sdxl", "diffusers_video_model": "ltx", "diffusers_video_family": "ltx_i2v"}
    return _diffusers(where, work, settings, 2)


def check_diffusers_offload(where: str, work: Path) -> str:
    """accelerate's model CPU offload (CUDA only): LTX-Video text-to-video continued image-to-video."""
    if where != "cuda":
        raise Skipped("CPU offload needs a CUDA device")
    settings = {"diffusers_mode": "text_to_video", "diffusers_video_model": "ltx", "diffusers_offload": "model",
                "diffusers_vae_tiling": True, "diffusers_max_frames": 9}  # fmt: skip
    return _diffusers(where, work, settings, 2)


CHECKS: dict[str, Callable[[str, Path], str]] = {
    "torch": check_torch,
    "parler-en": check_parler_en,
    "parler-indic": check_parler_indic,
    "musicgen": check_musicgen,
    "comfyui": check_comfyui,
    "diffusers-svd": check_diffusers_svd,
    "diffusers-wan": check_diffusers_wan,
    "diffusers-ltx": check_diffusers_ltx,
    "diffusers-offload": check_diffusers_offload,
}


def run(name: str, where: str, work: Path) -> bool:
    """One check, one line: name, device, seconds, then ok, SKIPPED or FAILED with the reason."""
    started = time.perf_counter()
    try:
        detail, ok = f"ok  {CHECKS[name](where, work)}", True
    except Skipped as skipped:
        detail, ok = f"SKIPPED: {skipped}", True
    except Exception as error:  # every failure is reported, then the next check runs
        detail, ok = f"FAILED: {type(error).__name__}: {error}".splitlines()[0][:300], False
        traceback.print_exc(file=sys.stderr)
    print(f"{name:<13} {where:<5} {time.perf_counter() - started:7.1f} s  {detail}", flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checks", nargs="*", metavar="CHECK", help=f"some of: {' '.join(CHECKS)} (default: all)")
    names = parser.parse_args(argv).checks or list(CHECKS)
    if unknown := [name for name in names if name not in CHECKS]:
        parser.error(f"no check named {', '.join(unknown)}; the checks are: {' '.join(CHECKS)}")
    where = device()
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as folder:
        results = [run(name, where, Path(folder) / name) for name in names]
    failed = results.count(False)
    print(f"gpu_check: {len(results) - failed} of {len(results)} ok on {where}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
