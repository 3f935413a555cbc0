"""make run's static files: the web app beside the API (infra/web_files.py)."""
from infra.web_files import WEB_ROOT, is_web_path, web_file


def test_the_api_and_local_paths_are_not_the_web_apps():
    assert not is_web_path("/api/health")
    assert not is_web_path("/api/users/1?limit=2")
    assert not is_web_path("/local/mail?to=a@example.com")
    assert not is_web_path("/api")
    assert is_web_path("/")
    assert is_web_path("/js/app.js?v=2")
    assert is_web_path("/apidocs.html")


def test_the_root_is_the_index_page_and_files_carry_their_type():
    content_type, body = web_file("/")
    assert content_type.startswith("text/html")
    assert body == (WEB_ROOT / "index.html").read_bytes()
    assert web_file("/js/app.js")[0].startswith("text/javascript")
    assert web_file("/styles.css?x=1")[0].startswith("text/css")


def test_no_path_leads_outside_the_web_folder_or_to_a_missing_file(tmp_path):
    (tmp_path / "web").mkdir()
    (tmp_path / "secret.txt").write_text("no")
    (tmp_path / "web" / "index.html").write_text("<p>hi</p>")
    root = tmp_path / "web"
    assert web_file("/../secret.txt", root) is None
    assert web_file("/%2e%2e/secret.txt", root) is None
    assert web_file("/missing.js", root) is None
    assert web_file("/", root) == ("text/html; charset=utf-8", b"<p>hi</p>")
