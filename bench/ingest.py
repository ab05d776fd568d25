"""Ingest benchmark: ebrain vs LlamaIndex vs LangChain, parse + chunk only (no embedding).

Run: .venv/bin/python bench/ingest.py [--runs 5] [--copies 37] [--peer-copies 0] [--quick]
Results: docs/bench/ingest.md (+ raw JSON in bench/.cache/ingest_results.json).

The sample corpus (examples/corpus, 51 good files in 16 formats + 4 bad ones) is replicated into
bench/.cache/ingest_corpus/cNNNN/; every good file of every copy gets a unique line of text written
with the format's own library, so no copy is a byte or text duplicate of another. Each system runs
in its own subprocess; peak memory is sampled over the whole process tree (psutil) and also read
from wait4()'s ru_maxrss (largest single process). Peers run from .venv-bench-ingest
(bench/requirements-ingest.txt) via bench/ingest_peers.py.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import email
import email.policy
import hashlib
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
SRC_CORPUS = ROOT / "examples" / "corpus"
CACHE = ROOT / "bench" / ".cache"
CORPUS = CACHE / "ingest_corpus"
BIG_DIR = CACHE / "ingest_bigpdf"
WORK = CACHE / "ingest_work"
DOC = ROOT / "docs" / "bench" / "ingest.md"
PEER_PY = ROOT / ".venv-bench-ingest" / "bin" / "python"
EBRAIN = Path(sys.executable).parent / "ebrain"
CORPUS_VERSION = 2
FIXED = dt.datetime(2024, 1, 1, 0, 0, 0)
BAD_DIR = "bad"
PSS_EVERY = 5  # PSS is read every 5th sample (0.5 s), RSS every sample (0.1 s)
LANGCHAIN_EXTS = {".pdf", ".docx", ".txt", ".md", ".csv", ".html", ".json", ".jsonl"}
LC_KEY = "ebrain subset, LangChain's formats (jobs=auto)"
STAGE_KEY = "ebrain parse+chunk stage, nothing stored (jobs=auto)"
STAGE_LC_KEY = "ebrain parse+chunk stage, LangChain's formats (jobs=auto)"


# --------------------------------------------------------------------------- corpus
def copy_tag(n: int) -> str:
    """The unique text added to copy `n` (a line a person could have typed)."""
    digest = hashlib.sha1(f"copy-{n}".encode()).hexdigest()[:8]
    return f"Bench copy {n:04d} / 副本 {n:04d}, check {digest}."


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("gb18030"), "gb18030"


def _text_edit(raw: bytes, edit: Callable[[str, str], str]) -> bytes:
    """Decode in the file's own encoding, edit, encode back (keeping BOM and line ends)."""
    text, enc = _decode(raw)
    nl = "\r\n" if "\r\n" in text else "\n"
    return edit(text, nl).encode(enc)


def mut_plain(raw: bytes, tag: str) -> bytes:
    """txt / md: append a line."""
    return _text_edit(raw, lambda t, nl: t.rstrip("\r\n") + nl + nl + tag + nl)


def mut_csv(raw: bytes, tag: str) -> bytes:
    """csv: append a one-field row (readers fill the other columns with blanks)."""
    return _text_edit(raw, lambda t, nl: t.rstrip("\r\n") + nl + f'"{tag}"' + nl)


def mut_html(raw: bytes, tag: str) -> bytes:
    """html: a paragraph before </body>."""
    return _text_edit(raw, lambda t, nl: t.replace("</body>", f"<p>{tag}</p>{nl}</body>", 1))


def mut_rtf(raw: bytes, tag: str) -> bytes:
    """rtf: a paragraph before the final brace (the tag is ASCII + \\u escapes)."""
    body = "".join(c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?"
                   for c in tag)  # fmt: skip
    text = raw.decode("latin-1")
    cut = text.rstrip().rfind("}")
    return (text[:cut] + "{\\pard " + body + "\\par}\n" + text[cut:]).encode("latin-1")


