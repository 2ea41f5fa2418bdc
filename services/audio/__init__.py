"""The audio service: speaks each shot's lines (espeak-ng) and scores music per scene mood
(a procedural score rendered with fluidsynth, or with numpy where fluidsynth is absent)."""
