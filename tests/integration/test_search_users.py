"""GET /api/search/users?q= : fed by user.registered through the search
consumer."""
from tests.helpers import cursor_pages, event_of, get, next_cursor, register, usernames


def search(client, query: str):
    return get(client, f"/api/search/users?{query}")


def test_a_registered_user_is_found_once_the_consumer_ran(client, pump):
    register(client, "zelda", full_name="Zelda Fitzgerald")
    assert usernames(search(client, "q=zel")) == []  # not before the event is consumed
    pump.drain()
    assert usernames(search(client, "q=zel")) == ["zelda"]


def test_search_is_a_case_insensitive_prefix_of_username_or_full_name_word(client, pump):
    register(client, "anna.k", full_name="Anna Karenina")
    register(client, "levin", full_name="Konstantin Levin")
    register(client, "vronsky")
    pump.drain()
    assert usernames(search(client, "q=ANN")) == ["anna.k"]
    assert usernames(search(client, "q=kar")) == ["anna.k"]
    assert sorted(usernames(search(client, "q=k"))) == ["anna.k", "levin"]
    assert usernames(search(client, "q=lev")) == ["levin"]
    assert usernames(search(client, "q=nobody")) == []


def test_search_results_never_show_email(client, pump):
    register(client, "oblonsky")
    pump.drain()
    [user] = search(client, "q=oblon").json_body
    assert user["email"] is None


def test_search_pages_by_cursor_without_repeats_or_gaps(client, pump):
    for number in range(7):
        register(client, f"page{number}")
    pump.drain()
    seen = [user["username"] for page in cursor_pages(client, "/api/search/users?q=page&limit=3") for user in page]
    assert seen == [f"page{n}" for n in range(7)]


def test_search_pages_by_offset(client, pump):
    for number in range(5):
        register(client, f"offset{number}")
    pump.drain()
    assert usernames(search(client, "q=offset&limit=2&offset=2")) == ["offset2", "offset3"]


def test_a_cursor_from_another_search_is_422(client, pump):
    for number in range(3):
        register(client, f"cur{number}")
    pump.drain()
    cursor = next_cursor(search(client, "q=cur&limit=1"))
    response = search(client, f"q=other&cursor={cursor}")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith("cursor")


def test_q_is_required(client):
    response = search(client, "")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith("q")


def test_limit_outside_1_to_100_is_422(client):
    for bad in ("0", "101", "x"):
        response = search(client, f"q=a&limit={bad}")
        assert response.status_code == 422
        assert response.json_body["detail"].startswith("limit")


def test_renaming_moves_the_user_in_the_index(client, pump, aws):
    # Exercised through the consumer directly until PUT /api/users/me exists.
    from chalicelib.consumers.search import index_user
    from chalicelib.events import UserUpdated
    from chalicelib.models import User

    user = register(client, "karenin", full_name="Alexei Karenin")
    pump.drain()
    stored = User.get(user["id"])
    stored.update(actions=[User.full_name.set("Sergei")])
    index_user(event_of(UserUpdated, {"user_id": user["id"]}))
    assert usernames(search(client, "q=alexei")) == []
    assert usernames(search(client, "q=serg")) == ["karenin"]
    assert usernames(search(client, "q=karenin")) == ["karenin"]


def test_a_user_matching_by_two_terms_appears_on_one_page_only(client, pump):
    register(client, "anna", full_name="Anna Annabel")
    register(client, "annika")
    pump.drain()
    pages = cursor_pages(client, "/api/search/users?q=ann&limit=1")
    assert [user["username"] for page in pages for user in page] == ["anna", "annika"]
