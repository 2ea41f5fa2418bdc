"""WebVTT from SRT, for a composer that makes only SRT (browsers' <track> needs WebVTT)."""

from __future__ import annotations

import re

_SRT_TIME = re.compile(r"(\d{2}:\d{2}:\d{2}),(\d{3})")


def srt_to_vtt(srt: str) -> str:
    lines = srt.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    converted = [_SRT_TIME.sub(r"\1.\2", line) if "-->" in line else line for line in lines]
    return "WEBVTT\n\n" + "\n".join(converted).strip("\n") + "\n"
