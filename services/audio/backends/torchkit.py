"""What the torch backends (Parler-TTS, MusicGen) share: importing the heavy libraries only when
such a backend is made, choosing the device, and a seed drawn from the request so the same
request gives the same audio (a retried step is a repeat, not a new take)."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import logging
import warnings
from collections.abc import Iterator
from types import ModuleType

from storyreel.errors import BackendError

EXTRA_HINT = "install the `tts-gpu` extra (bash scripts/install_audio_models.sh)"


@contextlib.contextmanager
def quiet_library_warnings() -> Iterator[None]:
    """Third-party deprecation chatter at import and load time is not ours to fix; real errors still raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def require(module: str) -> ModuleType:
    """Import an optional heavy module, or say which extra brings it."""
    try:
        with quiet_library_warnings():
            return importlib.import_module(module)
    except ImportError as error:
        raise BackendError(f"{module} is not importable ({error}): {EXTRA_HINT}") from None


def pick_device(setting: str) -> str:
    """`auto`: the first GPU when torch sees one, else the CPU; anything else is used as given."""
    torch = require("torch")
    if setting != "auto":
        return setting
    return "cuda" if torch.cuda.is_available() else "cpu"


def seed_from(*parts: object) -> int:
    """A seed that is the same for the same request in every process."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big")


def silence_transformers_logging() -> None:
    """transformers and parler_tts log whole configs as warnings when sub-model configs are merged,
    on every load; keep their errors only."""
    logging.getLogger("parler_tts").setLevel(logging.ERROR)  # before parler_tts is imported: it logs then too
    require("transformers").logging.set_verbosity_error()
