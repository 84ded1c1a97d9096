"""Markdown to safe HTML: what authors can format, and what the sanitizer never lets through."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from cms.posts.rendering import plain_text, render_markdown


class Elements(HTMLParser):
    """Every start tag in a fragment, as (tag, {attribute: value}), and its text."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def urls(self) -> list[str]:
        return [
            value
            for _tag, attrs in self.tags
            for name, value in attrs.items()
            if name in {"href", "src", "action", "formaction", "xlink:href", "data"}
        ]


def rendered(source: str) -> Elements:
    return Elements(str(render_markdown(source)))


# --- What authors can write -------------------------------------------------------------


def test_headings_sit_one_level_below_the_post_title():
    page = rendered("# Title\n\n## Section\n\n### Part\n\n###### Deepest")
    assert [tag for tag, _ in page.tags] == ["h2", "h3", "h4", "h6"]
    assert "".join(page.text).split() == ["Title", "Section", "Part", "Deepest"]


def test_a_raw_h1_keeps_its_text_but_not_the_tag():
    assert str(render_markdown("<h1>Big</h1>")) == "Big"


def test_lists():
    html = str(render_markdown("- apples\n- pears\n\n1. first\n2. second"))
    assert "<ul>\n<li>apples</li>\n<li>pears</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html


def test_links():
    links = rendered("See [the docs](https://example.com/docs?a=1&b=2).").all("a")
    assert links == [
        {"href": "https://example.com/docs?a=1&b=2", "rel": "noopener noreferrer nofollow"}
    ]


@pytest.mark.parametrize(
    "source",
    [
        "[home](https://example.com)",
        '<a href="https://example.com">home</a>',
        '<a href="https://example.com" rel="opener" target="_blank">home</a>',
        "[mail me](mailto:someone@example.com)",
    ],
)
def test_every_link_gets_a_safe_rel_and_no_target(source):
    (link,) = rendered(source).all("a")
    assert link["rel"] == "noopener noreferrer nofollow"
    assert "target" not in link


def test_images_by_url():
    images = rendered("![A cat on a mat](https://example.com/cat.png)").all("img")
    assert images == [{"src": "https://example.com/cat.png", "alt": "A cat on a mat"}]


def test_fenced_code_with_language_class():
    html = str(render_markdown("```python\nif a < b:\n    print('x')\n```"))
    assert html.startswith('<pre><code class="language-python">')
    assert "if a &lt; b:\n    print('x')" in html


def test_html_inside_code_is_shown_as_text_not_dropped():
    html = str(render_markdown("```html\n<script>alert(1)</script>\n```\n\nInline `<b>`."))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<code>&lt;b&gt;</code>" in html
    assert "<script" not in html


def test_tables():
    page = rendered("| Fruit | Count |\n|:------|------:|\n| Apple | 3 |\n| Pear | 5 |")
    names = [tag for tag, _ in page.tags]
    assert names[:2] == ["table", "thead"]
    assert names.count("tr") == 3
    assert names.count("th") == 2
    assert names.count("td") == 4
    assert "Apple" in page.text
    assert "5" in page.text


def test_result_is_markup_safe_for_templates():
    assert isinstance(render_markdown("*hi*"), Markup)
    assert render_markdown(None) == Markup("")


# --- What never gets through ------------------------------------------------------------

DANGEROUS_TAGS = {"script", "svg", "iframe", "style", "object", "embed", "form", "base", "meta"}


def assert_harmless(page: Elements) -> None:
    assert not {tag for tag, _ in page.tags} & DANGEROUS_TAGS
    for tag, attrs in page.tags:
        handlers = [name for name in attrs if name.lower().startswith("on")]
        assert not handlers, f"<{tag}> keeps {handlers}"
        assert "style" not in attrs
    for url in page.urls():
        scheme = url.replace("\t", "").replace("\n", "").strip().lower()
        assert not scheme.startswith(("javascript:", "data:", "vbscript:")), url


@pytest.mark.parametrize(
    ("source", "gone"),
    [
        ("<script>alert(1)</script>", "alert(1)"),
        ("Before <script>alert(1)</script> after", "alert(1)"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ("[x](javascript:alert(1))", 'href="javascript'),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', "alert"),
        ("<svg onload=alert(1)>", "alert"),
        ('<svg><a xlink:href="javascript:alert(1)">x</a></svg>', "alert"),
        ('<iframe src="https://evil.example/"></iframe>', "evil.example"),
        ("<style>body { display: none }</style>", "display"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
        ('<p OnClIcK="alert(1)">click</p>', "alert"),
        ("<IMG SRC=JaVaScRiPt:alert(1)>", "alert"),
        ('<div style="background:url(javascript:alert(1))">x</div>', "javascript"),
        ('<a href="vbscript:msgbox(1)">x</a>', "vbscript"),
        ("<object data=x></object>", "<object"),
        ("<embed src=x>", "<embed"),
        ("<base href='https://evil.example/'>", "evil.example"),
        ("<meta http-equiv=refresh content='0;url=https://evil.example'>", "evil.example"),
        ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', "onerror"),
    ],
)
def test_dangerous_input_is_neutralised(source, gone):
    html = str(render_markdown(source))
    assert gone not in html
    assert_harmless(Elements(html))


def test_script_is_removed_with_its_content_but_the_text_around_it_stays():
    assert (
        str(render_markdown("Before <script>alert(1)</script> after")) == "<p>Before  after</p>\n"
    )


def test_a_javascript_link_keeps_its_text():
    page = rendered('<a href="javascript:alert(1)">read more</a>')
    assert page.all("a") == [{"rel": "noopener noreferrer nofollow"}]
    assert "read more" in page.text


def test_an_image_loses_only_its_handler():
    images = rendered('<img src="https://example.com/a.png" alt="A" onerror="alert(1)">').all("img")
    assert images == [{"src": "https://example.com/a.png", "alt": "A"}]


# --- Plain-text excerpts ----------------------------------------------------------------


def test_excerpt_is_plain_text_with_characters_unescaped():
    source = 'Fish & chips, **5 < 6** and "quotes" it\'s [here](https://example.com).'
    assert plain_text(source) == 'Fish & chips, 5 < 6 and "quotes" it\'s here.'


def test_excerpt_drops_markup_and_scripts():
    source = "# Title\n\n<script>alert(1)</script>\n\nSome *text* with `code`."
    assert plain_text(source) == "Title Some text with code."


def test_excerpt_of_nothing_is_empty():
    assert plain_text(None) == ""
    assert plain_text("") == ""


def test_excerpt_cut_at_the_word_limit_ends_with_an_ellipsis():
    words = [f"w{number}" for number in range(1, 42)]
    assert plain_text(" ".join(words)) == " ".join(words[:40]) + " …"


def test_excerpt_at_exactly_the_limit_has_no_ellipsis():
    words = [f"w{number}" for number in range(1, 41)]
    assert plain_text(" ".join(words)) == " ".join(words)


def test_excerpt_word_count_can_be_chosen():
    assert plain_text("one two three", words=2) == "one two …"
