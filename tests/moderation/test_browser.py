"""A moderator in a real browser (Debian's headless Chromium, through chromedriver): logs into
the admin, opens the report queue, bans the reported user from the report's page; that user's
API calls then fail with 401."""

import pytest
import requests

from apps.chats import services as chats
from apps.moderation.models import AuditLog
from tests.browser import chromium
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser():
    driver = chromium()
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def test_a_moderator_bans_a_reported_user_from_the_queue(browser, live_server, client_for):
    from django.contrib.auth.models import Group
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import Select, WebDriverWait

    moderator = UserFactory(username="mod_maria", is_staff=True)
    moderator.groups.add(Group.objects.get(name="moderators"))
    troll, victim = UserFactory(username="troll"), UserFactory(username="victim")
    chat, _ = chats.chat_direct_open(user=troll, peer_id=victim.id)
    stored, _, _ = chats.message_send(sender=troll, chat_id=chat.id, text="give me your password")
    reported = client_for(victim).post(
        "/api/v1/reports/", {"kind": "message", "target_id": stored["id"], "reason": "abuse"}, format="json"
    )
    assert reported.status_code == 201
    troll_token = requests.post(
        f"{live_server.url}/api/v1/auth/token/", json={"username": "troll", "password": PASSWORD}, timeout=10
    ).json()["access"]

    def troll_calls():
        return requests.get(
            f"{live_server.url}/api/v1/chats/", headers={"Authorization": f"Bearer {troll_token}"}, timeout=10
        ).status_code

    assert troll_calls() == 200

    browser.get(f"{live_server.url}/admin/login/?next=/admin/moderation/report/")
    browser.find_element(By.NAME, "username").send_keys("mod_maria")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()

    wait = WebDriverWait(browser, 10)
    wait.until(expected_conditions.title_contains("Select report to change"))
    browser.find_element(By.LINK_TEXT, f"message {stored['id']} (1 reports, open)").click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "id_decision")))
    assert "give me your password" in browser.page_source  # the content, in place
    Select(browser.find_element(By.ID, "id_decision")).select_by_value("ban")
    browser.find_element(By.ID, "id_note").send_keys("phishing")
    browser.find_element(By.NAME, "_save").click()

    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist")))
    assert "Resolve: ban the author" in browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    assert troll_calls() == 401
    assert AuditLog.objects.filter(action="ban_user", target_id=troll.id, actor_id=moderator.id).exists()
