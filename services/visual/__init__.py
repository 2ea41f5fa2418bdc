"""The visual service: renders each shot of a storyboard into a silent video clip."""
