"""Music with MusicGen: a text prompt from the scene's mood, generated in windows with
continuation, so a cue of any length is one developing piece, never a loop.

MusicGen attends to about 30 s. The first window is generated from the prompt alone; each
next one is prompted with the last `context_s` of the music so far and adds
`window_s - context_s` seconds; the new part is joined to the old over a short crossfade
(the model re-decodes the context, so both sides of the join are the same music). Then the
cue is levelled, cut to length and faded like every cue (backends.cue).

MusicGen runs through transformers' MusicgenForConditionalGeneration, beside the torch that
Parler-TTS uses (an audiocraft engine was removed: audiocraft pins torch 2.1, which cannot
install beside it). The model is loaded once per process on first use, on the GPU when there
is one.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from services.audio import pcm, progress, score
from services.audio.backends import cue, torchkit
from services.audio.models import MusicInput
from storyreel.domain import Mood
from storyreel.errors import BackendError

log = logging.getLogger(__name__)

JOIN_S = 0.05
"""Crossfade between a window's new music and the music before it."""
MOOD_WORDS = {
    Mood.CALM: "calm, gentle ambient film score, soft strings and warm piano",
    Mood.HAPPY: "happy, bright, joyful folk film score, acoustic guitar, light percussion",
    Mood.SAD: "sad, slow melancholic film score, solo cello and soft piano",
    Mood.TENSE: "tense, suspenseful thriller score, low pulsing strings, timpani",
    Mood.MYSTERIOUS: "mysterious, dark ambient score, airy pads, distant bells",
    Mood.ROMANTIC: "romantic, tender orchestral score, strings and flute",
    Mood.EPIC: "epic, heroic orchestral score, brass, choir and big drums",
    Mood.PLAYFUL: "playful, whimsical score, pizzicato strings, clarinet, glockenspiel",
}
_NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def mood_prompt(mood: Mood) -> str:
    """What MusicGen is asked for: the mood's words, with the procedural style's tempo and key."""
    style = score.STYLES[mood]
    mode = "major" if style.scale == score.MAJOR else "minor"
    key = f"{_NOTE_NAMES[style.tonic % 12]} {mode}"
    return f"{MOOD_WORDS[mood]}, instrumental, no vocals, {round(style.tempo_bpm)} bpm, {key}"


Generate = Callable[[pcm.Samples | None, float], pcm.Samples]
"""(context or None, seconds to add) -> the context followed by the new music, (frames, channels)."""


def continue_in_windows(generate: Generate, frames: int, rate: int, window_s: float, context_s: float) -> pcm.Samples:
    """At least `frames` of music at `rate`, window by window, each prompted by the last context_s."""
    music = generate(None, min(window_s, frames / rate))
    context_frames, join = round(context_s * rate), round(JOIN_S * rate)
    while len(music) < frames:
        context = music[-context_frames:]
        extended = generate(context, min(window_s - context_s, (frames - len(music)) / rate + JOIN_S))
        if len(extended) <= len(context):
            raise BackendError("MusicGen added no music to a window; cannot continue the cue")
        music = pcm.crossfade(music, extended[len(context) - join :], join, equal_power=False)
    return music


def to_cue_rate(music: pcm.Samples, rate: int) -> pcm.Samples:
    """Stereo at the cue rate. Resampled in 30 s pieces (an FFT of the whole cue would cost too
    much memory), each with half a second of its neighbours on both sides that is resampled
    along and dropped, so the FFT's edge effects fall outside what is kept and pieces butt
    together seamlessly."""
    stereo = music if music.ndim == 2 and music.shape[1] == 2 else np.repeat(music.reshape(len(music), -1)[:, :1], 2, 1)
    piece, pad = 30 * rate, rate // 2
    pieces = []
    for start in range(0, len(stereo), piece):
        low, end, high = max(0, start - pad), min(len(stereo), start + piece), min(len(stereo), start + piece + pad)
        resampled = [pcm.resample(stereo[low:high, ear], rate, cue.SAMPLE_RATE) for ear in range(2)]
        first = round((start - low) * cue.SAMPLE_RATE / rate)
        count = round(end * cue.SAMPLE_RATE / rate) - round(start * cue.SAMPLE_RATE / rate)
        pieces.append(np.stack([ear[first : first + count] for ear in resampled], axis=1))
    return np.concatenate(pieces) if pieces else pcm.silence(0, 2)


@dataclass(frozen=True)
class MusicgenOptions:
    model: str
    device: str
    window_s: float
    context_s: float
    level_dbfs: float


class TransformersMusicgen:
    def __init__(self, options: MusicgenOptions) -> None:
        self.options = options
        self._model: Any = None
        self._tokenizer: Any = None
        self._device = ""
        self._lock = threading.Lock()

    def compose(self, request: MusicInput, output: Path) -> float:
        torch = torchkit.require("torch")
        with self._lock:
            self._load()
            rate = int(self._model.config.audio_encoder.sampling_rate)
            torch.manual_seed(torchkit.seed_from(request.mood, request.seed, request.duration_s))
            prompt = mood_prompt(request.mood)
            frames = round(request.duration_s * rate)
            windows = itertools.count(1)

            def generate(context: pcm.Samples | None, seconds: float) -> pcm.Samples:
                progress.report(f"composing the music, window {next(windows)}")
                return self._generate(prompt, context, seconds)

            music = continue_in_windows(generate, frames, rate, self.options.window_s, self.options.context_s)
        log.info("MusicGen scored %s", request.mood.value, extra={"prompt": prompt, "seconds": len(music) / rate})
        return cue.finish(to_cue_rate(music[:frames], rate), request.duration_s, self.options.level_dbfs, output)

    def _load(self) -> None:
        if self._model is not None:
            return
        progress.report("loading the music model")
        transformers = torchkit.require("transformers")
        torchkit.silence_transformers_logging()
        self._device, name = torchkit.pick_device(self.options.device), self.options.model
        try:
            with torchkit.quiet_library_warnings():
                model = transformers.MusicgenForConditionalGeneration.from_pretrained(name)
                self._tokenizer = transformers.AutoTokenizer.from_pretrained(name)
        except OSError as error:
            raise BackendError(f"cannot load the MusicGen model {name!r}: {error}") from None
        self._model = model.to(self._device).eval()
        log.info("MusicGen loaded", extra={"model": name, "device": self._device})

    def _generate(self, prompt: str, context: pcm.Samples | None, seconds: float) -> pcm.Samples:
        torch = torchkit.require("torch")
        tokens = self._tokenizer([prompt], return_tensors="pt", padding=True)
        inputs = {"input_ids": tokens.input_ids, "attention_mask": tokens.attention_mask}
        if context is not None:
            # (frames, channels) -> (batch, channels, frames): what the feature extractor would give.
            values = torch.from_numpy(np.ascontiguousarray(context.T))[None]
            inputs |= {"input_values": values, "padding_mask": torch.ones(values.shape[::2], dtype=torch.long)}
        frame_rate = float(self._model.config.audio_encoder.frame_rate)
        with torch.inference_mode(), torchkit.quiet_library_warnings():
            audio = self._model.generate(
                **{key: value.to(self._device) for key, value in inputs.items()},
                max_new_tokens=round(seconds * frame_rate),
                do_sample=True,
            )
        return np.ascontiguousarray(audio[0].float().cpu().numpy().T, dtype=np.float32)
