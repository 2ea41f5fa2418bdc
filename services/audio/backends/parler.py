"""Speech with Parler-TTS (ai4bharat/indic-parler-tts for Hindi and English, or any parler-tts
model): every speaker gets a description prompt ("a low-pitched male speaker ... slow pace"),
the voice's own description where it has one, else one made from the cast (voices.describe),
so characters differ and each keeps its voice in every shot.

The model is loaded once per process, on first use, on the GPU when there is one; all the
lines a shot gives it are generated in one batch; the seed comes from the request, so a retry
gives the same audio. Lines the model has no language for (Hindi, when the model is English
only) are spoken by espeak-ng and resampled to the model's rate. torch, transformers and
parler_tts are imported here only, when the first shot is spoken.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from services.audio import pcm, speech, text, voices
from services.audio.backends import torchkit
from services.audio.backends.espeak import SAMPLE_RATE as ESPEAK_RATE
from services.audio.backends.espeak import EspeakSpeech
from services.audio.models import SpeakInput, SpokenClip
from storyreel.domain import Language, Line
from storyreel.errors import BackendError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParlerOptions:
    model: str
    device: str
    speaks_hindi: bool
    max_line_s: float


@dataclass
class _Loaded:
    model: Any
    prompt_tokenizer: Any
    description_tokenizer: Any
    device: str
    rate: int
    frame_rate: float


def spoken_text(line: Line) -> str:
    """The line as the model should read it: each script run prepared in its own language."""
    runs = text.split_runs(line.text, text.spoken_language(line.language))
    return " ".join(text.prepare(run.text, run.language) for run in runs)


class ParlerSpeech:
    def __init__(self, espeak: EspeakSpeech, options: ParlerOptions) -> None:
        self.espeak = espeak
        self.options = options
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        """One model, one GPU: loading and generation take turns."""

    @property
    def model(self) -> Any:
        """The loaded model, or None before the first shot."""
        return self._loaded.model if self._loaded else None

    def speak(self, request: SpeakInput, output: Path) -> SpokenClip:
        cast = self.espeak.cast(request)
        prompts = voices.descriptions(request.characters, request.narrator_voice, cast)
        chosen = [index for index, line in enumerate(request.lines) if self.speaks(line)]
        batch = [(spoken_text(request.lines[index]), prompts[request.lines[index].speaker_id]) for index in chosen]
        with self._lock:
            loaded = self._load()
            generated = dict(zip(chosen, self._generate(loaded, batch, request.shot_id), strict=True))
        lines = [
            generated[index]
            if index in generated
            else pcm.resample(self.espeak.voice_line(index, line, cast[line.speaker_id]), ESPEAK_RATE, loaded.rate)
            for index, line in enumerate(request.lines)
        ]
        return speech.write_shot(lines, loaded.rate, self.espeak.line_pause_s, self.espeak.level_dbfs, output)

    def speaks(self, line: Line) -> bool:
        runs = text.split_runs(line.text, text.spoken_language(line.language))
        hindi = any(run.language == Language.HI for run in runs)
        return text.speakable(line.text) and (self.options.speaks_hindi or not hindi)

    def _load(self) -> _Loaded:
        if self._loaded is None:
            self._loaded = self._load_model()
        return self._loaded

    def _load_model(self) -> _Loaded:
        torchkit.silence_transformers_logging()
        parler_tts, transformers = torchkit.require("parler_tts"), torchkit.require("transformers")
        device, name = torchkit.pick_device(self.options.device), self.options.model
        try:
            with torchkit.quiet_library_warnings():
                model = parler_tts.ParlerTTSForConditionalGeneration.from_pretrained(name).to(device).eval()
                prompt_tokenizer = transformers.AutoTokenizer.from_pretrained(name)
                # indic-parler-tts reads descriptions with its text encoder's own tokenizer (flan-t5).
                description_name = getattr(model.config.text_encoder, "_name_or_path", "") or name
                description_tokenizer = transformers.AutoTokenizer.from_pretrained(description_name)
        except OSError as error:
            raise BackendError(f"cannot load the Parler-TTS model {name!r}: {error}") from None
        rate = int(model.config.sampling_rate)
        log.info("Parler-TTS loaded", extra={"model": name, "device": device, "sample_rate": rate})
        return _Loaded(
            model, prompt_tokenizer, description_tokenizer, device, rate, float(model.audio_encoder.config.frame_rate)
        )

    def _generate(self, loaded: _Loaded, batch: list[tuple[str, str]], shot_id: str) -> list[pcm.Samples]:
        """One waveform per (text, description), generated together."""
        if not batch:
            return []
        torch = torchkit.require("torch")
        texts, descriptions = [item[0] for item in batch], [item[1] for item in batch]
        described = loaded.description_tokenizer(descriptions, return_tensors="pt", padding=True).to(loaded.device)
        prompted = loaded.prompt_tokenizer(texts, return_tensors="pt", padding=True).to(loaded.device)
        torch.manual_seed(torchkit.seed_from(shot_id, *texts, *descriptions))
        with torch.inference_mode(), torchkit.quiet_library_warnings():
            generation = loaded.model.generate(
                input_ids=described.input_ids,
                attention_mask=described.attention_mask,
                prompt_input_ids=prompted.input_ids,
                prompt_attention_mask=prompted.attention_mask,
                max_new_tokens=round(self.options.max_line_s * loaded.frame_rate),
                do_sample=True,
                return_dict_in_generate=True,
            )
        waves = generation.sequences.float().cpu().numpy()
        return [
            pcm.trim_silence(np.ascontiguousarray(wave[:length], dtype=np.float32), loaded.rate)
            for wave, length in zip(waves, generation.audios_length, strict=True)
        ]
