"""Zip containers read with the standard library's zipfile, each member streamed in bounded
chunks and charged to the file's unpacked-bytes budget while it is inflated.

zipfile reads the directory; members are inflated here, from the archive's bytes, with an
output bound per call (zipfile inflates bzip2 and LZMA a whole compressed block at a time, and
its stream objects cost ~20 us per part). The sizes an archive declares are never trusted;
each member's CRC-32 and size are checked once it has been read to its end.
"""

from __future__ import annotations

import bz2
import io
import lzma
import struct
import zipfile
import zlib
from typing import Any, Protocol

from ebrain.ingest.parsers.budget import InflateBudget, current_budget

CHUNK = 1 << 20
"""Most bytes inflated in one step."""
_DEFLATE_RATIO = 1032  # the most deflate can expand its input
DAMAGED: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
)
"""What reading a damaged archive raises (bad zip, missing member, bad data, encrypted)."""


class Readable(Protocol):
    """A binary stream to read from."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` bytes (all the rest for -1); b'' at the end."""
        ...


class Archive:
    """A zip archive in memory whose members are inflated on demand, within the budget."""

    def __init__(self, data: bytes, budget: InflateBudget | None = None) -> None:
        self._data = data
        self._zip = zipfile.ZipFile(io.BytesIO(data))
        self._budget = budget or current_budget()
        self._charged: dict[str, int] = {}

    def names(self) -> list[str]:
        """The member names, in archive order."""
        return self._zip.namelist()

    def has(self, name: str) -> bool:
        """True when the archive holds a member called `name`."""
        return name in self._zip.NameToInfo

    def open(self, name: str) -> MemberStream:
        """A stream of the inflated member (KeyError when missing)."""
        info = self._zip.getinfo(name)
        if info.flag_bits & 1:  # encrypted: zipfile says so (RuntimeError)
            source: Readable = self._zip.open(info)
        else:
            source = _Decompressing(info, self._raw(info))
        return MemberStream(source, lambda end: self._charge(name, end))

    def read(self, name: str, limit: int = -1) -> bytes:
        """The inflated member (its first `limit` bytes when limit >= 0)."""
        info = self._zip.getinfo(name)
        if info.flag_bits & 1:
            with self.open(name) as stream:
                return stream.read(limit)
        source = _Decompressing(info, self._raw(info))
        parts: list[bytes] = []
        size = 0
        while limit < 0 or size < limit:
            chunk = source.read(CHUNK if limit < 0 else min(CHUNK, limit - size))
            if not chunk:
                break
            size += len(chunk)
            self._charge(name, size)
            parts.append(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def fits(self, names: list[str]) -> bool:
        """True when these members cannot inflate past the budget left, whatever they hold:
        stored ones are as long as they are, deflate expands 1032:1 at most; other methods
        have no such bound."""
        worst = 0
        for name in names:
            info = self._zip.getinfo(name)
            if info.compress_type == zipfile.ZIP_STORED:
                worst += info.compress_size
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                worst += info.compress_size * _DEFLATE_RATIO + 1024
            else:
                return False
        return worst <= self._budget.limit - self._budget.used

    def close(self) -> None:
        """Release the zipfile."""
        self._zip.close()

    def _charge(self, name: str, end: int) -> None:
        """Charge the budget for `name` inflated up to `end` (bytes read again are free)."""
        done = self._charged.get(name, 0)
        if end > done:
            self._charged[name] = end
            self._budget.charge(end - done)

    def _raw(self, info: zipfile.ZipInfo) -> memoryview:
        """The compressed bytes of a member, after its local header."""
        head = info.header_offset
        if self._data[head : head + 4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"Bad magic number for file header of {info.filename!r}")
        name_len, extra_len = struct.unpack_from("<HH", self._data, head + 26)
        start = head + 30 + name_len + extra_len
        raw = memoryview(self._data)[start : start + info.compress_size]
        if len(raw) != info.compress_size:
            raise zipfile.BadZipFile(f"truncated data for {info.filename!r}")
        return raw


def open_archive(data: bytes) -> Archive:
    """The Archive of `data`: the one already opened for the same bytes while parsing this
    file (the sniffer's, for the parser), else a new one."""
    budget = current_budget()
    found = budget.opened.get(id(data))
    if found is not None and found[0] is data:
        return found[1]  # type: ignore[no-any-return]
    archive = Archive(data, budget)
    budget.opened[id(data)] = (data, archive)
    return archive


class MemberStream(io.RawIOBase):
    """Reads a member in chunks of at most CHUNK bytes, reporting the offset reached."""

    def __init__(self, source: Readable, reached: Any) -> None:
        super().__init__()
        self._source = source
        self._reached = reached
        self._pos = 0

    def readable(self) -> bool:
        """Always True."""
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        """Up to `size` more bytes (all the rest for -1 or None); b'' at the end."""
        want = -1 if size is None or size < 0 else size
        parts: list[bytes] = []
        while want:
            chunk = self._source.read(CHUNK if want < 0 else min(want, CHUNK))
            if not chunk:
                break
            self._pos += len(chunk)
            self._reached(self._pos)
            parts.append(chunk)
            want = want - len(chunk) if want > 0 else want
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def close(self) -> None:
        """Close the underlying member stream."""
        closer = getattr(self._source, "close", None)
        if closer is not None:
            closer()
        super().close()


class _Decompressing:
    """A member inflated at most `size` bytes per read (stored, deflate, bzip2, LZMA), its
    CRC-32 and size checked once it is read to the end."""

    def __init__(self, info: zipfile.ZipInfo, raw: memoryview) -> None:
        self._info = info
        self._input: bytes | memoryview = raw
        self._crc = 0
        self._size = 0
        method = info.compress_type
        if method == zipfile.ZIP_STORED:
            self._dec: Any = None
        elif method == zipfile.ZIP_DEFLATED:
            self._dec = zlib.decompressobj(-15)
        elif method == zipfile.ZIP_BZIP2:
            self._dec = bz2.BZ2Decompressor()
        elif method == zipfile.ZIP_LZMA:
            self._dec, self._input = _lzma(raw)
        else:
            raise NotImplementedError(f"compression method {method} is not supported")

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` more inflated bytes; b'' at the end."""
        size = CHUNK if size < 0 else size
        if self._dec is None:
            out = bytes(self._input[:size])
            self._input = self._input[size:]
        else:
            out = self._inflate(size)
        self._crc = zlib.crc32(out, self._crc)
        self._size += len(out)
        if self._size > self._info.file_size or not out:
            self._check()
        return out

    def _inflate(self, size: int) -> bytes:
        """Up to `size` bytes out of the decompressor; b'' when nothing more comes out."""
        out = b""
        while not out and not self._dec.eof:
            if not self._input and getattr(self._dec, "needs_input", False):
                break  # bzip2 / LZMA: all input used (an LZMA stream may lack an end marker)
            out = self._dec.decompress(self._input, size)
            self._input = getattr(self._dec, "unconsumed_tail", b"")
            if not out and not self._input:
                break  # deflate: input used and nothing pending
        return out

    def _check(self) -> None:
        if self._size != self._info.file_size or self._crc != self._info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 or size for file {self._info.filename!r}")


def _lzma(raw: memoryview) -> tuple[Any, memoryview]:
    """(decompressor, LZMA stream) of a zip LZMA member: version, properties size, properties."""
    if len(raw) < 9:
        raise zipfile.BadZipFile("LZMA member too short")
    (props_size,) = struct.unpack_from("<H", raw, 2)
    props = bytes(raw[4 : 4 + props_size])
    if len(props) != 5:
        raise zipfile.BadZipFile("bad LZMA properties")
    pb, rest = divmod(props[0], 45)
    lp, lc = divmod(rest, 9)
    lzma1 = {"id": lzma.FILTER_LZMA1, "dict_size": int.from_bytes(props[1:5], "little")}
    lzma1 |= {"lc": lc, "lp": lp, "pb": pb}
    return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma1]), raw[4 + props_size :]
