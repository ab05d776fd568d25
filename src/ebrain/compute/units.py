"""Units and byte sizes shared by the planners."""

from __future__ import annotations

from ebrain.errors import InvalidInputError

GB = 1e9
GiB = float(2**30)
KiB = 1024.0
HOUR = 3600.0
DAY = 86400.0
YEAR = 365.25 * DAY

# Bytes per weight. int4 is the raw 4 bits; GPTQ/AWQ add one fp16 scale (+ packed zero point)
# per group of 128 weights: 4 + 32/128 = 4.25 bits. nf4 (QLoRA) with double quantization is
# 4.127 bits per parameter (Dettmers et al. 2023, section 3).
BYTES_PER_PARAM: dict[str, float] = {
    "fp32": 4.0,
    "fp16": 2.0,
    "bf16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
    "int4-gptq": 4.25 / 8,
    "int4-awq": 4.25 / 8,
    "nf4": 4.127 / 8,
}

# Which tensor-core rate a weight precision computes at (weight-only int4 dequantises to bf16).
COMPUTE_PRECISION: dict[str, str] = {"fp8": "fp8", "int8": "int8"}


def bytes_per_param(precision: str) -> float:
    """Bytes per weight for a precision name, or InvalidInputError listing the valid ones."""
    key = precision.lower().replace("_", "-")
    if key in ("gptq", "awq"):
        key = f"int4-{key}"
    if key not in BYTES_PER_PARAM:
        valid = ", ".join(BYTES_PER_PARAM)
        raise InvalidInputError(f"unknown precision {precision!r}; valid: {valid}")
    return BYTES_PER_PARAM[key]


def positive(name: str, value: float) -> float:
    """Check that a numeric input is > 0."""
    if not value > 0:
        raise InvalidInputError(f"{name} must be > 0, got {value}")
    return value


def fraction(name: str, value: float) -> float:
    """Check that a ratio is in (0, 1]."""
    if not 0 < value <= 1:
        raise InvalidInputError(f"{name} must be in (0, 1], got {value}")
    return value


_SUFFIX = {"K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12, "P": 1e15}


def parse_count(text: str | float) -> float:
    """A count like '300e9', '300B', '15.6T' or '1M' as a float."""
    if isinstance(text, int | float):
        return float(text)
    raw = text.strip().replace(",", "").replace("_", "")
    scale = _SUFFIX.get(raw[-1:].upper(), 0.0) if raw else 0.0
    try:
        return float(raw[:-1]) * scale if scale else float(raw)
    except ValueError as exc:
        raise InvalidInputError(
            f"not a number: {text!r}", hint="write e.g. 300e9, 300B, 15.6T or 1M"
        ) from exc
