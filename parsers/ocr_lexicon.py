"""The printed wording of the official tables, used to correct OCR readings of their labels.

Tesseract reads a scanned "（二）部分公开" as "(二)如分公开" or "3.其他" as "3.真他" now and
then. Every label cell of tables 2-4 is printed from the templates of 国办公开办函〔2019〕60号
and 〔2021〕30号, so a label that reads almost like one of these is that one. Only label
cells are corrected, never numbers: a misread digit stays visible to the arithmetic checks.
"""

from __future__ import annotations

import difflib
import functools
import re

LABELS = (
    # table 2
    "信息内容", "第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项",
    "第二十条第（九）项", "规章", "规范性文件", "行政规范性文件", "行政许可", "其他对外管理服务事项",
    "行政处罚", "行政强制", "行政事业性收费", "政府集中采购", "本年新制作数量", "本年新公开数量",
    "对外公开总数量", "上一年项目数量", "本年增/减", "处理决定数量", "采购项目数量", "采购总金额",
    "本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额（单位：万元）",
    # table 3
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况", "自然人",
    "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
    "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "三、本年度办理结果",
    "（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（三）不予公开",
    "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
    "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
    "（四）无法提供", "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确",
    "（五）不予处理", "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息", "（六）其他处理",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他", "（七）总计",
    "四、结转下年度继续办理",
    # table 4
    "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "未经复议直接起诉", "复议后起诉",
)
_MIN_RATIO = 0.75
_MIN_SHORT_RATIO = 0.66
_PUNCTUATION = dict.fromkeys(map(ord, "()（）:：,，.．“”\"'、"), None)


def _key(text: str) -> str:
    """Text without punctuation and spaces: OCR confuses half- and full-width marks most."""
    return re.sub(r"\s+", "", text.translate(_PUNCTUATION))


_KEYS = {_key(label): label for label in LABELS}


@functools.lru_cache(maxsize=4096)
def correct(text: str) -> str:
    """The official label ``text`` is a reading of, or ``text`` itself when none is close.

    >>> correct("(二)如分公开(区分处理的，只计这一情形，不计其他情形)")
    '（二）部分公开（区分处理的，只计这一情形，不计其他情形）'
    """
    key = _key(text)
    if not key or key.isdigit() or key in _KEYS and _KEYS[key] == text:
        return text
    if key in _KEYS:
        return _KEYS[key]
    best, best_ratio = None, 0.0
    for candidate, label in _KEYS.items():
        ratio = difflib.SequenceMatcher(None, key, candidate, autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = label, ratio
    needed = _MIN_RATIO if len(key) > 4 else _MIN_SHORT_RATIO  # "3真他" is 2 of 3 right
    return best if best is not None and best_ratio >= needed and len(key) >= 3 else text
