"""The published docs: built with ``mkdocs build --strict``, then read in headless Chromium.

The site is built once per session into a temporary folder, served on loopback by a static
file server (as any web server would serve it), and opened in Debian's Chromium through
selenium with Debian's chromedriver (``scripts/bootstrap.sh`` installs both; no driver or
browser is ever downloaded: the driver's path is given, so Selenium Manager does not run).
"""

from __future__ import annotations

import copy
import functools
import http.server
import importlib.util
import os
import re
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from conftest import HTTP_METHODS, REPO_ROOT
from geminidb_backup.spec import load_spec

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = REPO_ROOT / "artifacts" / "screenshots" / "api-reference.png"
CREATE_PATH = "/v3/{project_id}/instances/{instance_id}/backups"
JOB_ID = "8061ceaf-b319-4315-9338-7f3de8e26f05"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built as CI and ``scripts/docs build`` build it: strict, warnings are errors."""
    out = tmp_path_factory.mktemp("docs") / "site"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    print(f"mkdocs build --strict: {time.monotonic() - started:.1f} s")
    return out


def load_hook() -> Any:
    """docs/hooks/openapi_pages.py, imported as mkdocs imports it: from its path."""
    path = REPO_ROOT / "docs" / "hooks" / "openapi_pages.py"
    spec = importlib.util.spec_from_file_location("openapi_pages", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_text(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


def visible_text(html: str) -> str:
    """The text of an HTML page, tags dropped and entities of interest decoded."""
    text = re.sub(r"<[^>]+>", "", html)
    for entity, char in (
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", '"'),
        ("&#39;", "'"),
        ("&amp;", "&"),
    ):
        text = text.replace(entity, char)
    return text


# --- the built HTML --------------------------------------------------------------------------


@pytest.mark.starts_first  # its module builds the site and starts Chromium: a minute on one worker
def test_the_reference_shows_every_operation_with_its_path(site: Path) -> None:
    text = visible_text(page_text(site, "api-reference"))
    overview = visible_text((site / "index.html").read_text(encoding="utf-8"))
    for path, item in load_spec()["paths"].items():
        assert path in text
        assert path in overview  # the overview's table of operations, rendered too
        for method in ("get", "post", "delete", "put", "patch"):
            if method in item:
                assert item[method]["operationId"] in text
                assert item[method]["summary"] in text


def test_the_reference_shows_every_parameter_and_response(site: Path) -> None:
    html = page_text(site, "api-reference")
    spec = load_spec()
    for item in spec["paths"].values():
        for method in ("get", "post", "delete", "put", "patch"):
            if method not in item:
                continue
            operation = item[method]
            # The operation's section: from its heading to the next one of the same level.
            start = html.index(f'<h2 id="{operation["operationId"].lower()}"')
            end = html.find("<h2 ", start + 1)
            section = visible_text(html[start:end])
            for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
                name = raw["name"] if "name" in raw else raw["$ref"].rsplit("/", 1)[1]
                if "$ref" in raw:
                    name = spec["components"]["parameters"][name]["name"]
                assert name in section, (operation["operationId"], name)
            for status in operation["responses"]:
                assert f"{status} " in section, (operation["operationId"], status)


def test_the_reference_follows_the_spec(tmp_path: Path) -> None:
    """The page is made from the spec, not written by hand: a changed spec changes it."""
    hook = load_hook()
    spec = copy.deepcopy(dict(load_spec()))
    spec["components"]["schemas"]["BackupName"]["maxLength"] = 63
    spec["x-error-codes"].append(
        {"status": 400, "code": "DBS.999999", "message": "Made up.", "meaning": "A test."}
    )
    rendered = hook.render_reference(spec)
    assert "length 4–63 characters" in rendered
    # Wherever the backup name is shown (its fields' rows and its schema's section), the old
    # limit is gone; other names, such as InstanceName, are 4–64 characters too.
    section = rendered.split("{#schema-backupname}", 1)[1].split("\n#", 1)[0]
    rows = [line for line in rendered.splitlines() if "[BackupName](#schema-backupname)" in line]
    assert rows and all("length 4–63 characters" in place for place in [section, *rows])
    assert not any("length 4–64 characters" in place for place in [section, *rows])
    assert "`DBS.999999`" in hook.render_error_codes(spec)


def test_the_reference_says_which_credentials_are_alternatives() -> None:
    hook = load_hook()
    link = "[`{}`](#authentication)".format
    either = f"Authentication: {link('token')} or {link('aksk')}"
    spec_paths = load_spec()["paths"].values()
    count = sum(1 for item in spec_paths for method in item if method in HTTP_METHODS)
    assert hook.render_reference().count(either) == count  # every operation
    spec = copy.deepcopy(dict(load_spec()))
    spec["security"] = [{"token": [], "aksk": []}]
    assert f"Authentication: {link('token')} and {link('aksk')}" in hook.render_reference(spec)


def test_the_reference_shows_the_constraints_and_examples_of_the_spec(site: Path) -> None:
    text = visible_text(page_text(site, "api-reference"))
    schemas = load_spec()["components"]["schemas"]
    for name in ("BackupName", "BackupDescription", "Timestamp", "TimestampOrEmpty"):
        assert schemas[name]["pattern"] in text, name
    assert "length 4–64 characters" in text
    assert "at most 256 characters" in text
    assert "must not contain any of the characters > ! < \" & ' =" in text
    assert "one of 10, 20, 50" in text  # listJobs' limit enum
    assert "value ≥ 1 and ≤ 100" in text  # listBackups' limit range
    assert JOB_ID in text
    assert "backup-4f57" in text
    # The links of the 202 response, and the error examples.
    assert "$response.body#/job_id" in text
    for example in load_spec()["components"]["examples"].values():
        assert example["value"]["error_code"] in text


def test_the_error_code_page_lists_the_whole_catalogue(site: Path) -> None:
    text = visible_text(page_text(site, "error-codes"))
    for entry in load_spec()["x-error-codes"]:
        assert entry["code"] in text
        assert entry["message"] in text


def test_the_error_code_page_shows_each_meaning_whole(site: Path) -> None:
    text = " ".join(visible_text(page_text(site, "error-codes")).split())
    assert "The body is not valid JSON, or a value has the wrong type." in text
    assert "The token or signature is missing, unknown, expired or wrong." in text


def test_the_python_api_reference_is_rendered_from_the_docstrings(site: Path) -> None:
    """docs/api-python.md: mkdocstrings renders each public class from its docstring, the sync
    client's methods with what they return (not the operation's generator type), and no Sphinx
    role is left raw."""
    from geminidb_backup import errors
    from geminidb_backup.client import BackupClient

    text = " ".join(visible_text(page_text(site, "api-python")).split())
    for name in ("BackupClient", "AsyncBackupClient", "RetryPolicy", "Emulator",
                 *(n for n, v in vars(errors).items() if isinstance(v, type)
                   and issubclass(v, Exception) and v.__module__ == errors.__name__)):  # fmt: skip
        assert f"{name} &para;" in text, name
    assert " ".join(BackupClient.__doc__.split()[:6]) in text  # type: ignore[union-attr]
    assert "create_backup( instance_id: str, name: str" in text
    assert "-> CreatedBackup" in text and "Op [" not in text and "Op[" not in text
    assert ":class:" not in text and ":meth:" not in text


def test_the_quick_start_names_every_command() -> None:
    from geminidb_backup.cli import COMMANDS

    quick_start = (REPO_ROOT / "docs" / "quick-start.md").read_text()
    listed = quick_start.split("Its commands (", 1)[1].split(")", 1)[0]
    assert set(re.findall(r"`([a-z-]+)`", listed)) == set(COMMANDS)


def test_the_site_needs_no_network(site: Path) -> None:
    """No asset (script, style sheet, image, font, frame) is loaded from another host."""
    asset = re.compile(
        r"""<(?:script|img|iframe|source|link)\b[^>]*?\b(?:src|href)=["']?(https?:)?//""",
        re.IGNORECASE,
    )
    offenders = []
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for match in asset.finditer(html):
            tag = html[match.start() : html.index(">", match.start()) + 1]
            if 'rel="canonical"' not in tag:
                offenders.append(f"{page.relative_to(site)}: {tag}")
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\((['\"]?)(https?:)?//[^)]*\)", css.read_text("utf-8")):
            offenders.append(f"{css.relative_to(site)}: {url}")
    assert not offenders, "\n".join(offenders)


def test_the_site_ships_the_packaged_spec_for_swagger_ui(site: Path) -> None:
    assert (site / "openapi.yaml").read_bytes() == (
        REPO_ROOT / "openapi/geminidb-backup.yaml"
    ).read_bytes()


def test_the_site_is_published_at_its_canonical_address(site: Path) -> None:
    site_url = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text())["site_url"]
    assert site_url.startswith("https://") and site_url.endswith("/")
    index = (site / "index.html").read_text("utf-8")
    assert f'<link rel="canonical" href="{site_url}">' in index
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert f"<loc>{site_url}api-reference/</loc>" in sitemap
    # The same home is named by both distributions' metadata.
    for pyproject in ("pyproject.toml", "generated_client/pyproject.toml"):
        urls = tomllib.loads((REPO_ROOT / pyproject).read_text())["project"]["urls"]
        assert urls["Homepage"] == site_url, pyproject


# --- in a browser ----------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, f"{', '.join(missing)} missing: run scripts/bootstrap.sh (as root)"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--window-size=1400,1800",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager is not run, nothing is downloaded.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver: WebDriver, seconds: float = 20) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, seconds)


def assert_all_loaded_locally(driver: WebDriver, base_url: str) -> None:
    """Every resource the page loaded (scripts, styles, fonts, images, the spec) came from the
    site's own server."""
    loaded: list[str] = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name);"
    )
    assert loaded, "the page loaded no resources at all"
    foreign = [url for url in loaded if not url.startswith(base_url + "/")]
    assert not foreign, foreign