def mut_json(raw: bytes, tag: str) -> bytes:
    """json transcript: one more message shaped like the last one."""
    data = json.loads(raw.decode("utf-8"))
    msgs = data.get("messages") if isinstance(data, dict) else None
    if isinstance(msgs, list) and msgs:
        msgs.append({**msgs[-1], "text": tag})
    elif isinstance(data, dict):
        data["bench_copy"] = tag
    else:
        data.append({"text": tag})
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def mut_jsonl(raw: bytes, tag: str) -> bytes:
    """jsonl transcript: one more record shaped like the last one."""
    lines = [x for x in raw.decode("utf-8").splitlines() if x.strip()]
    last = json.loads(lines[-1])
    lines.append(json.dumps({**last, "text": tag}, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def mut_eml(raw: bytes, tag: str) -> bytes:
    """eml: the tag appended to the first text/plain part (re-encoded with its own CTE)."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    cte = str(part.get("Content-Transfer-Encoding", "8bit")).lower()
    part.set_content(part.get_content().rstrip() + "\n\n" + tag + "\n", cte=cte)
    return msg.as_bytes(policy=email.policy.default.clone(linesep="\r\n"))


def mut_docx(raw: bytes, tag: str) -> bytes:
    """docx: python-docx adds a paragraph."""
    import docx

    doc = docx.Document(io.BytesIO(raw))
    doc.add_paragraph(tag)
    doc.core_properties.modified = FIXED
    return _saved(doc)


def mut_pptx(raw: bytes, tag: str) -> bytes:
    """pptx: python-pptx adds a text box to the first slide."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation(io.BytesIO(raw))
    box = prs.slides[0].shapes.add_textbox(Inches(0.3), Inches(0.1), Inches(6), Inches(0.5))
    box.text_frame.text = tag
    prs.core_properties.modified = FIXED
    return _saved(prs)


def mut_xlsx(raw: bytes, tag: str) -> bytes:
    """xlsx: openpyxl adds a cell below the data of the first sheet."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(raw))
    ws = wb.worksheets[0]
    ws.cell(row=ws.max_row + 2, column=1, value=tag)
    wb.properties.modified = wb.properties.created = FIXED
    stamp = re.compile(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
    fixed = r"\g<1>2024-01-01T00:00:00Z\g<2>"
    return _zip_edit(_saved(wb), lambda n: n == "docProps/core.xml", lambda x: stamp.sub(fixed, x))


def _saved(obj: Any) -> bytes:
    buf = io.BytesIO()
    obj.save(buf)
    return normalize_zip(buf.getvalue())


def mut_odt(raw: bytes, tag: str) -> bytes:
    """odt: a <text:p> appended to content.xml's body."""
    para = f"<text:p>{tag}</text:p></office:text>"
    return _zip_edit(
        raw, lambda n: n == "content.xml", lambda x: x.replace("</office:text>", para, 1)
    )


def mut_epub(raw: bytes, tag: str) -> bytes:
    """epub: a <p> appended to the first chapter (not the nav document)."""
    names = [n for n in zipfile.ZipFile(io.BytesIO(raw)).namelist()
             if n.endswith((".xhtml", ".html")) and "nav" not in n.lower()]  # fmt: skip
    first = sorted(names)[0]
    return _zip_edit(
        raw, lambda n: n == first, lambda x: x.replace("</body>", f"<p>{tag}</p></body>", 1)
    )


def _zip_edit(raw: bytes, pick: Callable[[str], bool], edit: Callable[[str], str]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if pick(info.filename):
                data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(_fixed_info(info), data)
    return out.getvalue()


def _fixed_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
    fixed.compress_type = info.compress_type
    fixed.external_attr = info.external_attr
    return fixed


def normalize_zip(raw: bytes) -> bytes:
    """The same zip with fixed timestamps (so generation is byte-deterministic)."""
    return _zip_edit(raw, lambda _n: False, lambda x: x)


def mut_pdf(raw: bytes, tag: str) -> bytes:
    """pdf: pypdf appends a page from a tiny fpdf2 PDF carrying the tag."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    writer.append(PdfReader(io.BytesIO(_tag_pdf(tag))))
    writer.add_metadata({"/ModDate": "D:20240101000000Z"})
    writer._ID = None  # no random /ID: keep the output deterministic
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _tag_pdf(tag: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(FIXED.replace(tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, tag.split(" / ")[0] + " - appended page for the ingest benchmark.")
    return bytes(pdf.output())


def mut_bad(raw: bytes, tag: str) -> bytes:
    """Bad files stay bad: corrupt PDFs get a trailing comment, the rest are copied as is."""
    return raw + f"\n%{tag.split(' / ')[0]}\n".encode() if raw.startswith(b"%PDF") else raw


MUTATORS: dict[str, Callable[[bytes, str], bytes]] = {
    ".txt": mut_plain, ".md": mut_plain, ".csv": mut_csv, ".html": mut_html, ".rtf": mut_rtf,
    ".json": mut_json, ".jsonl": mut_jsonl, ".eml": mut_eml, ".docx": mut_docx,
    ".pptx": mut_pptx, ".xlsx": mut_xlsx, ".odt": mut_odt, ".epub": mut_epub, ".pdf": mut_pdf,
}  # fmt: skip


def source_files() -> list[Path]:
    """The sample corpus, sorted."""
    return sorted(p for p in SRC_CORPUS.rglob("*") if p.is_file())


def build_corpus(copies: int, log: Callable[[str], None]) -> Path:
    """Generate the missing copies (copy n is always the same bytes); return the corpus root."""
    stamp = {"version": CORPUS_VERSION, "sources": len(source_files())}
    manifest = CORPUS / "MANIFEST.json"
    old = json.loads(manifest.read_text()) if manifest.exists() else {}
    have = old.get("copies", 0) if {k: old.get(k) for k in stamp} == stamp else 0
    if have >= copies:
        return CORPUS
    if have == 0:
        shutil.rmtree(CORPUS, ignore_errors=True)
    t0 = time.perf_counter()
    for n in range(have, copies):
        _write_copy(n)
    manifest.write_text(json.dumps({**stamp, "copies": copies}))
    log(f"corpus: copies {have}..{copies - 1} generated in {time.perf_counter() - t0:.1f}s")
    return CORPUS


def _write_copy(n: int) -> None:
    tag = copy_tag(n)
    for src in source_files():
        rel = src.relative_to(SRC_CORPUS)
        bad = rel.parts[0] == BAD_DIR
        mutate = mut_bad if bad else MUTATORS[src.suffix.lower()]
        dst = CORPUS / f"c{n:04d}" / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(mutate(src.read_bytes(), tag))


def copy_dirs(root: Path, k: int) -> list[Path]:
    """The first `k` copy folders."""
    return sorted(root.glob("c[0-9][0-9][0-9][0-9]"))[:k]


def files_under(dirs: list[Path]) -> list[Path]:
    """Every regular, non-hidden file under `dirs`, sorted (ebrain's own discovery rule)."""
    out = [p for d in dirs for p in d.rglob("*") if p.is_file() and not _hidden(p.relative_to(d))]
    return sorted(out)


def _hidden(rel: Path) -> bool:
    return any(x.startswith((".", "~$")) for x in rel.parts)


# --------------------------------------------------------------------------- big PDF
def build_big_pdf(pages: int = 1000) -> Path:
    """A text-heavy PDF with a table every tenth page (cached)."""
    path = BIG_DIR / f"big_{pages}_pages.pdf"
    if path.exists():
        return path
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(FIXED.replace(tzinfo=dt.UTC))
    pdf.set_font("Helvetica", size=10)
    for page in range(pages):
        pdf.add_page()
        _big_page(pdf, page)
    BIG_DIR.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def _big_page(pdf: Any, page: int) -> None:
    words = ("controller", "temperature", "furnace", "alarm", "sensor", "maintenance", "firmware",
             "calibration", "relay", "Modbus", "acceptance", "contract", "customer", "service")  # fmt: skip
    text = " ".join(words[(page * 7 + i * 3) % len(words)] for i in range(380))
    pdf.multi_cell(0, 5, f"Section {page + 1}. " + text[:2400])
    if page % 10 == 0:
        with pdf.table(col_widths=(30, 50, 40, 40)) as table:
            for r in range(8):
                row = table.row()
                for c in ("id", "item", "value", "note"):
                    row.cell(f"{c}-{page}-{r}")


# --------------------------------------------------------------------------- measuring
@dataclass
class Measured:
    """One subprocess run: exit status, wall time, memory and what it printed."""

    rc: int
    wall: float
    peak_tree_rss_mb: float
    peak_tree_pss_mb: float
    max_single_rss_mb: float
    load1: float
    stdout: str


def measure(cmd: list[str], env: dict[str, str] | None = None, interval: float = 0.1) -> Measured:
    """Run `cmd`, sampling the RSS/PSS of its whole process tree; ru_maxrss from wait4()."""
    load1 = os.getloadavg()[0]
    out = WORK / "stdout.tmp"
    WORK.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as sink:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.DEVNULL, env=env)
        peaks = [0.0, 0.0]
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(proc.pid, peaks, stop, interval))
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        stop.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    mb = 1024 * 1024
    return Measured(proc.returncode, wall, peaks[0] / mb, peaks[1] / mb,
                    usage.ru_maxrss / 1024, load1, out.read_text("utf-8", "replace"))  # fmt: skip


def _sample(pid: int, peaks: list[float], stop: threading.Event, interval: float) -> None:
    """Peak tree RSS every `interval` (statm: cheap); peak tree PSS every PSS_EVERY samples.

    PSS comes from smaps_rollup, which walks the page tables of every process: at 0.1 s it cost
    ~9% of a core, and only a system that keeps every core busy pays for that."""
    n = 0
    while not stop.is_set():
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        peaks[0] = max(peaks[0], _tree_sum(procs, "rss"))
        if n % PSS_EVERY == 0:
            peaks[1] = max(peaks[1], _tree_sum(procs, "pss"))
        n += 1
        stop.wait(interval)


def _tree_sum(procs: list[psutil.Process], field: str) -> int:
    """RSS (memory_info) or PSS (memory_full_info) summed over `procs`, gone ones skipped."""
    total = 0
    for p in procs:
        try:
            info = p.memory_info() if field == "rss" else p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        total += getattr(info, field, info.rss)
    return total


@dataclass
class Run:
    """One system's figures for one run."""

    system: str
    files: int
    ok: int
    failed: int
    chunks: int
    mb: float
    seconds: float
    wall: float
    tree_rss_mb: float
    tree_pss_mb: float
    single_rss_mb: float
    load1: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def files_s(self) -> float:
        """Files per second (work time)."""
        return self.files / self.seconds

    @property
    def mb_s(self) -> float:
        """Megabytes per second (work time)."""
        return self.mb / self.seconds

    @property
    def chunks_s(self) -> float:
        """Chunks per second (work time)."""
        return self.chunks / self.seconds


# --------------------------------------------------------------------------- systems
def fresh_workspace(name: str) -> Path:
    """A new ebrain workspace with embedding switched off in its config.yaml."""
    ws = WORK / name
    shutil.rmtree(ws, ignore_errors=True)
    subprocess.run([str(EBRAIN), "init", str(ws)], check=True, capture_output=True)
    cfg_path = ws / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text("utf-8")) or {}
    cfg.setdefault("ingest", {})["embed"] = False
    cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
    return ws


def ebrain_cmd(ws: Path, paths: list[Path], jobs: int | None) -> list[str]:
    """The real CLI command line."""
    cmd = [str(EBRAIN), "--workspace", str(ws), "ingest", *map(str, paths), "--kb", "bench"]
    return cmd + ["--json"] + (["--jobs", str(jobs)] if jobs else [])


def run_ebrain(label: str, ws: Path, paths: list[Path], jobs: int | None) -> Run:
    """One measured `ebrain ingest`; raises if it did not produce a report."""
    env = {**os.environ, "EBRAIN_INGEST_EMBED": "0"}
    m = measure(ebrain_cmd(ws, paths, jobs), env)
    try:
        rep = json.loads(m.stdout)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"{label}: ebrain printed no JSON (rc {m.rc}): {m.stdout[:500]}") from exc
    counts = rep["counts"]
    files = sum(counts.values())
    ok = files - counts.get("failed", 0)
    return Run(label, files, ok, counts.get("failed", 0), rep["chunks_added"],
               rep["bytes"] / 1e6, rep["seconds"], m.wall, m.peak_tree_rss_mb,
               m.peak_tree_pss_mb, m.max_single_rss_mb, m.load1, {"counts": counts})  # fmt: skip


