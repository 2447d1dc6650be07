"""Page furniture by its wording, in the languages the desk reads: one list for reader mode and for drafts."""

from __future__ import annotations

import re

_PHRASE = re.compile(
    r"\b(?:subscribe (?:to|now|for|today|here)|sign(?:ing)?[\s-]?up (?:for|to|now|today|here|free)|by signing up|"
    r"newsletters?|all rights reserved|(?:we|site|website) uses? cookies|accept (?:all )?cookies|cookie policy|"
    r"privacy policy|terms (?:of (?:use|service)|(?:and|&) conditions)|already have an account|click here|"
    r"continue reading|unlimited access|your inbox|related (?:topics|articles|stories|coverage)|skip to|follow us|"
    r"download (?:the|our) app|lesen sie auch|mehr zum thema|weiterlesen|lire aussi|lire la suite|abonnez-vous|"
    r"leer más|lee también|suscríbete|leggi anche|iscriviti)\b|\blearn more\W*$"
)
"""Phrases of sales, sign-up, legal and navigation blurbs, matched in lower case (far faster than re.I): none of
them is said in reporting, so a short block saying one is furniture."""
_CJK_PHRASE = re.compile(r"有料記事|会員登録|ログイン|詳しくはこちら|関連記事|订阅|登录|责任编辑|相关阅读")
"""The same in Japanese and Chinese, looked for only in text that is not ASCII (no word boundaries to anchor on)."""
_DRAFT_AVOIDS = re.compile(
    r"\b(?:subscribe|subscription|sign(?:ing)? up|sign in|log ?in|cookies?|advertisement|read more|share (?:this|on)|"
    r"abonnieren|anzeige|werbung|copyright)\b|©|广告"
)
"""Words that reporting may say too ("Anzeige erstatten", an article about cookies), so reader mode keeps a block
with them, while a draft summary, which has sentences to spare, leaves out the line."""


def says_furniture(text: str) -> bool:
    """``text`` says a furniture phrase."""
    return bool(_PHRASE.search(text.lower()) or (not text.isascii() and _CJK_PHRASE.search(text)))


def unfit_for_draft(text: str) -> bool:
    """``text`` says a furniture phrase or a word a draft summary had better avoid."""
    return says_furniture(text) or bool(_DRAFT_AVOIDS.search(text.lower()))
