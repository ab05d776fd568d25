"""Legacy Office formats (.doc .xls .ppt .wps ...) converted by headless LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from ebrain.errors import ParseError
from ebrain.ingest.document import Document

# Source extension -> (LibreOffice target format, parser name for the converted file).
TARGETS = {
    ".doc": ("docx", "docx"),
    ".dot": ("docx", "docx"),
    ".wps": ("docx", "docx"),
    ".wpt": ("docx", "docx"),
    ".xls": ("xlsx", "xlsx"),
    ".et": ("xlsx", "xlsx"),
    ".ods": ("xlsx", "xlsx"),
    ".ppt": ("pptx", "pptx"),
    ".pps": ("pptx", "pptx"),
    ".dps": ("pptx", "pptx"),
    ".odp": ("pptx", "pptx"),
}
CONVERT_TIMEOUT_S = 180


@dataclass
class LegacyOfficeParser:
    """Converts with `soffice --headless --convert-to`, then parses the OOXML result."""

    name: str = "legacy-office"
    extensions: tuple[str, ...] = tuple(TARGETS)
    soffice: str = "soffice"

    def parse(self, path: Path, data: bytes) -> Document:
        """Convert in a temporary folder and parse the converted file."""
        from ebrain.ingest.parsers.dispatch import REGISTRY

        suffix = path.suffix.lower() if path.suffix.lower() in TARGETS else ".doc"
        target, parser_name = TARGETS[suffix]
        converted = self._convert(data, suffix, target)
        doc = REGISTRY.get(parser_name).parse(path.with_suffix("." + target), converted)
        return replace(doc, format=suffix.lstrip("."), meta={**doc.meta, "converted_by": "soffice"})

    def _convert(self, data: bytes, suffix: str, target: str) -> bytes:
        """The bytes of the file converted to `target` by LibreOffice."""
        exe = shutil.which(self.soffice)
        if exe is None:
            raise _needs_converter(suffix)
        with tempfile.TemporaryDirectory(prefix="ebrain-soffice-") as tmp:
            src = Path(tmp) / f"input{suffix}"
            src.write_bytes(data)
            cmd = [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless"]
            cmd += ["--convert-to", target, "--outdir", tmp, str(src)]
            try:
                subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False)
            except subprocess.TimeoutExpired as exc:
                raise _failed(suffix, "timed out") from exc
            out = Path(tmp) / f"input.{target}"
            if not out.exists():
                raise _failed(suffix, "LibreOffice produced no output")
            return out.read_bytes()


def _needs_converter(suffix: str) -> ParseError:
    return ParseError(
        "needs_converter",
        f"{suffix} files are converted with LibreOffice, which is not installed",
        hint="install LibreOffice (`apt-get install libreoffice-writer libreoffice-calc "
        "libreoffice-impress`, or `brew install --cask libreoffice`), or save the file "
        "as .docx / .xlsx / .pptx",
    )


def _failed(suffix: str, why: str) -> ParseError:
    return ParseError(
        "corrupt",
        f"LibreOffice could not convert the {suffix} file: {why}",
        hint="open it in its application and save it as .docx / .xlsx / .pptx",
    )


PARSER = LegacyOfficeParser()
