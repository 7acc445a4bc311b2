"""Cue words and patterns, per language, in one place.

Everything the recognisers look for lives here as data. Chinese cues are
written in Simplified characters: the recognisers match them against the
plan text converted character-by-character to Simplified (see
``normalize.to_simplified``), so Traditional plans match the same cues and
columns stay aligned. English cues are matched case-insensitively.
"""

from __future__ import annotations

import re

from service.rules.extract.prefilter import Prefiltered
from service.rules.vocabulary import active

# Heading words per plan part live in service/rules/vocabulary/sections.toml.

# Heading words that make a heading a sub-section of goals (objective headings under an OKR section).
OBJECTIVE_LINE = {
    "en": re.compile(
        r"^(?:objective|obj\.?|o)\s*\d*\s*[:：.\-–—]\s*|^(?:\d+[.)]\s*)?(?:[\w &/-]{0,20}:\s*)?objective\b"
        r"|^o\d{1,2}\s+(?=\S)",
        re.I,
    ),
    "zh": re.compile(r"^(?:目标|o)\s*[一二三四五六七八九十\d]*\s*[:：、.]|^o\d{1,2}\s+(?=\S)"),
}
# A label over the key results that follow ("### Key Results", "**Key results:**", "关键成果"):
# a container, neither an objective nor a key result itself.
KR_CONTAINER = re.compile(
    r"^\W{0,3}(?:key results?|krs|关键(?:结果|成果))\s*(?:\(\w{1,4}\))?\s*\W{0,3}$", re.I
)
KR_LINE = {
    "en": re.compile(
        r"^(?:\W{0,3})(?:[\w ]{0,12}\s)?(?:kr\s*\d+(?:\.\d+)?\s*[:：.\-–—)]?|(?:kr|key results?)\s*\d*\s*[:：.\-–—)])\s*",
        re.I,
    ),
    "zh": re.compile(
        r"^(?:kr\s*\d*(?:\.\d+)?|关键(?:结果|成果)\s*[一二三四五六七八九十\d]*(?:\.\d+)*)\s*[:：、.]?\s*",
        re.I,
    ),
}
GOAL_LINE = {
    "en": re.compile(r"^(?:goals?|objectives?|targets?|aims?)\s*\d*\s*[:：]\s*\S", re.I),
    "zh": re.compile(
        r"^(?:目标|总目标|年度目标|工作目标|具体目标)\s*[一二三四五六七八九十\d]*\s*[:：]\s*\S"
    ),
}
TASK_LINE = {
    "en": re.compile(r"^(?:task|action|initiative|activity|workstream)\s*\d*\s*[:：]\s*\S", re.I),
    "zh": re.compile(r"^(?:任务|举措|行动|措施)\s*[一二三四五六七八九十\d]*\s*[:：]\s*\S"),
}
RISK_LINE = {
    "en": re.compile(r"^(?:risk|threat)\s*\d*\s*[:：]\s*\S", re.I),
    "zh": re.compile(r"^风险\s*[一二三四五六七八九十\d]*\s*[:：]\s*\S"),
}

# ---------------------------------------------------------------------------------------------
# Owners.
OWNER_LABEL = re.compile(
    r"(?:\b(?:owner|owners|lead|leads|led by|responsible|accountable|dri|assignee|assigned to|"
    r"point person|sponsor|driver|champion|coordinator|manager)\b\s*[:：=\-–—]?\s*\S"
    r"|\b(?:organi[sz]ers?|organi[sz]ed by|hosts?|hosted by|facilitators?|maintainers?|mentors?|mentored by|run by)\b\s*[:：]\s*\S"
    r"|(?:负责人|责任人|牵头人|牵头部门|牵头单位|责任单位|责任部门|主办单位|承办单位|负责部门|负责单位|主责|执行人|主责部门|承办|牵头|负责|组织方|主办方|承办方)\s*[:：]?\s*(?!\d)\S"
    # Nouns for people taking part ("导师每日开放辅导", "组织者将…") name an owner only as a label.
    r"|(?:对接人|组织者|组织人|主持人|发起人|指导老师|导师)\s*[:：]\s*(?!\d)\S"
    r"|由\s*\S{1,12}\s*(?:负责|牵头|主导|执行|落实|承担)|请\s*\S{1,12}\s*(?:配合|负责|落实|完成|于)"
    r"|\S{1,12}(?:牵头|负责)(?:[,，、;；。]|$)"
    r"|(?:^|[\s(（\[【,，;；])@[\w\u4e00-\u9fff.-]+)",
    re.I,
)
# A role or person in parentheses or after a dash at the end of a task line.
TRAILING_ROLE = re.compile(
    r"(?:[(（]\s*(?P<p>[^()（）]{2,40})\s*[)）]\s*[.。]?\s*$"
    r"|\s[—–-]{1,2}\s*(?P<d>[A-Z][\w.&/ ]{1,40}|[\u4e00-\u9fff]{2,10})\s*$)"
)
# Chinese role words as the end of a name ("运营部", "技术组", "项目经理"); inside a word
# ("组队", "部署", "处理") they name nobody.
ZH_ROLE_END = re.compile(
    r"(?:部|组|中心|团队|小组|办公室|委员会|科|处|室|经理|主管|总监|专员|主任|负责人|工程师|院长|校长|老师|"
    r"店长|队长|班组|人员|志工|志愿者|小帮手|助理|助教)$"
)
ROLE_WORDS = re.compile(
    r"\b(?:team|ops|operations|finance|marketing|sales|hr|it|engineering|product|support|legal|"
    r"procurement|manager|director|head|lead|officer|analyst|coordinator|committee|department|dept|"
    r"office|unit|group|squad|ceo|cfo|coo|cto|cmo|vp|pm|pmo|owner|specialist|engineer|staff|crew|"
    r"desk|board|council|partner|agency|vendor|contractor|chair|secretary|admin|supervisor|"
    r"nurse|physician|principal|teacher|sig|wg|working group|tsc|pmc|[A-Z][a-z]+ [A-Z]\.?)\b"
    r"|部|组|中心|团队|小组|办公室|委员会|科|处|室|经理|主管|总监|专员|主任|负责人|工程师|运营|客服|"
    r"财务|人事|市场|销售|采购|仓储|物流|技术|产品|研发|品牌|法务|行政|院长|校长|老师|店长|队长|班组",
    re.I,
)
PERSON_NAME = {
    "en": re.compile(
        r"\b[A-Z][a-z]+(?:\s(?:de|van|von|der|den|da|di|du|le|la|del|bin|al|ten)){0,2}(?: [A-Z][a-z'’-]+|\s[A-Z]\.)\b"
    ),
    "zh": re.compile(
        r"[张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
        r"于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹"
        r"薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤][\u4e00-\u9fff]{1,2}"
        r"(?=$|[\s,，、;；。:：)）/]|经理|主管|总监|老师|负责)"
    ),
}
EMPTY_CELL = re.compile(
    r"^\s*(?:|-+|—+|–|n/?a|none|tbd|tba|\?+|待定|待定人|暂无|无|未定|x+)\s*$", re.I
)

