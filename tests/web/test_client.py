"""The web client at `/` in real browsers: two people, each in a Chromium of their own, each on
one of two daphne instances, sign up, become contacts, chat both ways and see each other's
messages, typing and read receipts live; one closes the page while the other writes, and on
reopening sees exactly what was missed, once. Then channels, groups, profiles, mutes, and the
errors a person must understand. Screenshots go to .screenshots/ (not committed)."""

import pytest
import requests

from tests.browser import chromium, screenshot
from tests.e2e.servers import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

PASSWORD = "violet-anchor-meadow-17"


# Low enough that a test reaches it in a few finds; every person here finds at most two others.
LOOKUPS_PER_HOUR = 6


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    # The servers sweep scheduled messages themselves, as `make run` does (no worker, no beat).
    env = {"RATE_LIMIT_LOOKUP": f"{LOOKUPS_PER_HOUR}/hour", "SCHEDULED_LOCAL_SWEEP": "true"}
    with Stack(instances=2, tmp=tmp_path_factory.mktemp("web"), env=env) as running:
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


def open_people(driver):
    wait_for(driver, lambda: by_id(driver, "open-people").is_displayed())
    by_id(driver, "open-people").click()
    wait_for(driver, lambda: by_id(driver, "people").is_displayed())


def find_person(driver, username):
    """Look `username` up in People; the card (or the words saying nobody) shows in #found."""
    open_people(driver)
    by_id(driver, "find-username").clear()
    by_id(driver, "find-username").send_keys(username)
    by_id(driver, "find-person").submit()


def test_two_people_on_two_instances_chat_live_and_catch_up_after_closing_the_page(stack, browsers):
    a, b = stack.servers
    ann, ben = browsers(), browsers()
    sign_up(ann, a, "ann_web")
    sign_up(ben, b, "ben_web")
    ann.refresh()  # still signed in after a reload: the refresh token is kept

    # They become contacts: ann finds ben by username and invites him; ben sees the invitation
    # come in live and accepts it; ann's contacts show ben without a reload.
    find_person(ann, "ben_web")
    click_in_page(ann, "#found [data-action=invite]", "Invite")
    wait_for(ann, lambda: "Invitation sent." in by_id(ann, "found").text)
    wait_for(ben, lambda: by_id(ben, "people-count").text == "1")
    open_people(ben)
    click_in_page(ben, "#invitations [data-action=accept]", "Accept")
    wait_for(ben, lambda: in_page(ben, "#contacts .person-name") == ["ann_web @ann_web"])
    wait_for(ann, lambda: in_page(ann, "#contacts .person-name") == ["ben_web @ben_web"])
    assert by_id(ben, "people-count").text == ""
    screenshot(ann, "web-people")
    # Each starts the direct chat from the contact: one chat, the same for both.
    click_in_page(ann, "#contacts [data-action=message]", "Message")
    wait_for(ann, lambda: by_id(ann, "chat-title").text == "ben_web")
    click_in_page(ben, "#contacts [data-action=message]", "Message")
    wait_for(ben, lambda: by_id(ben, "chat-title").text == "ann_web")

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
    assert in_page(ben, "#chat-list .chat-name") == ["ann_web"]  # one chat for the two of them
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


def react_to(driver, text, emoji, container="#messages .message"):
    """Open the reactions of the message (or post) that reads `text` and pick `emoji`."""
    click = (
        "for (const item of document.querySelectorAll(arguments[0])) {"
        "  if (item.querySelector('.text').textContent === arguments[1]) {"
        "    item.querySelector('[data-action=react]').click();"
        "    item.querySelector(`.picker [data-emoji='${arguments[2]}']`).click(); return true; }"
        "} return false;"
    )
    wait_for(driver, lambda: driver.execute_script(click, container, text, emoji))


