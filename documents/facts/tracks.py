"""Facts of a case on its own track (issue 16), from the evidence the case opened with:
自行脱党 (《中国共产党章程》第九条) and a member settled or studying abroad for five years or more.
"" for a lost-contact case (its facts are the search's)."""

from __future__ import annotations

import datetime as dt

from casework.models import AbroadRecord, CaseTrack
from documents.facts.records import CaseRecords, cn_count, cn_month, iso_cn_date, need

SELF_WITHDRAWAL_BASIS = "《中国共产党章程》第九条"


def track_of(r: CaseRecords) -> str:
    return str(r.case.track or CaseTrack.LOST_CONTACT)


def self_withdrawal_facts(r: CaseRecords, label: str) -> str:
    """该同志自…起连续六个月以上无正当理由不参加党的组织生活（、不交纳党费），党组织能够与其
    取得联系。"""
    evidence = r.case.evidence or {}
    months = cn_count(int(evidence.get("self_withdrawal_months") or 6))
    parts = []
    if evidence.get("no_org_life"):
        since = need(iso_cn_date(evidence.get("last_org_life_date")), "最近参加组织生活日期", label)
        parts.append(f"自{since}参加组织生活后，连续{months}个月以上无正当理由不参加党的组织生活")
    if evidence.get("no_dues"):
        paid = need(evidence.get("dues_paid_until"), "党费交至月份", label)
        month = cn_month(dt.date.fromisoformat(str(paid)[:10]))
        parts.append(f"党费交至{month}，此后连续{months}个月以上无正当理由不交纳党费")
    need("，".join(parts), "自行脱党情形", label)
    contact = iso_cn_date(evidence.get("last_contact_date"))
    reachable = f"党组织于{contact}与其取得联系" if contact else "党组织能够与其取得联系"
    return f"该同志{'；'.join(parts)}。{reachable}，其情形属于自行脱党。"


def abroad_facts(r: CaseRecords, label: str) -> str:
    """该同志于…出国（境）（留学），至今已满五年未回国。"""
    evidence = r.case.evidence or {}
    record = AbroadRecord.objects.filter(
        pk=evidence.get("abroad_record") or 0, member_id=r.member.pk
    ).first()
    left_on = iso_cn_date(evidence.get("left_on")) or (
        iso_cn_date(record.left_on.isoformat()) if record else ""
    )
    need(left_on, "出境日期", label)
    purpose = f"（{record.purpose}）" if record is not None and record.purpose else ""
    years = cn_count(int(evidence.get("abroad_suspension_years") or 5))
    return f"该同志于{left_on}出国（境）{purpose}，至今已满{years}年未回国。"


def track_facts(r: CaseRecords, label: str) -> str:
    """The facts sentence of a track case; "" for a lost-contact case."""
    track = track_of(r)
    if track == CaseTrack.SELF_WITHDRAWAL:
        return self_withdrawal_facts(r, label)
    if track == CaseTrack.ABROAD:
        return abroad_facts(r, label)
    return ""
