"""What the customer's own words say (pure; on normalised, simplified text).

The intent model is trained for the shop's requests; these rules catch what it may file under
another intent: a demand for a person phrased as a remark about the bot ("别让机器人回了"), a
threat, a report of harm spread over two messages, a refusal contested, the need behind a
question asked again in new words. Every pattern fences off product talk and questions that
merely contain the word: "你是真人吗" asks about the bot, "人工皮" is a material, "会不会过敏"
asks about a risk, "个人发票" is an invoice.
"""

from __future__ import annotations

import re

_STOP = r"[^，。！？,.!?；;]"  # one character within the same clause

# --- asking for a person -----------------------------------------------------------------------

_PERSON = r"(?:真人|活人|人类|真的人|大活人|会喘气的|喘气的|专人)"
# People a customer asks to be put through to. 老板 is left out: customers greet the seller
# with it ("老板在吗"); 小姐姐 only counts after a demand: "客服小姐姐，我的快递呢" greets the bot.
_ROLE = (
    r"(?:领导|主管|经理|负责人|店长|上级|管事的|能管事的|做主的|说了算的|客服小姐姐|小姐姐|"
    r"小哥哥|客服人员|工作人员|售后专员)"
)
_DEMAND = r"(?:要|找|换|转|叫|让|接|请|喊|派|来|给我|需要|想|跟|和|同|与|有没有|有木有|见)"
_BOT = (
    r"(?:(?<!扫地)(?<!擦窗)(?<!拖地)(?<!炒菜)(?<!早教)(?<!陪伴)机器人|机器(?:回复|回答|客服)|"
    r"ai|智能客服|自动回复|人工智能|(?<!小)程序|机器(?=说|聊|对话|回|讲|沟通))"
)
_REFUSE_BOT = r"(?:不要|别|不想|不跟|不和|不同|不用|不需要|受够了?|懒得跟|不找|拒绝)"

