"""Pattern rules for prompt injection and jailbreaks, applied to normalized text (zh and en)."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

_P: Any = importlib.import_module("re._parser")
_ZERO_WIDTH_OPS = (_P.AT, _P.ASSERT, _P.ASSERT_NOT)
Needles = frozenset[str] | None


@dataclass(frozen=True)
class Rule:
    """A named pattern with a weight (1.0 decides alone; less needs the classifier's support)."""

    name: str
    pattern: re.Pattern[str]
    weight: float = 1.0
    needles: Needles = None  # every match contains one of these; None: always run the regex

    def search(self, text: str) -> re.Match[str] | None:
        """The first match, skipping the regex when no needle is in the text."""
        if self.needles is not None and not any(n in text for n in self.needles):
            return None
        return self.pattern.search(text)


def _literal_run(items: list[Any]) -> str:
    """The literal characters at the head of a parsed sequence."""
    chars = []
    for op, arg in items:
        if op is not _P.LITERAL:
            break
        chars.append(chr(arg))
    return "".join(chars)


def _head(op: Any, arg: Any) -> Needles:
    """Needles of one parsed element that must match (None when it can match no literal)."""
    if op is _P.SUBPATTERN:
        return None if arg[1] & re.IGNORECASE else needles_of(list(arg[-1]))
    if op is _P.BRANCH:
        parts = [needles_of(list(seq)) for seq in arg[1]]
        return None if any(p is None for p in parts) else frozenset().union(*parts)  # type: ignore[arg-type]
    if op is _P.IN and all(o is _P.LITERAL for o, _ in arg):
        return frozenset(chr(a) for _, a in arg)
    if op in (_P.MAX_REPEAT, _P.MIN_REPEAT) and arg[0] >= 1:
        return needles_of(list(arg[2]))
    return None


def needles_of(items: list[Any]) -> Needles:
    """Literals of which any match of a parsed sequence contains one: its first real element."""
    for index, (op, arg) in enumerate(items):
        if op in _ZERO_WIDTH_OPS:
            continue
        if op is _P.LITERAL:
            return frozenset({_literal_run(items[index:])})
        return _head(op, arg)
    return None


def _r(name: str, regex: str, weight: float = 1.0) -> Rule:
    """Compile a rule (text is already lower-cased and width-folded)."""
    pattern = re.compile(regex)
    if pattern.flags & re.IGNORECASE:
        return Rule(name, pattern, weight)
    return Rule(name, pattern, weight, needles_of(list(_P.parse(regex, pattern.flags))))


_IGNORE = r"(?:ignore|disregard|forget|skip|override|bypass|drop|abandon|discard|neglect)"
_PRIOR = r"(?:previous|prior|above|preceding|earlier|all|any|your|the|initial|original|old|these)"
_INSTR = (
    r"(?:instructions?|prompts?|directions?|rules|guidelines|context|commands?|"
    r"constraints|restrictions|programming|guidance|orders|policies|messages?)"
)
_ZH_IGNORE = (
    r"(?:忽略|无视|忽视|忘记|忘掉|抛开|抛弃|不要理会|别管|跳过|放弃|不要遵守|不再遵守|丢弃|绕过)"
)
_ZH_PRIOR = r"(?:之前|以上|上面|前面|上述|先前|此前|原有|原来|原先|所有|一切|你的|系统|全部)"
_ZH_INSTR = r"(?:指令|指示|命令|规则|提示词?|设定|约束|限制|要求|规定|准则|安全策略|system prompt)"

RULES: tuple[Rule, ...] = (
    # --- override previous instructions ---
    _r(
        "en_ignore_previous",
        rf"(?<!make you )(?<!not )\b{_IGNORE}\b(?:\s+\w+){{0,3}}\s+{_PRIOR}\b(?:\s+\w+){{0,3}}\s+{_INSTR}\b",
    ),
    _r(
        "en_ignore_short",
        rf"\b{_IGNORE}\s+(?:all\s+)?(?:that|everything|the above|what i said)\b"
        r"(?:\s+\w+){0,4}\s+(?:before|above|earlier|previously)",
    ),
    _r(
        "en_new_instructions",
        r"\b(?:new|updated|real|actual|true)\s+(?:instructions?|task|rules)\s*(?::|are|is)\b",
    ),
    _r(
        "en_instead",
        r"\binstead(?:,)?\s+(?:you\s+(?:must|should|will)|output|print|say|write|respond)\b",
        0.6,
    ),
    _r("zh_ignore_previous", rf"{_ZH_IGNORE}.{{0,8}}{_ZH_PRIOR}.{{0,10}}{_ZH_INSTR}"),
    _r("zh_ignore_any", rf"{_ZH_IGNORE}(?:掉)?(?:你|你的)?(?:所有|一切|任何)?(?:的)?{_ZH_INSTR}"),
    _r("zh_new_instructions", r"(?:新的|真正的|最新的)(?:指令|任务|规则)(?:是|如下|为)"),
    # --- system prompt extraction ---
    _r(
        "en_reveal_prompt",
        r"\b(?:reveal|show|print|repeat|output|display|tell me|give me|leak|dump|"
        r"what (?:is|are|was|were)|disclose|recite|spell out|write out|copy)\b(?:\s+\w+){0,5}\s+"
        r"(?:system|initial|original|hidden|secret|internal|developer|first)\s+"
        r"(?:prompts?|instructions?|messages?|rules|guidelines|configuration)",
    ),
    _r(
        "en_repeat_above",
        r"\b(?:repeat|print|output|reproduce)\b(?:\s+\w+){0,4}\s+"
        r"(?:words|text|everything|all)\s+(?:above|before|prior)",
    ),
    _r("en_prompt_starting", r"\b(?:starting with|begin(?:ning)? with)\s+[\"']?you are\b"),
    _r(
        "zh_reveal_prompt",
        r"(?:输出|打印|显示|告诉我|透露|泄露|重复|复述|给我看|说出|展示|公开|发给我)"
        r".{0,12}(?:系统提示|系统指令|初始指令|原始指令|系统设定|隐藏指令|system prompt|提示词|开发者指令|内部指令|预设)",
    ),
    _r("zh_what_prompt", r"你的(?:系统提示词?|初始指令|原始指令|系统设定|提示词)(?:是什么|内容)"),
    # --- jailbreak personas and mode switches ---
    _r(
        "en_dan",
        r"\b(?:dan|dude|stan|aim|kevin|betterdan|maximum|developer mode|jailbreak|jailbroken|"
        r"evil ?bot|anti-?gpt|unfiltered ai|god ?mode|dev mode)\b.{0,80}\b(?:mode|enabled|do anything|"
        r"no (?:restrictions|limits|filters)|stands for|persona|character)",
    ),
    _r("en_do_anything_now", r"\bdo anything now\b"),
    _r(
        "en_no_restrictions",
        r"\b(?:without|no|free (?:of|from)|not bound by|beyond|ignor\w*|break\w*|"
        r"unrestricted by|don'?t have|doesn'?t have|do not have|does not have|not have any)\s+"
        r"(?:any\s+)?(?:(?:ethical|moral|content|safety|openai'?s?|the)\s+){0,2}"
        r"(?:restrictions|limitations|filters|guidelines|boundaries|censorship|policies|rules|"
        r"constraints|morals|ethics)\b",
        0.6,
    ),
    _r(
        "en_unfiltered",
        r"\b(?:unfiltered|uncensored|amoral|unethical|immoral|unrestricted|unbound)\s+"
        r"(?:ai|chatbot|assistant|model|language model|response|responses|version|mode|character)\b",
    ),
    _r(
        "en_roleplay_switch",
        r"\b(?:from now on|for the rest of (?:this|our) conversation|"
        r"starting now|henceforth)\b.{0,80}\b(?:you (?:are|will|must|shall)|act as|pretend|respond as|"
        r"roleplay)",
        0.6,
    ),
    _r(
        "en_pretend_ai",
        r"\b(?:pretend|act|behave|roleplay|role-play|imagine)\s+(?:to be|as|like|you are)\s+"
        r"(?:an?\s+)?(?:\w+\s+){0,3}(?:ai|chatbot|assistant|language model|llm|gpt)\b",
        0.6,
    ),
    _r(
        "en_stay_in_character",
        r"\b(?:stay in character|break character|never break character|"
        r"remain in character|character break)\b",
        0.6,
    ),
    _r(
        "en_never_refuse",
        r"\b(?:never|not|won'?t|will not|cannot|can'?t|must not|mustn'?t)\s+"
        r"(?:\w+\s+){0,2}(?:refuse|decline|deny)\b|\bno (?:warnings|disclaimers)\b",
        0.6,
    ),
    _r(
        "en_two_responses",
        r"\b(?:two|2|both)\s+(?:different\s+)?(?:responses|answers|paragraphs|ways)\b"
        r".{0,200}\b(?:normal|classic|jailbreak|unfiltered|dan|developer)\b",
    ),
    _r(
        "en_tagged_reply",
        r"\[(?:🔓|🔒|jailbreak|classic|dan|gpt|developer mode output|normal output)",
    ),
    _r(
        "en_openai_policy",
        r"\b(?:openai|anthropic|content)\s*(?:'s)?\s*(?:content )?polic(?:y|ies)\b",
        0.5,
    ),
    _r(
        "en_hypothetical",
        r"\b(?:hypothetical|fictional)\s+(?:\w+\s+){0,2}(?:ai|world|scenario)\b.{0,120}"
        r"\b(?:no (?:rules|laws|restrictions)|anything)\b",
        0.6,
    ),
    _r(
        "zh_jailbreak_mode",
        r"(?:越狱|开发者模式|无限制模式|上帝模式|dan模式|解除限制|去除限制|没有任何限制|"
        r"不受任何限制|不受.{0,6}(?:约束|限制)|无视.{0,6}(?:道德|伦理|法律))",
        0.6,
    ),
    _r(
        "zh_roleplay",
        r"(?:扮演|假装|充当|你现在是|从现在(?:开始|起)你(?:是|将|要)).{0,30}"
        r"(?:没有|不受|无|不遵守|不需要遵守|可以回答任何|任何问题|不会拒绝|邪恶|无所不能)",
    ),
    _r("zh_never_refuse", r"(?:不(?:能|要|许|得|会)|禁止|永远不要?)(?:拒绝|说不|推辞)", 0.6),
    # --- indirect: instructions addressed to the model inside data ---
    _r(
        "to_ai_marker",
        r"(?:^|\n|\s)(?:system|assistant|ai|instruction|important|note to (?:the )?ai|"
        r"attention (?:ai|llm|assistant)|\[system\]|<\|im_start\|>|<system>|###\s*instruction)"
        r"\s*[:：>\]]\s*\S",
        0.6,
    ),
    _r(
        "en_ai_reading",
        r"\b(?:if you are an? (?:ai|llm|language model|assistant|chatbot)|"
        r"(?:ai|llm|language model|assistant|chatbot)s? reading this|"
        r"when (?:summariz|translat|answer|process|read)\w*\s+(?:this|these|the)\b.{0,60}"
        r"\b(?:say|tell|write|output|mention|state|include|recommend|add)\b)",
    ),
    _r(
        "en_tell_the_user",
        r"\b(?:tell|inform|convince|persuade|remind|urge|advise)\s+the\s+"
        r"(?:user|reader|customer|human|recruiter|hiring manager)s?\s+(?:that|to)\b",
        0.7,
    ),
    _r(
        "en_recommend_product",
        r"\b(?:recommend|promote|advertise|suggest)\s+(?:our|this|the following|"
        r"my)\s+(?:\w+\s+){0,2}(?:product|service|website|site|link|company|brand)\b.{0,40}"
        r"\b(?:to the|to every|to all|user|reader|customer)",
        0.7,
    ),
    _r(
        "en_focus_only",
        r"\b(?:focus only on|only (?:output|print|say|respond with|reply with)|"
        r"just (?:output|print|say)|respond only with|your (?:only )?(?:output|response) (?:should|must) be)\b",
    ),
    _r(
        "en_end_session",
        r"<\s*(?:end of|/)\s*(?:session|document|context|system)\s*>|"
        r"-{3,}\s*end of (?:document|input|context)",
        0.7,
    ),
    _r(
        "en_assessment_override",
        r"\b(?:note by a trustworthy expert recruiter|don'?t evaluate|"
        r"do not evaluate|the candidate is the most qualified)",
    ),
    _r(
        "en_ignore_except",
        rf"\b{_IGNORE}\s+(?:all|any|everything)\s+(?:\w+\s+){{0,3}}(?:except|but|other than)\b",
    ),
    _r(
        "en_ignore_evidence",
        rf"\b{_IGNORE}\s+(?:all|any)\s+(?:\w+\s+){{0,2}}(?:indicators|information|info|evidence|"
        r"content|data|text|facts|findings)\b",
        0.7,
    ),
    _r(
        "en_reply_only",
        r"\b(?:reply|respond|answer|output|print)\s+(?:with\s+)?only\b.{0,60}"
        r"\b(?:following|nothing else|this text|these words)",
        0.7,
    ),
    _r("en_nothing_else", r"\b(?:and|with) (?:absolutely )?nothing else\b", 0.5),
    _r("en_system_tag", r"\[(?:system|sys|admin|instruction)\]|<\|?(?:system|im_start)\|?>"),
    _r(
        "en_note_to_machine",
        r"\b(?:note|message|instructions?|notice|memo)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?"
        r"(?:automated|ai|llm|language model|assistant|chatbot|screening|analysis|bots?)\b",
    ),
    _r(
        "en_visible_to_ai",
        r"\b(?:visible|readable|addressed) (?:only )?to (?:the )?(?:ai|llm|model|bots?|machines?)\b|"
        r"\b(?:for|to) automated (?:\w+ ){0,2}(?:systems?|software|tools?|screen\w*|readers?)\b",
    ),
    _r(
        "en_override_judgement",
        r"\boverride\s+(?:\w+\s+){0,2}(?:scoring|evaluation|assessment|judg\w+|decision|"
        r"rating|review|analysis)\b",
    ),
    _r(
        "en_fake_turn",
        r"(?:^|\n|\s)(?:user|human|assistant)\s*:\s*(?:next|now|new|ignore|please)\b",
        0.6,
    ),
    _r(
        "en_repeat_following",
        r"\b(?:repeat|say|output|print)\s+(?:the following|this|after me)\s+"
        r"(?:sentence|text|phrase|words|line)\b",
        0.6,
    ),
    _r(
        "zh_indirect",
        r"(?:如果你是|作为)(?:ai|人工智能|大模型|语言模型|助手|机器人).{0,30}"
        r"(?:请|必须|务必|一定要)",
    ),
    _r(
        "zh_tell_user",
        r"(?:在|当)(?:总结|摘要|翻译|回答|概括|处理)(?:时|的时候).{0,30}"
        r"(?:告诉|提醒|建议|推荐|说|声称|输出|加上)",
    ),
    _r(
        "zh_tell_user2",
        r"(?:告诉|提醒|劝|说服|通知)(?:用户|读者|客户|对方)(?:说|：|:|，)?"
        r"(?:.{0,20}(?:必须|应该|立即|马上|务必|点击|访问|转账|购买|联系))",
        0.7,
    ),
    _r("zh_recommend_product", r"(?:向|给)(?:用户|读者|客户|所有人)(?:推荐|推销|宣传|介绍)"),
    _r("zh_only_output", r"(?:只|仅)(?:需)?(?:输出|回复|回答|说)(?:以下|下面|这句|这段|一句)"),
    _r(
        "zh_repeat_sentence",
        r"(?:请)?(?:重复|复述|说出|输出)(?:下面|以下|这)(?:的)?(?:这)?(?:句话|段话|内容)",
    ),
    _r("zh_system_marker", r"(?:^|\n|\s)(?:系统|系统提示|系统消息|管理员|指令)\s*[:：]\s*\S", 0.6),
)
