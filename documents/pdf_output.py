"""The last step of a render: compress each PDF stream once, at a moderate level.

pydyf (WeasyPrint's PDF writer) compresses a stream every time its bytes are asked for, at
zlib level 9. With a file identifier (PDF/A sets one) it asks twice: once to write the file
and once more to hash every object for the identifier. For a letter that is about a fifth
of the render time, spent on font subsets and page streams compressed twice.

`compress_streams_once` is a WeasyPrint `finisher`: it runs after the PDF objects are built
and before they are written, and replaces each stream waiting to be compressed by its
deflated bytes (level 6: within 1 % of level 9's size on these files, several times faster),
so writing and hashing read the same bytes. The object stream and the cross-reference stream
that pydyf builds while writing are small and left to it.
"""

from __future__ import annotations

import zlib
from typing import Any

import pydyf

ZLIB_LEVEL = 6


def _raw(stream: pydyf.Stream) -> bytes:
    return b"\n".join(pydyf._to_bytes(item) for item in stream.stream)


def compress_streams_once(document: Any, pdf: pydyf.PDF) -> None:
    """Deflate every stream pydyf would compress, once; the file reads the same."""
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Stream) or not obj.compress:
            continue
        obj.stream = [zlib.compress(_raw(obj), ZLIB_LEVEL)]
        obj.extra["Filter"] = "/FlateDecode"
        obj.compress = False
