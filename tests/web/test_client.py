"""The web client at `/` in real browsers: two people, each in a Chromium of their own, each on
one of two daphne instances, sign up, chat both ways and see each other's messages, typing and
read receipts live; one closes the page while the other writes, and on reopening sees exactly
what was missed, once. Screenshots go to .screenshots/ (not committed)."""

import pytest
import requests

from tests.browser import chromium, screenshot
from tests.e2e.servers import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

PASSWORD = "violet-anchor-meadow-17"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(instances=2, tmp=tmp_path_factory.mktemp("web")) as running:
        yield running


@pytest.fixture
def browsers():
    opened = []

    def open_one():
        driver = chromium()
        opened.append(driver)
        return driver

    yield open_one
    for driver in opened:
        driver.quit()


def wait_for(driver, condition, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda _: condition())


def by_id(driver, element_id):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def sign_up(driver, server, username):
    driver.get(f"{server.http}/")
    wait_for(driver, lambda: by_id(driver, "auth-username").is_displayed())
    by_id(driver, "auth-username").send_keys(username)
    by_id(driver, "auth-password").send_keys(PASSWORD)
    by_id(driver, "sign-up").click()
    wait_for(driver, lambda: by_id(driver, "messenger").is_displayed())


def token(server, username):
    response = requests.post(
        f"{server.http}/api/v1/auth/token/", json={"username": username, "password": PASSWORD}, timeout=10
    )
    return response.json()["access"]


def user_id(server, access):
    response = requests.get(
        f"{server.http}/api/v1/auth/me/", headers={"Authorization": f"Bearer {access}"}, timeout=10
    )
    return response.json()["id"]


def open_chat(driver, name):
    """Click the chat called `name` in the list (read and clicked in the page in one go: the
    list is drawn again whenever an event changes it)."""
    click = (
        "for (const item of document.querySelectorAll('.chat-item')) {"
        "  if (item.querySelector('.chat-name').textContent === arguments[0]) { item.click(); return true; }"
        "} return false;"
    )
    wait_for(driver, lambda: driver.execute_script(click, name))
    wait_for(driver, lambda: by_id(driver, "chat-title").text == name)


def texts(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#messages .message .text')].map((node) => node.textContent);"
    )


def write(driver, text):
    box = by_id(driver, "composer-text")
    box.send_keys(text)
    from selenium.webdriver.common.keys import Keys

    box.send_keys(Keys.ENTER)


def test_two_people_on_two_instances_chat_live_and_catch_up_after_closing_the_page(stack, browsers):
    a, b = stack.servers
    ann, ben = browsers(), browsers()
    sign_up(ann, a, "ann_web")
    sign_up(ben, b, "ben_web")
    # A direct chat between them, through the API (the page that starts one comes next).
    ann_token = token(a, "ann_web")
    started = requests.post(
        f"{a.http}/api/v1/chats/",
        json={"kind": "direct", "user_id": user_id(b, token(b, "ben_web"))},
        headers={"Authorization": f"Bearer {ann_token}"},
        timeout=10,
    )
    assert started.status_code == 201
    ann.refresh()  # still signed in after a reload: the refresh token is kept
    ben.refresh()
    open_chat(ann, "ben_web")
    open_chat(ben, "ann_web")

    by_id(ann, "composer-text").send_keys("hello")  # typing...
    wait_for(ben, lambda: by_id(ben, "typing").text == "ann_web is typing…")
    write(ann, " ben")
    wait_for(ben, lambda: texts(ben) == ["hello ben"])
    wait_for(ann, lambda: "Seen" in by_id(ann, "messages").text)  # ben's page read it
    write(ben, "hi ann")
    wait_for(ann, lambda: texts(ann) == ["hello ben", "hi ann"])
    assert by_id(ann, "typing").text == ""  # the message ends the typing notice
    assert not by_id(ann, "auth").is_displayed()
    screenshot(ann, "web-chat-ann")
    screenshot(ben, "web-chat-ben")

    ben.get("about:blank")  # ben closes the page
    for text in ("one", "two", "three"):
        write(ann, text)
    wait_for(ann, lambda: texts(ann)[-3:] == ["one", "two", "three"])
    wait_for(ann, lambda: "Sending" not in by_id(ann, "messages").text)
    ben.get(f"{b.http}/")
    wait_for(ben, lambda: by_id(ben, "messenger").is_displayed())
    open_chat(ben, "ann_web")
    wait_for(ben, lambda: len(texts(ben)) >= 5)

    assert texts(ben) == ["hello ben", "hi ann", "one", "two", "three"]  # each once
    screenshot(ben, "web-chat-after-reopening")


