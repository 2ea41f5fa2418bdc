"""Speech with Parler-TTS (ai4bharat/indic-parler-tts for Hindi and English, or any parler-tts
model). Every speaker of the film gets one named Parler speaker, one description that names it
and one seed (services.audio.speakers), so a character sounds the same in every shot.

A line longer than the model can say at once (`max_line_s` of speech, its max_new_tokens) is
split at sentence, then clause boundaries (text.split_for_speech) into pieces that fit; the
pieces are spoken and joined again with a breath, as espeak-ng's script runs are, so the line's
timing spans the whole line and nothing is cut off.

The model is loaded once per process, on first use, on the GPU when there is one, in bfloat16
with SDPA attention there and float32 on the CPU (`dtype` and `attention`, `auto` by default).
The pieces of one speaker in a shot are generated in one batch, seeded with that speaker's
seed, so a retry gives the same audio. Lines the model has no language for (Hindi, when the
model is English only) are spoken by espeak-ng and resampled to the model's rate. torch,
transformers and parler_tts are imported here only, when the first shot is spoken.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from services.audio import pcm, progress, speakers, speech, text, voices
from services.audio.backends import torchkit
from services.audio.backends.espeak import SAMPLE_RATE as ESPEAK_RATE
from services.audio.backends.espeak import EspeakSpeech
from services.audio.models import SpeakInput, SpokenClip
from services.audio.settings import Attention, ParlerSpeakers, TorchDtype
from storyreel.domain import Character, Language, Line, Voice
from storyreel.errors import BackendError

log = logging.getLogger(__name__)

CHARS_PER_S = 8.0
"""Characters of text a piece may have per second of `max_line_s`. Speech runs at 12-16 characters
a second (English or Devanagari, a slow voice to a quick one), so a piece this long takes about
half to two thirds of the time the model may generate: it is never cut off."""


@dataclass(frozen=True)
class ParlerOptions:
    model: str
    device: str
    speaks_hindi: bool
    max_line_s: float
    dtype: TorchDtype = TorchDtype.AUTO
    attention: Attention = Attention.AUTO
    description_tokenizer: str = ""
    """Empty: the tokenizer the model's config names for its text encoder, else the model's own."""
    speakers: ParlerSpeakers = ParlerSpeakers.AUTO
    narrator: str = ""

    @property
    def max_piece_chars(self) -> int:
        return max(1, int(self.max_line_s * CHARS_PER_S))


@dataclass(frozen=True)
class Precision:
    dtype: str
    """A torch dtype's name: float32, bfloat16, float16."""
    attention: str
    """The decoder's attn_implementation: sdpa or eager."""


def choose_precision(device: str, dtype: TorchDtype, attention: Attention) -> Precision:
    """What `auto` means on a device: on CUDA bfloat16 and SDPA (Parler-TTS's inference guide),
    elsewhere float32 and SDPA (which parler-tts 0.2.3 picks by itself, made explicit here)."""
    cuda = device == "cuda" or device.startswith("cuda:")
    chosen_dtype = ("bfloat16" if cuda else "float32") if dtype == TorchDtype.AUTO else dtype.value
    chosen_attention = "sdpa" if attention == Attention.AUTO else attention.value
    return Precision(chosen_dtype, chosen_attention)


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


def description_tokenizer_name(model_config: Any, model: str, setting: str) -> str:
    """Where the descriptions' tokenizer comes from: the setting, else what the model's config
    names for its text encoder (Parler v1 and indic-parler-tts name google/flan-t5-large, a
    second repository to download), else the model's own folder."""
    return setting or getattr(model_config.text_encoder, "_name_or_path", "") or model