def toggle_reaction(driver, text, emoji, container="#messages .message"):
    """Click the `emoji` toggle under the message (or post) that reads `text`."""
    click = (
        "for (const item of document.querySelectorAll(arguments[0])) {"
        "  if (item.querySelector('.text').textContent === arguments[1]) {"
        "    item.querySelector(`.reaction[data-emoji='${arguments[2]}']`).click(); return true; }"
        "} return false;"
    )
    wait_for(driver, lambda: driver.execute_script(click, container, text, emoji))


def reactions_on(driver, text, container="#messages .message"):
    """[(the toggle's text, pressed)] under the message (or post) that reads `text`."""
    return driver.execute_script(
        "for (const item of document.querySelectorAll(arguments[0])) {"
        "  if (item.querySelector('.text').textContent === arguments[1]) {"
        "    return [...item.querySelectorAll('.reaction')].map((b) =>"
        "      [b.textContent, b.getAttribute('aria-pressed') === 'true']); }"
        "} return null;",
        container,
        text,
    )


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
    assert reactions_on(eve, "This message was deleted.") == []  # nothing to react to any more
    deleted_item = "return [...document.querySelectorAll('#messages .message')][1]"
    assert eve.execute_script(deleted_item + ".querySelector('[data-action=react]');") is None
    wait_for(dan, lambda: quotes(dan)[-1] == ["lunch at one?", "noon works"])  # the quote follows the edit
    assert "edited" in by_id(eve, "messages").text
    screenshot(eve, "web-reply-edit-delete")

    # Reactions, live both ways: eve picks one, dan adds the same, eve takes hers back.
    react_to(eve, "lunch at one?", "👍")
    wait_for(dan, lambda: reactions_on(dan, "lunch at one?") == [["👍 1", False]])
    toggle_reaction(dan, "lunch at one?", "👍")
    wait_for(eve, lambda: reactions_on(eve, "lunch at one?") == [["👍 2", True]])
    toggle_reaction(eve, "lunch at one?", "👍")
    wait_for(dan, lambda: reactions_on(dan, "lunch at one?") == [["👍 1", True]])
    wait_for(eve, lambda: reactions_on(eve, "lunch at one?") == [["👍 1", False]])
    screenshot(dan, "web-reactions")

    # A pin, live: dan pins the question, eve sees it above the chat and unpins it.
    act_on(dan, "lunch at one?", "pin")
    wait_for(eve, lambda: by_id(eve, "pins").is_displayed())
    assert by_id(eve, "pins-summary").text == "Pinned (1): lunch at one?"
    screenshot(eve, "web-pinned")
    act_on(eve, "lunch at one?", "pin")  # now "Unpin"
    wait_for(dan, lambda: not by_id(dan, "pins").is_displayed())