# ---------------------------------------------------------------------------------------------
# Metrics and targets.
PLACEHOLDER = re.compile(
    r"(?<![\w.])(?:x{1,3}|y|z|n|tbd|tba|tbc|\?\?+)(?![\w])(?:\s*%|\s*(?:percentage )?points?)?"
    r"|xxx+|待定|待确定|待补充|[xX]{2,}",
    re.I,
)
# Unfinished template text (plan.placeholder): slots a template left for a value, name or step.
TEMPLATE_SLOT = re.compile(
    r"(?<![A-Za-z0-9-])(?:TBD|TBC|TBA|tbd|tbc)(?![A-Za-z0-9-])"
    # TODO/FIXME as a note ("TODO: add risks", "(TODO)", a cell of its own), not a name ("TODO Group")
    r"|(?<![\w-])(?:TODOs?|FIXME)(?=\s*(?:[:：\-–—)\]|]|$))|(?<=[(\[])\s*(?:TODO|FIXME)\b"
    r"|(?:19|20)\d\d\s?[-/.年]\s?[xX?？]{1,2}(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])(?:xxx+|XX+|××+)(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9_.$€£¥])[XYNxy]\s?%|[$€£¥]\s?[XYN](?![A-Za-z0-9_])|(?<![A-Za-z0-9_-])[XY](?=\s+(?:users|customers|days|weeks|months|people|members|new)\b)"
    r"|\[\s*(?:placeholder|insert[^\]]{0,40}|tbd|todo|name|date|owner|fill[^\]]{0,30}|此处[^\]]{0,20}|填写[^\]]{0,20})\s*\]"
    # "{{ name }}" left from a template, but not a site variable in a link ("{{ site.baseurl }}").
    r"|[(\[<]\s*(?:your|enter|add|insert)\s+(?:\w+\s+)?(?:name|email|team|owner|date|title)s?"
    r"(?:\s+here)?\s*\.?\s*[)\]>]"
    r"|<\s*(?:insert|add|fill)[^>]{0,40}>|(?<!\]\()\{\{(?!\s*(?:site|page|layout|include)\.)[^}]{1,40}\}\}"
    # "Budget: ??" is a slot; "how can we??" is emphasis, "??? tip" an admonition's syntax.
    r"|待定|待补充|待完善|待确认|待确定|待填写|待填|暂定为?[?？]"
    # "??" standing as the value ("Budget: ??", a cell "| ?? |", "2025/10/??"), not after one ("1-2
    # weeks EU ??": the writer is unsure of it).
    r"|(?:^|(?<=[:：|(（/=-]))[ \t]*[?？]{2,}(?![?？])"
    r"(?!\+?\s+(?:tip|note|info|warning|danger|example|question|abstract|success|failure|bug|quote)\b)"
    r"|^(?:some|several|various)\s+(?:milestones|tasks|risks|goals|metrics|items|actions)\s*[.…]*$"
    r"|^\s*(?:[-*]\s*)?(?:……|\.\.\.|…)\s*$|[:：]\s*(?:……|\.\.\.|…)\s*$"
    # A blank standing for a value ("| 網站開發 | ＿＿＿ 元 |", "Fee: ____ USD"), not a rule line.
    r"|＿{2,}|(?:(?<=[:：|(（])|(?<=\S[ \t]))[ \t]*_{3,}(?![\w_])",
)
# Slots written in words or as an open question ("To be prioritized and posted", "Budget?",
# "<!-- please fill this out -->"), matched on folded text.
OPEN_SLOT = re.compile(
    r"^\W*(?:to be (?:determined|decided|confirmed|defined|announced|added|prioriti[sz]ed|completed|"
    r"filled(?: in)?|written|agreed|developed|collected|provided|drafted|updated|scheduled|assigned|"
    r"named|finali[sz]ed|identified|specified|published)\b[^.]{0,40}$)"
    r"|^\s*(?:[-*]\s*)?(?!(?:how|what|why|who|when|where|which|is|are|do|does|can|should|will|would|could)\b)"
    r"(?![^?？]*(?:什么|怎么|如何|为什么|为何|何谓|何为|是否|吗|呢|哪|谁|多少|几))[\w&/-]+(?:\s[\w&/-]+){0,1}\s?[?？]\s*$"
    r"|\bplease fill (?:this|it)\b(?:\s+(?:in|out))?(?!\s*(?:\[|form|survey))"
    r"|\bfill (?:this|it) (?:in|out)\b|请补充|请填写|请填入|待补全",
    re.I,
)
TODO_HEADING = re.compile(
    r"(?:#+\s*)?(?:to-?dos?|to do(?: list)?|todo list|待办(?:事项)?)\s*[:：]?"
)
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
ZH_NUM = r"[一二两三四五六七八九十百千]+"
METRIC_VALUE = re.compile(
    rf"[$€£¥￥]\s?{NUMBER}(?:\s?(?:k|m|bn|b|million|billion|thousand|万|亿))?"
    rf"|{NUMBER}\s?(?:%|％|pp\b|percentage points?|points?\b|bps\b|x\b|×|倍|个百分点|百分点)"
    rf"|{NUMBER}\s?(?:k|m|bn|million|billion|thousand)\b"
    rf"|{NUMBER}\s?(?:万|亿|千)?\s?(?:元|块|美元|人民币|rmb|usd|eur|gbp|cny|dollars?|euros?)"
    rf"|{NUMBER}\s?(?:万|亿|千)(?:人|户|单|次|台|件|位|个|家|名)?"
    rf"|(?:rmb|usd|eur|gbp|cny)\s?{NUMBER}"
    rf"|{NUMBER}\s?(?:/|per )\s?(?:5|10|100|day|week|month|year|hour|user|customer|人|天|月)"
    rf"|{NUMBER}\s?(?:hours?|hrs?|minutes?|mins?|seconds?|secs?|ms|days?|business days|weeks?|"
    rf"小时|分钟|秒|天|个?工作日|周)"
    rf"|{NUMBER}\s?(?:[a-z][\w-]*\s){{0,2}}?(?:users?|customers?|clients?|members?|leads?|accounts?|orders?|stores?|"
    rf"sites?|schools?|hospitals?|partners?|people|participants?|attendees?|downloads?|installs?|"
    rf"subscribers?|students?|patients?|visits?|visitors?|tickets?|deals?|contracts?|sessions?|"
    rf"events?|workshops?|articles?|posts?|videos?|features?|releases?|models?|issues?|"
    rf"contributors?|maintainers?|employees?|staff|hires?|engineers?|units?|items?|skus?|"
    rf"countries?|cities?|regions?|markets?|languages?|stars?|reviews?|calls?|meetings?|"
    rf"courses?|certifications?|trainings?|incidents?|defects?|bugs?|tests?|cases?|"
    rf"projects?|teams?|locations?|branches?|outlets?|vehicles?|trucks?|beds?|tons?|kg|km)\b"
    rf"|{NUMBER}\s?(?:[个名位家场篇次台件户单人项款门所辆吨条份期场笔张套本堂节课起例宗座间批箱种类]|万?人次)"
    rf"|(?:top|前)\s?{NUMBER}|第{NUMBER}名|(?<![这那该此每])(?<![这那该此每][一两])(?<![这那该此每].[一两])(?:{ZH_NUM})(?:个|名|位|家|场|篇|次|项|款|倍|成)"
    rf"|{NUMBER}\s?(?:nps|dau|mau|wau|gmv|arr|mrr|csat|ces|sla|uptime)"
    rf"|(?:nps|dau|mau|gmv|arr|mrr|csat|sla|uptime|roi|ltv|cac|aov|ctr|cvr|otif|oee|mttr|mtbf)"
    rf"[^\n\d]{{0,25}}?{NUMBER}"
    rf"|{NUMBER}\s?(?:分(?![支钟享析配别布类成工组公解批期散])|星|级)"
    rf"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|fifty|hundred|"
    rf"half|double|triple|zero)\b\s(?:[a-z]+\s){{0,2}}?(?:new |more )?(?:users?|customers?|clients?|"
    rf"stores?|sites?|markets?|hires?|people|partners?|releases?|features?|workshops?|sessions?|"
    rf"events?|incidents?|defects?|regions?|countries?|languages?|products?|locations?|"
    rf"certifications?|courses?)"
    rf"|\b(?:halve|halved|double|doubled|triple|tripled|zero)\b|\bby half\b|\b(?:in|by) half\b"
    rf"|{NUMBER}\s*(?:→|->|=>|⇒)\s*{NUMBER}|{NUMBER}\s+(?:out\s+)?of\s+{NUMBER}\b|[一二三四五六七八九十]+级|\bevery (?:engineer|employee|agent|member|store|site|team|manager|nurse|teacher)\b"
    rf"|(?:全部|全员|所有|全体)\S{{0,12}}(?:完成|取得|覆盖|上线|升级|通过|考取|接入|持证)"
    rf"|\b(?:all|every)\s+(?:[\w-]+\s){{0,3}}?(?:complete|completes|completed|certified|trained|live|migrated|upgraded|onboarded)\b"
    rf"|\b{NUMBER}(?:\.\d+)?\s?(?:/\s?\d+)\b"
    rf"|(?:≥|≤|>=|<=|>|<|at least|no more than|under|below|above|over|less than|more than|"
    rf"up to|至少|不低于|不少于|不超过|不高于|低于|高于|超过|达到|达|控制在|提升至|提高到|降至|降低到|"
    rf"缩短至|减少到|增至|降为|降到|减为|压降至)\s?{NUMBER}"
    rf"|减少一半|下降一半|减半|翻一?番|翻倍|(?:提升|提高|增长|下降|降低|减少)[一二三四五六七八九]成"
    # "10+ models", "模型30+", "1000+关注者": at least that many.
    rf"|(?<![\d.]){NUMBER}\s?\+(?![\d+])"
    # An order of magnitude ("10s of consultants", "1000s of scientists", "to 10,000s",
    # "hundreds of teachers"): a rough target, but a target.
    rf"|(?<![\w.])(?:10|100|1,?000|10,000|100,000)s\b|\b(?:dozens|hundreds|thousands|millions) of\b"
    # A count in words ("one million followers", "two thousand members", "a hundred partners").
    rf"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|a|half a)\s+(?:hundred|thousand|million|billion)\b"
    # A target kept elsewhere and pointed to ("Hit our ARR target", "meet the MQL targets").
    rf"|\b(?:meet|hit|achieve|reach|exceed|deliver)\b[^.;\n]{{0,60}}\b(?:targets?|quotas?)\b"
    # Targets in words: a multiple ("twice as many", "three times more"), none at all ("no
    # transactions … have a fatal error", "零事故", "无重大安全事故"), a level of a named scale
    # ("the 'elite' level (as defined by DORA)"), all of a set beating a comparison ("all new
    # products have a faster transaction time than …").
    rf"|\btwice as (?:many|much|fast|often|likely)\b|\b(?:two|three|four|five|ten|{NUMBER})\s+times\s+"
    rf"(?:as (?:many|much)|more|faster|higher|larger|greater)\b"
    rf"|^no\s+(?:[\w-]+\s){{1,6}}?(?:have|has|had|with|cause|causes|see|sees|hit|hits)\s+(?:an?\s+)?"
    rf"(?:fatal|critical|major|serious|severe|unplanned|p[01]|sev[- ]?[12])\b"
    rf"|零(?:事故|投诉|缺陷|故障|伤亡|差错|延误|安全事故|重大事故|回滚|宕机|漏洞|逾期|违规|失误|泄露|丢失)|(?:确保|实现|保持|做到)?(?:全年)?无(?:重大|较大|一般)\S{{0,4}}(?:事故|故障|投诉|事件)"
    rf"|\b(?:level|tier|grade|rating|status)\b[^.;\n]{{0,20}}\bas defined by\b"
    rf"|\ball\s+(?:[\w-]+\s){{0,4}}?(?:have|has|are|is|get|reach)\s+(?:an?\s+)?(?:faster|lower|higher|shorter|"
    rf"better|fewer|smaller|cheaper)\b[^.;\n]{{0,60}}\bthan\b",
    re.I,
)
# A plain number that is a year or date part is not a metric.
YEARLIKE = re.compile(r"^(?:19|20)\d{2}$")
BASELINE = re.compile(
    r"\bfrom\s+(?:[$€£¥]|[a-z]{3}\s)?\d|\bfrom\s+(?:zero|none|one|two|three|four|five|six|seven|eight|nine|ten)\b|\bcurrently\b|\bcurrent(?:ly)?\s+(?:at|is|level|rate|value)|\bbaseline\b"
    r"|\bup from\b|\bdown from\b|\bvs\.?\b|\bversus\b|\bcompared (?:to|with)\b|\blast (?:year|quarter)\b"
    r"|\btoday\b|\bfrom today'?s\b|\bprior year\b|\bfrom the current\b|\bfrom (?:about|around|roughly)\b"
    r"|\bagainst (?:the |a |our )?(?:20\d\d|baseline|current|last)|\b(?:was|were|stood at|is now|is currently)\s+[$€£¥]?\d"
    r"|\(\s*(?:20\d\d|fy\d\d|q[1-4])\s*:\s*[$€£¥]?\d|\d{4}\s*年\S{0,14}为\s*\d|\d{4}\s*年\S{0,14}(?:是|达)\s*\d"
    r"|从\s*\S{0,12}\d|由\s*\S{0,10}\d|目前|现为|现有|当前|基线|同比|环比|较去年|较上年|比去年|比上年"
    r"|较\S{0,6}(?:提升|提高|增长|成长|下降|下滑|降低|减少)|上年|去年\S{0,6}\d"
    r"|\([^)]{0,24}(?:19|20)\d\d[^)]{0,30}[:：][^)]{0,12}\d"
    r"|\([^)]{0,8}(?:上半年|下半年|去年|上年|今年|目前|现为|当前|既有|原|前三季度|全年)[^)]{0,20}\d"
    r"|\b(?:currently|today|now|at present)\b[^.;]{0,30}\d|\d[\d,.]*\s*(?:→|->|=>|⇒)\s*\d|\b(?:last|past|previous)\s+\d+\s+(?:months|years|quarters|weeks)\b"
    r"|\bin each of the last\b|\btrack record\b|持平",
    re.I,
)
DELTA = re.compile(
    r"\bby\s+(?:about\s+|at least\s+)?(?:[$€£¥]|[a-z]{3}\s)?\d|\d[\d,.]*\s*(?:[km]\b)?\s+(?:in\s+)?(?:new|additional|incremental)\b|\+\s?\d|\b(?:increase|grow|raise|boost|cut|reduce|"
    r"lower|decrease|improve|lift|shrink|shorten|add)\w*\s+(?:[\w-]+\s+){0,4}?(?:by\s+)?\d[\d.,]*\s?%"
    r"|\b(?:new|additional|more(?! than)|extra|net new|another)\s+(?:\w+\s+){0,2}?\d"
    r"|\d[\d,.]*\s+(?:new|additional|more|extra)\b|\b(?:halve|halved|double|doubled|triple|tripled)\b|\bby half\b"
    r"|(?:提升|提高|增长|成长|增加|降低|下降|下滑|减少|缩短|压缩|节省|节约|同比|环比|增幅)\s?[:：]?\s?\d[\d.]*\s?(?:%|％|个百分点|倍)"
    r"|(?:提升|提高|增长|增加|降低|下降|减少)\s?[一二三四五六七八九十两]+(?:成|倍)"
    r"|(?:节约|节省|新增|发表)\S{0,10}?\d|培训\S{0,12}?\d+\s*(?:名|人|次|期|场)|(?:增加|减少)(?!到|至)\S{0,6}?\d"
    r"|(?:^|[:：;；,，]\s*)(?:[-*]\s*)?(?:hire|recruit|add|open|onboard|sign|acquire|win|launch|publish|train|plant|build|install|enrol|enroll|submit|complete|deliver|hold|run|conduct|write|produce|save|replace|sell|ship|migrate|convert)\w*\s+(?:(?!under\b|over\b|below\b|above\b|within\b|at\b|less\b|more\b|no\b)[a-z-]+\s+)?\d"
    r"|\d[\d,.]*\s+(?:[\w-]+\s+){0,4}?(?:with\s+)?(?:a\s+)?(?:new|additional|extra|repaired|upgraded|refurbished|replaced)\b"
    r"|新增|增加\s?\d|多\d|翻一?番|翻倍|减半|新开|新建|新签|新招|新上线|新拓展|招聘\d|\d+\s?%\s*(?:growth|increase|reduction|decrease|lower|higher|fewer|more)"
    # Output to produce or people to bring in: a count of new things, no baseline needed
    # ("发展50+位成员", "增加至少5个新特性", "征集30篇文章", "Host 8 sessions").
    r"|(?:发展|招募|征集|开展|举办|发布|贡献|引导|解决|吸引|培养|输出|产出|增加)[^。；;，,]{0,20}?(?:至少|不少于)?\s?\d"
    r"|(?:\b(?:two|three|four|five|six|seven|eight|nine|ten)\b)\s+(?:new|additional|more|extra)\b"
    # Money raised within the period is a fresh count, like "N new" ("$125k in chapter fundraising
    # in 2022", "raise €40,000 in sponsorships", "筹集资金 50 万元"); revenue is not (it has last
    # year's figure to start from).
    r"|[$€£¥]\s?\d[\d,.]*\s?(?:[kmb]|million|thousand)?\s+(?:in|of|from)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:fundraising|donations?|grants?|sponsorships?|funding|contributions)\b"
    r"|\b(?:raise|raised|fundraise)\s+(?:at least\s+)?[$€£¥]?\s?\d|(?:募集|筹集|募资|筹款)[^。；;，,]{0,8}?\d"
    r"|^\W*\d+\s+(?:[a-z-]+\s+){0,3}?(?:events?|workshops?|meetups?|sessions?|webinars?|conferences?|"
    r"summits?|hackathons?|articles?|posts?|videos?|releases?|courses?|trainings?)\b"
    r"|(?:^|[:：;；,，]\s*)(?:[-*]\s*)?(?:host|organi[sz]e|grow|attract|welcome|onboard|graduate)\s+(?:[a-z-]+\s+){0,2}?(?:at least\s+)?\d",
    re.I,
)
LEVEL_TARGET = re.compile(
    r"\b(?:to|reach|reaching|achieve|attain|hit|at least|≥|>=|of|above|over|under|below|within|"
    r"maintain|keep|sustain|no more than|less than|more than|at|exceed)\b\s*[$€£¥]?\d"
    r"|(?:≥|≤|>=|<=|>|<)\s?[$€£¥]?\d"
    r"|达到|达成|提升至|提高至|提高到|提升到|增长至|增长到|增至|降至|降低至|降低到|下降至|缩短至|缩短到|"
    r"控制在|保持在|不低于|不少于|不超过|不高于|突破|超过|实现\S{0,10}\d|至\s?\d",
    re.I,
)

