"""axe-core (npm) in Chromium: no serious or critical WCAG 2.1 A/AA violation on the pages
readers use most, on a phone and on a desktop. The full report is saved as an artifact."""

from __future__ import annotations

import pytest

from app.extensions import db

from .conftest import DESKTOP, PHONE, run_axe, save_report

PAGES = {
    "home": "/",
    "section": "/chuyen-muc/van-hoa-xa-hoi/",
    "article": None,  # filled in with the article's address
    "search": "/tim-kiem?q=hoa+an",
    "documents": "/van-ban/",
    "schedules": "/lich-cong-tac/",
}


@pytest.fixture
def portal(make_article):
    from app.services.documents import seed_demo_documents
    from app.services.schedules import seed_demo_schedules

    make_article("Hòa An khai mạc hội chợ nông sản", lede="Hội chợ kéo dài năm ngày.")
    article = make_article("Tỉnh Hòa An đón nhận Huân chương Lao động",
                           cover_caption="Ảnh: Lễ đón nhận Huân chương.")
    seed_demo_documents()
    seed_demo_schedules()
    db.session.commit()
    return {**PAGES, "article": f"/bai-viet/{article.slug}"}


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_no_serious_or_critical_violations(device, portal, live_server, browser, shoot):
    context = browser.new_context(**(PHONE if device == "phone" else DESKTOP), locale="vi-VN")
    page = context.new_page()
    report: dict[str, list[dict]] = {}
    for name, path in portal.items():
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, (name, path)
        shoot(page, f"axe-{device}-{name}")
        report[name] = run_axe(page)
    save_report(f"axe-{device}", report)
    summary = {name: sorted({f"{v['impact']}:{v['id']}" for v in found})
               for name, found in report.items()}
    print(f"\naxe-core on {device}:", summary)
    blocking = {name: [v for v in found if v["impact"] in ("serious", "critical")]
                for name, found in report.items()}
    assert not any(blocking.values()), blocking
    context.close()
