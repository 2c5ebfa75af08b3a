"""Realistic demo contexts for every document kind (samples command, tests, benchmark).

Names include rare characters (䶮 U+4DAE, 𠮷 U+20BB7) that only the Noto CJK fallback has.
"""

from __future__ import annotations

from typing import Any

from documents.kinds import DocumentKind
from documents.render import Issuer

K = DocumentKind
SAMPLE_ISSUER = Issuer(mark="中共福州市委教育工委", name="中共福州市委教育工委")
BRANCH = "福州第一中学教工第一党支部"
MEMBER: dict[str, Any] = {
    "name": "王䶮",
    "gender": "男",
    "ethnicity": "汉族",
    "birth_date": "1988年3月",
    "join_date": "2010年6月",
    "membership_type": "正式党员",
    "branch": BRANCH,
    "employer": "福州某科技有限公司（原）",
    "last_contact_date": "2025年10月8日",
}
MEMBERS = [
    {**MEMBER, "id_number": "350102198803150017"},
    {
        **MEMBER,
        "name": "吉𠮷",
        "gender": "女",
        "birth_date": "1992年7月",
        "id_number": "350103199207210028",
        "employer": "自主经营",
        "last_contact_date": "2025年9月30日",
    },
    {
        **MEMBER,
        "name": "陈思远",
        "birth_date": "1995年1月",
        "id_number": "350104199501110035",
        "employer": "福建软件园某公司",
        "last_contact_date": "2025年11月2日",
    },
]
SITUATION = (
    "自2025年10月以来未参加组织生活、未交纳党费，党支部通过电话、短信、上门走访和联系亲属等"
    "方式多次查找，并商请公安、人社等部门协助查找，仍未能取得联系。"
)


def _inquiry_body(n_members: int = 3) -> dict[str, Any]:
    members = [
        {**MEMBERS[i % len(MEMBERS)], "name": MEMBERS[i % len(MEMBERS)]["name"]}
        for i in range(n_members)
    ]
    return {
        "department": "福州市公安局人口管理支队",
        "members": members,
        "system": "户籍管理信息系统",
        "items": "现户籍地址、经常居住地及有效联系方式",
        "due_date": "2026年12月10日",
        "date": "2026-11-26",
        "contact": "联系人：林晓东，电话：0591-87654321",
    }