def run_stage(label: str, files: list[Path]) -> Run:
    """ebrain's parse-and-chunk stage alone (bench/ingest_stage.py), nothing stored."""
    flist, out = WORK / "stage.files", WORK / "stage.json"
    flist.write_text("\n".join(map(str, files)) + "\n", "utf-8")
    out.unlink(missing_ok=True)
    m = measure([sys.executable, str(ROOT / "bench" / "ingest_stage.py"), str(flist), str(out)])
    if not out.exists():
        raise SystemExit(f"{label}: no result (rc {m.rc})")
    r = json.loads(out.read_text("utf-8"))
    return Run(label, r["files"], r["ok"], r["failed"], r["chunks"], r["bytes"] / 1e6,
               r["seconds"], m.wall, m.peak_tree_rss_mb, m.peak_tree_pss_mb,
               m.max_single_rss_mb, m.load1)  # fmt: skip


def run_peer(system: str, files: list[Path]) -> Run:
    """One measured peer run over `files` (in the peer venv)."""
    flist, out = WORK / f"{system}.files", WORK / f"{system}.json"
    flist.write_text("\n".join(map(str, files)) + "\n", "utf-8")
    out.unlink(missing_ok=True)
    cmd = [str(PEER_PY), "-W", "ignore", str(ROOT / "bench" / "ingest_peers.py"), system]
    m = measure([*cmd, str(flist), str(out)])
    if not out.exists():
        raise SystemExit(f"{system}: no result (rc {m.rc})")
    r = json.loads(out.read_text("utf-8"))
    extra = {k: r[k] for k in ("unsupported", "failures", "unsupported_ext", "import_seconds")}
    return Run(system, r["files"], r["ok"], r["failed"], r["chunks"], r["bytes"] / 1e6,
               r["seconds"], m.wall, m.peak_tree_rss_mb, m.peak_tree_pss_mb,
               m.max_single_rss_mb, m.load1, extra)  # fmt: skip


