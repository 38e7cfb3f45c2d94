"""A synced support chat's problem category, guessed from the seller's first message.

Ozon's chat list says only that a chat is with support, not what about; the seller's opening
message usually names the matter. Keyword rules over Russian, English and Chinese text, tried
in this order, the first rule with a match wins (the narrower matters first, so «заморожены
средства» is a hold of funds, not an account freeze); no match is ``other``. The agent can
change it in the Tickets workspace, and the policy follows (funds on hold is urgent).

| category | Russian | English | Chinese |
|---|---|---|---|
| account-freeze | аккаунт / кабинет / магазин … заблокирован, заморожен | account frozen / blocked / suspended | 冻结账户, 账户冻结, 封号, 店铺被封 |
| failed-withdrawal | вывод средств, не удалось вывести | withdrawal, withdraw | 提现, 提款 |
| payment-hold | удержание, средства заморожены, холд | on hold, funds frozen / held | 资金冻结, 货款冻结, 暂扣, 扣留 |
| delisting-appeal | снят с продажи, товар заблокирован, апелляция, обжаловать | delisted, removed from sale, appeal | 下架, 申诉 |
| tracking-anomaly | трек, отслеживание | tracking | 物流轨迹, 轨迹异常, 跟踪号, 追踪 |
| promotion-dispute | акция, промо | promotion, promo | 促销, 活动报名, 参加活动 |
| compensation | компенсация, утеря, потерян | compensation, lost | 赔偿, 丢失 |
| commission | комиссия, тариф | commission, fee | 佣金, 手续费 |
| product-card | карточка, модерация | product card, moderation | 商品卡, 审核 |
| logistics | склад, поставка, логистика, доставка | warehouse, logistics, supply, delivery | 仓库, 物流, 入库, 发货 |
"""

from __future__ import annotations

import re

# Word starts (\b) keep «акци» out of «транзакция» and «трек» out of «стрекоза».
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (category, re.compile("|".join(patterns), re.IGNORECASE))
    for category, patterns in (
        ("account-freeze", (
            r"\b(аккаунт|кабинет|магазин|учетн|учётн)\w*\s+(\w+\s+)?(заблокир|заморож|приостановл)",
            r"\b(заблокир|заморож|приостановл)\w*\s+(\w+\s+)?(аккаунт|кабинет|магазин|учетн|учётн)",
            r"\baccount\s+(is\s+|was\s+|has\s+been\s+)?(frozen|blocked|suspended)",
            r"\b(frozen|blocked|suspended)\s+account", "冻结账户", "账户冻结", "账号冻结", "封号", "店铺被封",
        )),
        ("failed-withdrawal", (
            r"\bвывод\w*\s+(денег|средств)", r"\bвывести\b", r"\bwithdraw", "提现", "提款",
        )),
        ("payment-hold", (
            r"\bудерж", r"\bхолд", r"(средств|деньг|выплат)\w*\s+(\w+\s+)?заморож",
            r"\bзаморож\w*\s+(\w+\s+)?(средств|деньг|выплат)", r"\bon\s+hold\b",
            r"\b(funds|payments?|money)\s+(are\s+|is\s+)?(frozen|held)", "资金冻结", "货款冻结", "冻结资金",
            "暂扣", "扣留",
        )),
        ("delisting-appeal", (
            r"\bснят\w*\s+с\s+продаж", r"\bтовар\w*\s+(\w+\s+)?заблокир", r"\bзаблокир\w*\s+товар",
            r"\bапелляц", r"\bобжал", r"\bdelist", r"\bremoved\s+from\s+sale", r"\bappeal", "下架", "申诉",
        )),
        ("tracking-anomaly", (
            r"\bтрек", r"\bотслежива", r"\btracking\b", "物流轨迹", "轨迹异常", "跟踪号", "追踪",
        )),
        ("promotion-dispute", (
            r"\bакци", r"\bпромо", r"\bpromo(tion)?s?\b", "促销", "活动报名", "参加活动",
        )),
        ("compensation", (
            r"\bкомпенсац", r"\bутер", r"\bпотерян", r"\bcompensat", r"\blost\b", "赔偿", "丢失",
        )),
        ("commission", (
            r"\bкомисси", r"\bтариф", r"\bcommission", r"\bfees?\b", "佣金", "手续费",
        )),
        ("product-card", (
            r"\bкарточк", r"\bмодерац", r"\bproduct\s+card", r"\bmoderation", "商品卡", "审核",
        )),
        ("logistics", (
            r"\bсклад", r"\bпоставк", r"\bлогистик", r"\bдоставк", r"\bwarehouse", r"\blogistic",
            r"\bsupply\b", r"\bdelivery\b", "仓库", "物流", "入库", "发货",
        )),
    )
)
# The opening of a chat names the matter; a pasted log after it must not cost time or pick a
# category from its noise.
_HEAD = 2000


def category_from_text(text: str) -> str:
    """The ticket category (``domain.tickets.CATEGORIES``) the text names first, else "other"."""
    head = text[:_HEAD]
    for category, pattern in _RULES:
        if pattern.search(head):
            return category
    return "other"
