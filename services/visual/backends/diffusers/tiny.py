"""Tiny, randomly initialised diffusers pipelines built from configs, one folder per family, for
the tests, scripts/make_tiny_models.py and scripts/gpu_check.py: they run the real pipeline
classes (loading, text encoding, denoising, VAE decoding) in seconds on a CPU, with no download.

The component sizes follow diffusers' own pipeline tests; the tokenizers are byte-level BPE ones
trained here on a few sentences (they encode any text), saved beside the models, so every folder
loads with from_pretrained like a model from the hub. The weights are noise, and so is the video.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.visual.backends.diffusers.loading import require

_TEXT = [
    "Old Meera lived by the river, and every evening she lit a lamp for the boats.",
    "cinematic film still, natural light, detailed, wide shot of a village at dusk",
]
CLIP_WIDTH = 32
"""Hidden size of the tiny CLIP text and vision encoders."""
T5_WIDTH = 32


def _tokenizer(kind: str) -> Any:
    """A byte-level BPE tokenizer: CLIP-like (start and end tokens, 77 long) or T5-like (an end token)."""
    tokenizers, transformers = require("tokenizers"), require("transformers")
    specials = ["<|startoftext|>", "<pad>", "<|endoftext|>", "<unk>"] if kind == "clip" else ["<pad>", "</s>", "<unk>"]
    bpe = tokenizers.Tokenizer(tokenizers.models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=300, special_tokens=specials, show_progress=False,
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet(),
    )  # fmt: skip
    bpe.train_from_iterator(_TEXT, trainer)
    if kind == "clip":
        start, end = "<|startoftext|>", "<|endoftext|>"
        bpe.post_processor = tokenizers.processors.TemplateProcessing(
            single=f"{start} $A {end}", special_tokens=[(start, bpe.token_to_id(start)), (end, bpe.token_to_id(end))]
        )
        return transformers.PreTrainedTokenizerFast(
            tokenizer_object=bpe, bos_token=start, eos_token=end, pad_token="<pad>", unk_token="<unk>",
            model_max_length=77,
        )  # fmt: skip
    bpe.post_processor = tokenizers.processors.TemplateProcessing(
        single="$A </s>", special_tokens=[("</s>", bpe.token_to_id("</s>"))]
    )
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="</s>", pad_token="<pad>", unk_token="<unk>", model_max_length=512
    )


def _t5(kind: str = "T5") -> tuple[Any, Any]:
    """A T5 text encoder (LTX-Video) or its multilingual UMT5 twin (Wan)."""
    transformers = require("transformers")
    tokenizer = _tokenizer("t5")
    config = getattr(transformers, f"{kind}Config")(
        vocab_size=len(tokenizer), d_model=T5_WIDTH, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    )  # fmt: skip
    return getattr(transformers, f"{kind}EncoderModel")(config).eval(), tokenizer


def _clip_vision(hidden: int, image_size: int, patch_size: int, projected: bool = True) -> tuple[Any, Any]:
    transformers = require("transformers")
    config = transformers.CLIPVisionConfig(
        hidden_size=hidden, projection_dim=hidden, num_hidden_layers=2, num_attention_heads=2,
        image_size=image_size, intermediate_size=16, patch_size=patch_size,
    )  # fmt: skip
    processor = transformers.CLIPImageProcessor(crop_size=image_size, size=image_size)
    model = transformers.CLIPVisionModelWithProjection if projected else transformers.CLIPVisionModel
    return model(config).eval(), processor


def sdxl() -> Any:
    diffusers, transformers = require("diffusers"), require("transformers")
    tokenizer = _tokenizer("clip")
    text_config = transformers.CLIPTextConfig(
        bos_token_id=0, eos_token_id=2, pad_token_id=1, hidden_size=CLIP_WIDTH, intermediate_size=37,
        num_attention_heads=4, num_hidden_layers=2, vocab_size=len(tokenizer), hidden_act="gelu",
        projection_dim=CLIP_WIDTH,
    )  # fmt: skip
    unet = diffusers.UNet2DConditionModel(
        block_out_channels=(4, 8), layers_per_block=1, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=8, transformer_layers_per_block=(1, 1),
        projection_class_embeddings_input_dim=6 * 8 + CLIP_WIDTH, cross_attention_dim=2 * CLIP_WIDTH,
        norm_num_groups=1,
    )  # fmt: skip
    vae = diffusers.AutoencoderKL(
        block_out_channels=[8, 16], in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=4,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
    )  # fmt: skip
    scheduler = diffusers.EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, steps_offset=1, beta_schedule="scaled_linear", timestep_spacing="leading"
    )
    return diffusers.StableDiffusionXLPipeline(
        unet=unet, vae=vae, scheduler=scheduler,
        text_encoder=transformers.CLIPTextModel(text_config).eval(), tokenizer=tokenizer,
        text_encoder_2=transformers.CLIPTextModelWithProjection(text_config).eval(), tokenizer_2=tokenizer,
    )  # fmt: skip


def svd() -> Any:
    diffusers = require("diffusers")
    unet = diffusers.UNetSpatioTemporalConditionModel(
        block_out_channels=(32, 64), layers_per_block=1, sample_size=32, in_channels=8, out_channels=4,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
        cross_attention_dim=CLIP_WIDTH, num_attention_heads=4, projection_class_embeddings_input_dim=96,
        addition_time_embed_dim=32, num_frames=14,
    )  # fmt: skip
    scheduler = diffusers.EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", interpolation_type="linear",
        num_train_timesteps=1000, prediction_type="v_prediction", sigma_max=700.0, sigma_min=0.002,
        steps_offset=1, timestep_spacing="leading", timestep_type="continuous", use_karras_sigmas=True,
    )  # fmt: skip
    vae = diffusers.AutoencoderKLTemporalDecoder(
        block_out_channels=[32, 64], in_channels=3, out_channels=3, latent_channels=4,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
    )  # fmt: skip
    image_encoder, processor = _clip_vision(CLIP_WIDTH, 224, 32)  # SVD resizes its picture to 224x224 itself
    return diffusers.StableVideoDiffusionPipeline(
        vae=vae, image_encoder=image_encoder, unet=unet, scheduler=scheduler, feature_extractor=processor
    )


def _wan_vae() -> Any:
    return require("diffusers").AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    )


def _wan_transformer(in_channels: int, image_dim: int | None = None) -> Any:
    return require("diffusers").WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=in_channels,
        out_channels=16, text_dim=T5_WIDTH, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32, image_dim=image_dim,
    )  # fmt: skip


def wan_t2v() -> Any:
    diffusers = require("diffusers")
    text_encoder, tokenizer = _t5("UMT5")
    return diffusers.WanPipeline(
        transformer=_wan_transformer(16), vae=_wan_vae(), text_encoder=text_encoder, tokenizer=tokenizer,
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(shift=7.0),
    )  # fmt: skip


def wan_i2v() -> Any:
    """Wan 2.1's picture-to-video layout: the picture's latents and mask beside the noise (36
    input channels), and a CLIP picture encoder."""
    diffusers = require("diffusers")
    text_encoder, tokenizer = _t5("UMT5")
    image_encoder, processor = _clip_vision(4, 32, 4, projected=False)
    return diffusers.WanImageToVideoPipeline(
        transformer=_wan_transformer(36, image_dim=4), vae=_wan_vae(), text_encoder=text_encoder,
        tokenizer=tokenizer, image_encoder=image_encoder, image_processor=processor,
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(shift=7.0),
    )  # fmt: skip


def ltx() -> Any:
    """One LTX-Video model: LTXPipeline makes clips from text, LTXImageToVideoPipeline from a picture."""
    diffusers = require("diffusers")
    transformer = diffusers.LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4,
        attention_head_dim=8, cross_attention_dim=32, num_layers=1, caption_channels=T5_WIDTH,
    )  # fmt: skip
    vae = diffusers.AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False), upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1), timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False,
    )  # fmt: skip
    text_encoder, tokenizer = _t5()
    return diffusers.LTXPipeline(
        transformer=transformer, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(),
    )  # fmt: skip


BUILDERS: dict[str, Callable[[], Any]] = {
    "sdxl": sdxl, "svd": svd, "wan_t2v": wan_t2v, "wan_i2v": wan_i2v, "ltx": ltx,
}  # fmt: skip


def write(folder: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Build and save the tiny pipelines (all, or those named) as folders under `folder`."""
    torch = require("torch")
    made = {}
    for name in names or list(BUILDERS):
        torch.manual_seed(0)
        target = folder / name
        BUILDERS[name]().save_pretrained(target)
        made[name] = target
    return made