_ASKS_PERSON = re.compile(
    # "转人工", "人工客服", "人工呢", but not 人工智能, 人工皮革, 人工费
    r"人工(?!智能|智障|费|合成|皮|革|成本|材料|草|湖|造|授精|降雨|呼吸|种植|培育)|"
    # "我要跟活人说", "换个真人", "有没有喘气的"; not "你说话跟真人一样"
    rf"{_DEMAND}(?:[^，。！？,.!?是]{{0,4}}){_PERSON}(?!一样|似的|差不多|没区别)|有没有活的|"
    # "叫你们领导出来", "找负责人", "你们主管呢"
    rf"{_DEMAND}(?:[^，。！？,.!?是]{{0,4}}){_ROLE}|"
    r"(?:领导|主管|经理|负责人|店长|上级|管事的)(?:呢|在哪|出来|过来|来|出面)|"
    r"(?:叫|找|让|喊|请)(?:你们|你家)的?(?:老板|店长)|"
    # "叫个人来", "换个客服", "来个人啊"; not "个人发票"
    r"(?:叫|找|来|换|派|让|喊|要)一?(?:个|位)(?:人(?=来|过来|跟|和|处理|说|吧|啊|呀|！|!|。|，|,|$)|客服)|"
    r"(?:换|叫)人(?=来|过来|吧|啊|呀|！|!|。|，|,|$)|"
    # "我要找客服", "转客服吧"; not the story "找客服来来回回说了好几次"
    r"(?:找|叫|转|接|喊|要)(?:你们的?)?客服"
    r"(?=[，。！？!?,~]|$|吧|啊|呀|过来|来(?!来)|处理|聊|说话|沟通)|"
    r"(?:有没有|有木有)(?:个|一个)?人(?:能|可以|管|在|回|理)|(?<![收寄件货])人呢|"
    # "有真人在线吗", "真人客服在哪", "真人！", "客服本人"
    r"有(?:没有)?(?:真人|活人)|真人(?:客服|服务|[！!])|客服本人|(?:跟|和|同|与)人(?:说|聊|谈|沟通)|"
    # "让上次那个客服来", "转给负责售后的人", "找人给我回电话"
    rf"(?:让|叫|找){_STOP}{{0,6}}客服(?:来|过来)(?![来回])|转给{_STOP}{{0,8}}(?:的人|人员|专员|同事)|"
    rf"(?:让|叫|请)(?:客服|人工|你们){_STOP}{{0,4}}(?:打|回){_STOP}{{0,2}}电话|"
    r"找人(?=给|来|帮|跟|和|处理)|回(?:个|一个)?电话|回电|我打电话(?:说|沟通|聊)|"
    r"电话沟通|客服热线|"
    # typing 人工 by its sound: 人公, 人宫, 认工
    r"人公客服|转人公|人宫|认工|人攻|仁工|"
    # "有客服吗", "客服在不在": is anyone there; not "客服在吗" said as a greeting to the bot
    r"^(?:有|有没有)(?:人工)?客服(?:吗|嘛|没|不|在吗|在线吗)?[？?！!。~～]*$|"
    # "换个会说话的", "换个正常人来", "换个懂行的"
    r"换(?:个|一个)(?:会说话|正常|懂|明白|靠谱|专业|能做主)|"
    # "给我个电话，我直接打过去", "能打电话给我吗"; not "快递员没给我打电话"
    r"(?:电话|号码)[^。！？!?]{0,8}直接打|"
    rf"(?:能|可以|麻烦|请)(?:你们)?{_STOP}{{0,3}}(?:打电话给我|给我打(?:个|一个)?电话)|"
    # "你能不能把我转给别人", "转接客服专员", "让你同事来"
    r"转给(?:别人|其他人|别的)|转接(?!头|器|线|口)|让你(?:们)?的?同事|"
    # "我要找人", "找个能处理的人", "跟你们售后的人谈", "客服呢", "跟客服通话"
    r"(?:我要|我想|要)找人(?=$|[，。！？!?,\s])|找(?:个|一个|位)[^，。！？,!?]{0,6}的人|"
    rf"(?:跟|和|同|与){_STOP}{{0,6}}的人(?:谈|说|聊|沟通|讲)|^客服呢|"
    r"有没有[^，。！？,!?]{0,4}的客服|(?:跟|和)客服(?:通话|说|聊|谈|沟通|讲)"
)
# A remark about the bot that asks for someone else: "别让机器人回了", "我不要机器人".
_REJECTS_BOT = re.compile(
    rf"{_REFUSE_BOT}{_STOP}{{0,6}}{_BOT}|"
    rf"{_BOT}{_STOP}{{0,4}}(?:闭嘴|滚|走开|一边去|靠边|别说了|别回了|别回复|别插嘴|没用|听不懂人话)",
    re.IGNORECASE,
)
# "不用转人工", "先不要人工": declined; "你是人工吗", "是不是真人": a question about the bot.
_DECLINED = re.compile(r"(?:不用|不需要|不必|无需|别|不要|没必要|先不|暂时不|不想)\S{0,1}$")
_IDENTITY_QUESTION = re.compile(r"(?:是|是不是|是否|就是)$")
# "建议晚上也安排人工客服" suggests how the shop should work; it asks for nobody now.
_SUGGESTS = re.compile(r"建议|希望以后|以后能不能|最好能")


def _words_before(text: str, match: re.Match[str]) -> str:
    """The few characters before a match, where 不用 (declined) or 是不是 (a question) stand."""
    return text[max(0, match.start() - 4) : match.start()]


def declines_person(text: str) -> bool:
    """Whether the customer says they no longer need a person ("不用转人工了，解决了"): then a
    model that read the words 转人工 as a request must not hand the chat over."""
    matches = list(_ASKS_PERSON.finditer(text))
    return bool(matches) and all(_DECLINED.search(_words_before(text, m)) for m in matches)