def click_in_page(driver, selector, text):
    """Click the element matching `selector` whose text contains `text` (in the page: lists are
    drawn again as events come; after the script returns, as the click may ask to confirm)."""
    click = (
        "for (const node of document.querySelectorAll(arguments[0])) {"
        "  if (node.textContent.includes(arguments[1])) { setTimeout(() => node.click()); return true; }"
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
    by_id(fay, "open-new-channel").click()
    by_id(fay, "new-channel-handle").send_keys("fay_garden")
    by_id(fay, "new-channel-name").send_keys("Fay's garden")
    by_id(fay, "new-channel-description").send_keys("Seeds and soil")
    by_id(fay, "new-channel-form").submit()
    wait_for(fay, lambda: by_id(fay, "channel-title").text == "Fay's garden")
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

    # A subscriber reacts to the post; the owner sees the count on the next read, not as hers.
    react_to(gus, "Tomatoes are in", "🔥", container="#posts .post")
    wait_for(gus, lambda: reactions_on(gus, "Tomatoes are in", "#posts .post") == [["🔥 1", True]])
    fay.refresh()
    click_in_page(fay, "#channel-list .chat-item", "Fay's garden")
    wait_for(fay, lambda: reactions_on(fay, "Tomatoes are in", "#posts .post") == [["🔥 1", False]])
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
    assert "Wrong username or password" in by_id(hal, "problem-text").text  # said in words, not a code

    by_id(hal, "sign-up").click()
    wait_for(hal, lambda: by_id(hal, "messenger").is_displayed())
    overflow = hal.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
    assert overflow <= 0
    unlabelled = hal.execute_script(
        "return [...document.querySelectorAll('input, textarea, select')].filter((field) =>"
        " !(field.labels.length > 0 || field.getAttribute('aria-label'))).map((field) => field.id);"
    )
    assert unlabelled == []  # every field is named for a screen reader
    screenshot(hal, "web-phone-width")
    for opener, panel in (("open-people", "people"), ("open-profile", "profile")):
        by_id(hal, opener).click()
        wait_for(hal, lambda panel=panel: by_id(hal, panel).is_displayed())
        assert hal.execute_script("return document.documentElement.scrollWidth - window.innerWidth;") <= 0
    screenshot(hal, "web-phone-width-profile")


def scroll_to_top_until(driver, list_id, count):
    """Scroll the list to its top until it holds `count` items (one older page per scroll)."""

    def loaded():
        driver.execute_script("document.getElementById(arguments[0]).scrollTop = 0;", list_id)
        return (
            driver.execute_script("return document.getElementById(arguments[0]).children.length;", list_id)
            >= count
        )

    wait_for(driver, loaded)


def test_older_messages_and_posts_load_as_the_list_is_scrolled_up(stack, browsers):
    a, _ = stack.servers
    requests.post(
        f"{a.http}/api/v1/auth/register/", json={"username": "ray_web", "password": PASSWORD}, timeout=10
    )
    sue = browsers()
    sign_up(sue, a, "sue_web")
    status, chat = call(
        a, "POST", "chats/", "ray_web", {"kind": "direct", "user_id": user_id(a, token(a, "sue_web"))}
    )
    assert status == 201
    ray = token(a, "ray_web")
    for number in range(1, 61):
        response = requests.post(
            f"{a.http}/api/v1/chats/{chat['id']}/messages/",
            json={"text": f"message {number}"},
            headers={"Authorization": f"Bearer {ray}"},
            timeout=10,
        )
        assert response.status_code == 201
    status, channel = call(a, "POST", "channels/", "ray_web", {"handle": "ray_notes", "title": "Ray's notes"})
    assert status == 201
    for number in range(1, 16):
        status, _ = call(a, "POST", f"channels/{channel['id']}/posts/", "ray_web", {"text": f"post {number}"})
        assert status == 201

    sue.refresh()
    open_chat(sue, "ray_web")
    wait_for(sue, lambda: len(texts(sue)) == 40)  # the newest page
    assert texts(sue)[-1] == "message 60"
    scroll_to_top_until(sue, "messages", 60)
    assert texts(sue) == [f"message {number}" for number in range(1, 61)]  # in order, each once

    by_id(sue, "channel-query").send_keys("ray_notes")
    by_id(sue, "channel-search").submit()
    click_in_page(sue, "#channel-list .chat-item", "Ray's notes")
    wait_for(sue, lambda: len(in_page(sue, "#posts .post .text")) == 10)
    scroll_to_top_until(sue, "posts", 15)
    assert in_page(sue, "#posts .post .text") == [f"post {number}" for number in range(1, 16)]


def test_a_message_and_a_post_are_forwarded_from_the_page(stack, browsers):
    a, _ = stack.servers
    for name in ("vic_web", "wes_web"):
        requests.post(
            f"{a.http}/api/v1/auth/register/", json={"username": name, "password": PASSWORD}, timeout=10
        )
    uma = browsers()
    sign_up(uma, a, "uma_web")
    uma_id = user_id(a, token(a, "uma_web"))
    _, with_vic = call(a, "POST", "chats/", "vic_web", {"kind": "direct", "user_id": uma_id})
    _, with_wes = call(a, "POST", "chats/", "wes_web", {"kind": "direct", "user_id": uma_id})
    call(a, "POST", f"chats/{with_vic['id']}/messages/", "vic_web", {"text": "meet at the gate"})
    _, channel = call(a, "POST", "channels/", "vic_web", {"handle": "vic_trails", "title": "Vic's trails"})
    call(a, "POST", f"channels/{channel['id']}/posts/", "vic_web", {"text": "North loop is muddy"})
    uma.refresh()

    open_chat(uma, "vic_web")
    wait_for(uma, lambda: texts(uma) == ["meet at the gate"])
    act_on(uma, "meet at the gate", "forward")
    from selenium.webdriver.support.ui import Select

    Select(uma.find_element("css selector", ".forward-form select")).select_by_visible_text("wes_web")
    uma.find_element("css selector", ".forward-form").submit()
    wait_for(uma, lambda: "Forwarded." in by_id(uma, "messages").text)
    by_id(uma, "channel-query").send_keys("vic_trails")
    by_id(uma, "channel-search").submit()
    click_in_page(uma, "#channel-list .chat-item", "Vic's trails")
    click_in_page(uma, "#posts [data-action=forward]", "Forward")
    wait_for(uma, lambda: in_page(uma, "#posts .forward-form"))
    Select(uma.find_element("css selector", "#posts .forward-form select")).select_by_visible_text("wes_web")
    uma.find_element("css selector", "#posts .forward-form").submit()
    wait_for(uma, lambda: "Forwarded." in by_id(uma, "posts").text)

    _, page = call(a, "GET", f"chats/{with_wes['id']}/messages/", "wes_web")
    received = [(m["text"], m["forwarded_from"]["kind"]) for m in reversed(page["results"])]
    assert received == [("meet at the gate", "user"), ("North loop is muddy", "channel")]
    open_chat(uma, "wes_web")
    wait_for(
        uma,
        lambda: in_page(uma, "#messages .forwarded")
        == [
            "Forwarded from vic_web",
            "Forwarded from Vic's trails (@vic_trails)",
        ],
    )
    screenshot(uma, "web-forwarded")


def test_a_message_scheduled_in_the_page_arrives_at_its_time(stack, browsers):
    a, b = stack.servers
    xia, yan = browsers(), browsers()
    sign_up(xia, a, "xia_web")
    sign_up(yan, b, "yan_web")
    chat_between(a, "xia_web", b, "yan_web")
    xia.refresh()
    yan.refresh()
    open_chat(xia, "yan_web")
    open_chat(yan, "xia_web")

    by_id(xia, "composer-text").send_keys("happy birthday!")
    at = xia.execute_script(
        "const at = new Date(Date.now() + 4000);"
        "const local = new Date(at.getTime() - at.getTimezoneOffset() * 60000);"
        "document.getElementById('schedule-at').value = local.toISOString().slice(0, 19);"
        "return Math.floor(at.getTime() / 1000);"  # what the field holds: whole seconds
    )
    by_id(xia, "schedule-send").click()
    wait_for(xia, lambda: by_id(xia, "scheduled").is_displayed())
    assert in_page(xia, "#scheduled-list .text") == ["happy birthday!"]
    assert texts(yan) == []  # not before its time
    screenshot(xia, "web-scheduled")

    wait_for(yan, lambda: texts(yan) == ["happy birthday!"], timeout=15)
    chat_id = yan.execute_script(
        "return document.querySelector('.chat-item[aria-current=true]').dataset.chat;"
    )
    _, page = call(b, "GET", f"chats/{chat_id}/messages/", "yan_web")
    from datetime import datetime

    assert datetime.fromisoformat(page["results"][0]["created_at"]).timestamp() >= at  # not early
    wait_for(xia, lambda: not by_id(xia, "scheduled").is_displayed())  # no longer waiting
    wait_for(xia, lambda: texts(xia) == ["happy birthday!"])  # and in the sender's chat too


def test_messages_are_found_from_the_page_and_open_their_chat(stack, browsers):
    a, _ = stack.servers
    requests.post(
        f"{a.http}/api/v1/auth/register/", json={"username": "zed_web", "password": PASSWORD}, timeout=10
    )
    amy = browsers()
    sign_up(amy, a, "amy_web")
    _, chat = call(
        a, "POST", "chats/", "zed_web", {"kind": "direct", "user_id": user_id(a, token(a, "amy_web"))}
    )
    for text in ("the ferry leaves at noon", "ferries are late today", "see you"):
        call(a, "POST", f"chats/{chat['id']}/messages/", "zed_web", {"text": text})
    amy.refresh()
    wait_for(amy, lambda: by_id(amy, "messenger").is_displayed())

    by_id(amy, "message-query").send_keys("ferr")
    by_id(amy, "message-search").submit()
    wait_for(amy, lambda: by_id(amy, "search").is_displayed())
    wait_for(
        amy,
        lambda: in_page(amy, "#search-results .chat-last")
        == [
            "ferries are late today",
            "the ferry leaves at noon",
        ],
    )
    screenshot(amy, "web-search")
    click_in_page(amy, "#search-results .chat-item", "the ferry leaves at noon")
    wait_for(amy, lambda: by_id(amy, "chat-title").text == "zed_web")


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


def call(server, method, path, username, body=None):
    """The API as `username`: (status, body)."""
    response = requests.request(
        method,
        f"{server.http}/api/v1/{path}",
        json=body,
        headers={"Authorization": f"Bearer {token(server, username)}"},
        timeout=10,
    )
    return response.status_code, (response.json() if response.content else None)


def contacts(server, first, second):
    """`first` and `second` become contacts, through the API."""
    status, invitation = call(
        server, "POST", "contacts/invitations/", first, {"user_id": user_id(server, token(server, second))}
    )
    assert status == 201, invitation
    status, _ = call(server, "POST", f"contacts/invitations/{invitation['id']}/accept/", second, {})
    assert status == 200


def test_a_profile_with_an_avatar_and_sections_is_what_others_find(stack, browsers, tmp_path):
    from PIL import Image

    a, b = stack.servers
    ivy, jon = browsers(), browsers()
    sign_up(ivy, a, "ivy_web")
    sign_up(jon, b, "jon_web")
    picture = tmp_path / "ivy.png"
    Image.new("RGB", (64, 64), (40, 160, 90)).save(picture)

    by_id(ivy, "open-profile").click()
    wait_for(ivy, lambda: by_id(ivy, "profile-display-name").get_attribute("value") == "ivy_web")
    by_id(ivy, "profile-display-name").clear()
    by_id(ivy, "profile-display-name").send_keys("Ivy Green")
    by_id(ivy, "profile-bio").send_keys("Grows things")
    by_id(ivy, "section-add").click()
    ivy.switch_to.active_element.send_keys("Work")  # the new section's title has the focus
    ivy.find_element("css selector", "#sections .section-body").send_keys("Gardener at the park")
    by_id(ivy, "profile-avatar").send_keys(str(picture))
    wait_for(
        ivy,
        lambda: ivy.execute_script("return document.querySelector('#avatar-preview img')?.naturalWidth")
        == 64,
    )
    by_id(ivy, "profile-form").submit()
    wait_for(ivy, lambda: by_id(ivy, "profile-saved").text == "Saved.")
    screenshot(ivy, "web-profile")

    ivy.refresh()  # what was saved is what the server has
    wait_for(ivy, lambda: by_id(ivy, "messenger").is_displayed())
    by_id(ivy, "open-profile").click()
    wait_for(ivy, lambda: by_id(ivy, "profile-display-name").get_attribute("value") == "Ivy Green")
    assert by_id(ivy, "profile-bio").get_attribute("value") == "Grows things"
    assert ivy.execute_script(
        "return [...document.querySelectorAll('#sections .section')].map((s) =>"
        " [s.querySelector('.section-title').value, s.querySelector('.section-body').value]);"
    ) == [["Work", "Gardener at the park"]]

    find_person(jon, "IVY_WEB")  # any case
    wait_for(jon, lambda: in_page(jon, "#found .person-name") == ["Ivy Green @ivy_web"])
    # Her avatar is shown: loaded from this server, which the page's policy allows.
    wait_for(
        jon,
        lambda: jon.execute_script("return document.querySelector('#found img.avatar')?.naturalWidth") == 64,
    )
    find_person(jon, "nobody_by_that_name")
    wait_for(jon, lambda: "Nobody has the username @nobody_by_that_name." in by_id(jon, "found").text)


def test_a_group_made_in_the_page_respects_privacy_and_a_muted_chat_says_so(stack, browsers):
    a, b = stack.servers
    kim, leo = browsers(), browsers()
    sign_up(kim, a, "kim_web")
    sign_up(leo, b, "leo_web")
    requests.post(
        f"{a.http}/api/v1/auth/register/", json={"username": "max_web", "password": PASSWORD}, timeout=10
    )
    contacts(a, "kim_web", "leo_web")
    contacts(a, "kim_web", "max_web")
    status, _ = call(a, "PATCH", "privacy/", "max_web", {"groups": "nobody"})  # max: into no group
    assert status == 200

    open_people(kim)
    by_id(kim, "group-title").send_keys("Hikers")
    wait_for(kim, lambda: len(kim.find_elements("css selector", "#group-members input")) == 2)
    for box in kim.find_elements("css selector", "#group-members input"):
        box.click()
    by_id(kim, "new-group").submit()
    wait_for(kim, lambda: by_id(kim, "problem").is_displayed())
    assert by_id(kim, "problem-text").text == (  # max said nobody may add him
        "Not allowed: someone you chose does not let you add them to groups."
    )
    assert in_page(kim, "#chat-list .chat-name") == []  # and nothing was made

    click_in_page(kim, "#group-members label", "max_web")  # without max
    by_id(kim, "new-group").submit()
    wait_for(kim, lambda: by_id(kim, "chat-title").text == "Hikers")
    assert by_id(kim, "chat-tools").text.startswith("2 members")
    # The owner restricts reactions to one and lets members pin, from the page.
    kim.find_element("css selector", "#chat-tools .settings summary").click()
    for box in kim.find_elements("css selector", ".group-settings fieldset input"):
        if (box.get_attribute("value") == "👍") != box.is_selected():
            box.click()
    kim.find_element("css selector", ".group-settings .check input").click()  # members may pin
    kim.find_element("css selector", ".group-settings").submit()
    wait_for(kim, lambda: not kim.find_element("css selector", "#chat-tools .settings").get_attribute("open"))
    group_id = kim.execute_script(
        "return document.querySelector('.chat-item[aria-current=true]').dataset.chat;"
    )
    _, seen_by_leo = call(b, "GET", f"chats/{group_id}/", "leo_web")
    assert (seen_by_leo["allowed_reactions"], seen_by_leo["members_can_pin"]) == (["👍"], True)
    write(kim, "trail at 9")
    open_chat(leo, "Hikers")  # it came to leo's list live
    wait_for(leo, lambda: texts(leo) == ["trail at 9"])

    from selenium.webdriver.support.ui import Select

    Select(leo.find_element("css selector", "#chat-tools select.mute")).select_by_visible_text(
        "Mute for 1 hour"
    )
    wait_for(leo, lambda: in_page(leo, "#chat-list .chat-name") == ["Hikers (muted)"])
    leo.refresh()  # the mute is the server's, not the page's
    wait_for(leo, lambda: in_page(leo, "#chat-list .chat-name") == ["Hikers (muted)"])
    by_id(leo, "open-profile").click()
    wait_for(
        leo,
        lambda: in_page(leo, "#mutes li")[:1]
        and in_page(leo, "#mutes li")[0].startswith("Hikers: muted until"),
    )
    click_in_page(leo, "#mutes button", "Unmute")
    wait_for(leo, lambda: in_page(leo, "#chat-list .chat-name") == ["Hikers"])
    assert call(b, "GET", "notification-settings/", "leo_web")[1]["mutes"] == []
    screenshot(kim, "web-group")


def test_blocked_and_rate_limited_are_said_in_words(stack, browsers):
    a, b = stack.servers
    nia, oli = browsers(), browsers()
    sign_up(nia, b, "nia_web")
    sign_up(oli, a, "oli_web")
    find_person(nia, "oli_web")
    click_in_page(nia, "#found [data-action=invite]", "Invite")
    wait_for(oli, lambda: by_id(oli, "people-count").text == "1")
    open_people(oli)
    click_in_page(oli, "#invitations [data-action=deny]", "Deny")  # oli says no
    wait_for(oli, lambda: by_id(oli, "invitations-empty").is_displayed())
    assert in_page(oli, "#contacts .person-name") == []
    click_in_page(nia, "#found [data-action=message]", "Message")
    wait_for(nia, lambda: by_id(nia, "chat-title").text == "oli_web")

    find_person(oli, "nia_web")
    click_in_page(oli, "#found [data-action=block]", "Block")
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(oli, 10).until(expected_conditions.alert_is_present()).accept()  # "Block this person?"
    wait_for(oli, lambda: in_page(oli, "#blocked .person-name") == ["nia_web @nia_web"])

    write(nia, "are you there?")
    wait_for(nia, lambda: by_id(nia, "problem").is_displayed())
    assert by_id(nia, "problem-text").text == "You cannot do this: one of you blocked the other."
    wait_for(nia, lambda: "Not sent" in by_id(nia, "messages").text)  # the message says it did not go

    # Finding people is limited: nia has found once; the next finds reach the limit.
    assert in_page(nia, "#contacts .person-name") == []  # the invitation was denied
    for _ in range(LOOKUPS_PER_HOUR):
        find_person(nia, "oli_web")
    wait_for(nia, lambda: by_id(nia, "problem-text").text.startswith("Too many requests: try again in"))
    wait_seconds = int(by_id(nia, "problem-text").text.split(" in ")[1].split()[0])
    assert 0 < wait_seconds <= 3600
    screenshot(nia, "web-rate-limited")


def test_when_the_server_goes_away_the_page_says_so_and_catches_up_when_it_is_back(stack, browsers):
    """Last in this file: it stops the second instance (and starts it again)."""
    a, b = stack.servers
    pia = browsers()
    sign_up(pia, b, "pia_web")
    requests.post(
        f"{a.http}/api/v1/auth/register/", json={"username": "quin_web", "password": PASSWORD}, timeout=10
    )
    find_person(pia, "quin_web")
    click_in_page(pia, "#found [data-action=message]", "Message")
    wait_for(pia, lambda: by_id(pia, "chat-title").text == "quin_web")
    chat_id = pia.execute_script(
        "return document.querySelector('.chat-item[aria-current=true]').dataset.chat;"
    )

    stack.stop(b)
    wait_for(pia, lambda: by_id(pia, "connection").text.startswith("Connection lost. Reconnecting in"))
    write(pia, "hello?")  # no socket: through REST, which is down too
    wait_for(
        pia, lambda: by_id(pia, "problem-text").text == "The server cannot be reached. Check your connection."
    )
    wait_for(pia, lambda: "Not sent" in by_id(pia, "messages").text)
    screenshot(pia, "web-server-down")
    status, _ = call(
        a, "POST", f"chats/{chat_id}/messages/", "quin_web", {"text": "sent while you were away"}
    )
    assert status == 201

    stack.restart(b)
    wait_for(pia, lambda: by_id(pia, "connection").text == "", timeout=40)  # back, with backoff
    wait_for(pia, lambda: texts(pia)[-1:] == ["sent while you were away"], timeout=10)  # caught up
    assert texts(pia).count("sent while you were away") == 1

    click_in_page(pia, "#messages [data-action=retry]", "Retry")  # the message that did not go
    wait_for(
        pia,
        lambda: "Not sent" not in by_id(pia, "messages").text
        and "Sending" not in by_id(pia, "messages").text,
    )
    status, page = call(a, "GET", f"chats/{chat_id}/messages/", "quin_web")
    assert [message["text"] for message in reversed(page["results"])] == [
        "sent while you were away",
        "hello?",
    ]
