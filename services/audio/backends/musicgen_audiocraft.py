"""MusicGen through Meta's audiocraft, for the GPU image (the `audiocraft` extra pins its own
torch, which cannot install beside this project's pinned torch, so this path is NOT tested
here: the transformers engine in backends.musicgen is, and both share its window loop).

audiocraft's generate_continuation returns the prompt followed by the new music, which is
exactly what continue_in_windows expects.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from services.audio import pcm
from services.audio.backends import cue, torchkit
from services.audio.backends.musicgen import MusicgenOptions, continue_in_windows, mood_prompt, to_cue_rate
from services.audio.models import MusicInput

log = logging.getLogger(__name__)


class AudiocraftMusicgen:
    def __init__(self, options: MusicgenOptions) -> None:
        self.options = options
        self._model: Any = None
        self._lock = threading.Lock()

    def compose(self, request: MusicInput, output: Path) -> float:
        torch = torchkit.require("torch")
        with self._lock:
            model = self._load()
            rate = int(model.sample_rate)
            torch.manual_seed(torchkit.seed_from(request.mood, request.seed, request.duration_s))
            prompt, frames = mood_prompt(request.mood), round(request.duration_s * rate)
            music = continue_in_windows(
                lambda context, seconds: self._generate(prompt, context, seconds),
                frames, rate, self.options.window_s, self.options.context_s,
            )  # fmt: skip
        return cue.finish(to_cue_rate(music[:frames], rate), request.duration_s, self.options.level_dbfs, output)

    def _load(self) -> Any:
        if self._model is None:
            models = torchkit.require("audiocraft.models")
            device = torchkit.pick_device(self.options.device)
            self._model = models.MusicGen.get_pretrained(self.options.model, device=device)
            log.info("MusicGen (audiocraft) loaded", extra={"model": self.options.model, "device": device})
        return self._model

    def _generate(self, prompt: str, context: pcm.Samples | None, seconds: float) -> pcm.Samples:
        torch = torchkit.require("torch")
        model = self._model
        if context is None:
            model.set_generation_params(duration=seconds)
            audio = model.generate([prompt])
        else:
            # audiocraft's duration counts the prompt too.
            model.set_generation_params(duration=seconds + len(context) / model.sample_rate)
            values = torch.from_numpy(np.ascontiguousarray(context.T))[None].to(model.device)
            audio = model.generate_continuation(values, model.sample_rate, [prompt])
        return np.ascontiguousarray(audio[0].float().cpu().numpy().T, dtype=np.float32)