# ---------------------------------------------------------------------------------------------
# SMART: generic improvement goals.
GENERIC_VERB = {
    "en": re.compile(
        r"^(?:to\s+)?(?:further\s+|continue to\s+|continuously\s+)?(?:improve|enhance|increase|grow|boost|"
        r"strengthen|optimi[sz]e|drive|build|develop|expand|raise|promote|advance|deepen|elevate|"
        r"maximi[sz]e|accelerate|foster|better|upgrade|modernise|modernize|transform|streamline|"
        r"revitali[sz]e|nurture|cultivate|reinforce|step up|level up|improved|strengthened|enhanced|increased|"
        r"better|greater|stronger|more effective|deepened|expanded|"
        r"(?:work with [\w ]{1,30} to )?make\s+(?:[\w-]+\s+){0,3}(?:feel\s+)?\w+(?:er|ier)\b)\b",
        re.I,
    ),
    "zh": re.compile(
        r"^(?:进一步|持续|不断|全面|大力|切实|着力|努力|积极|稳步|全力)?\s*(?:提升|提高|加强|优化|增强|扩大|推动|打造|"
        r"改善|强化|深化|完善|促进|推进|做好|做强|做大|做优|加快|加大|巩固|拓展|建设|构建|夯实|增加|"
        r"升级|营造|树立|发展|培育|助力|服务)"
    ),
}
# Slogans that name no object at all: "Be the best-run stores in the region", "成为行业标杆".
SLOGAN = re.compile(
    r"^(?:an?\s+|the\s+)?(?:(?:[a-z-]+(?:er|ier)|more\s+[a-z-]+),?\s+(?:and\s+)?){1,3}[a-z-]+\s*[.!]?$|"
    r"^(?:to\s+)?(?:be|become|remain|stay)\s+(?:the\s+|a\s+)?(?:best|leading|number one|#1|top|premier|"
    r"go-to|world-class|most \w+)|^(?:成为|打造成为?|争创|争做)\S{0,12}(?:标杆|一流|领先|最佳|第一|龙头|典范)",
    re.I,
)
ABSTRACT_OBJECT = {
    "en": re.compile(
        r"\b(?:satisfaction|experience|awareness|brand|efficiency|effectiveness|quality|performance|"
        r"collaboration|communication|engagement|culture|the business|business|growth|productivity|"
        r"processes|process|operations|visibility|reputation|presence|capabilit(?:y|ies)|capacity|innovation|"
        r"teamwork|morale|alignment|value|impact|influence|competitiveness|excellence|service|"
        r"services|relationships?|loyalty|retention|sales|revenue|profitability|results|outcomes|"
        r"standards|best|leader|world-class|market position|synerg(?:y|ies)|agility|resilience|"
        r"transparency|accountability|security|reliability|stability|sustainability|diversity|"
        r"inclusion|adoption|usage|community|ecosystem|partnerships?|customer focus|mindset|"
        r"skills|talent|people|team|organisation|organization|infrastructure|platform|"
        r"digitali[sz]ation|digital transformation|momentum|awareness|wellbeing|well-being|health|"
        r"safety|welfare|environment|atmosphere|spirit|visibility|safer|better|easier|happier|stronger)\b",
        re.I,
    ),
    "zh": re.compile(
        r"满意度|体验|影响力|知名度|美誉度|品牌|效率|效能|质量|水平|能力|协同|协作|沟通|凝聚力|文化|竞争力|"
        r"服务|管理|业务|业绩|形象|口碑|运营|团队建设|队伍建设|执行力|创新|价值|发展|增长|规模|市场|"
        r"用户粘性|粘性|活跃度|忠诚度|转型|数字化|信息化|智能化|标准化|规范化|精细化|体系|机制|生态|"
        r"基础|核心|优势|地位|氛围|意识|素质|积极性|效益|成效|品质|安全|稳定|领先|一流|标杆|环境|营收|收入|"
        r"销量|销售|利润|效果|满意|福祉|健康|振兴|繁荣|转型升级|高质量"
    ),
}
SCOPE_MARKERS = {
    # Case-sensitive on purpose: a capitalised name ("in EMEA", "for Line 3") is a scope.
    "en": re.compile(
        r"(?i:\b(?:in|for|across|at|within|among|on)\s+(?:the\s+|our\s+|all\s+)?)(?:[A-Z][\w-]+|(?i:\w+\s+"
        r"(?:region|regions|stores?|channel|segment|market|product|team|department|clinic|ward|"
        r"warehouse|line|site|app|platform|customers?|users?|accounts?)\b))"
        r"|(?i:\b(?:by|through|via)\s+\w+ing\b)"
    ),
    "zh": re.compile(
        r"(?:在|针对|面向|围绕)\S{2,}|[“\"《「][^”\"》」]{1,20}[”\"》」]|"
        r"(?:华东|华南|华北|华中|西南|西北|东北|[\u4e00-\u9fff]{2}(?:省|市|县)(?![内外级]))|"
        r"(?:线上|线下|app|小程序|官网|天猫|京东|抖音|小红书|微信|门诊|病房|生产线|产线)"
    ),
}
# Chinese goals often put the verb last: "品牌知名度显著提升".
TRAILING_GENERIC_ZH = re.compile(
    r"(?:显著|明显|进一步|大幅|全面|持续|稳步|有效|不断)?(?:提升|提高|改善|增强|优化|加强)[。.]?$"
)


