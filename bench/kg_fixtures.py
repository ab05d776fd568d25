"""Write the knowledge-graph benchmark fixtures: long Chinese contracts (甲方/乙方, 签订日期,
适用法律, 争议解决) and English SEC-filing-style agreements ("This Agreement is entered into as
of ..., by and between ..."), several pages each, with their ground truth.

Every party, person and number is made up. The texts come from a few templates with varied
wording, number formats (1,250万元, 人民币壹佰贰拾万元整, USD 2.4 million, $1,200,000) and date
formats (2023年5月1日, 二〇二三年五月一日, May 1, 2023, 1st day of May, 2023), padded with
ordinary boilerplate articles so that the key facts sit pages apart.

    .venv/bin/python bench/kg_fixtures.py   # writes bench/data/kg/{docs/*.txt, ground_truth.json}
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "kg"
SEED = 20261207

ZH_ORGS = [
    ("北京云帆数据科技有限公司", "云帆"),
    ("上海启明星软件股份有限公司", "启明星"),
    ("杭州青石智能制造有限公司", "青石"),
    ("成都蓝湾信息技术有限公司", "蓝湾"),
    ("武汉长江精工机械集团有限公司", "长江精工"),
    ("南京金陵电气设备有限公司", "金陵电气"),
    ("深圳华睿半导体有限公司", "华睿"),
    ("广州南粤物流集团有限公司", "南粤物流"),
    ("天津海河化工有限公司", "海河化工"),
    ("西安秦川仪表有限公司", "秦川仪表"),
    ("重庆山城汽车配件有限公司", "山城汽配"),
    ("苏州东吴纺织有限公司", "东吴纺织"),
]
ZH_PEOPLE = [
    "张建华",
    "李晓梅",
    "王志强",
    "刘海燕",
    "陈国栋",
    "杨丽娟",
    "赵德明",
    "周文斌",
    "吴秀英",
    "徐卫东",
    "孙立新",
    "马俊杰",
    "朱红梅",
    "胡振华",
    "郭晓东",
    "何丽萍",
]
EN_ORGS = [
    "Northwind Analytics, Inc.",
    "Bluewater Logistics LLC",
    "Crescent Biotech Corporation",
    "Redwood Capital Partners LLC",
    "Silverline Semiconductor Ltd.",
    "Harborview Medical Systems, Inc.",
    "Summit Ridge Energy Corp.",
    "Evergreen Foods Holdings, Inc.",
    "Atlas Robotics GmbH",
    "Pinecrest Software Co., Ltd.",
    "Orion Aerospace Corporation",
    "Meridian Data Services LLC",
]
EN_PEOPLE = [
    "John Miller", "Sarah Thompson", "David Chen", "Emily Carter", "Michael Brooks", "Laura Bennett",
    "Robert Hayes", "Jennifer Walsh", "Kevin Foster", "Anna Schmidt", "Peter Novak", "Grace Lee",
]  # fmt: skip
STATES = ["Delaware", "New York", "California", "Texas", "Illinois", "Massachusetts"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
CN_DIGITS = "〇一二三四五六七八九"

ZH_FILLER = [
    "双方应本着诚实信用原则履行本合同约定的各项义务，任何一方不得擅自变更或解除合同。",
    "乙方应保证所提供的产品及服务符合国家有关标准和行业规范，并对其质量承担责任。",
    "在合同履行过程中，双方应指定专人负责联络，联络人变更应提前五个工作日书面通知对方。",
    "一方因不可抗力不能履行合同的，应及时通知对方，并在合理期限内提供相关证明。",
    "双方对在合同签订和履行过程中知悉的对方商业秘密负有保密义务，保密期限不因合同终止而终止。",
    "未经对方书面同意，任何一方不得将本合同项下的权利义务转让给第三方。",
    "本合同的附件为本合同不可分割的组成部分，与本合同具有同等法律效力。",
    "乙方应按照甲方的合理要求提供技术培训，培训内容包括设备操作、日常维护和常见故障处理。",
]
EN_FILLER = [
    "Each Party shall perform its obligations under this Agreement in good faith and in accordance with applicable law.",
    "Neither Party shall assign or transfer any of its rights or obligations hereunder without the prior written consent of the other Party.",
    "All notices under this Agreement shall be in writing and shall be deemed given when delivered personally or by recognized overnight courier.",
    "The failure of either Party to enforce any provision of this Agreement shall not constitute a waiver of such provision.",
    "If any provision of this Agreement is held invalid or unenforceable, the remaining provisions shall remain in full force and effect.",
    "Each Party shall maintain in confidence all Confidential Information disclosed by the other Party and shall use it solely for the purposes of this Agreement.",
    "Neither Party shall be liable for any failure or delay in performance caused by events beyond its reasonable control, including acts of God, war, or governmental action.",
    "This Agreement constitutes the entire agreement between the Parties with respect to its subject matter and supersedes all prior agreements.",
    "The Supplier shall maintain insurance coverage with reputable insurers in such amounts as are customary in the industry.",
    "The Customer may audit the Supplier's records relating to this Agreement upon thirty (30) days' prior written notice.",
]


def cn_upper(n: int) -> str:
    """人民币大写 for an integer number of yuan (up to 9,999,999,999)."""
    digits = "零壹贰叁肆伍陆柒捌玖"
    units = ["", "拾", "佰", "仟"]

    def four(x: int) -> str:
        out, zero = "", False
        for i in range(3, -1, -1):
            d = x // 10**i % 10
            if d:
                out += ("零" if zero and out else "") + digits[d] + units[i]
                zero = False
            else:
                zero = True
        return out

    yi, wan, rest = n // 10**8, n // 10**4 % 10**4, n % 10**4
    text = (four(yi) + "亿" if yi else "") + (four(wan) + "万" if wan else "") + four(rest)
    return text + "元整"


def cn_date(y: int, m: int, d: int) -> str:
    year = "".join(CN_DIGITS[int(c)] for c in str(y))
    return f"{year}年{_cn_small(m)}月{_cn_small(d)}日"


def _cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    return (
        ("" if tens < 2 else CN_DIGITS[tens])
        + ("十" if tens else "")
        + (CN_DIGITS[ones] if ones else "")
    )


def zh_amount(rng: random.Random, amount: int) -> str:
    style = rng.randrange(3)
    if style == 0 and amount % 10_000 == 0:
        return f"人民币{amount // 10_000:,}万元（大写：{cn_upper(amount)}）"
    if style == 1:
        return f"人民币{cn_upper(amount)}（¥{amount:,}.00）"
    return f"¥{amount:,}元"


def zh_contract(rng: random.Random, i: int) -> tuple[str, dict[str, object]]:
    (a, _sa), (b, _sb) = rng.sample(ZH_ORGS, 2)
    pa, pb = rng.sample(ZH_PEOPLE, 2)
    y, m, d = rng.choice([2022, 2023, 2024]), rng.randint(1, 12), rng.randint(1, 28)
    amount = rng.choice([1_250, 386, 2_400, 98, 5_600, 730]) * 10_000 + rng.choice([0, 0, 5_000])
    number = f"{rng.choice(['CG', 'XS', 'FW', 'JS'])}{y}-{rng.randint(1, 300):03d}"
    signed = cn_date(y, m, d) if rng.random() < 0.5 else f"{y}年{m}月{d}日"
    term = rng.choice([1, 2, 3, 5])
    kind = rng.choice(["设备采购合同", "技术服务合同", "软件开发合同", "物流服务合同"])
    head = [
        f"{kind}",
        f"合同编号：{number}",
        f"甲方（{rng.choice(['采购方', '委托方', '需方'])}）：{a}",
        f"法定代表人：{pa}",
        f"地址：{rng.choice(['北京市海淀区', '上海市浦东新区', '杭州市滨江区'])}科技路{rng.randint(1, 200)}号",
        f"乙方（{rng.choice(['供应方', '受托方', '供方'])}）：{b}",
        f"法定代表人：{pb}",
        f"签订日期：{signed}",
        f"签订地点：{rng.choice(['北京市', '上海市', '杭州市', '成都市'])}",
        "根据《中华人民共和国民法典》及相关法律法规的规定，甲乙双方在平等、自愿的基础上，经友好协商，达成如下协议：",
    ]
    articles = [
        (
            "合同标的",
            f"乙方向甲方提供{kind[:-2]}相关的产品与服务，具体内容见附件一《供货及服务清单》。",
        ),
        ("合同金额", f"本合同总金额为{zh_amount(rng, amount)}，含增值税。"),
        (
            "付款方式",
            f"合同签订后{rng.choice([7, 10, 15])}个工作日内，甲方支付合同总金额的30%作为预付款；验收合格后支付60%；余款10%作为质保金，质保期满后支付。",
        ),
        ("合同期限", f"本合同有效期为{term}年，自双方签字盖章之日起生效。"),
        (
            "验收标准",
            "乙方交付后，甲方应在十五个工作日内组织验收，验收标准以附件二《技术规格书》为准。",
        ),
        ("违约责任", "任何一方违约的，应向守约方支付合同总金额5%的违约金，并赔偿由此造成的损失。"),
        ("适用法律", "本合同的订立、效力、解释、履行及争议的解决均适用中华人民共和国法律。"),
        (
            "争议解决",
            f"因本合同引起的争议，双方应协商解决；协商不成的，提交{rng.choice(['北京仲裁委员会', '上海国际仲裁中心', '甲方所在地人民法院'])}解决。",
        ),
    ]
    body: list[str] = []
    cn_num = "一二三四五六七八九十"
    for n, (title, text) in enumerate(articles, start=1):
        body.append(f"第{cn_num[n - 1] if n <= 10 else n}条 {title}\n{text}")
        for _ in range(rng.randint(5, 10)):
            body.append(rng.choice(ZH_FILLER) * rng.randint(1, 2))
    tail = [f"甲方（盖章）：{a}", f"授权代表：{pa}", f"乙方（盖章）：{b}", f"授权代表：{pb}"]
    text = "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n\n" + "\n".join(tail) + "\n"
    truth = {
        "path": f"zh_contract_{i:02d}.txt",
        "lang": "zh",
        "doc_type": "contract",
        "contract": {
            "number": number,
            "parties": [a, b],
            "amount": {"amount": amount, "currency": "CNY"},
            "signed": f"{y:04d}-{m:02d}-{d:02d}",
            "governing_law": "中华人民共和国法律",
        },
        "entities": {"org": [a, b], "person": [pa, pb], "contract": [number]},
    }
    return text, truth


def en_amount(rng: random.Random, amount: int) -> str:
    style = rng.randrange(3)
    if style == 0 and amount % 100_000 == 0:
        return f"USD {amount / 1_000_000:g} million"
    if style == 1:
        return f"${amount:,}"
    return f"US${amount:,}.00"


def en_contract(rng: random.Random, i: int) -> tuple[str, dict[str, object]]:
    a, b = rng.sample(EN_ORGS, 2)
    pa, pb = rng.sample(EN_PEOPLE, 2)
    y, m, d = rng.choice([2021, 2022, 2023, 2024]), rng.randint(1, 12), rng.randint(1, 28)
    amount = rng.choice([2_400_000, 1_200_000, 875_000, 15_500_000, 640_000, 3_000_000])
    state = rng.choice(STATES)
    number = f"{rng.choice(['MSA', 'SA', 'LA'])}-{y}-{rng.randint(1, 999):03d}"
    date_text = rng.choice(
        [
            f"{MONTHS[m - 1]} {d}, {y}",
            f"the {d}th day of {MONTHS[m - 1]}, {y}",
            f"{d} {MONTHS[m - 1]} {y}",
        ]
    )
    kind = rng.choice(["MASTER SERVICES AGREEMENT", "SUPPLY AGREEMENT", "LICENSE AGREEMENT"])
    head = (
        f'{kind}\n\nAgreement No. {number}\n\nThis {kind.title()} (this "Agreement") is entered into as of '
        f'{date_text} (the "Effective Date"), by and between {a}, a {rng.choice(STATES)} corporation '
        f'(the "Company"), and {b}, a {rng.choice(STATES)} limited liability company (the "Supplier").\n\n'
        "RECITALS\n\nWHEREAS, the Company desires to obtain certain products and services from the Supplier; "
        "and WHEREAS, the Supplier desires to provide such products and services on the terms set forth herein.\n\n"
        "NOW, THEREFORE, in consideration of the mutual covenants contained herein, the Parties agree as follows:\n"
    )
    sections = [
        (
            "Definitions",
            "Capitalized terms used in this Agreement have the meanings given in Exhibit A.",
        ),
        (
            "Services",
            "The Supplier shall provide the products and services described in each Statement of Work.",
        ),
        (
            "Fees and Payment",
            f'In consideration of the Services, the Company shall pay the Supplier a total contract price of {en_amount(rng, amount)} (the "Contract Price"). Payment Terms: the Company shall pay each undisputed invoice within thirty (30) days of receipt.',
        ),
        (
            "Term",
            f"The term of this Agreement shall commence on the Effective Date and continue for {rng.choice(['three (3)', 'two (2)', 'five (5)'])} years unless terminated earlier.",
        ),
        (
            "Acceptance",
            "Acceptance Criteria: deliverables shall be deemed accepted upon written confirmation by the Company that they conform to the specifications.",
        ),
        (
            "Warranties",
            "The Supplier warrants that the Services will be performed in a professional and workmanlike manner.",
        ),
        (
            "Indemnification",
            "Each Party shall indemnify the other against third-party claims arising from its breach of this Agreement.",
        ),
        (
            "Limitation of Liability",
            "Neither Party shall be liable for indirect, incidental or consequential damages.",
        ),
        (
            "Governing Law",
            f"This Agreement shall be governed by and construed in accordance with the laws of the State of {state}, without regard to its conflict of laws principles.",
        ),
        (
            "Dispute Resolution",
            f"Any dispute arising out of this Agreement shall be resolved exclusively in the state or federal courts located in the State of {state}.",
        ),
    ]
    body: list[str] = []
    for n, (title, text) in enumerate(sections, start=1):
        body.append(f"ARTICLE {n}. {title.upper()}\n\n{n}.1 {text}")
        for k in range(rng.randint(4, 9)):
            body.append(f"{n}.{k + 2} " + " ".join(rng.sample(EN_FILLER, 3)))
    sign = (
        "IN WITNESS WHEREOF, the Parties have executed this Agreement as of the Effective Date.\n\n"
        f"{a}\nBy: /s/ {pa}\nName: {pa}\nTitle: Chief Executive Officer\n\n"
        f"{b}\nBy: /s/ {pb}\nName: {pb}\nTitle: President\n"
    )
    text = head + "\n" + "\n\n".join(body) + "\n\n" + sign
    truth = {
        "path": f"en_agreement_{i:02d}.txt",
        "lang": "en",
        "doc_type": "contract",
        "contract": {
            "number": number,
            "parties": [a, b],
            "amount": {"amount": amount, "currency": "USD"},
            "signed": f"{y:04d}-{m:02d}-{d:02d}",
            "governing_law": f"State of {state}",
        },
        "entities": {"org": [a, b], "person": [pa, pb], "contract": [number]},
    }
    return text, truth


def main() -> None:
    rng = random.Random(SEED)
    docs = OUT / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    truths = []
    for i in range(12):
        text, truth = zh_contract(rng, i)
        (docs / str(truth["path"])).write_text(text, encoding="utf-8")
        truths.append(truth)
        text, truth = en_contract(rng, i)
        (docs / str(truth["path"])).write_text(text, encoding="utf-8")
        truths.append(truth)
    (OUT / "ground_truth.json").write_text(
        json.dumps({"documents": truths}, ensure_ascii=False, indent=1), "utf-8"
    )
    sizes = sorted(len((docs / str(t["path"])).read_text("utf-8")) for t in truths)
    print(f"{len(truths)} fixtures, {sizes[0]}..{sizes[-1]} characters")


if __name__ == "__main__":
    main()