def asks_for_person(text: str) -> str | None:
    """The words asking for a person, if the customer asks for one."""
    rejected = _REJECTS_BOT.search(text)
    if rejected:
        return rejected.group(0)
    for match in _ASKS_PERSON.finditer(text):
        before = _words_before(text, match)
        declined = _DECLINED.search(before) or _IDENTITY_QUESTION.search(before)
        if not (declined or _SUGGESTS.search(text[: match.start()])):
            return match.group(0)
    return None


# --- legal, regulatory and media threats -------------------------------------------------------

_LEGAL = re.compile(
    r"(?<!\d)(12315|12345)(?!\d)|(打|报|叫)110|消协|消费者协会|消费者权益|市场监管|市监局|工商(?!银行)|"
    r"律师|起诉|法院|打官司|告你们|去告|告到|仲裁|曝光|媒体|记者|电视台|报社|报警(?!器)|警察|"
    r"黑猫投诉|维权|退一赔三|假一赔三|退一赔十|假一赔十|消费欺诈|"
    r"(发|挂|投诉|曝).{0,6}(微博|抖音|小红书)|(微博|抖音|小红书).{0,6}(曝光|挂|投诉)"
)


def legal_threat_in(text: str) -> str | None:
    match = _LEGAL.search(text)
    return match.group(0) if match else None


# --- harm to health or safety ------------------------------------------------------------------

# Harm words that mean harm wherever they stand.
_HARM = re.compile(
    r"过敏|烫伤|烧伤|灼伤|起火|着火|自燃|爆炸|炸裂|漏电|触电|电到|电击|受伤|伤到|弄伤|划伤|割伤|"
    r"划破|割破|扎伤|刺伤|夹伤|砸伤|摔伤|擦伤|碰伤|骨折|流\S{0,3}血|出了?血|中毒|烂脸|毁容|红肿|住院|"
    r"进医院|去医院|送医|急诊|看医生|冒烟|烧焦|烫焦|鼓包|起疹子|疹子|红疹|皮疹|湿疹|荨麻疹|起水泡|"
    r"水泡|发炎|感染|溃烂|化脓|拉肚子|腹泻|上吐下泻|呕吐|头晕|晕倒|昏迷|窒息|误吞|误食|"
    r"吞下去|吞进去|咽下去|卡喉|卡在喉咙|卡住喉咙|卡嗓子|卡在嗓子|噎住|噎着|呛到|呛着|呛咳|"
    r"吃坏|刺痛|灼烧|冒火星|火花(?!塞)|焦味|糊味|烧了个?洞|流脓|吐奶"
)
# Words that are harm only said of a body or a person, and only once it happened: "嘴里起泡了"
# is harm, "洗面奶起泡多吗" asks about foam; "手被烫了" is harm, "熨烫" is ironing.
_HARM_TO_BODY = re.compile(
    r"起了?\S{0,3}泡|烫(?:到|着|了|红|破|起)|被\S{0,4}烫|夹(?:到|住|了)(?!克)|扎(?:到|进|破|出血)|"
    r"划(?:了|出|开)\S{0,3}口子|割了|吐了|想吐|肿了|破皮|红了一片|"
    # "脸上起红点了", "后背青了", "嘴唇肿得老高", "肚子疼了一晚上", "痒得要命", "孩子把零件吞了"
    r"起了?\S{0,2}(?:红点|疙瘩|痘)|(?<!悔)(?:青|紫)了|肿得|(?:疼|痛|痒)(?:了|得(?:要命|不行|厉害)|死了)|吞了"
)
_BODY = re.compile(
    r"嘴|口腔|唇|舌头|牙龈|喉咙|嗓子|脸|皮肤|手(?!机|表|环|柄|套|链|提|工|续|动)|脚|腿|胳膊|"
    r"胸|背上|腰|眼睛|耳朵|鼻子|脖子|身上|身体|肚子|胃|额头|头皮|孩子|宝宝|小孩|婴儿|儿子|"
    r"女儿|老人|我妈|我爸|老公|老婆|家人"
)
# Food that had gone off and was eaten.
_SPOILED_EATEN = re.compile(
    r"(?:吃|喝|食用)了?\S{0,8}(?:变质|发霉|霉变|过期|有虫|虫子|异物)|"
    r"(?:变质|发霉|霉变|过期|有虫|虫子|异物)\S{0,10}(?:吃了|喝了|吃下|喝下|食用了)"
)
# "用了会不会过敏" asks about a risk; "用了以后过敏了" reports harm.
_HYPOTHETICAL = re.compile(
    r"会不会|会.{0,6}吗|能不能|可不可以|能用吗|可以用吗|适合|体质|敏感肌|防止|避免|安全吗|怕|担心"
)
_HAPPENED = re.compile(r"了|已经|现在|被|导致|害得|害我")
# "没有过敏", "不会烫伤", "防烫": the harm did not happen or is a product feature.
_NOT_HARM = re.compile(r"(?:没有?|不|未|无|防|抗|免|低|别|不会|没出现|没有出现)$")


