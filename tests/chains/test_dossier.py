from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from chainmaps import figures as chain_figures
from chains import dossier, editing
from chains import service as chain_service
from chains.export import GAP_HEADERS, gaps_xlsx
from chains.models import (
    DOSSIER_FIELD_LABELS,
    DossierItemFields,
    DossierKind,
    SegmentFields,
    Stream,
)
from core.accounts import Role
from core.audit import history
from core.errors import FieldErrors
from core.validation import parse
from tests.factories import make_chain, make_user


def test_dossier_items_are_kept_by_kind_and_every_change_is_audited(session: Session) -> None:
    chief = make_user(session, Role.chain_chief, chains=("hydrogen",))
    chain = chain_service.get_by_code(session=session, code="hydrogen")
    item = dossier.create(
        session=session,
        actor=chief,
        chain=chain,
        data=DossierItemFields(
            kind=DossierKind.policy,
            name="佛山市氢能产业扶持办法（测试）",
            issuer="佛山市发展和改革局",
            issued_date=date(2024, 3, 1),
            url="https://example.gov.cn/policy",
        ),
    )
    policies = dossier.items_of(session=session, chain_id=chain.id or 0)[DossierKind.policy]
    assert item in policies
    dossier.update(
        session=session,
        actor=chief,
        chain=chain,
        item=item,
        data=DossierItemFields(kind=DossierKind.policy, name=item.name, issuer="佛山市人民政府"),
    )
    dossier.delete(session=session, actor=chief, chain=chain, item=item)
    entries = history(session=session, object_type="dossier_item", object_id=item.id or 0)
    assert [e.action for e in entries] == ["delete", "update", "create"]
    assert entries[1].before["issuer"] == "佛山市发展和改革局"
    assert chain.curated_at is not None


def test_a_dossier_link_must_be_a_web_address() -> None:
    with pytest.raises(FieldErrors) as refused:
        parse(
            DossierItemFields,
            {"kind": "policy", "name": "某政策", "url": "javascript:alert(1)"},
            DOSSIER_FIELD_LABELS,
        )
    assert refused.value.errors == {"url": "链接须以 http:// 或 https:// 开头"}


def test_gap_list_exports_ranked_with_text_that_cannot_run_as_a_formula(
    session: Session,
) -> None:
    admin = make_user(session, Role.admin)
    chain, seg = make_chain(session, [("原料", Stream.upstream), ("整机", Stream.midstream)])
    editing.update_segment(
        session=session,
        actor=admin,
        chain=chain,
        segment=seg["原料"],
        data=SegmentFields(name="=HYPERLINK(1)", stream=Stream.upstream),
    )
    editing.add_link(
        session=session,
        actor=admin,
        chain=chain,
        source_id=seg["原料"].id or 0,
        target_id=seg["整机"].id or 0,
    )
    view = chain_figures.detail(session=session, code=chain.code)
    book = load_workbook(BytesIO(gaps_xlsx(view, chain_figures.gap_report(view))))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == GAP_HEADERS
    assert rows[1][:6] == (1, "=HYPERLINK(1)", "上游", "缺失", "补链", 100.0)
    assert sheet["B2"].data_type == "s"
    assert rows[2][1] == "整机" and rows[2][9] == 0
