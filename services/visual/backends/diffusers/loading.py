"""Loading diffusers pipelines once per process, and keeping one large model on the GPU at a time.

`Pipelines.get` loads a pipeline the first time a (model, pipeline class) is asked for and keeps
it; a picture-to-video pipeline of a model already loaded as text-to-video is made from it with
`from_pipe`, sharing its weights. Before a pipeline runs, `use` brings it to the device and every
other loaded pipeline back to the CPU (with no offload set), so the keyframe model leaves the GPU
before the video model comes; with model or sequential CPU offload, accelerate's hooks move each
part to the GPU only while it runs (less memory, slower: each part crosses the bus on every call).
torch and diffusers are imported only when this backend is made: the default install has neither.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from services.visual.settings import Dtype, Offload
from storyreel.errors import BackendError, InvalidInput

log = logging.getLogger(__name__)
EXTRA_HINT = "install the `visual-gpu` extra (bash scripts/install_visual_models.sh)"


@contextlib.contextmanager
def quiet_library_warnings() -> Iterator[None]:
    """Third-party deprecation chatter at import and load time is not ours to fix; real errors still raise."""
    with warnings.catch_warnings():
        for category in (DeprecationWarning, FutureWarning, UserWarning):
            warnings.simplefilter("ignore", category)
        yield


def require(module: str) -> ModuleType:
    """Import an optional heavy module, or say which extra brings it."""
    try:
        with quiet_library_warnings():
            return importlib.import_module(module)
    except ImportError as error:
        raise BackendError(f"{module} is not importable ({error}): {EXTRA_HINT}") from None


def pick_device(setting: str) -> str:
    """`auto`: the first GPU when torch sees one, else the CPU; anything else as given."""
    if setting != "auto":
        return setting
    return "cuda" if require("torch").cuda.is_available() else "cpu"


def pick_dtype(setting: Dtype, device: str) -> Any:
    torch = require("torch")
    if setting == Dtype.AUTO:
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    return getattr(torch, setting.value)


def pipeline_class_name(model: str) -> str:
    """The pipeline class a model's model_index.json names ('' when it names none)."""
    diffusers = require("diffusers")
    try:
        with quiet_library_warnings():
            config = diffusers.DiffusionPipeline.load_config(model)
    except (OSError, ValueError) as error:
        raise InvalidInput(f"cannot read {model}'s model_index.json: {error}") from None
    return str(config.get("_class_name", ""))


class Pipelines:
    """The pipelines this process has loaded, by (model, pipeline class), and where they are."""

    def __init__(self, device: str, dtype: Any, offload: Offload, vae_tiling: bool, vae_slicing: bool) -> None:
        if offload != Offload.NONE and not device.startswith("cuda"):
            raise InvalidInput(f"CPU offload (STORYREEL_VISUAL_DIFFUSERS_OFFLOAD={offload.value}) needs a CUDA device, "
                               f"not {device}")
        self.device, self.dtype, self.offload = device, dtype, offload
        self.vae_tiling, self.vae_slicing = vae_tiling, vae_slicing
        self.loaded: dict[tuple[str, str], Any] = {}
        self.loads: Counter[str] = Counter()
        """How often each model was read from disk (a from_pipe reuse is not a load)."""
        self._on_device: Any = None
        require("diffusers").utils.logging.disable_progress_bar()

    def get(self, model: str, class_name: str) -> Any:
        """The pipeline, loaded on first use (or made from the same model's pipeline already loaded)."""
        key = (model, class_name)
        if key not in self.loaded:
            self.loaded[key] = self._made(model, class_name)
        return self.loaded[key]

    def _made(self, model: str, class_name: str) -> Any:
        sibling = next((pipe for (name, _), pipe in self.loaded.items() if name == model), None)
        with quiet_library_warnings():  # diffusers imports each pipeline's module on first use
            cls = getattr(require("diffusers"), class_name)
            if sibling is not None:
                log.info("making %s from the loaded %s (%s): shared weights", class_name, type(sibling).__name__, model)
                pipe = cls.from_pipe(sibling)
            else:
                log.info("loading %s as %s (%s on %s)", model, class_name, self.dtype, self.device)
                self.loads[model] += 1
                pipe = self._from_disk(cls, model)
        pipe.set_progress_bar_config(disable=True)
        self._configure(pipe)
        return pipe

    def _from_disk(self, cls: Any, model: str) -> Any:
        try:
            return cls.from_pretrained(model, torch_dtype=self.dtype)
        except (OSError, ValueError) as error:
            where = "folder" if Path(model).is_dir() else "model id (in the Hugging Face cache, or downloadable)"
            raise BackendError(f"cannot load {model} as {cls.__name__}: {error} (a {where} is needed)") from None

    def _configure(self, pipe: Any) -> None:
        vae: Any = getattr(pipe, "vae", None)
        if self.vae_tiling and hasattr(vae, "enable_tiling"):
            vae.enable_tiling()
        if self.vae_slicing and hasattr(vae, "enable_slicing"):
            vae.enable_slicing()

    def use(self, pipe: Any) -> None:
        """`pipe` ready to run on the device, every other pipeline off it. With offload, its hooks
        are (re)installed now: pipelines made with from_pipe share models, and installing one
        pipeline's hooks removes the hooks its sibling put on those models."""
        if pipe is self._on_device:
            return
        self._on_device = pipe
        if self.offload == Offload.MODEL:
            pipe.enable_model_cpu_offload(device=self.device)
            return
        if self.offload == Offload.SEQUENTIAL:
            pipe.enable_sequential_cpu_offload(device=self.device)
            return
        if self.device == "cpu":
            return
        torch = require("torch")
        shared = {id(part) for part in pipe.components.values()}
        for other in self.loaded.values():
            for part in other.components.values():
                if id(part) not in shared and isinstance(part, torch.nn.Module):
                    part.to("cpu")
        pipe.to(self.device)
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
