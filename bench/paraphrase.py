"""A rule-based, deterministic paraphraser for Chinese (Simplified) retrieval questions.

It makes extra variants of existing dev questions that reuse less of the passage's wording.
Four rules, applied in this order, each recorded in the variant's `ops`:

- `describe`: the passage's subject (its title, without a "(...)" qualifier) is replaced by
  the passage's own definition of it when the passage opens with one ("氯化铷是一个碱金属卤化物"
  -> "那个碱金属卤化物"); no definition, no change;
- `drop`: the question's rarest name (a jieba person/place/organisation/other-name word) that
  also occurs in the passage (highest IDF over the corpus, at least `RARE_IDF`, not the
  subject) is dropped with a following 的, so that the variant no longer carries the passage's
  rare term ("郑有杰哪部电影作品入围柏林影展？" -> "郑有杰哪部电影作品入围影展？");
- `synonym`: whole jieba words swapped from a small lexicon (LEXICON: 位于 -> 坐落在,
  哪一年 -> 什么时候, 创办 -> 开办 ...);
- `reorder`: "X是谁？" becomes "谁是X？" (and "X是什么？" "什么是X？").

No randomness: one question and passage always give the same variant. A variant that no rule
changed is not produced. The generated set `para_gen_cmrc2018` (bench/data) was made with

    EBRAIN_BENCH_DATA=../shared/data PYTHONPATH=src .venv/bin/python bench/paraphrase.py \
        --set cmrc2018_dev --n 300 --seed 4 --out bench/data/para_gen_cmrc2018
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

LEXICON = {
    "哪一年": "什么时候",
    "哪年": "什么时候",
    "何时": "什么时候",
    "何年": "什么时候",
    "什么时候": "哪个时间",
    "哪里": "什么地方",
    "何处": "什么地方",
    "什么地方": "哪儿",
    "位于": "坐落在",
    "坐落于": "位于",
    "建于": "修建于",
    "成立": "创立",
    "创立": "建立",
    "建立": "创建",
    "创办": "开办",
    "出生": "降生",
    "发行": "推出",
    "推出": "发布",
    "出版": "刊行",
    "举办": "举行",
    "举行": "举办",
    "担任": "出任",
    "获得": "拿到",
    "得到": "取得",
    "主要": "大多",
    "目的": "用意",
    "原因": "缘由",
    "为什么": "为何",
    "为何": "为什么",
    "称为": "叫做",
    "被称为": "被叫做",
    "又称": "也叫",
    "又名": "也叫",
    "别名": "另外的名字",
    "俗名": "民间叫法",
    "作者": "写作者",
    "创作": "写作",
    "公司": "企业",
    "国家": "国度",
    "城市": "都市",
    "地区": "区域",
    "开始": "起始",
    "结束": "终结",
    "使用": "采用",
    "包括": "包含",
    "属于": "归属",
    "发现": "找到",
    "去世": "过世",
    "逝世": "离世",
    "比赛": "赛事",
    "人口": "居民数量",
    "首都": "都城",
    "分布": "散布",
    "特点": "特色",
    "影响": "作用",
    "参加": "参与",
    "加入": "投身",
    "负责": "主管",
    "位置": "方位",
    "名字": "名称",
    "来源": "由来",
    "毕业": "结业",
    "代表": "象征",
    "组成": "构成",
    "修建": "兴建",
    "大约": "差不多",
    "现在": "如今",
    "曾经": "以前",
}
_WH = r"(谁|什么)"
RARE_IDF = 4.0  # ln(N / df) over the corpus: in about 1 passage in 55 or fewer
NAME_TAGS = frozenset({"nr", "ns", "nt", "nz", "nrt", "nrfg"})  # jieba: person, place, org, other
_REORDER = re.compile(rf"^(?P<subject>[^，,？?]{{2,}}?)(是|为)(?P<wh>{_WH})(?P<end>[？?])$")
_DEFINITION = r"^[《「]?{title}[》」]?(（[^）]*）)?[，,]?(是|为)(一个|一种|一座|一名|一位|一部|一款|一家|一条|一所|一颗|一只)?(?P<desc>[^，。,；]{{2,18}}?)[，。,；]"


@dataclass
class Variant:
    """One generated question and the rules that changed it."""

    text: str
    ops: list[str] = field(default_factory=list)


def subject_of(title: str) -> str:
    """A passage title without its "(...)" qualifier: '林投姐 (1988年电影)' -> '林投姐'."""
    return re.sub(r"\s*[(（][^)）]*[)）]\s*$", "", title).strip()


def describe(question: str, title: str, passage: str) -> str | None:
    """The question with the passage's subject replaced by its definition, or None."""
    subject = subject_of(title)
    if len(subject) < 2 or subject not in question:
        return None
    found = re.match(_DEFINITION.format(title=re.escape(subject)), passage.strip())
    if not found:
        return None
    desc = found.group("desc").strip()
    if subject in desc or desc.startswith(("于", "在", "由")):
        return None
    return question.replace(subject, f"那个{desc}", 1)


