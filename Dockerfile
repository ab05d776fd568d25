# ebrain: the API server, the CLI, the ingest worker and (with the ray extra) a Ray worker image.
#   docker build -t ebrain:0.1.0 .
#   docker build --build-arg EXTRAS=postgres,milvus --build-arg OCR=0 -t ebrain:0.1.0 .
FROM python:3.11-slim-bookworm

ARG EXTRAS=postgres,milvus,ray
# Tesseract (Chinese + English) for scanned documents; LibreOffice (large) converts legacy
# .doc/.xls/.ppt and is left out unless asked for.
ARG OCR=1
ARG LIBREOFFICE=0

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    EBRAIN_WORKSPACE=/workspace \
    EBRAIN_SERVER_HOST=0.0.0.0 \
    EBRAIN_CACHE_DIR=/tmp/ebrain-cache

RUN set -eux; \
    pkgs="fonts-wqy-microhei"; \
    if [ "$OCR" = 1 ]; then pkgs="$pkgs tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng"; fi; \
    if [ "$LIBREOFFICE" = 1 ]; then pkgs="$pkgs libreoffice-core libreoffice-writer libreoffice-calc libreoffice-impress"; fi; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs; \
    rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install ".[${EXTRAS}]" && rm -rf /src

# An unprivileged user; /workspace holds config.yaml (mounted) and scratch files.
RUN useradd --create-home --uid 10001 ebrain && mkdir -p /workspace && chown ebrain /workspace
USER 10001
WORKDIR /workspace
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"

ENTRYPOINT ["ebrain"]
CMD ["serve"]