class ParlerSpeech:
    def __init__(self, espeak: EspeakSpeech, options: ParlerOptions) -> None:
        self.espeak = espeak
        self.options = options
        self.roster = speakers.roster_for(options.speakers, options.model)
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        """One model, one GPU: loading and generation take turns."""

    @property
    def model(self) -> Any:
        """The loaded model, or None before the first shot."""
        return self._loaded.model if self._loaded else None

    def voices(self, request: SpeakInput) -> dict[str, speakers.ParlerVoice]:
        """The Parler voice of every speaker of the request's cast (the same for the same cast)."""
        return self._cast(request.characters, request.narrator_voice)

    def cast_voices(self, characters: list[Character], narrator: Voice) -> dict[str, str]:
        return {speaker: f"Parler-TTS {voice.speaker}" for speaker, voice in self._cast(characters, narrator).items()}

    def _cast(self, characters: list[Character], narrator: Voice) -> dict[str, speakers.ParlerVoice]:
        everyone = voices.cast(characters, narrator, self.espeak.known_variants())
        return speakers.cast_parler(characters, narrator, everyone, self.roster, self.options.narrator)

    def speak(self, request: SpeakInput, output: Path) -> SpokenClip:
        cast = self.espeak.cast(request)
        parler_voices = self.voices(request)
        chosen = [index for index, line in enumerate(request.lines) if self.speaks(line)]
        with self._lock:
            loaded = self._load()
            generated = self._speak_lines(loaded, request.lines, chosen, parler_voices)
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

    def _speak_lines(
        self, loaded: _Loaded, lines: list[Line], chosen: list[int], parler_voices: dict[str, speakers.ParlerVoice]
    ) -> dict[int, pcm.Samples]:
        """Each chosen line, its pieces generated speaker by speaker and joined again."""
        most = self.options.max_piece_chars
        pieces = {index: text.split_for_speech(spoken_text(lines[index]), most) for index in chosen}
        spoken: dict[tuple[int, int], pcm.Samples] = {}
        for speaker in sorted({lines[index].speaker_id for index in chosen}):
            keys = [(index, number) for index in chosen if lines[index].speaker_id == speaker
                    for number in range(len(pieces[index]))]  # fmt: skip
            voice = parler_voices[speaker]
            progress.report(f"speaking {len(keys)} piece(s) in {voice.speaker}'s voice")
            waves = self._generate(loaded, [pieces[index][number] for index, number in keys], voice)
            spoken.update(zip(keys, waves, strict=True))
        return {
            index: speech.join_pieces([spoken[index, number] for number in range(len(pieces[index]))], loaded.rate)
            for index in chosen
        }

    def _load(self) -> _Loaded:
        if self._loaded is None:
            progress.report("loading the speech model")
            self._loaded = self._load_model()
        return self._loaded

    def _load_model(self) -> _Loaded:
        torchkit.silence_transformers_logging()
        torch = torchkit.require("torch")
        parler_tts, transformers = torchkit.require("parler_tts"), torchkit.require("transformers")
        device, name = torchkit.pick_device(self.options.device), self.options.model
        precision = choose_precision(device, self.options.dtype, self.options.attention)
        # The T5 text encoder of transformers 4.46 has no SDPA: asking it for one is an error.
        attention = {"decoder": precision.attention, "text_encoder": "eager", "audio_encoder": "eager"}
        try:
            with torchkit.quiet_library_warnings():
                model = parler_tts.ParlerTTSForConditionalGeneration.from_pretrained(
                    name, torch_dtype=getattr(torch, precision.dtype), attn_implementation=attention
                )
                model = model.to(device).eval()
                prompt_tokenizer = transformers.AutoTokenizer.from_pretrained(name)
                description_name = description_tokenizer_name(model.config, name, self.options.description_tokenizer)
                description_tokenizer = transformers.AutoTokenizer.from_pretrained(description_name)
        except OSError as error:
            raise BackendError(f"cannot load the Parler-TTS model {name!r}: {error}") from None
        rate = int(model.config.sampling_rate)
        log.info(
            "Parler-TTS loaded",
            extra={"model": name, "device": device, "dtype": precision.dtype, "attention": precision.attention,
                   "description_tokenizer": description_name, "sample_rate": rate},
        )  # fmt: skip
        return _Loaded(
            model, prompt_tokenizer, description_tokenizer, device, rate, float(model.audio_encoder.config.frame_rate)
        )

    def _generate(self, loaded: _Loaded, texts: list[str], voice: speakers.ParlerVoice) -> list[pcm.Samples]:
        """One waveform per text, all in `voice`, generated together from the voice's seed."""
        torch = torchkit.require("torch")
        descriptions = [voice.description] * len(texts)
        described = loaded.description_tokenizer(descriptions, return_tensors="pt", padding=True).to(loaded.device)
        prompted = loaded.prompt_tokenizer(texts, return_tensors="pt", padding=True).to(loaded.device)
        torch.manual_seed(voice.seed)
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
            np.ascontiguousarray(wave[:length], dtype=np.float32)
            for wave, length in zip(waves, generation.audios_length, strict=True)
        ]