# ---------------------------------------------------------------------------------------------
# OKR: activity key results.
class _ActiveVerbs:
    """The verbs that start a piece of work, per language, from the active vocabulary
    (service/rules/vocabulary/words.toml, [activity_verbs], extended by planreview.toml)."""

    def __getitem__(self, lang: str) -> re.Pattern[str]:
        return active().activity_verbs[lang]


ACTIVITY_VERB = _ActiveVerbs()
# Verbs that start an outcome rather than work ("Reduce churn", "Reach 10k users", "保持…").
OUTCOME_START = {
    "en": re.compile(
        r"^(?:make|reduce|cut|lower|decrease|double|halve|hit|reach|achieve|maintain|keep|become|be|"
        r"win|retain|attract|ensure|enable|empower|sustain|protect|secure|bring (?:in|back)|win back)\b"
        r"|^\w+\s+(?:more|less|fewer|better)\b",
        re.I,
    ),
    "zh": re.compile(r"^(?:降低|减少|缩短|压缩|实现|达到|保持|确保|成为|吸引|留住|让|使)"),
}
# Further verbs that start a piece of work (with ACTIVITY_VERB): "Finalize the budget",
# "Apply for the exemption", "Ensure the audit is scheduled".
ACTION_VERB_EXTRA = re.compile(
    r"^(?:finali[sz]e|apply|ensure|determine|decide|wind up|transfer|prepare|"
    r"schedule|agree|approve|assign|coordinate|engage|hire|identify|"
    r"involve|launch|propose|recruit|select|submit|draft|evaluate)\b"
    r"|^(?:确定|落实|推进|协调|安排|准备|提交|申请|审核|评审|签订|采购|招募|联系|对接|确保|负责|"
    r"维持|执行|进入|设定|设置|配置|停止|清空|清理|拉取|宣布|通知|备份|还原|恢复|切换|安装|升级|"
    r"测试|验证|检查|确认|更新|删除|重启|启用|关闭|迁移|导入|导出|同步|记录|对.{1,12}?进行|"
    r"在.{1,16}?(?:测试|部署|验证|执行|运行))",
    re.I,
)
OUTCOME_WORDS = re.compile(
    r"\b(?:rate|ratio|share|percentage|conversion|retention|churn|revenue|arr|mrr|nps|csat|"
    r"satisfaction|adoption|active|usage|users?|customers?|growth|margin|cost|time to|latency|"
    r"uptime|availability|accuracy|score|reduction|increase|decrease|acceptance|engagement|"
    r"reach|achieve|resulting in|so that|leading to|retain|retained|"
    # What other people do, counted ("Generate 15,000 new sign-ups"): an outcome, not output.
    r"sign-?ups?|registrations?|leads?|followers?|subscribers?|downloads?|installs?|bookings?|sales)\b"
    r"|率|占比|转化|留存|流失|营收|收入|满意度|活跃|使用|用户数|客户数|增长|毛利|成本|时长|可用性|"
    r"准确|得分|评分|降低|提升|提高|达到|覆盖",
    re.I,
)

# ---------------------------------------------------------------------------------------------
# Plan-wide mechanisms (document-scope rules).
# The Check step: monitoring or reviewing the plan's own progress. Strong cues say so on their
# own (a weekly review, a status report, a retrospective, 周报, 复盘); weak ones ("monitor",
# "evaluate", "audit", 监控, 检查, 评估) are as often about the product or the domain ("runtime
# monitoring", "audit year", "安全检查") and count only in a monitoring section or in a
# sentence about the plan's progress, results or cadence (check_in() below).
CHECK_CUES = re.compile(
    r"\b(?:dashboards?|kpi review|review meetings?|"
    r"weekly review|monthly review|quarterly review|business review|progress review|"
    r"status reports?|progress reports?|report (?:weekly|monthly|quarterly)|"
    r"(?:weekly|monthly|quarterly|biweekly|bi-weekly|fortnightly) (?:reviews?|reports?|check-?ins?|"
    r"syncs?|meetings?|updates?|retros?|retrospectives?|scorecards?)|check-?ins?|checkpoints?|"
    r"retrospectives?|retros?|post-mortems?|regular (?:[\w-]+ ){0,2}?(?:meetings|calls|syncs|check-?ins)|"
    r"scorecard|metrics review|health check|stand-?ups?|steering (?:committee|group) meets|"
    r"reviewed (?:weekly|monthly|quarterly|every)|review (?:the )?(?:plan|progress|results|kpis|metrics)|"
    r"progress (?:is|will be) (?:reviewed|tracked|reported)|okr (?:check-?ins?|grading|scoring)|"
    r"quarterly business review|qbr|reviewed at|review cadence|exit criteria|"
    r"contingent on the success|depend(?:s|ing)? on (?:the )?(?:success|outcome|results?)|"
    r"post-(?:campaign|launch|project|event|mortem|implementation|go-live) (?:review|analysis|evaluation|report)|"
    r"reports?\b[^.\n]{0,60}\b(?:every|each) (?:week|month|quarter|year|meeting)|(?:every|each) (?:week|month|quarter)\b[^.\n]{0,40}\breport|"
    r"(?:daily|weekly|monthly|quarterly|fortnightly)\s+(?:[\w&/-]+\s+){0,3}(?:reviews?|reports?|calls?|meetings?|"
    r"syncs?|check-?ins?|dashboards?|huddles?|stand-?ups?)|tracking issues?|progress board|"
    r"project board|status (?:page|column|board)|release readiness|(?:is|are|will be) (?:revisited|reviewed)|"
    r"revisited (?:and updated )?(?:yearly|annually|quarterly|every)|public minutes|meeting minutes|"
    r"status updates?|close-?out reports?|final reports?|scrum|sprint reviews?|"
    r"meetings?\b[^.\n]{0,20}\b(?:weekly|monthly|quarterly|bi-?weekly|fortnightly)|"
    r"(?:weekly|monthly|quarterly|annual|yearly) (?:\w+ )?surveys?)\b"
    r"|进度看板|看板|状态跟踪|转测试|测试完成|稳定性验证|里程碑评审|(?:评审|评估|审查|评选|甄选)(?:会议|会|报告)"
    r"|复盘|周报|月报|日报|季报|例会|周会|月会|督导|督查|检讨|站会|"
    r"数据看板|仪表盘|进度汇报|汇报|盘点|通报|检视|进度总结|阶段总结|工作总结|"
    r"意见回馈|意见反馈|收集\S{0,6}(?:反馈|回馈)|(?:反馈|回馈)(?:收集|蒐集)|结项|"
    r"每[单双]?[周週]\S{0,8}(?:会议|例会)|会议时间[:：]?\s*每"
    # A check-in per task ("打卡截止日期"), not a place to visit ("打卡地"); the follow-up meeting of
    # meeting notes, where the assigned work is looked at again ("下次会议", "7/15 9:00~12:00开会").
    # A gate the work passes before it goes on ("風險閘門", "quality gate", "stage-gate review").
    r"|(?:风险|质量|品质|阶段|验收)闸门|\b(?:quality|risk|stage|phase|release)[- ]gates?\b"
    r"|打卡(?![地点])|(?:下次|下一次|之后的|后续的?)\S{0,8}会议|\d{1,2}/\d{1,2}\s*[\d:：~\-–]*\s*开会"
    r"|\b(?:next|follow-?up) (?:meeting|call|sync)\b"
    # A chart of the work done against the time left, a progress meeting, progress posted.
    r"|\bburn-?(?:down|up)s?\b|[进進]度(?:会议?|例会|更新)|更新[^。\n，,]{0,6}[进進]度"
    # Results reported once a cycle ("the board will produce an annual report and accounts"), a
    # KPI's own measuring plan ("Plan to measure: count the maintainers"), entries screened and
    # judged (a selection step: "对收集到的文章进行筛选", "评比方式", "shortlist the submissions").
    r"|\bannual (?:report|review)s?\b|\bplan to measure\b|\bhow (?:we|to) measure\b"
    r"|\b(?:shortlist\w*|screen(?:s|ed|ing)?|judg(?:e|es|ed|ing)) (?:the |all )?(?:entries|submissions|"
    r"applications|proposals)\b|年度报告|年报|筛选|评比|审稿|初审|复审",
    re.I | re.ASCII,
)
CHECK_WEAK = re.compile(
    r"\b(?:monitor|monitoring|track|tracking|tracked|reporting|evaluat(?:e|ion)|assess(?:ment)?|"
    r"audit|measured|surveys?|compare[sd]?|comparing|look(?:s|ed)? at|go(?:es)? over|went over)\b"
    r"|监控|监测|跟踪|追踪|检查|考核|评估|评审|审核|复查|巡检|验收|回顾|回报|调查|问卷|对照",
    re.I | re.ASCII,
)
# What makes a weak cue a Check: the sentence is about the plan's own progress, results or
# cadence.
CHECK_OBJECT = re.compile(
    r"\b(?:progress|goals?|targets?|kpis?|okrs?|results|outcomes?|milestones?|deliverables|the plan|"
    r"status|impact|success|participation|attendance|satisfaction|feedback|adoption|"
    r"daily|weekly|monthly|quarterly|annually|yearly|regularly|fortnightly|bi-?weekly|sprints?|"
    r"every (?:week|month|quarter|year|two weeks|\d+ (?:weeks|months))|funders?|sponsors?|board|steering|"
    r"(?:every|each) (?:monday|tuesday|wednesday|thursday|friday|session|meeting|event|sprint)|"
    r"numbers|figures|actuals|stats|statistics|"
    # What the plan itself brings in or spends ("Monitor ticket sales", "track sign-ups").
    r"sales|sign-?ups?|registrations?|tickets?|enrol\w*|revenue|spend(?:ing)?|budget)\b"
    r"|进度|进展|目标|成果|成效|效果|完成情况|完成率|执行情况|落实情况|满意度|反馈|回馈|"
    r"每[周週]|每月|每季度|每年|定期|阶段性|季度|月度|年度|人数|(?:评估|评审|审核|验收|检查)(?:后|通过|结果)",
    re.I | re.ASCII,
)


