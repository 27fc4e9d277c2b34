"""Challenge cookies kept between runs (crawler/challenge_cookies.py): expiry rules and the file."""

import json

from crawler.challenge_cookies import FILE_NAME, ChallengeCookies

NOW = 1_767_139_200.0  # 2025-12-31T00:00:00Z
BROWSER_COOKIES = [  # as Playwright's context.cookies() returns them
    {"name": "NBWAF_T", "value": "3f2a", "domain": "www.qiaokou.gov.cn", "path": "/", "expires": -1,
     "httpOnly": False, "secure": False, "sameSite": "Lax"},
    {"name": "NBWAF_S", "value": "1", "domain": "www.qiaokou.gov.cn", "path": "/", "expires": NOW + 7200,
     "httpOnly": True, "secure": False, "sameSite": "Lax"},
]


def test_saved_cookies_survive_a_new_process_until_they_expire(tmp_path):
    ChallengeCookies(tmp_path, max_session_age=3600).save("hubei_wuhan_qiaokou_gov", BROWSER_COOKIES, now=NOW)
    later = ChallengeCookies(tmp_path, max_session_age=3600)  # the next run reads the file
    jar = [{"name": "NBWAF_T", "value": "3f2a", "domain": "www.qiaokou.gov.cn", "path": "/"},
           {"name": "NBWAF_S", "value": "1", "domain": "www.qiaokou.gov.cn", "path": "/"}]
    assert later.valid("hubei_wuhan_qiaokou_gov", now=NOW + 60) == jar
    # the session cookie lasts max_session_age; the other its own expiry; a minute's margin for both
    assert [c["name"] for c in later.valid("hubei_wuhan_qiaokou_gov", now=NOW + 3600 - 61)] == ["NBWAF_T", "NBWAF_S"]
    assert [c["name"] for c in later.valid("hubei_wuhan_qiaokou_gov", now=NOW + 3600 - 59)] == ["NBWAF_S"]
    assert later.valid("hubei_wuhan_qiaokou_gov", now=NOW + 7200 - 59) == []
    assert later.valid("another_portal_gov", now=NOW) == []


def test_fresh_cookies_replace_a_portals_old_ones_and_keep_the_others(tmp_path):
    store = ChallengeCookies(tmp_path, max_session_age=3600)
    store.save("hubei_wuhan_qiaokou_gov", BROWSER_COOKIES, now=NOW)
    store.save("hunan_changsha_gov", BROWSER_COOKIES[:1], now=NOW)
    store.save("hubei_wuhan_qiaokou_gov", [dict(BROWSER_COOKIES[0], value="9c1d")], now=NOW + 100)
    saved = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    assert saved["hubei_wuhan_qiaokou_gov"] == [{"name": "NBWAF_T", "value": "9c1d", "domain": "www.qiaokou.gov.cn",
                                                 "path": "/", "expires": None, "saved_at": NOW + 100}]
    assert len(saved["hunan_changsha_gov"]) == 1
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]  # no temporary file left behind


def test_a_damaged_file_means_solving_again_not_a_failed_crawl(tmp_path):
    (tmp_path / FILE_NAME).write_text('{"hubei_wuhan_qiaokou_gov": [{"name": "NBW', encoding="utf-8")
    store = ChallengeCookies(tmp_path, max_session_age=3600)
    assert store.valid("hubei_wuhan_qiaokou_gov", now=NOW) == []
    store.save("hubei_wuhan_qiaokou_gov", BROWSER_COOKIES, now=NOW)
    assert len(ChallengeCookies(tmp_path, 3600).valid("hubei_wuhan_qiaokou_gov", now=NOW)) == 2