def sample_context(kind: str) -> dict[str, Any]:
    """A realistic context for `kind`."""
    common: dict[str, Any] = {"member": MEMBER, "date": "2026-11-26", "situation": SITUATION}
    k = DocumentKind(kind)
    if k == K.REGISTER_FORM:
        return {
            **common,
            "circumstance": "外出务工经商",
            "attempts": [
                {"date": "2026年4月2日", "channel": "电话", "outcome": "无人接听"},
                {"date": "2026年4月9日", "channel": "上门走访", "outcome": "已搬离"},
                {"date": "2026年4月20日", "channel": "联系亲属", "outcome": "亲属不知去向"},
            ],
            "branch_opinion": "情况属实，同意登记为失联党员，继续查找。",
            "registered_by": "林晓东",
            "signature": BRANCH,
        }
    if k == K.MEMBER_LETTER:
        return {
            **common,
            "due_date": "2026年12月31日",
            "contact_person": "林晓东",
            "contact_phone": "0591-87654321",
            "signature": BRANCH,
        }
    if k == K.TALK_RECORD:
        return {
            **common,
            "talk": {
                "date": "2026年11月20日",
                "place": "党支部活动室",
                "talkers": ["林晓东", "郑秀霞"],
                "recorder": "郑秀霞",
                "content": [
                    "问：你2025年10月以后为什么没有参加组织生活？",
                    "答：去外地务工，手机号更换，没有及时告知党组织。",
                    "问：今后如何与党组织保持联系？",
                    "答：按月通过线上方式参加组织生活，按时交纳党费。",
                ],
                "cause": "客观原因（外出务工、更换联系方式）",
                "member_statement": "以上记录属实。",
            },
            "signature": BRANCH,
        }
    if k == K.INQUIRY_LETTER:
        return {**common, **_inquiry_body()}
    if k == K.REMINDER_LETTER:
        return {
            **common,
            **_inquiry_body(),
            "original_date": "2026年10月26日",
            "original_number": "榕教工委函〔2026〕12号",
            "original_due_date": "2026年11月10日",
        }
    if k == K.APPROVAL_FORM:
        return {
            **common,
            "proposed": "停止党籍",
            "approvals": [
                {
                    "stage": "党支部意见",
                    "opinion": "同意停止党籍。",
                    "by": BRANCH,
                    "date": "2026年11月3日",
                },
                {
                    "stage": "基层党委预审意见",
                    "opinion": "程序合规，同意提交支部大会。",
                    "by": "中共福州市委教育工委",
                    "date": "2026年11月10日",
                },
                {
                    "stage": "组织部门意见",
                    "opinion": "同意。",
                    "by": "中共福州市委组织部",
                    "date": "2026年11月20日",
                },
            ],
            "signature": "中共福州市委教育工委",
        }
    if k == K.DEFENCE_NOTICE:
        return {
            **common,
            "situation": f"你{SITUATION}",
            "proposed": "停止党籍",
            "due_date": "2026年12月10日",
            "signature": BRANCH,
        }
    if k == K.MEETING_RESOLUTION:
        return {
            **common,
            "meeting": {
                "date": "2026年11月18日",
                "place": "党支部活动室",
                "entitled": 23,
                "present": 19,
                "votes_for": 18,
                "votes_against": 0,
                "votes_abstain": 1,
                "defence": False,
            },
            "resolution": f"对{MEMBER['name']}同志停止党籍",
            "title_lines": ["中共福州第一中学教工第一支部大会", "关于对王䶮同志停止党籍的决议"],
            "signature": BRANCH,
        }
    if k == K.REQUEST:
        return {
            **common,
            "title": "关于对王䶮同志停止党籍的请示",
            "addressee": "中共福州市委教育工委",
            "situation": f"我支部党员{MEMBER['name']}同志{SITUATION}",
            "meeting_date": "2026年11月18日",
            "proposed": "停止党籍",
            "signature": BRANCH,
        }
    if k == K.REPLY:
        return {
            **common,
            "title": "关于同意对王䶮同志停止党籍的批复",
            "addressee": BRANCH,
            "request_title": "关于对王䶮同志停止党籍的请示",
            "request_number": "榕一中教一支请〔2026〕3号",
            "meeting_date": "2026年11月24日",
            "decision": f"同意对{MEMBER['name']}同志停止党籍。",
        }
    if k == K.DECISION_CORRECTION:
        return {
            **common,
            "situation": "无正当理由连续6个月未参加组织生活。",
            "deadline": "2027年5月26日",
        }
    if k in (K.DECISION_PERSUASION, K.DECISION_REMOVAL):
        return {**common, "situation": "无正当理由连续6个月不参加组织生活、不交纳党费。"}
    if k == K.DECISION_SUSPENSION:
        return {**common}
    if k == K.DECISION_RESTORATION:
        return {
            **common,
            "suspended_on": "2025年3月1日",
            "situation": "停止党籍后，本人于2026年8月主动与党组织取得联系，说明了失联原因。",
            "applied_on": "2026年9月1日",
        }
    if k == K.TRANSFER_CHASER:
        return {
            **common,
            "addressee": "中共厦门市思明区委组织部",
            "sent_date": "2026年6月1日",
            "letter_number": "榕教工委转〔2026〕45号",
            "valid_until": "2026年9月1日",
            "due_date": "2026年12月15日",
        }
    if k == K.DOSSIER:
        return {**common, **dossier_context(40)}
    if k == K.HANDOVER_RECORD:
        return {
            "date": "2026-11-26",
            "signature": BRANCH,
            "handover": {
                "organisation": BRANCH,
                "date": "2026年11月20日",
                "giver": "林晓东",
                "receiver": "王䶮",
                "witness": "陈建国",
                "ledgers": ["党员花名册", "组织关系接转台账", "党员出国出境台账"],
                "items": [
                    "花名册1册（含电子版）",
                    "介绍信存根12份，回执10份",
                    "未办结：回执2份待退回",
                ],
                "checks": ["台账齐全，无缺页", "台账已更新至交接日"],
                "giver_confirmed": "2026年11月20日",
                "receiver_confirmed": "2026年11月21日",
            },
        }
    raise ValueError(kind)  # pragma: no cover - every kind is listed above


def dossier_context(events: int) -> dict[str, Any]:
    kinds = ["登记", "联系", "协查", "谈话", "决定", "文书"]
    texts = [
        "失联检测自动登记，情形：外出务工经商",
        "电话联系本人（尾号已遮蔽），无人接听",
        "向福州市公安局人口管理支队发出协助查找函，答复期限10个工作日",
        "两名正式党员与本人谈话，认定为客观原因",
        "支部大会表决通过，报党委审批",
        "签发《关于对王䶮同志停止党籍的决定》（榕教工委停〔2026〕2号）",
    ]
    timeline = [
        {
            "at": f"2026-{1 + i * 11 // max(events, 1):02d}-{1 + i % 28:02d} 09:{i % 60:02d}",
            "kind": kinds[i % len(kinds)],
            "text": texts[i % len(texts)] + ("；吉𠮷协助提供线索" if i % 7 == 3 else ""),
            "by": ["林晓东", "郑秀霞", "系统"][i % 3],
        }
        for i in range(events)
    ]
    return {
        "case": {
            "opened": "2026年1月5日",
            "closed": "2026年11月26日",
            "circumstance": "外出务工经商",
            "rule_set": "2024",
            "outcome": "停止党籍",
        },
        "timeline": timeline,
    }
