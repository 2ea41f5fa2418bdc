"""The composer service: a timeline of clips, speech, music and subtitle cues -> film.mp4 + film.srt (ffmpeg)."""
