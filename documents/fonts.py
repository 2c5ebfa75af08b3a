"""Fonts for the four GB/T 9704 roles, loaded once per process.

`LIANLUO_FONT_DIR` (default var/fonts/fandol) holds the files named in `LIANLUO_FONT_FILES`
(default: the six Fandol OTF files). Noto CJK from the system (fonts-noto-cjk) is the
per-character fallback for rare characters in names (䶮, 𠮷).
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration

DEFAULT_FONT_FILES = {
    "fangsong": "FandolFang-Regular.otf",
    "kai": "FandolKai-Regular.otf",
    "hei": "FandolHei-Regular.otf",
    "song": "FandolSong-Regular.otf",
    "song_bold": "FandolSong-Bold.otf",
}
# (CSS family, weight, role)
_FACES = [
    ("GW FangSong", 400, "fangsong"),
    ("GW Kai", 400, "kai"),
    ("GW Hei", 400, "hei"),
    ("GW Song", 400, "song"),
    ("GW Song", 700, "song_bold"),
]
CSS_PATH = Path(__file__).parent / "templates" / "documents" / "gongwen.css"

_lock = threading.Lock()
_state: dict[str, object] = {}


def font_paths() -> dict[str, Path]:
    """Role → font file; raises ImproperlyConfigured naming the missing file."""
    base = Path(settings.LIANLUO_FONT_DIR)
    files = {**DEFAULT_FONT_FILES, **settings.LIANLUO_FONT_FILES}
    paths = {role: base / name for role, name in files.items()}
    for role, path in paths.items():
        if not path.is_file():
            raise ImproperlyConfigured(
                f"font for {role} not found: {path} (run deploy/setup-system.sh "
                "or point LIANLUO_FONT_DIR at your fonts)"
            )
    return paths


def font_face_css() -> str:
    paths = font_paths()
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f"src: url({paths[role].resolve().as_uri()}); }}"
        for family, weight, role in _FACES
    )


def shared_fonts() -> tuple[FontConfiguration, CSS]:
    """The process-wide FontConfiguration and the compiled stylesheet that uses it."""
    key = repr((str(settings.LIANLUO_FONT_DIR), sorted(settings.LIANLUO_FONT_FILES.items())))
    with _lock:
        if _state.get("key") != key:
            config = FontConfiguration()
            css_text = font_face_css() + "\n" + CSS_PATH.read_text(encoding="utf-8")
            _state.update(key=key, config=config, css=CSS(string=css_text, font_config=config))
        return _state["config"], _state["css"]