def test_a_reader_sees_the_create_backup_operation(browser: WebDriver, base_url: str) -> None:
    browser.get(f"{base_url}/api-reference/#createbackup")
    heading = wait(browser).until(ec.visibility_of_element_located((By.ID, "createbackup")))
    assert heading.text.startswith("Create a manual backup")
    # The endpoint of this operation: the first after its heading (others come before it).
    endpoint = browser.find_element(
        By.XPATH, "//*[@id='createbackup']/following::*[contains(@class, 'api-endpoint')][1]"
    )
    assert endpoint.text == f"POST {CREATE_PATH}"
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "length 4–64 characters" in body
    assert "^[A-Za-z][A-Za-z0-9_-]*$" in body
    assert "at most 256 characters" in body
    assert "must not contain any of the characters > ! < \" & ' =" in body
    # The 202 example is in the first (open) tab, so it is shown, not only in the source.
    example = browser.find_element(
        By.XPATH, f"//h4[starts-with(@id, '202-accepted')]/following::pre[contains(., '{JOB_ID}')]"
    )
    assert example.is_displayed()
    assert_all_loaded_locally(browser, base_url)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser.execute_script("document.getElementById('createbackup').scrollIntoView();")
    assert browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    # A second view: the 202 answer with its example and links.
    browser.execute_script("arguments[0].scrollIntoView();", example)
    browser.execute_script("window.scrollBy(0, -200);")
    assert browser.save_screenshot(str(SCREENSHOT.with_name("api-reference-202.png")))


