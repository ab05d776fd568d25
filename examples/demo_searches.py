"""The end of `make demo`: searches and extractive answers, in Chinese and English.

.venv/bin/python examples/demo_searches.py WORKSPACE
"""

from __future__ import annotations

import subprocess
import sys

QUERIES = [
    ["HT-2000 过热的原因"],
    ["合同编号 HT2023-015 的验收标准", "--type", "contract", "--type", "acceptance"],
    ["fan replacement for Hengda"],
    ["誰負責風扇更換"],  # Traditional Chinese finds Simplified text
    ["quarterly revenue growth", "--explain", "-k", "3"],
]


QUESTIONS = [
    "HT-2000 过热的根本原因是什么？",
    "What is the total value of contract HT2024-007 and its payment terms?",
    "2号淬火槽液位传感器什么时候更换？",  # only in a scanned certificate: read by OCR
    "公司明年的股票发行计划是什么？",  # not in the corpus: ebrain says so instead of inventing
]


def main() -> None:
    """Run each example search and question through the real CLI."""
    workspace = sys.argv[1] if len(sys.argv) > 1 else ".ebrain"
    base = [sys.executable, "-m", "ebrain", "--workspace", workspace]
    for args in QUERIES:
        print(f"\n$ ebrain search {' '.join(args)}", flush=True)
        subprocess.run([*base, "search", "-k", "3", *args], check=True)
    for question in QUESTIONS:
        print(f"\n$ ebrain ask {question!r}", flush=True)
        subprocess.run([*base, "ask", question], check=True)


if __name__ == "__main__":
    main()
