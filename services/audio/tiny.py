"""Tiny, randomly initialised Parler-TTS and MusicGen models built from configs, for the tests
and bench/audio_bench.py: they run the real loading, generation and decoding code of the
backends in seconds, with no download (the weights are noise, so is their audio).

Each is saved as a folder that from_pretrained reads like a hub model, with a small byte-level
BPE tokenizer trained here (it encodes any text, Devanagari included).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.audio.backends import torchkit

_CODEBOOK = 64
"""Codebook size of the tiny codec; the id after it is the decoder's pad/bos/eos."""
_TOKENIZER_TEXT = [
    "A calm male narrator with a warm voice speaks at a moderate pace.",
    "Old Meera lived by the river. Hold the lantern high!",
    "गाँव के बाहर एक पुराना कुआँ था। दादी, आप रोज़ दीपक क्यों जलाती हैं?",
    "calm gentle ambient film score, soft strings and warm piano, 72 bpm",
]


def _tokenizer() -> Any:
    tokenizers, transformers = torchkit.require("tokenizers"), torchkit.require("transformers")
    bpe = tokenizers.Tokenizer(tokenizers.models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=320,
        special_tokens=["<pad>", "</s>", "<unk>"],
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(_TOKENIZER_TEXT, trainer)
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=bpe, pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
        model_input_names=["input_ids", "attention_mask"],
    )  # fmt: skip


def _configs(vocab_size: int) -> tuple[Any, Any]:
    """A one-layer T5 text encoder and a 16 kHz EnCodec with 50 frames a second, 3 codebooks."""
    transformers = torchkit.require("transformers")
    text = transformers.T5Config(
        vocab_size=vocab_size, d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2,
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    )  # fmt: skip
    audio = transformers.EncodecConfig(
        sampling_rate=16000, audio_channels=1, num_filters=4, hidden_size=8, upsampling_ratios=[8, 5, 4, 2],
        codebook_size=_CODEBOOK, codebook_dim=8, target_bandwidths=[1.5], num_lstm_layers=1,
    )  # fmt: skip
    return text, audio


def _decoder_tokens() -> dict[str, int]:
    return {"pad_token_id": _CODEBOOK, "bos_token_id": _CODEBOOK}


def _randomise_codebooks(codec: Any) -> None:
    """EnCodec starts its codebooks at zero (training fills them), so every code would decode to
    the same sound; random entries make the audio depend on what the decoder generated."""
    torch = torchkit.require("torch")
    with torch.no_grad():
        for layer in codec.quantizer.layers:
            layer.codebook.embed.normal_()


def _generation(config: Any, max_length: int) -> None:
    config.decoder_start_token_id = config.pad_token_id = config.bos_token_id = _CODEBOOK
    config.do_sample, config.max_length = True, max_length


def build_parler(folder: Path, seed: int = 0) -> Path:
    """A tiny Parler-TTS (Encodec codec instead of DAC, to stay small) saved in `folder`."""
    torchkit.silence_transformers_logging()
    torch, parler_tts = torchkit.require("torch"), torchkit.require("parler_tts")
    tokenizer = _tokenizer()
    text, audio = _configs(len(tokenizer))
    decoder = parler_tts.ParlerTTSDecoderConfig(
        vocab_size=_CODEBOOK + 1, max_position_embeddings=4096, num_hidden_layers=1, ffn_dim=32,
        num_attention_heads=2, hidden_size=16, num_codebooks=audio.num_quantizers, eos_token_id=_CODEBOOK,
        **_decoder_tokens(),
    )  # fmt: skip
    config = parler_tts.ParlerTTSConfig.from_sub_models_config(text, audio, decoder, vocab_size=len(tokenizer))
    torch.manual_seed(seed)
    with torchkit.quiet_library_warnings():
        model = parler_tts.ParlerTTSForConditionalGeneration(config)
    _randomise_codebooks(model.audio_encoder)
    _generation(model.generation_config, 4096)
    model.generation_config.eos_token_id = _CODEBOOK
    model.generation_config.min_new_tokens = 10  # a random model may stop at once; make it say something
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build_musicgen(folder: Path, seed: int = 0) -> Path:
    """A tiny MusicGen (mono, 16 kHz) saved in `folder`."""
    torch, transformers = torchkit.require("torch"), torchkit.require("transformers")
    torchkit.silence_transformers_logging()
    tokenizer = _tokenizer()
    text, audio = _configs(len(tokenizer))
    decoder = transformers.MusicgenDecoderConfig(
        vocab_size=_CODEBOOK, max_position_embeddings=4096, num_hidden_layers=1, ffn_dim=32, num_attention_heads=2,
        hidden_size=16, num_codebooks=audio.num_quantizers, audio_channels=1, **_decoder_tokens(),
    )  # fmt: skip
    config = transformers.MusicgenConfig.from_sub_models_config(text, audio, decoder)
    torch.manual_seed(seed)
    with torchkit.quiet_library_warnings():
        model = transformers.MusicgenForConditionalGeneration(config)
    _randomise_codebooks(model.audio_encoder)
    _generation(model.generation_config, 4096)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