def check_in(text: str, monitoring_text: str = "") -> bool:
    """Whether the plan monitors or reviews its own progress (pdca.no-check): a strong cue,
    a weak one inside a monitoring section, or a weak one in a sentence about progress."""
    if CHECK_CUES_FAST.search(text) or CHECK_WEAK.search(monitoring_text):
        return True
    return any(CHECK_OBJECT.search(sentence) for sentence in _sentences_with(CHECK_WEAK, text))


# The Act step: adjusting from what monitoring shows. Strong cues say so on their own
# ("course-correct", "纠偏", "if sign-ups fall below 50, …"); weak ones ("adjust", "iterate",
# "调整", "迭代") are ordinary verbs ("adjust the parallelism", "版本迭代") and count only in a
# sentence that also names what the adjustment answers to (feedback, results, a review) or
# adjusts the plan itself (act_in() below).
ACT_CUES = re.compile(
    r"\b(?:course[- ]correct(?:ion)?|correct(?:ive)? actions?|"
    r"escalat(?:e|ed|es|ion)|re-?plan(?:ning|ned)?|pivot|"
    r"re-?prioriti[sz]e|reprioriti[sz]ation|update the plan|"
    r"lessons learned|improvement actions?|continuous improvement|"
    r"feed (?:back )?into|re-?allocate|reallocation|rebalance|stop or scale|"
    r"act on|remediat(?:e|ion)|kill criteria|decide whether|recovery (?:actions?|plans?)|"
    r"scale back|shift budget|go/no-go|go-no-go|go or no-go|"
    r"re-?forecast\w*|re-?scope\w*|de-?scope\w*|cut (?:the )?[\w ]{0,30}first|"
    r"(?:if|when)\b[^.\n]{0,60}\b(?:miss|misses|below|above|exceeds?|falls?|drops?|slips?|is red|are red|off track))\b"
    r"|纠偏|升级处理|改进措施|整改|及时修正|动态调整|复盘改进|持续改进|"
    r"决定是否|启动\S{0,6}(?:方案|预案|计划)|补救|叫停|止损|"
    r"(?:低于|未达|未达到|超过|高于|偏离)\S{0,14}(?:时|则|即)|"
    r"优化调整|重新规划|再分配|根据\S{0,12}(?:反馈|进展|情况|结果)\S{0,6}(?:调整|更新|修订)|视\S{0,10}(?:情况|进度|需求)\S{0,4}(?:调整|安排)"
    r"|\b(?:updated (?:yearly|annually|quarterly)|revisited and updated|"
    r"contingent on|depend(?:s|ing)? on the (?:success|outcome|results?)|re-?evaluat\w*|change course|"
    r"hold(?:ing)? off|based on (?:the )?(?:feedback|results|progress))\b"
    # A contingency that re-scopes ("if there is a lot more work, focus on …"), a deadline
    # already moved ("原 5 月 9 日，已延長"), a plan rewritten as needed, work reassigned.
    r"|\bif there (?:is|are)\b[^\n]{0,120}?\b(?:focus|instead|prioriti\w*|drop|defer|cut|scale)"
    r"|\b(?:release |project |sprint )?(?:retrospectives?|post-mortems?)\b"
    r"|\b(?:has been|was|been) (?:extended|postponed)\b|\b(?:extended|postponed) (?:to|until)\b"
    r"|\b(?:new versions?|updates?) (?:of (?:the|this) (?:plan|roadmap) )?as needed\b"
    r"|\b(?:will be|is) revisited\b|重新分配|已延[长長]|延[长長](?:至|到)|顺延|延期至"
    # The schedule follows what is seen ("时间表以社区需要而定"); the right to change the
    # arrangements when something happens ("如有意外…有权取消、更改").
    r"|[以视]\S{0,12}(?:需要|需求|反馈|情况|进展)而定|有权\S{0,4}(?:取消|更改|调整|变更)"
    r"|\breserves? the right to (?:change|cancel|adjust|modify)\b"
    # Retrospective words ("retro", "post mortem", "what to improve"), feedback taken back into the
    # work ("incorporate feedback", "based on the logs"), a staged rollout that goes on only if
    # the last stage went well, unfinished work carried into the next cycle.
    r"|\bretros?\b|\bpost[- ]mortems?\b|\bwhat (?:went well|went wrong|to improve|could be improved)\b"
    r"|\b(?:incorporat\w*|integrat\w*|address\w*|act(?:ing)? on)\s+(?:the\s+|their\s+|any\s+|all\s+)?feedback\b"
    r"|\bbased on (?:the\s+)?(?:logs?|data|findings|usage|learnings|what we learn\w*)\b"
    r"|\bif (?:all|everything) goes (?:well|to plan)\b"
    r"|\b(?:carr(?:y|ied|ies)|roll(?:ed|s)?) (?:over|forward)\b[^.\n]{0,40}\b(?:next|following)\b"
    r"|(?:未完成|遗留|未结)\S{0,12}(?:顺延|移至|转入|放入|延至|带入)\S{0,4}下"
    # The plan can be changed, and who decides ("This policy plan … can be modified annually by the
    # general assembly if needed", "Changes to this project charter will be … approved by …",
    # "本计划可根据实际情况修订"); a debrief; the Act step of a PDCA cycle written out ("Act → …").
    r"|\b(?:plan|charter|roadmap|document)\b[^.\n]{0,40}\b(?:can|may|will|shall) be (?:modified|amended|"
    r"revised|updated|changed)\b|\bchanges to (?:this|the) (?:\w+ )?(?:plan|charter|roadmap)\b"
    r"|\bdebrief(?:s|ed|ing)?\b|(?m:^[ \t*-]*act\s*(?:[:：]|→|->))"
    r"|本(?:计划|方案|规划)\S{0,16}(?:修订|修改|更新|调整)"
    # Work taken in as things happen ("We will include other work as events occur"); a contingency
    # that shrinks or moves the plan on a threshold ("若超时则缩为 2 分钟"); what does not work is
    # stopped ("没效果的果断停").
    r"|\bas (?:events|things|needs|circumstances|priorities|opportunities) (?:occur|arise|change|emerge)\b"
    # Input taken back into the work ("Iterative improvements based on your input"), priorities
    # re-aligned, a look back at what worked ("what worked, what didn't").
    r"|\bbased on (?:your|their|our|user|users'?|customer|client|community|stakeholder)s?'? (?:input|feedback)\b"
    r"|\bre-?align\w*\b[^.\n]{0,40}\b(?:as needed|priorit\w*|plan|roadmap|goals)\b"
    r"|\bwhat (?:worked|did(?:n't| not) work)\b"
    r"|(?:若|如果|一旦|如)[^。\n]{0,30}(?:则|就|即)[^。\n]{0,6}(?:缩|减|改为|改用|换用|延|暂停|取消|砍|放弃|只)"
    # The same said without "若" ("發音不夠自然就改用 ElevenLabs"): a shortfall, then the switch.
    r"|(?:不够|不足|不佳|不理想|不达标|不满意|不如预期)[^。\n，,]{0,8}(?:就|则|便)[^。\n]{0,4}(?:改用|改为|换用|换成|切换|放弃)"
    r"|(?:没|无|不见)效果?的?\S{0,4}(?:停|砍|放弃)",
    re.I | re.ASCII,
)
ACT_WEAK = re.compile(
    r"\b(?:adjust(?:s|ed|ing|ment|ments)?|iterat(?:e|es|ion|ions)|revise|revised|revision|adapt|"
    r"action items|roll ?back|reassign|re-?deploy|scale up|switch (?:to|budget)|pause|defer\w*|"
    r"postpone\w*|trim\w*|amend(?:ed|ing|ment|ments)?|revisions|"
    # Verbs of re-planning: an Act only with what they answer to (ACT_TRIGGER) or the plan as their
    # object ("If the budget runs over, we cut the lowest-priority item"). "Change" and "update"
    # are too common for it ("status updates", "changes to the bylaws").
    r"cut|cuts|rework\w*|re-?plan\w*|reprioriti[sz]\w*|reallocat\w*|redirect\w*|rethink|"
    r"reconsider\w*|scale (?:back|down))\b"
    r"|调整|微调|迭代|改进|修正|修订|上报|优化方案|调派|加码|追加|暂停|优先处理|回滚",
    re.I | re.ASCII,
)
# What makes a weak cue an Act: the adjustment answers to something observed, or changes the plan.
ACT_TRIGGER = re.compile(
    r"\b(?:feedback|results?|review\w*|retro\w*|monitor\w*|metrics?|data|progress|learn\w*|lessons|"
    r"findings|observ\w*|evaluat\w*|track\w*|measur\w*|perform\w*|based on|depending on|"
    r"in response|if|when|whether|vote|underperform\w*|off[- ]track|stall\w*|behind|falls? short|"
    r"as (?:required|appropriate|needed|necessary)|once\b[^.\n]{0,40}\b(?:known|confirmed|clear))\b"
    r"|反馈|回馈|复盘|评估|结果|数据|进展|进度|监控|监测|根据|依据|视情况|如果|若|一旦|检查|回顾|总结|效果|考核"
    r"|因应|应对\S{0,6}变|按\S{0,8}通知"
    r"|低于|高于|未达|偏离|连续|完成率",
    re.I | re.ASCII,
)
ACT_PLAN_OBJECT = re.compile(
    r"\b(?:the plan|our plan|plans|roadmap|priorit\w*|schedule|strategy|targets?|goals|scope|budget|"
    r"charter|okrs?|key results|objectives)\b"
    r"|计划|方案|策略|优先级|目标|排期|路线图|预算|关键结果",
    re.I | re.ASCII,
)