def test_navigation_leads_to_the_page(browser: WebDriver, base_url: str) -> None:
    browser.get(f"{base_url}/")
    link = wait(browser).until(
        ec.element_to_be_clickable(
            (
                By.XPATH,
                "//nav[contains(@class, 'md-nav--primary')]//a[normalize-space()='Error codes']",
            )
        )
    )
    link.click()
    wait(browser).until(ec.url_contains("/error-codes/"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Error codes")
    assert "DBS.280277" in browser.find_element(By.TAG_NAME, "article").text


def test_search_finds_a_page(browser: WebDriver, base_url: str) -> None:
    browser.get(f"{base_url}/")
    # The search box of the header (material loads its index in a web worker); on a narrow
    # window it hides behind a button.
    box = wait(browser).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "input.md-search__input"))
    )
    if not box.is_displayed():
        browser.find_element(By.CSS_SELECTOR, "label.md-header__button[for='__search']").click()
    wait(browser).until(ec.element_to_be_clickable(box)).click()
    box.send_keys("restoration")
    result = wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".md-search-result__item a"))
    )
    assert "restoration" in result.text.lower()
    meta = browser.find_element(By.CSS_SELECTOR, ".md-search-result__meta").text
    assert re.search(r"\d+ matching document", meta), meta
    result.click()
    wait(browser).until(ec.url_matches(r"/(error-codes|api-reference)/"))
    assert "restoration" in browser.find_element(By.TAG_NAME, "article").text.lower()


def test_swagger_ui_renders_the_spec_offline(browser: WebDriver, base_url: str) -> None:
    browser.get(f"{base_url}/swagger-ui/")
    frame = wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "iframe")))
    browser.switch_to.frame(frame)
    try:
        paths = wait(browser, 30).until(
            ec.presence_of_all_elements_located((By.CSS_SELECTOR, ".opblock-summary-path"))
        )
        shown = {p.get_attribute("data-path") or p.text for p in paths}
        assert CREATE_PATH in shown, shown
        assert_all_loaded_locally(browser, base_url)
    finally:
        browser.switch_to.default_content()


def test_the_error_code_page_has_a_row_per_status_of_a_code() -> None:
    rows = load_hook().render_error_codes().splitlines()

    def row(status: int, code: str) -> str:
        (found,) = [r for r in rows if r.startswith(f"| {status} ") and f"`{code}`" in r]
        return found

    assert "createBackup" in row(415, "DBS.280042")
    assert not [r for r in rows if r.startswith("| 400 ") and "`DBS.280042`" in r]
    assert "listJobs" in row(503, "DBS.200998") and "listJobs" in row(500, "DBS.200998")
    assert "the gateway" in row(404, "APIGW.0101") and "the gateway" in row(405, "APIGW.0101")