def harm_reported(text: str) -> str | None:
    """The harm words if the text reports harm that happened (not a question about a risk)."""
    for match in _HARM.finditer(text):
        if _NOT_HARM.search(text[: match.start()]):
            continue
        after = text[match.end() : match.end() + 3]
        happened = bool(_HAPPENED.search(after)) or "已经" in text
        if happened or not _HYPOTHETICAL.search(text):
            return match.group(0)
    if _BODY.search(text):
        for match in _HARM_TO_BODY.finditer(text):
            if _NOT_HARM.search(text[: match.start()]):
                continue
            after = text[match.end() : match.end() + 3]
            said = match.group(0)
            if "了" in said or "得" in said or _HAPPENED.search(after) or "已经" in text:
                return said
    spoiled = _SPOILED_EATEN.search(text)
    return spoiled.group(0) if spoiled else None


# --- contesting a refusal ----------------------------------------------------------------------

_CONTEST = re.compile(
    r"凭什么|凭啥|为什么不|为啥不|不合理|不接受|不能接受|不同意|不认可|不服|霸王条款|不讲理|讲不讲理|"
    r"没道理|不公平|欺负人|坑人|骗人|必须.{0,4}(退|换|赔)|就要退|我不管|什么规定|谁定的|哪条规定|"
    r"给(我)?个说法|是你们的(问题|错)"
)


def contests(text: str) -> bool:
    """Whether the words push back against a decision ("凭什么不给退")."""
    return bool(_CONTEST.search(text))


# --- the need behind a message -----------------------------------------------------------------

REFUND = "refund"
DELIVERY = "delivery"
RETURN = "return"
CANCEL = "cancel"
ADDRESS = "address"

_NEEDS: dict[str, re.Pattern[str]] = {
    REFUND: re.compile(r"退款|退钱|退费|钱\S{0,4}(?:退|回来|到账|还我|呢)|到账|打款"),
    DELIVERY: re.compile(
        r"快递|物流|包裹|到货|收到货|送到|送货|派送|配送|发货|发出|没发|不发|到哪|货呢|东西呢|"
        r"还没到|还不到|还没收到|收不到|单号|东西\S{0,4}(?:呢|到|来)|"
        r"(?:什么时候|啥时候|几时|多久)能?(?:到|送到|收到)"
    ),
    RETURN: re.compile(r"退货|换货|退换|退回去|换\S?(?:尺码|码|颜色)"),
    CANCEL: re.compile(r"取消"),
    ADDRESS: re.compile(r"地址|收货人|收件人"),
}
# Pressing for something already asked, rather than asking how things work in general.
_PRESSING = re.compile(
    r"我的|呢|到底|究竟|怎么还|咋还|还没|还不|啥时候|什么时候|几天了|问你|说了|再问|又|催|赶紧|快点"
)


def needs_in(text: str) -> frozenset[str]:
    """The service needs the words are about (refund, delivery, return, cancel, address)."""
    return frozenset(need for need, pattern in _NEEDS.items() if pattern.search(text))


def pressing(text: str) -> bool:
    """Whether the words press for an answer ("退款到底啥时候到") rather than ask in general."""
    return bool(_PRESSING.search(text))