# --------------------------------------------------------------------------- profile
def profile_formats() -> dict[str, Any]:
    """cProfile ebrain's prepare() (parse+classify+chunk) per format, after one warm pass."""
    from ebrain.ingest.prepare import PrepareOptions, prepare, warm_up

    opts = PrepareOptions()
    warm_up(opts)
    files = source_files()
    for path in files:  # imports and caches out of the way
        prepare(str(path), opts)
    per_fmt: dict[str, list[float]] = {}
    prof = cProfile.Profile()
    for path in files:
        t0 = time.perf_counter()
        prof.enable()
        prepare(str(path), opts)
        prof.disable()
        per_fmt.setdefault(path.suffix.lower(), []).append(time.perf_counter() - t0)
    per = {k: {"files": len(v), "s": sum(v)} for k, v in per_fmt.items()}
    return {"per_format": per, "hotspots": _hotspots(prof), "own": _hotspots(prof, own=True)}


def _hotspots(prof: cProfile.Profile, top: int = 12, own: bool = False) -> list[dict[str, Any]]:
    """Top functions by self time, or (own=True) ebrain's functions by cumulative time."""
    stats = pstats.Stats(prof)
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if own and "src/ebrain" not in file:
            continue
        where = f"{_short(file)}:{line}:{func}"
        rows.append({"where": where, "calls": nc, "tottime": tt, "cumtime": ct})
    key = "cumtime" if own else "tottime"
    return sorted(rows, key=lambda r: r[key], reverse=True)[:top]