def act_on(driver, text, action):
    """Click `action` (reply, edit, delete) on the message that reads `text`."""
    click = (
        "for (const item of document.querySelectorAll('#messages .message')) {"
        "  if (item.querySelector('.text').textContent === arguments[0]) {"
        "    const button = item.querySelector(`[data-action='${arguments[1]}']`);"
        "    setTimeout(() => button.click()); return true; }"  # after this script: it may confirm()
        "} return false;"
    )
    wait_for(driver, lambda: driver.execute_script(click, text, action))


def quotes(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#messages .message')].map((item) =>"
        " [item.querySelector('.quote')?.textContent || null, item.querySelector('.text').textContent]);"
    )


def chat_between(server_a, first, server_b, second):
    """A direct chat of `first` with `second`, through the API."""
    started = requests.post(
        f"{server_a.http}/api/v1/chats/",
        json={"kind": "direct", "user_id": user_id(server_b, token(server_b, second))},
        headers={"Authorization": f"Bearer {token(server_a, first)}"},
        timeout=10,
    )
    assert started.status_code == 201


def test_a_reply_an_edit_and_a_delete_reach_the_other_side_live(stack, browsers):
    a, b = stack.servers
    dan, eve = browsers(), browsers()
    sign_up(dan, a, "dan_web")
    sign_up(eve, b, "eve_web")
    chat_between(a, "dan_web", b, "eve_web")
    dan.refresh()
    eve.refresh()
    open_chat(dan, "eve_web")
    open_chat(eve, "dan_web")
    write(dan, "lunch at noon?")
    write(dan, "or later")
    wait_for(eve, lambda: texts(eve) == ["lunch at noon?", "or later"])

    act_on(eve, "lunch at noon?", "reply")
    write(eve, "noon works")
    wait_for(dan, lambda: quotes(dan)[-1] == ["lunch at noon?", "noon works"])
    act_on(dan, "lunch at noon?", "edit")
    by_id(dan, "composer-text").clear()
    write(dan, "lunch at one?")
    wait_for(eve, lambda: texts(eve)[0] == "lunch at one?")
    act_on(dan, "or later", "delete")
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(dan, 10).until(expected_conditions.alert_is_present()).accept()
    wait_for(eve, lambda: texts(eve)[1] == "This message was deleted.")

    assert texts(eve) == ["lunch at one?", "This message was deleted.", "noon works"]
    wait_for(dan, lambda: quotes(dan)[-1] == ["lunch at one?", "noon works"])  # the quote follows the edit
    assert "edited" in by_id(eve, "messages").text
    screenshot(eve, "web-reply-edit-delete")


def click_in_page(driver, selector, text):
    """Click the element matching `selector` whose text contains `text` (in the page: lists are
    drawn again as events come)."""
    click = (
        "for (const node of document.querySelectorAll(arguments[0])) {"
        "  if (node.textContent.includes(arguments[1])) { node.click(); return true; }"
        "} return false;"
    )
    wait_for(driver, lambda: driver.execute_script(click, selector, text))


def in_page(driver, selector):
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((node) => node.textContent);", selector
    )


