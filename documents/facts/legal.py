"""The legal text a document takes from the case's rule set: which regulations it cites, by
their real names, and the consequences those regulations attach (the rejoin bar, the
suspension limit). Nothing here is printed unless the case's rule set says it.

Sources: 《中国共产党章程》 art. 7 (annulling a probationary membership) and art. 9 (persuasion,
removal, self-withdrawal, withdrawal at one's own request: 宣布除名 and 备案);
the 2016 notice of the Central Organisation Department on lost-contact members; the 2019
《中国共产党党员教育管理工作条例》 (suspension of members lost for six months, restoration within
two years, removal as self-withdrawal after); the 2024 《中国共产党不合格党员组织处置办法》
(限期改正, 劝退, 除名 of unqualified members; the five-year bar on rejoining after 劝退 or 除名).
"""

from __future__ import annotations

from casework.models import ProposalKind
from casework.policy import RuleSet, rules_by_code
from documents.facts.records import cn_count

CONSTITUTION = "中国共产党章程"
REGULATIONS_2019 = "中国共产党党员教育管理工作条例"
RIGHTS = "中国共产党党员权利保障条例"
# Dispositions of unqualified members: the 2024 rules govern them where they apply.
UNQUALIFIED_KINDS = (ProposalKind.CORRECTION, ProposalKind.PERSUADE, ProposalKind.REMOVE)
# Lost-contact measures (suspension, restoration, a lost probationary member, the return of
# one lost for objective reasons) stay under the 2019 regulations in 2024.
LOST_CONTACT_KINDS = (
    ProposalKind.SUSPEND,
    ProposalKind.RESTORE,
    ProposalKind.ANNUL_PROBATION,
    ProposalKind.RETURN_TO_NORMAL,
)


def regulation(rules: RuleSet, proposal_kind: str | None = None) -> str:
    """The regulation (besides the Constitution) a document of this rule set cites."""
    if rules.code == "2024" and proposal_kind in LOST_CONTACT_KINDS:
        return REGULATIONS_2019
    return rules.title


def basis(rules: RuleSet, proposal_kind: str | None = None, *, article: str = "") -> str:
    """《中国共产党章程》第九条和《…》 — the citation a decision or request makes."""
    constitution = f"《{CONSTITUTION}》{article}"
    return f"{constitution}和《{regulation(rules, proposal_kind)}》"


def constitution_article(proposal_kind: str | None) -> str:
    if proposal_kind == ProposalKind.ANNUL_PROBATION:
        return "第七条"
    if proposal_kind in (
        ProposalKind.PERSUADE,
        ProposalKind.REMOVE,
        ProposalKind.WITHDRAWAL,
    ):
        return "第九条"
    return ""


def rejoin_bar(rules: RuleSet, proposal_kind: str | None) -> str:
    """The bar on rejoining, only where the case's rule set has one (2024: after 劝退 and
    除名); "" otherwise."""
    years = rules.rejoin_bar_years
    if not years or proposal_kind not in (ProposalKind.PERSUADE, ProposalKind.REMOVE):
        return ""
    action = "劝退" if proposal_kind == ProposalKind.PERSUADE else "除名"
    return f"根据《{rules.title}》的规定，被{action}的，{cn_count(years)}年内不得重新入党。"


def suspension_limit_years(rules: RuleSet) -> str:
    months = rules.suspension_limit_months
    return f"{cn_count(months // 12)}年" if months % 12 == 0 else f"{months}个月"


def rule_set_title(code: str) -> str:
    return rules_by_code(code).title