def drop_rare(question: str, subject: str, passage: str, idf: dict[str, float]) -> str | None:
    """The question without its rarest passage name (see `drop`), or None."""
    import rjieba

    tagged = rjieba.tag(question)
    rare = [
        (idf.get(w, 0.0), i)
        for i, (w, tag) in enumerate(tagged)
        if tag in NAME_TAGS
        and len(w) >= 2
        and w in passage
        and w not in subject
        and subject not in w
        and idf.get(w, 0.0) >= RARE_IDF
    ]
    if not rare:
        return None
    _, i = max(rare)
    after = i + 2 if i + 1 < len(tagged) and tagged[i + 1][0] in ("的", "之") else i + 1
    text = "".join(w for w, _ in tagged[:i] + tagged[after:])
    return text if len(text) >= 6 else None


def swap_synonyms(question: str) -> tuple[str, int]:
    """The question with every lexicon word (a whole jieba word) swapped, and how many."""
    import rjieba

    words = rjieba.cut(question)
    out = [LEXICON.get(w, w) for w in words]
    return "".join(out), sum(a != b for a, b in zip(words, out, strict=True))


def reorder(question: str) -> str | None:
    """'X是谁？' -> '谁是X？'; None when the question has another shape."""
    found = _REORDER.match(question.strip())
    if not found or found.group("subject").endswith(("的时候", "在")):
        return None
    return f"{found.group('wh')}是{found.group('subject')}{found.group('end')}"


def paraphrase(
    question: str, title: str = "", passage: str = "", idf: dict[str, float] | None = None
) -> Variant | None:
    """A variant of `question` (describe, drop, synonym, reorder), or None when none applies."""
    variant = Variant(question)
    described = describe(question, title, passage) if title else None
    if described:
        variant = Variant(described, ["describe"])
    dropped = drop_rare(variant.text, subject_of(title), passage, idf) if idf else None
    if dropped:
        variant = Variant(dropped, [*variant.ops, "drop"])
    swapped, n = swap_synonyms(variant.text)
    if n:
        variant = Variant(swapped, [*variant.ops, "synonym"])
    moved = reorder(variant.text)
    if moved:
        variant = Variant(moved, [*variant.ops, "reorder"])
    return variant if variant.ops and variant.text != question else None


def generate(set_name: str, n: int, seed: int, skip: set[str]) -> list[dict[str, object]]:
    """Variants of `n` questions of a shared set (one per passage, passages in `skip` left out)."""
    from beir import load

    data = load(set_name)
    by_doc: dict[str, list[str]] = {}
    for qid in sorted(data.qrels):
        doc = min(data.qrels[qid])
        if doc not in skip:
            by_doc.setdefault(doc, []).append(qid)
    idf = corpus_idf(data.corpus)
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for doc in rng.sample(sorted(by_doc), len(by_doc)):
        qid = rng.choice(by_doc[doc])
        title, text = data.corpus[doc]
        variant = paraphrase(data.queries[qid], title, text, idf)
        if variant:
            rows.append(_row(len(rows) + 1, qid, doc, variant))
        if len(rows) == n:
            break
    return rows


def corpus_idf(corpus: dict[str, tuple[str, str]]) -> dict[str, float]:
    """ln(N / df) of every jieba word of the corpus (title and text)."""
    import math

    import rjieba

    df: dict[str, int] = {}
    for title, text in corpus.values():
        for word in set(rjieba.cut(f"{title}\n{text}")):
            df[word] = df.get(word, 0) + 1
    return {w: math.log(len(corpus) / k) for w, k in df.items()}


def _row(n: int, qid: str, doc: str, variant: Variant) -> dict[str, object]:
    return {
        "_id": f"pg-{n:04d}",
        "text": variant.text,
        "lang": "zh-Hans",
        "source_query": qid,
        "gold": [doc],
        "ops": variant.ops,
        "generated": True,
    }


def _used_passages(names: list[str]) -> set[str]:
    from beir import LOCAL

    used = set()
    for name in names:
        for line in (LOCAL / name / "queries.jsonl").read_text(encoding="utf-8").splitlines():
            used.update(json.loads(line)["gold"])
    return used


def write(rows: list[dict[str, object]], out: Path) -> None:
    """queries.jsonl and qrels/test.tsv of a generated set."""
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with open(out / "queries.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    with open(out / "qrels" / "test.tsv", "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        f.writelines(f"{r['_id']}\t{d}\t1\n" for r in rows for d in r["gold"])  # type: ignore[attr-defined]


def main() -> None:
    """Generate variants of a shared set's questions into a bench/data folder."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="cmrc2018_dev")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--skip-sets", nargs="*", default=["para_cmrc2018", "xling_en_zh"])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = generate(args.set, args.n, args.seed, _used_passages(args.skip_sets))
    write(rows, args.out)
    print(f"{len(rows)} variants -> {args.out}")


if __name__ == "__main__":
    main()