def test_a_post_reaches_a_subscriber_and_a_comment_comes_back_within_a_polling_period(stack, browsers):
    a, b = stack.servers
    fay, gus = browsers(), browsers()
    sign_up(fay, a, "fay_web")
    sign_up(gus, b, "gus_web")
    created = requests.post(  # the page that creates a channel comes next
        f"{a.http}/api/v1/channels/",
        json={"handle": "fay_garden", "title": "Fay's garden", "description": "Seeds and soil"},
        headers={"Authorization": f"Bearer {token(a, 'fay_web')}"},
        timeout=10,
    )
    assert created.status_code == 201
    fay.refresh()
    click_in_page(fay, "#channel-list .chat-item", "Fay's garden")  # the owner follows it
    wait_for(fay, lambda: by_id(fay, "post-composer").is_displayed())
    by_id(fay, "post-text").send_keys("Tomatoes are in")
    by_id(fay, "post-composer").submit()
    wait_for(fay, lambda: in_page(fay, "#posts .post .text") == ["Tomatoes are in"])

    by_id(gus, "channel-query").send_keys("garden")
    by_id(gus, "channel-search").submit()
    click_in_page(gus, "#channel-list .chat-item", "Fay's garden")
    wait_for(gus, lambda: by_id(gus, "channel-subscribe").is_displayed())
    by_id(gus, "channel-subscribe").click()
    wait_for(gus, lambda: not by_id(gus, "channel-subscribe").is_displayed())
    gus.refresh()  # after a reload: the channel is among gus's, with its post
    click_in_page(gus, "#channel-list .chat-item", "Fay's garden")
    wait_for(gus, lambda: in_page(gus, "#posts .post .text") == ["Tomatoes are in"])
    assert not by_id(gus, "post-composer").is_displayed()  # not an admin

    click_in_page(fay, "#posts [data-action=comments]", "Comments")
    click_in_page(gus, "#posts [data-action=comments]", "Comments")
    wait_for(gus, lambda: in_page(gus, ".comment-form"))
    gus.find_element("css selector", ".comment-form input").send_keys("Save me some")
    gus.find_element("css selector", ".comment-form").submit()
    wait_for(fay, lambda: in_page(fay, ".comments .comment") == ["Save me some"], timeout=15)  # one period
    screenshot(fay, "web-channel")


def test_at_phone_width_nothing_overflows_and_the_form_works_from_the_keyboard(stack, browsers):
    from selenium.webdriver.common.keys import Keys

    server = stack.servers[1]
    hal = browsers()
    hal.set_window_size(390, 844)
    hal.get(f"{server.http}/")
    wait_for(hal, lambda: by_id(hal, "auth-username").is_displayed())
    assert hal.switch_to.active_element == by_id(hal, "auth-username")  # focus starts in the form
    hal.switch_to.active_element.send_keys(
        "hal_web", Keys.TAB, PASSWORD, Keys.ENTER
    )  # Enter signs in: no account
    wait_for(hal, lambda: by_id(hal, "problem").is_displayed())
    assert "Wrong username or password" in by_id(hal, "problem").text  # said in words, not a code

    by_id(hal, "sign-up").click()
    wait_for(hal, lambda: by_id(hal, "messenger").is_displayed())
    overflow = hal.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
    assert overflow <= 0
    labels = hal.execute_script(
        "return [...document.querySelectorAll('input, textarea')].every((field) =>"
        " field.labels.length > 0 || field.getAttribute('aria-label'));"
    )
    assert labels  # every field is named for a screen reader
    screenshot(hal, "web-phone-width")


def test_the_page_is_served_with_a_strict_content_security_policy(stack):
    server = stack.servers[0]

    page = requests.get(f"{server.http}/", timeout=10)

    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert f"connect-src 'self' ws://127.0.0.1:{server.port}" in policy
    assert 'type="module"' in page.text


def test_signing_out_revokes_the_session(stack, browsers):
    server = stack.servers[0]
    cat = browsers()
    sign_up(cat, server, "cat_web")
    refresh = cat.execute_script("return localStorage.getItem('telegram-light.refresh');")
    assert refresh

    by_id(cat, "sign-out").click()
    wait_for(cat, lambda: by_id(cat, "auth").is_displayed())
    reused = requests.post(f"{server.http}/api/v1/auth/token/refresh/", json={"refresh": refresh}, timeout=10)

    assert cat.execute_script("return localStorage.getItem('telegram-light.refresh');") is None
    assert reused.status_code == 401  # the page's session is over on the server too
    cat.refresh()
    wait_for(cat, lambda: by_id(cat, "auth").is_displayed())  # a reload does not sign back in
