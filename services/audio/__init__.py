"""The audio service: speaks each shot's lines (espeak-ng; piper-tts for English narration;
Parler-TTS with a description prompt per speaker), scores music per scene mood (a procedural
score rendered with fluidsynth or numpy; MusicGen in windows with continuation), and makes a
user's own music file into a cue (PrepareTrack)."""