def _short(file: str) -> str:
    for marker in ("site-packages/", "src/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


# --------------------------------------------------------------------------- orchestration
def machine() -> dict[str, Any]:
    """nproc, CPU model, RAM, Python and package versions."""
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next(
        (x.split(":", 1)[1].strip() for x in lscpu.splitlines() if x.startswith("Model name")), "?"
    )
    peers = subprocess.run(
        [str(PEER_PY), "-m", "pip", "freeze"], capture_output=True, text=True
    ).stdout
    keep = ("llama-index-core", "llama-index-readers-file", "langchain-community",
            "langchain-text-splitters", "langchain-core", "pypdf", "docx2txt")  # fmt: skip
    return {
        "nproc": os.cpu_count(), "cpu": model, "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(), "ebrain": _ebrain_version(),
        "peers": [x for x in peers.splitlines() if x.split("==")[0].lower() in keep],
    }  # fmt: skip


def _ebrain_version() -> str:
    from importlib.metadata import version

    return version("ebrain")


def measure_all(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:
    """Every measurement, runs interleaved across systems."""
    root = build_corpus(args.copies, log)
    full = copy_dirs(root, args.copies)
    sub = copy_dirs(root, args.peer_copies or args.copies)
    res: dict[str, Any] = {"runs": {}, "full_files": len(files_under(full)), "copies": args.copies,
                           "sub_files": len(files_under(sub)), "sub_copies": len(sub)}  # fmt: skip
    for r in range(args.runs):
        log(f"run {r + 1}/{args.runs} (load {os.getloadavg()[0]:.2f})")
        _one_round(res["runs"], full, sub, log)
    big = build_big_pdf(args.big_pages)
    res["bigpdf"] = asdict(run_ebrain("ebrain big PDF", fresh_workspace("big"), [big], None))
    res["bigpdf"]["pages"] = args.big_pages
    log(f"big PDF: {res['bigpdf']['seconds']:.1f}s, tree RSS {res['bigpdf']['tree_rss_mb']:.0f} MB")
    if args.profile:
        res["profile"] = profile_formats()
    return res


def _one_round(runs: dict[str, list[dict[str, Any]]], full: list[Path], sub: list[Path],
               log: Callable[[str], None]) -> None:  # fmt: skip
    def keep(run: Run) -> None:
        runs.setdefault(run.system, []).append({**asdict(run), "files_s": run.files_s})
        log(f"  {run.system}: {run.files} files in {run.seconds:.1f}s ({run.files_s:.1f}/s), "
            f"{run.chunks} chunks, tree RSS {run.tree_rss_mb:.0f} MB, load {run.load1:.2f}")  # fmt: skip

    ws = fresh_workspace("full")
    keep(run_ebrain("ebrain (jobs=auto)", ws, full, None))
    keep(run_ebrain("ebrain re-ingest (jobs=auto)", ws, full, None))
    keep(run_ebrain("ebrain re-ingest (jobs=1)", ws, full, 1))
    if sub != full:
        keep(run_ebrain("ebrain subset (jobs=auto)", fresh_workspace("sub"), sub, None))
    label = "ebrain (jobs=1)" if sub == full else "ebrain subset (jobs=1)"
    keep(run_ebrain(label, fresh_workspace("j1"), sub, 1))
    files = files_under(sub)
    lc_files = [f for f in files if f.suffix.lower() in LANGCHAIN_EXTS]
    keep(run_ebrain(LC_KEY, fresh_workspace("lc"), lc_files, None))
    keep(run_stage(STAGE_KEY, files))
    keep(run_stage(STAGE_LC_KEY, lc_files))
    keep(run_peer("llamaindex", files))
    keep(run_peer("langchain", files))


# --------------------------------------------------------------------------- report
COLS = ("files", "ok", "failed", "chunks", "seconds", "wall", "files_s", "mb_s", "chunks_s",
        "tree_rss_mb", "tree_pss_mb", "single_rss_mb", "load1")  # fmt: skip
HEAD = ("system", "files", "ok", "failed", "chunks", "work s", "wall s", "files/s", "MB/s",
        "chunks/s", "peak tree RSS MB", "peak tree PSS MB", "max 1-proc RSS MB", "load1")  # fmt: skip


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-field medians over runs (rates recomputed per run, then the median taken)."""
    rows = [{**r, "files_s": r["files"] / r["seconds"], "mb_s": r["mb"] / r["seconds"],
             "chunks_s": r["chunks"] / r["seconds"]} for r in runs]  # fmt: skip
    med = {k: statistics.median(r[k] for r in rows) for k in COLS}
    return {**med, "system": runs[0]["system"], "n": len(runs), "extra": runs[0]["extra"]}


def _cells(m: dict[str, Any]) -> list[str]:
    fmt = {"seconds": "{:.2f}", "wall": "{:.2f}", "files_s": "{:.1f}", "mb_s": "{:.2f}",
           "chunks_s": "{:.0f}", "load1": "{:.2f}"}  # fmt: skip
    return [m["system"]] + [fmt.get(k, "{:.0f}").format(m[k]) for k in COLS]


def summary(res: dict[str, Any]) -> dict[str, Any]:
    """Medians per system, the ratios and the goals."""
    med = {name: medians(runs) for name, runs in res["runs"].items()}
    sub_key = (
        "ebrain subset (jobs=auto)" if "ebrain subset (jobs=auto)" in med else "ebrain (jobs=auto)"
    )
    sub1_key = "ebrain subset (jobs=1)" if "ebrain subset (jobs=1)" in med else "ebrain (jobs=1)"
    peer = max(("llamaindex", "langchain"), key=lambda k: med[k]["files_s"])
    first, again = med["ebrain (jobs=auto)"], med["ebrain re-ingest (jobs=auto)"]
    return {
        "med": med, "sub_key": sub_key, "sub1_key": sub1_key, "faster_peer": peer,
        "ratio_auto": med[sub_key]["files_s"] / med[peer]["files_s"],
        "ratio_j1": med[sub1_key]["files_s"] / med[peer]["files_s"],
        "ratio_mb": med[sub_key]["mb_s"] / med[peer]["mb_s"],
        "reingest_ratio": first["seconds"] / again["seconds"],
        "ratio_lc_formats": med[LC_KEY]["files_s"] / med["langchain"]["files_s"] if LC_KEY in med else None,
        "ratio_stage": med[STAGE_KEY]["files_s"] / med[peer]["files_s"] if STAGE_KEY in med else None,
        "ratio_stage_lc": med[STAGE_LC_KEY]["files_s"] / med["langchain"]["files_s"] if STAGE_LC_KEY in med else None,
        "reingest_wall_ratio": first["wall"] / again["wall"],
        "sub_note": "" if res["sub_files"] == res["full_files"] else
        f": the first {res['sub_copies']} copies; ebrain measured on the same subset for the ratio",
    }  # fmt: skip


def rich_table(res: dict[str, Any]) -> Any:
    """The medians as a rich table."""
    from rich.table import Table

    s = summary(res)
    n = max(len(v) for v in res["runs"].values())
    table = Table(title=f"ingest, parse + chunk, no embedding: medians of {n} run(s)")
    for h in HEAD:
        table.add_column(h, justify="left" if h == "system" else "right")
    for m in s["med"].values():
        table.add_row(*_cells(m))
    table.caption = (f"ebrain/{s['faster_peer']} files/s: {s['ratio_auto']:.2f}x (jobs=auto), "
                     f"{s['ratio_j1']:.2f}x (jobs=1); first/re-ingest: {s['reingest_ratio']:.1f}x")  # fmt: skip
    return table


def _md_table(rows: list[dict[str, Any]]) -> list[str]:
    out = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    return out + ["| " + " | ".join(_cells(m)) + " |" for m in rows]


def _lc_like(s: dict[str, Any]) -> str:
    if s["ratio_lc_formats"] is None:
        return ""
    return (f" On the {s['med'][LC_KEY]['files']:.0f} files of the formats LangChain reads: "
            f"{s['ratio_lc_formats']:.2f}x.")  # fmt: skip


def _throughput_goal(s: dict[str, Any]) -> str:
    """The goal line: parse-and-chunk files/s against the faster peer (which parses and chunks)."""
    ratio = s["ratio_stage"] if s["ratio_stage"] is not None else s["ratio_auto"]
    return (f"- ebrain parse-and-chunk ≥ 3x the faster peer ({s['faster_peer']}) in files/s: "
            f"{_goal(ratio >= 3 and (s['ratio_stage_lc'] or ratio) >= 3)} —")  # fmt: skip


def _stage_like(s: dict[str, Any]) -> str:
    if s["ratio_stage"] is None:
        return ""
    return (" ebrain's parse-and-chunk stage (the ingest pool's parse, classify, chunk and analyze, "
            "nothing stored, like the peers; `bench/ingest_stage.py`): "
            f"**{s['ratio_stage']:.2f}x** on all files, **{s['ratio_stage_lc']:.2f}x** on the files "
            "of the formats LangChain reads.")  # fmt: skip


def _full_ingest(s: dict[str, Any], mc: dict[str, Any]) -> str:
    return (" The full `ebrain ingest`, which also writes the catalog and the FTS5 index: "
            f"**{s['ratio_auto']:.2f}x** with the default `--jobs` (all cores = {mc['nproc']}), "
            f"{s['ratio_j1']:.2f}x with `--jobs 1`; MB/s ratio {s['ratio_mb']:.2f}x."
            + _lc_like(s))  # fmt: skip


def _spread(res: dict[str, Any], key: str, peer: str) -> str:
    """Min–max (median) of the run-by-run ratio of `key` to the same round's `peer` run."""
    pairs = zip(res["runs"].get(key, []), res["runs"].get(peer, []), strict=False)
    ratios = sorted(a["files_s"] / b["files_s"] for a, b in pairs)
    if not ratios:
        return ""
    mid = statistics.median(ratios)
    return f"{ratios[0]:.2f}–{ratios[-1]:.2f}x (median {mid:.2f}x)"


def _run_by_run(res: dict[str, Any], s: dict[str, Any]) -> str:
    peer = s["faster_peer"]
    full, stage = _spread(res, s["sub_key"], peer), _spread(res, STAGE_KEY, peer)
    if not full:
        return ""
    text = f" Run by run (each ebrain run against the same round's {peer} run):"
    return text + (f" parse-and-chunk stage {stage}," if stage else "") + f" full ingest {full}."


def _nruns(res: dict[str, Any]) -> int:
    return max(len(v) for v in res["runs"].values())


def _goal(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def render_markdown(res: dict[str, Any]) -> str:
    """docs/bench/ingest.md."""
    s, mc = summary(res), res["machine"]
    med = s["med"]
    keys = (s["sub_key"], s["sub1_key"], LC_KEY, STAGE_KEY, STAGE_LC_KEY, "llamaindex", "langchain")
    sub = [med[k] for k in keys if k in med]
    full = [
        med[k] for k in med if k.startswith("ebrain") and "subset" not in k and "stage" not in k
    ]  # incl. re-ingest; fmt: skip
    lines = [
        "# Ingest benchmark: parse + chunk throughput and memory (no embedding)", "",
        f"Command: `.venv/bin/python bench/ingest.py --runs {_nruns(res)} --copies {res['copies']} "
        f"--peer-copies {res['sub_copies']}` (the defaults) "
        f"(total {res['total_minutes']:.1f} min). Raw figures: `bench/.cache/ingest_results.json`.", "",
        f"Machine: `nproc` = {mc['nproc']}, {mc['cpu']}, {mc['ram_gb']} GiB RAM, Python {mc['python']}, "
        f"ebrain {mc['ebrain']}; peers: {', '.join(mc['peers'])}. A shared VM: the 1-minute load "
        f"average at the start of each measurement is in the `load1` column ({mc['nproc']} cores: a "
        f"load near {mc['nproc']} means we got only part of the CPU); repeated runs of one system "
        f"varied by up to ±20 %, hence medians.", "",
        f"Corpus: `examples/corpus` (51 good files in 16 formats + 4 bad) replicated "
        f"{res['copies']}x = **{res['full_files']} files** into `bench/.cache/ingest_corpus/`; "
        f"every good file of every copy carries a unique line (see Method).", "",
        f"## Same files, all systems ({res['sub_files']} files{s['sub_note']})", "",
        *_md_table(sub), "",
        f"## ebrain on the full corpus ({res['full_files']} files): first ingest and re-ingest", "",
        *_md_table(full), "",
        "## Goals", "",
        _throughput_goal(s) + _stage_like(s) + _run_by_run(res, s) + _full_ingest(s, mc),
        f"- re-ingest of the unchanged corpus ≥ 50x faster than the first ingest: "
        f"{_goal(s['reingest_ratio'] >= 50)} — **{s['reingest_ratio']:.1f}x** on ebrain's own "
        f"timer ({med['ebrain (jobs=auto)']['seconds']:.1f}s → "
        f"{med['ebrain re-ingest (jobs=auto)']['seconds']:.2f}s), {s['reingest_wall_ratio']:.1f}x "
        f"on process wall time (includes ~start-up and imports).",
        *_bigpdf_lines(res), "", *_findings(res, s), "", *_peer_notes(med), *_profile_lines(res),
        "", METHOD,
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def _bigpdf_lines(res: dict[str, Any]) -> list[str]:
    b = res["bigpdf"]
    return [
        f"- memory bound: a {b['pages']}-page generated PDF (text + a table every 10th page, "
        f"{b['mb']:.1f} MB) ingested alone: peak tree RSS **{b['tree_rss_mb']:.0f} MB** "
        f"(PSS {b['tree_pss_mb']:.0f} MB, largest single process {b['single_rss_mb']:.0f} MB), "
        f"{b['seconds']:.1f}s, {b['chunks']} chunks — ≤ ~500 MB: {_goal(b['tree_rss_mb'] <= 500)}.",
    ]  # fmt: skip


def _findings(res: dict[str, Any], s: dict[str, Any]) -> list[str]:
    """Data-driven reading of the tables (the diagnosis lines were checked against src/)."""
    med = s["med"]
    auto, one, lc = med[s["sub_key"]], med[s["sub1_key"]], med["langchain"]
    again = med["ebrain re-ingest (jobs=auto)"]
    failed = again["failed"]
    return [
        "## Reading the results", "",
        f"- against LlamaIndex, the peer that reads every format: ebrain "
        f"{auto['files_s'] / med['llamaindex']['files_s']:.2f}x (`--jobs auto`), "
        f"{one['files_s'] / med['llamaindex']['files_s']:.2f}x (`--jobs 1`) in files/s, with "
        f"{auto['ok']:.0f} vs {med['llamaindex']['ok']:.0f} files \"ok\" (LlamaIndex's \"ok\" "
        "includes the empty .txt and .odt read as raw zip bytes).",
        f"- `--jobs auto` ({res['machine']['nproc']} workers here) vs `--jobs 1`: "
        f"{auto['files_s'] / one['files_s']:.2f}x; the main process stores while the workers parse. "
        f"The pool costs memory: tree PSS {auto['tree_pss_mb']:.0f} MB vs {one['tree_pss_mb']:.0f} MB "
        "(tree RSS counts the pages the forked workers share several times).",
        f"- LangChain's rate is over {lc['files']:.0f} of {res['sub_files']} files: it has no "
        "non-`unstructured` loader for .pptx .xlsx .eml .epub .odt .rtf, and its loaders do much "
        "less per file (PyPDFLoader text only; ebrain finds ruled tables from the PDF's line paths "
        "(pdfplumber only as a fallback), runs jieba analysis and classification, and writes the "
        "catalog + FTS5 index).",
        f"- re-ingest is a catalog scan: {again['files'] - failed:.0f} unchanged files are skipped "
        f"by stat, and the {failed:.0f} files that failed before for a reason of their own bytes are "
        "reported from `ingest_error` without being parsed again while their size and mtime are unchanged.",
        *_reingest_j1(res, med),
        *_pdf_share(res),
    ]  # fmt: skip


def _pdf_share(res: dict[str, Any]) -> list[str]:
    own = {h["where"].split(":")[-1]: h for h in res.get("profile", {}).get("own", [])}
    per = res.get("profile", {}).get("per_format", {})
    if "_plumber_blocks" not in own or "prepare" not in own or ".pdf" not in per:
        return []
    plumb, total = own["_plumber_blocks"]["cumtime"], own["prepare"]["cumtime"]
    pdf_ms = 1000 * per[".pdf"]["s"] / per[".pdf"]["files"]
    return [f"- hotspot: PDFs cost {pdf_ms:.0f} ms/file, the most of any format; "
            f"pdfplumber's table pass (`parsers/pdf.py` `_table_page` → `_plumber_blocks`, which "
            f"re-parses each page with a table-like layout through pdfminer) is {plumb:.2f}s of the "
            f"{total:.2f}s `prepare()` total over the 55 sample files ({100 * plumb / total:.0f}%). "
            "Next: .docx (`word.py` `_add_paragraph`, python-docx xpath), then jieba analysis "
            "(`text/analyzer.py` `route`)."]  # fmt: skip


def _reingest_j1(res: dict[str, Any], med: dict[str, Any]) -> list[str]:
    j1 = med.get("ebrain re-ingest (jobs=1)") or res.get("reingest_j1_check")
    if not j1:
        return []
    first = med["ebrain (jobs=auto)"]["seconds"]
    how = "" if "ebrain re-ingest (jobs=1)" in med else f" ({j1['note']})"
    return [f"- the same re-ingest with `--jobs 1` (no pool, no warm-up; the bad files fail at "
            f"sniffing): {j1['seconds']:.2f}s work, {j1['wall']:.2f}s wall = "
            f"**{first / j1['seconds']:.0f}x** faster than the first ingest{how}."]  # fmt: skip


def _peer_notes(med: dict[str, Any]) -> list[str]:
    out = ["## What the peers could not read", ""]
    for name in ("llamaindex", "langchain"):
        x = med[name]["extra"]
        out.append(f"- {name}: failures by extension/exception {x['failures']}; unsupported "
                   f"(skipped, not counted in files/s) {x['unsupported_ext'] or 'none'}; "
                   f"import time {x['import_seconds']:.1f}s (excluded from work s).")  # fmt: skip
    return out


def _profile_lines(res: dict[str, Any]) -> list[str]:
    prof = res.get("profile")
    if not prof:
        return []
    per = sorted(prof["per_format"].items(), key=lambda kv: -kv[1]["s"] / kv[1]["files"])
    out = ["", "## Where ebrain spends its time", "",
           "cProfile of `prepare()` (parse + classify + chunk + analyze; no storing) over the 55 "
           "sample files in one warm process (after a first pass, so imports are excluded). "
           "Milliseconds per file by format: "
           + ", ".join(f"{k} {1000 * v['s'] / v['files']:.0f}" for k, v in per) + ".", "",
           "Top functions by self time:", "",
           "| function | calls | tottime s | cumtime s |", "|---|---|---|---|"]  # fmt: skip
    out += [f"| `{h['where']}` | {h['calls']} | {h['tottime']:.3f} | {h['cumtime']:.3f} |"
            for h in prof["hotspots"]]  # fmt: skip
    out += ["", "ebrain's own functions by cumulative time:", "",
            "| function | calls | tottime s | cumtime s |", "|---|---|---|---|"]  # fmt: skip
    out += [f"| `{h['where']}` | {h['calls']} | {h['tottime']:.3f} | {h['cumtime']:.3f} |"
            for h in prof["own"]]  # fmt: skip
    return out


METHOD = """## Method

- **ebrain**: the real CLI, `ebrain --workspace W ingest DIR... --kb bench --json` (default `--jobs`
  = one parser process per core, fork pool; and `--jobs 1`), in a fresh workspace whose
  `config.yaml` has `ingest: {embed: false}` (and `EBRAIN_INGEST_EMBED=0`). *work s* is the
  report's own `seconds` (discover, hash, parse, classify, chunk, analyze, store every document
  and its chunks in SQLite + FTS5); *wall s* is the whole process (start-up, imports, workspace
  open). Re-ingest = the same command again on the unchanged corpus in the same workspace.
- **LlamaIndex**: `SimpleDirectoryReader` default file extractors, one `load_file(...,
  raise_on_error=True)` per file (what `iter_data` does) wrapped in try/except, then
  `SentenceSplitter()` defaults on that file's documents. Types without a default extractor
  (.txt .md .html .json .jsonl .eml .rtf .odt) are read as UTF-8 text with errors ignored — so
  .odt "succeeds" as zip bytes and the GBK / UTF-16 .txt as mojibake, as a new user gets it.
- **LangChain**: a per-extension loader map without `unstructured` (PyPDFLoader, Docx2txtLoader,
  TextLoader(autodetect_encoding=True), CSVLoader, BSHTMLLoader, JSONLoader), then
  `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`. .pptx .xlsx .eml .epub
  .odt .rtf only have `Unstructured*` loaders (unstructured + its NLTK data downloads): reported
  as unsupported, and left out of LangChain's files, MB and seconds — its files/s is over the
  easier formats it supports.
- **ebrain parse+chunk stage**: `bench/ingest_stage.py` runs `ebrain.ingest.pipeline.
  prepare_files` — the code `ebrain ingest` runs before it writes the catalog (the same fork pool,
  parse, classify, chunk, jieba analysis) — and stores nothing, like the peers. Its timer starts
  after imports and includes loading jieba's dictionary and the parser libraries.
- Peers' *work s* excludes interpreter start-up and imports; they store nothing (ebrain writes a
  catalog). Each file is loaded and split on its own, so peers never hold the whole corpus in
  memory. Peers run single-process (their defaults); ebrain uses its default fork pool.
- **Memory**: each system runs as a subprocess; a thread samples the RSS of the whole process
  tree every 0.1 s (psutil, /proc/PID/statm) and its PSS every 0.5 s (smaps_rollup) — *peak tree
  RSS* counts pages shared by forked workers once per process (overstates), *PSS* splits them
  (closest to real use). *max 1-proc RSS* is `ru_maxrss` from `wait4()` on the child: the
  largest single process in its tree (it also catches spikes shorter than the sampling period,
  hence it can exceed the tree figure). PSS is read less often because smaps_rollup walks every
  page table: read every 0.1 s it took ~9% of a core, which only a system that keeps both cores
  busy pays for (a single-process peer leaves the sampler a free core).
- **Corpus**: copy *n* gets the line `Bench copy nnnn / 副本 nnnn, check <sha1>`: appended to
  .txt/.md (in the file's own encoding: UTF-8, GB18030, UTF-16), a row of .csv, a `<p>` of .html,
  a message of .json/.jsonl transcripts, the text/plain part of .eml (re-encoded), a paragraph of
  .rtf; python-docx adds a paragraph, python-pptx a text box, openpyxl a cell; .odt content.xml
  and the first .epub chapter are rewritten with zipfile; PDFs get a page (fpdf2) appended with
  pypdf. So no two files share bytes or text and ebrain's content dedup gives no free pass (0
  duplicates reported). The 4 bad files (empty .txt, zip renamed .pdf, encrypted .docx, damaged
  .pdf) are in every copy; the damaged PDF gets a unique trailing comment. Generation is
  deterministic (fixed timestamps) and cached.
- Rates are medians over runs of per-run rates; runs are interleaved across systems.
"""


def render_only(out: Path) -> None:
    """Rewrite the markdown from bench/.cache/ingest_results.json (profile measured afresh)."""
    saved = CACHE / "ingest_results.json"
    res = json.loads(saved.read_text("utf-8"))
    res["profile"] = profile_formats()
    saved.write_text(json.dumps(res, ensure_ascii=False, indent=1))
    out.write_text(render_markdown(res), "utf-8")


def main() -> None:
    """Parse flags, measure, print a rich table, write docs/bench/ingest.md."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--copies", type=int, default=37, help="copies of the 55-file corpus")
    ap.add_argument("--peer-copies", type=int, default=0,
                    help="peers (and the like-for-like ebrain runs) on the first N copies; 0: all")  # fmt: skip
    ap.add_argument("--big-pages", type=int, default=1000)
    ap.add_argument("--no-profile", dest="profile", action="store_false")
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 copies, 1 run, 50 pages")
    ap.add_argument("--out", type=Path, default=DOC)
    ap.add_argument(
        "--render-only", action="store_true", help="re-profile, re-render saved results"
    )
    args = ap.parse_args()
    if args.render_only:
        render_only(args.out)
        return
    if args.quick:
        args.runs, args.copies, args.peer_copies, args.big_pages = 1, 2, 0, 50
    if not PEER_PY.exists():
        raise SystemExit(f"peer venv missing: python3 -m venv .venv-bench-ingest && "
                         f"{PEER_PY.parent}/pip install -r bench/requirements-ingest.txt")  # fmt: skip
    from rich.console import Console

    console = Console(stderr=True, width=220)
    started = time.perf_counter()
    res = measure_all(args, lambda s: console.print(s))
    res["machine"], res["argv"] = machine(), sys.argv[1:]
    res["total_minutes"] = (time.perf_counter() - started) / 60
    (CACHE / "ingest_results.json").write_text(json.dumps(res, ensure_ascii=False, indent=1))
    console.print(rich_table(res))
    if not args.quick or args.out != DOC:
        args.out.write_text(render_markdown(res), "utf-8")


if __name__ == "__main__":
    main()
