"""Page forms by part of the journey, and what they share (``common``)."""