# Whole-plan searches skip a plan that holds none of the cues' literals (exactly the same answer).
ACT_CUES_FAST = Prefiltered(ACT_CUES)
CHECK_CUES_FAST = Prefiltered(CHECK_CUES)


def act_in(text: str) -> bool:
    """Whether the text says how the plan adjusts from what monitoring shows (pdca.no-act)."""
    if ACT_CUES_FAST.search(text):
        return True
    for sentence in _sentences_with(ACT_WEAK, text):
        if ACT_TRIGGER.search(sentence):
            return True
        # "Adjust the roadmap" changes the plan; "版本迭代" iterates the product, not the plan.
        if ACT_PLAN_OBJECT.search(sentence) and any(
            not m.group(0).startswith(("迭代", "iterat")) for m in ACT_WEAK.finditer(sentence)
        ):
            return True
    return False


_SENTENCE_END = re.compile(r"[.。!?！？;；\n]")


def _sentences_with(pattern: re.Pattern[str], text: str) -> list[str]:
    """The sentences of `text` in which `pattern` occurs (one pass over the text)."""
    out: list[str] = []
    last_end = -1
    for m in pattern.finditer(text):
        if m.start() < last_end:
            continue  # already in the sentence taken for an earlier match
        sentence, last_end = _sentence_around(text, m.start(), m.end())
        out.append(sentence)
    return out


def _sentence_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence holding text[start:end] and the offset where it ends."""
    left = start
    while left > 0 and not _SENTENCE_END.match(text, left - 1):
        left -= 1
        if start - left > 400:
            break
    m = _SENTENCE_END.search(text, end)
    right = m.start() if m else len(text)
    return text[left:right], right


MILESTONE_CUES = re.compile(
    r"\b(?:milestones?|checkpoints?|phase \d|phase (?:one|two|three)|stage \d|gate|mid-?point|"
    r"mid-(?:quarter|year|term|campaign|project|programme|program|season)|halfway|"
    r"interim|week \d+|month \d+|sprint \d+|wave \d+)\b|里程碑|阶段|(?:时间|关键|重要|里程碑)节点|中期|第[一二三四五六七八九十\d]+(?:阶段|周|月|期)|检查点",
    re.I | re.ASCII,
)
BUFFER_CUES = re.compile(
    r"\b(?:buffer|contingency|reserve|float|padding|margin for delay|spare capacity|"
    r"headroom|fallback time|safety margin)\b"
    # Slack as spare time, not the chat tool ("#okrs slack channel", "the Slack app").
    r"|\bslack\b(?=\s+(?:time|days?|weeks?|in the|for|of|between|built|to absorb))"
    r"|\b(?:some|build in|built in|keep|leave|add|with|include|\d+%|days? of|weeks? of)\s+slack\b"
    r"|缓冲|预留|备用金|应急预算|应急(?:费用?|资金|经费|金|款|开支)|备用(?:资金|经费)|机动|冗余(?:时间|工期|预算)|"
    r"不可预见费|预备费|预备金|准备金|富余",
    re.I | re.ASCII,
)
BUDGET_CUES = re.compile(
    r"\b(?:budget|cost|costs|spend|spending|funding|funded|investment|capex|opex|expense|"
    r"expenses|price|fee|fees|salary|salaries|allocation|investment)\b|预算|费用|成本|投入|投资|资金|经费|开支|支出|花费",
    re.I | re.ASCII,
)
CURRENCY_AMOUNT = re.compile(
    rf"[$€£¥￥]\s?{NUMBER}|{NUMBER}\s?(?:k|m|bn|million|billion|thousand)?\s?(?:usd|eur|gbp|cny|rmb|dollars?|euros?)\b"
    rf"|(?:usd|eur|gbp|cny|rmb|hkd|twd|nt\$|hk\$)\s?{NUMBER}|{NUMBER}\s?(?:万|亿|千)?\s?(?:元|美元|人民币|块|港币|港元|新台币|台币|日元|欧元|英镑)"
    # An amount split from its unit by markup ("<font color=red> 12000 </font>\n元").
    rf"|{NUMBER}\s*(?:</?[a-z][^>]{{0,40}}>\s*)+(?:万|亿|千)?(?:元|美元|人民币|港币|港元|新台币|台币)"
    rf"|(?:港币|港元|新台币|台币|人民币|美元)\s?{NUMBER}",
    re.I,
)
# Every alternative of CURRENCY_AMOUNT holds one of these (casefolded, as re.I compares): a text
# without any cannot hold an amount, and the scan of a long plan without money is skipped.
_CURRENCY_HINTS = (
    *"$€£¥￥元块币镑",
    *("usd", "eur", "gbp", "cny", "rmb", "hkd", "twd", "dollar"),
)


def has_currency_amount(text: str) -> bool:
    """Whether the text states an amount of money (CURRENCY_AMOUNT occurs in it)."""
    folded = text.casefold()
    return any(h in folded for h in _CURRENCY_HINTS) and CURRENCY_AMOUNT.search(text) is not None


TBD = re.compile(
    r"\b(?:tbd|tba|tbc|to be (?:determined|confirmed|decided)|unknown)\b|待定|待确定|待补充|另行确定|暂定",
    re.I,
)
STAFF_CUES = re.compile(
    # ASCII word boundaries: "版本发布SIG" has one before "sig" only with re.ASCII.
    # "team" and "lead" alone are as often "our team", "lead to adoption"; "people" alone is anyone.
    r"(?<![a-z0-9])(?<!our )(?<!the )(?<!this )(?<!whole )(?<!same )team(?![a-z0-9])"
    r"|\d+\s+(?:people|persons)\b|(?:tech|team|project|program|programme|workstream|release|community|"
    r"technical|engineering|design) leads?\b"
    r"|(?<![a-z0-9])(?:staff|staffing|headcount|fte|owner|manager|director|engineer|analyst|"
    r"coordinator|responsible|accountable|raci|hire|hires|hiring|volunteers?|contractor|"
    r"agency|vendor|committee|department|squad|crew|dri|maintainers?|sponsor|board|sig|"
    r"working group|release team|product team|core team|steering group|tsc|pmc|mentors?|"
    r"project lead|program manager|programme manager|primary contacts?|points? of contact|"
    r"contact persons?|project management|(?:are|is|will be) implementing|implemented by|"
    r"mentored by)(?![a-z0-9])"
    # A person's profile link ("[Basil Crow](https://github.com/basil)") or handle ("@luotao1").
    r"|\]\(https?://(?:www\.)?github\.com/[\w-]+/?\)|(?<![\w.@])@[a-z0-9][\w-]{1,38}(?![\w.@])"
    r"|团队|人员|人力|志工|负责人|责任人|牵头|小组|部门|专员|经理|主管|总监|编制|招聘|岗位|分工|志愿者|外包|主任|老师|教师|组长|店长"
    r"|导师|助教|讲师|主持人|组织者|发起人|评委"
    # A unit of the organisation given the work ("院方专案办公室", "the project office", "PMO").
    r"|办公室|项目办|(?<![a-z0-9])(?:project|program|programme) office(?![a-z0-9])|(?<![a-z0-9])pmo(?![a-z0-9])"
    # The time someone puts in ("3–5h 每周", "10 hours a week") and the one-person team ("一个人",
    # "独立开发", "a solo maintainer") are staffing too.
    r"|\d+(?:\s*[–~-]\s*\d+)?\s*(?:h|hrs?|hours?|小时)\s*(?:/|每|per |a |each )\s*(?:周|週|week)"
    r"|(?:每周|每週)\s*\d+(?:\s*[–~-]\s*\d+)?\s*(?:h|小时)|一个人|一人团队|独立开发|\bsolo\b|\bone-person\b",
    re.I | re.ASCII,
)
STAKEHOLDER_CUES = re.compile(
    r"\b(?:stakeholders?|steering (?:committee|group)|sponsor|report(?:s|ing)? to|reporting line|"
    r"communication plan|communications? cadence|weekly (?:sync|meeting|update|call|email)|"
    r"monthly (?:update|meeting|newsletter|report)|all-hands|town ?hall|newsletter|"
    r"status updates?|board|executive team|leadership team|e-group|slack channel|"
    r"announce|inform|keep .{0,20} informed|shared with|share with|update (?:the )?(?:team|leadership)|"
    r"report\w*\b[^.\n]{0,60}\bto (?:the )?(?:\w+ )?(?:coo|ceo|cfo|cto|cio|board|vp|director|leadership|management|"
    r"sponsor|steering|executive|council|trustees|governors|minister|mayor|finance|review|committee|manager)|"
    r"approver|approved by|reviewed by|prepared (?:by [^.\n]{0,60})?for|signed off by|sign-?off|"
    r"leadership (?:group|team)|management team|who is involved|stand-?ups?|business reviews?|"
    r"(?:weekly|monthly|quarterly|biweekly|bi-weekly|fortnightly|daily) (?:meetings?|syncs?|reviews?|calls?|"
    r"updates?|reports?|stand-?ups?|check-?ins?|huddles?|briefings?)|every (?:monday|tuesday|wednesday|thursday|"
    r"friday|week|month|quarter|two weeks)|(?:reviews?|discuss\w*|meets?|agrees?|agree)\b[^.\n]{0,40}\bwith (?:the )?"
    r"(?:\w+ ){0,3}(?:manager|director|team|lead|leadership|board|controllers?|committee|housekeeper|owners?|partners?))\b"
    r"|审批人|批准人|审核人|评审稿|由\S{1,10}(?:审批|批准)|委员会|申报单位|合作机构|站会|晨会|月会|同步至|同步给|报送|上报|"
    r"报\S{0,8}(?:办事处|政府|局|委|领导|总部|总经理|董事会)|向\S{1,12}(?:汇报|报告|通报)|每周\S{0,6}(?:会|沟通|同步)|"
    r"每月\S{0,6}(?:会|汇报|沟通|通报)|编制[:：]|审核[:：]|会议|召开\S{0,10}会|检讨会|例会|回报|"
    r"\b(?:weekly|monthly|quarterly|daily)\s+(?:[\w&/-]+\s+){1,2}(?:reviews?|meetings?|reports?|calls?)\b"
    r"|干系人|利益相关方|相关方|汇报|领导小组|指导委员会|周会|例会|沟通机制|沟通计划|通报|同步会|业主|甲方|委托方|"
    r"协调会|简报|向\S{1,10}报告|报送|共享"
    # Groups the plan says it tells, hears from or works through (real plans name stakeholders
    # this way more often than in a stakeholder table).
    r"|\b(?:will be (?:told|notified|informed|consulted)|notif(?:y|ied|ications?)|mentored by|mentors?\b|"
    r"(?:community|user|customer|partner) (?:meetings?|calls?|forums?|survey)|"
    r"mailing lists?|discussion (?:forum|board|channel)|working groups?|special interest group|"
    r"sig[- ]\w+|release (?:team|notes)|team asks|(?:primary|secondary) users|target audience)\b"
    r"|(?:社区|社群|用户|客户|伙伴)(?:讨论|会议|调研)|讨论区|邮件列表|社区伙伴|社群伙伴|合作伙伴|导师|"
    r"告知|通知\S{0,6}(?:用户|客户|成员|社区|各方)|sig\s?[\w\u4e00-\u9fff]+|双周会"
    # Channels the plan hears its users through ("反馈可到 GitHub issues 或微信群").
    r"|微信群|钉钉群|qq\s?群|交流群|用户群|社区群|反馈渠道|反馈通道|"
    # Partners the plan works through ("co-organised with ETHTaipei", "与 COSCUP 合作", "协办").
    r"合办|协办|联合主办|共同主办|合作单位|协办单位|联合\S{0,4}(?:征稿|举办|主办|审稿)|"
    # The parties a plan is run for or under: its host and supervising teacher (主办单位, 指导老师),
    # its client as a party (客户负担, 与客户确认, "the client"; not 客户满意度), the upstream project.
    r"主办单位|承办单位|指导单位|指导老师|指导教师|商家|"
    r"(?:与|向|和|跟|由|请)客户|客户(?:方|负担|承担|确认|验收|审核|签字|签核|同意|沟通|对接|反馈)|"
    r"\b(?:the client|our clients|upstream (?:project|maintainers|community))\b|"
    r"\b(?:partner(?:s|ing)? with|in partnership with|co-?organi[sz]\w*|co-?host\w*|hosted by|"
    r"host (?:conference|institution|organi[sz]ation|observatories))\b|"
    r"\b(?:github issues?|issue tracker|discord|forums?|telegram|github discussions)\b",
    re.I | re.ASCII,
)
# A risk stated in prose (outside any risk section): "the main risk is…", "主要风险在于…".
# Hedges and contingencies anywhere in a plan ("might", "in case", "if necessary", "万一", "避免",
# "若…无法"): what could go wrong may be said in prose, so a missing register is less certain.
RISK_HEDGE = re.compile(
    r"\b(?:might|could)\b|\bin case\b|\bfall ?back\b|\bbackup plan\b|\bif (?:necessary|needed)\b"
    r"|\bworst case\b|\bshould (?:\w+ )?(?:fail|slip)\b|万一|以防|以备|如遇|应急|备用|备选|备案|避免|防止"
    r"|若[^，。\n]{0,20}(?:无法|不能|不足|延误|延期|失败|未能)"
    # A known obstacle with its workaround ("学校网络无法从线上安装函式库，须请工作人员…以 ZIP 安装").
    r"|(?:无法|不能)[^。\n]{0,30}[，,]\s*(?:须请|需请|须由|需由|只能改|改以|改用|改为)",
    re.I,
)
# Words of a check said in passing anywhere ("feedback", "review", "demo", "反馈", "总结", "验收"):
# a plan that uses them may check its work in ways the rules cannot place, so a missing Check is
# less certain (pdca.no-check is said one severity lower).
CHECK_HEDGE = re.compile(
    r"\b(?:feedback|review(?:ed|s)?|report(?:s|ing)?|retro\w*|evaluat\w*|survey|demo)\b"
    r"|反馈|复盘|总结|检查|评估|汇报|回顾|验收|问卷|回馈",
    re.I,
)
# Words of improving the work said in passing ("完善", "迭代", "反馈", "feedback", "next version"): a
# plan that uses them may adjust course in ways the rules cannot place, so a missing Act is less
# certain (pdca.no-act is said one severity lower; right 0.45 at first contact and 0.63 on the read
# waves where they appear, against 0.66 and 0.78 where they do not: eval/README.md, eleventh pass).
# Not what the plan aims at ("Improve customer satisfaction", "优化体验", "Improvement Plan").
ACT_HEDGE = re.compile(
    r"\b(?:feedback|iterat\w*|refin\w*|lessons?|next (?:version|release|iteration))\b"
    r"|完善|改进|迭代|反馈|改一版|下一版",
    re.I,
)
RISK_CUES = re.compile(
    r"\b(?:(?:main|key|biggest|major|primary|one|another|the) risks?|risks? (?:is|are|include|includes|that|of)|"
    r"what could go wrong|could derail|mitigat(?:e|ion)|contingency plan|fallback plan|plan b)\b"
    # What could go wrong, said in a sentence ("we might be unable to…", "if the venue falls
    # through…", "若因故无法…", "如遇疫情…").
    r"|\b(?:might|may|could) (?:also )?(?:be unable|not be able|fail|slip|not be (?:feasible|possible|enough|"
    r"sufficient|available)|cause (?:incompatib\w*|breaking|delays?|downtime|data loss)|break)\b"
    r"|\b(?:key|main|biggest) challenges?\b(?! facing)"
    r"|(?<!develop a )(?<!define a )(?<!create a )\b(?:rollback|roll-back|fallback) (?:plan|strategy|procedure)\b"
    r"|\bif\b[^.\n]{0,60}\b(?:fails?|failed|is delayed|are delayed|falls? through|goes wrong|can(?:no|')t|is cancell?ed)\b"
    r"|(?:主要|潜在|最大|关键|核心)风险|风险(?:在于|是|包括|主要|点|提示|为)|隐患|应急预案|预案"
    # A contingency ("if there is a lot more work …, focus on …"), a bare "风险：" label over a list.
    r"|\bif there (?:is|are)\b[^\n]{0,120}?\b(?:focus|instead|prioriti\w*|drop|defer|cut|scale)"
    r"|(?m:^[ \t]*(?:[-*][ \t]*)?(?:\*\*)?(?:风险|risks?)(?:\*\*)?[ \t]*[:：][ \t]*$)"
    # Trouble expected, with or without its handler ("We can expect issues to emerge in the
    # process, and the Nix expert will …"), a fallback for a shortfall ("if not enough projects
    # finish, …", "如果本次没有足够的项目完成比赛，奖金将会累积到第二季", "如获奖队伍没有顾问，则…").
    r"|\b(?:expect|anticipate)[sd]?\b[^.\n]{0,30}\b(?:issues|problems|difficulties|delays|obstacles|"
    r"setbacks|blockers)\b"
    r"|\bif\b[^.\n]{0,40}\b(?:not enough|too few|insufficient|no one|nobody|fewer than)\b[^.\n]{0,60}[,;]"
    r"|\bin (?:the )?case of (?:delays?|problems|issues|emergenc\w+|failures?|bad weather|rain|low turnout)\b"
    r"|\bor (?:we |they |it )?risks? (?:\w+ing|termination|losing|being)\b|\bat risk of\b"
    r"|(?:如果|假如|倘若|若|(?<![例比譬])如)[^。\n，,]{0,30}(?:没有足够|没有|不足|未能|无法|不够|失败|延误|取消)"
    r"[^。\n]{0,30}[，,]\s*[^。\n]{0,6}(?:则|将|会|就|由|改为|顺延)"
    # A contingency: what may go wrong and what stands in for it ("The venue may cancel; we hold a
    # backup booking", "If the speaker drops out, a co-host steps in", "若讲师临时缺席，由助教代课").
    r"|\b(?:may|might|could|if|in case|should)\b[^.\n]{0,80}\b(?:backup|back-up|fallback|alternative "
    r"(?:venue|date|plan|speaker|host|supplier|vendor)|spare|standby|stand-in|steps? in|takes? over|"
    r"plan b|indoors|move[sd]? online)\b"
    r"|\b(?:a|the|our|as a) fallback\b|\bfallback (?:is|would be|option)\b"
    r"|(?:可能|如果|假如|倘若|若|万一|一旦)[^。\n]{0,30}(?:备用|备选|替补|代替|代课|顶替|接替|改为线上|改期|延期举行|启用)"
    r"|(?:如果|假如|倘若|若)[^。\n，,]{0,30}(?:缺席|变更|变动|请假|生病|故障|下雨|恶劣)[^。\n]{0,30}[，,]"
    r"\s*[^。\n]{0,6}(?:则|将|会|就|由|改为|顺延)"
    r"|(?:天气|雨天|下雨|台风|疫情)[^。\n]{0,12}(?:时|则|将)?(?:改为|改到|移至|延期|顺延|取消)"
    r"|如遇|若遇|万一|以防|因故|回滚(?:方案|策略|计划|步骤)|回退(?:方案|计划)|降级方案|"
    r"可能(?:会)?(?:导致|造成|引起|带来|不兼容|失败|延迟|延期|中断|出现意外|出现问题|出现异常)"
    # A risk register kept as a document of its own, reviewed or maintained ("技术方案与风险登记评审
    # （02 文档）", "the risk register is reviewed monthly"); one still to be made identifies nothing.
    r"|(?<!建立)(?<!制定)(?<!编制)(?<!形成)(?<!新建)风险(?:登记|台账)|(?<!create a )(?<!build a )"
    r"(?<!set up a )(?<!start a )(?<!develop a )\brisk (?:register|log)\b",
    re.I | re.ASCII,
)

# Risk fields.
MITIGATION_CUES = re.compile(
    r"\b(?:mitigat\w*|response|contingency|fallback|plan b|workaround|countermeasures?|control|"
    r"controls|prevent\w*|avoid\w*|reduce\w*|transfer\w*|insur\w*|hedg\w*|backup|"
    r"we will|we'll|will be|by (?:adding|using|keeping|running|holding)|action)\b"
    r"|应对|措施|预案|对策|防范|规避|缓解|转移|保险|备选|备用|兜底|解决|控制|加强|建立|提前|预留",
    re.I | re.ASCII,
)
ASSESSMENT_CUES = re.compile(
    r"\b(?:likelihood|probability|impact|severity|rating|level|score|high|medium|med|low|"
    r"critical|major|minor|moderate|p\d|h/m/l)\b|可能性|概率|影响|等级|级别|程度|高|中|低|严重",
    re.I | re.ASCII,
)
RISK_COLUMNS = {
    "mitigation": re.compile(
        r"mitigat|response|contingency|action|control|plan|countermeasure|solution|remed|handling|"
        r"应对|因应|措施|预案|对策|控制|处置|解决|缓解|减缓|缓释|规避",
        re.I,
    ),
    "likelihood": re.compile(r"likelihood|probability|chance|可能性|概率|机率|几率|发生", re.I),
    "impact": re.compile(r"impact|severity|effect|影响|严重|冲击", re.I),
    "level": re.compile(r"level|rating|score|priority|rank|等级|级别|评级|优先|得分", re.I),
    "risk": re.compile(r"risk|threat|issue|风险|隐患|事项|描述", re.I),
}

# Balanced Scorecard perspectives (matched against goal/KPI text).
BSC_PERSPECTIVES: dict[str, re.Pattern[str]] = {
    "financial": re.compile(
        r"(?<![a-z0-9])(?:revenue|sales|profit|margin|cost|costs|budget|arr|mrr|gmv|ebitda|cash|roi|income|"
        r"spend|price|pricing|turnover|funding|funds?|fundrais\w*|donations?|donors?|grants?|"
        r"sponsors?(?:hips?)?|financ\w*|fiscal|savings?|\$|€|£|bookings|"
        r"billing|unit economics|ltv|cac|aov)(?![a-z])|营收|收入|销售额|利润|毛利|成本|预算|费用|gmv|回款|"
        r"现金流|营业额|业绩|节约|节省|创收|降本|客单价|元|万元|销量|产值|收缴率|物业费|营收",
        re.I | re.ASCII,
    ),
    "customer": re.compile(
        r"(?<![a-z0-9])(?:customers?|clients?|users?|nps|csat|satisfaction|retention|churn|loyalty|"
        r"market share|members?|patients?|students?|citizens?|visitors?|subscribers?|buyers?|"
        r"shoppers?|guests?|dau|mau|adoption|complaints?|reviews?|brand|community|audience|"
        r"attendees?|participants?|partners?|developers?|the public|suppliers?)(?![a-z])|客户|用户|顾客|会员|满意度|复购|留存|流失|口碑|"
        r"投诉|客诉|新客|市场份额|品牌|粉丝|患者|病人|学员|学生|群众|居民|消费者|游客|玩家|业主|会员|日活|月活|dau|mau|"
        r"社区|社群|开发者|伙伴|生态|参与者|参会者|观众|听众|受众|成员",
        re.I | re.ASCII,
    ),
    "process": re.compile(
        r"(?<![a-z0-9])(?:cycle time|lead time|throughput|defects?|error rate|on-time|on time|delivery|"
        r"uptime|availability|sla|process|processing|turnaround|inventory|turnover|quality|"
        r"efficiency|response time|resolution time|mttr|mtbf|incidents?|downtime|latency|"
        r"automation|automated|yield|utili[sz]ation|backlog|first-call|first contact|accuracy|"
        r"compliance|releases?|deploy\w*|build time|time to|wait time|waiting time|oee|otif|"
        r"fulfil\w*|fulfill\w*|stock|outages?|tickets?|wait|waiting|waits|decision time|timeouts?|errors?|"
        r"incomplete|rework|scrap|ppm|recalls?|incidents?|submitted online|online|digital|self-service|"
        r"tooling|workflows?|playbooks?|infrastructure|pipelines?|testing|ci/cd|streamlin\w*|"
        r"governance|procedures?|operations|operational)(?![a-z])|流程|效率|交付|周转|库存|良品率|良率|治理|机制|制度|"
        r"合格率|准时|时效|响应时间|处理时长|缺陷|故障|可用性|自动化|产能|利用率|差错|准确率|"
        r"及时率|达成率|审批|周期|时长|工单|上线|发布|品质|发生率|轮候|等候|不良率|报废|返工|差错率|一次通过率|"
        r"处理能力|妥投|发货|候诊|时效|交付率|准点|分拣|产能|吞吐|回复率|响应率|处理率|筹备|等待时间|等候时间|事件|跌倒|"
        r"质量|稳定性|可靠性|性能|测试|规范|标准化|合规|版本|迭代|时延|延迟|"
        r"within (?:one|two|\d+) (?:hour|day)s?|time to \w+",
        re.I | re.ASCII,
    ),
    "learning": re.compile(
        r"(?<![a-z0-9])(?:training|trained|skills?|hiring|hire|hires|engagement|knowledge|certif\w*|"
        r"culture|learning|coaching|mentoring|onboarding|capabilit\w*|competenc\w*|talent|"
        r"retain staff|employee|employees|staff|team members|headcount|workshops?|courses?|"
        r"career|promotion|enablement|upskill\w*|documentation|playbooks?|contributors?|"
        r"maintainers?|volunteers?)(?![a-z])|培训|人才|能力|学习|技能|认证|员工|招聘|梯队|知识|文化|"
        r"赋能|带教|课程|敬业|满意度调查|团队建设|队伍建设|成长|晋升|持证|证照|证书|资格|考证|训练|离职率|员工流失|"
        r"贡献者|维护者|志愿者|文档|教程|布道|maintainer|committer",
        re.I | re.ASCII,
    ),
}
LEADING_CUES = re.compile(
    r"(?<![a-z0-9])(?:pipeline|leads?|trials?|sign-?ups?|activation|adoption|usage|active|visits?|"
    r"calls?|meetings?|demos?|cycle time|lead time|response time|time to|conversion|"
    r"engagement|training|trained|hours|coverage|frequency|attendance|onboarded|"
    r"first response|open rate|click|ctr|traffic|inquir\w*|proposals?|participation|"
    r"utili[sz]ation|backlog|throughput|on-time|sessions?|workshops?|outreach|contacts?|"
    r"prospects?|qualified|bookings)(?![a-z])|转化率|活跃|拜访|响应时间|线索|试用|注册|访问|点击|"
    r"覆盖率|参与|培训|到店|咨询|商机|使用率|渗透率|触达|时长|频次|处理时长|及时率|开通",
    re.I | re.ASCII,
)
LAGGING_CUES = re.compile(
    r"(?<![a-z0-9])(?:revenue|sales|profit|margin|market share|churn|nps|csat|satisfaction|arr|mrr|"
    r"gmv|income|ebitda|retention|turnover|roi|bookings|market position|cost|costs|rating|ratings|review score|market rank|ranking|share of wallet|aov|average order value|repeat rate|repurchase)(?![a-z])|销售额|营收|"
    r"收入|利润|毛利|市场份额|市占率|流失|满意度|gmv|回款|业绩|营业额|净利|成本|费用|评分|排名|复购|客单价|留存|订单量|订单数|销量|成交额|成交量",
    re.I | re.ASCII,
)

# Consistency: totals and shares.
TOTAL_CUES = re.compile(
    r"\b(?:total|sum|overall|grand total|in total|altogether)\b|合计|总计|总额|共计|总预算|小计|总投入|总计划",
    re.I,
)
