"""Reader mode on small pages written here, asserting what the reader would see."""

import time
from datetime import UTC, datetime
from html import escape

from hypothesis import given
from hypothesis import strategies as st

from tui_reader.extract import body_text, extract_article, reader_text

PROSE = (
    "The Syrian Observatory for Human Rights reported today that buses carrying tens of fighters entered "
    "al-Bokamal in the eastern Syrian province of Deir ez-Zor, citing unnamed sources, and that the move "
    "followed an attack on Saturday by an unknown aircraft on Iranian forces in the area."
)
CAPTION = (
    "The house of local farmer Hamad al-Ibrahim is seen destroyed in the eastern Syrian village of Baghouz, "
    "on the Iraq-Syria border, on March 13, 2020, a year after the fall of the Islamic State's caliphate."
)
CREDIT = "DELIL SOULEIMAN/AFP via Getty Images"


def paragraphs(n: int = 6, start: int = 0) -> str:
    return "".join(f"<p>{PROSE} Paragraph {i}.</p>" for i in range(start, start + n))


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>Report | Example News</title>{head}</head><body>{body}</body></html>"


def test_seed_shaped_story_reads_clean():
    """The Al-Monitor story that motivated reader mode: skip link, truncated alt before the full caption,
    subscription wall, "Related Topics" and sign-up legal text around two paragraphs."""
    alt = (
        "The house of local farmer Hamad al-Ibrahim is seen destroyed in the eastern Syrian village of Baghouz on "
        "March 13, 2020, a year after the fall of the Islamic State's (IS) caliphate. - A year after the last "
        "black flag of the Islamic State group was lowered in the Syrian village of Baghouz, traces of the "
        "jihadist group are still all around this small and remote village near the Iraqi border, where a "
        "blistering m"
    )
    html = page(f"""
      <a class="visually-hidden focusable" href="#main-content">Skip to main content</a>
      <nav><a href="/">Home</a> <a href="/news">News</a></nav>
      <main id="main-content"><article>
        <h1>Report: Iran-backed militia members enter Syria via Iraq</h1>
        <p class="dek">The news from a Syrian pro-opposition group contradicts statements by some Israelis.</p>
        <div class="field-image"><img src="/house.jpg" alt="{alt}">
          <div class="image-caption">{CAPTION} <span class="photo-credit">{CREDIT}</span></div></div>
        <div class="article-body">{paragraphs(5)}</div>
        <div class="topics"><h3>Related Topics</h3><ul><li><a href="/t/syria">Syria</a></li>
          <li><a href="/t/iran">Iran</a></li></ul></div>
        <div class="wall"><h2>Subscribe for unlimited access</h2>
          <p>All news, events, memos, reports, and analysis, and access all 10 of our newsletters. Learn more</p>
          <p>$14 monthly or $100 annually ($8.33/month)</p><p>OR</p>
          <h2>Continue reading this article for free</h2>
          <p>All news, events, memos, reports, and analysis, and access all 10 of our newsletters. Learn more.</p>
          <p>By signing up, you agree to Al-Monitor's Terms and Conditions and Privacy Policy.
             Already have an account? <a href="/login">Log in</a></p></div>
      </article></main>""")
    art = extract_article(html, "https://www.al-monitor.com/originals/2020/05/syria-iran.html")
    assert art.markdown.count(f"▣ {CAPTION} — {CREDIT}") == 1
    assert "blistering m" not in art.markdown
    for furniture in (
        "Skip to main content",
        "Related Topics",
        "Subscribe",
        "newsletters",
        "$14",
        "signing up",
        "Log in",
        "Continue reading",
    ):
        assert furniture not in art.markdown, furniture
    assert "\nOR\n" not in f"\n{art.markdown}\n"
    assert all(f"Paragraph {i}." in art.text for i in range(5))
    assert "Baghouz" not in art.text


def test_figure_caption_and_credit_in_place_and_not_in_body_text():
    html = page(
        f"<article><h1>Report</h1>{paragraphs(2)}<figure><img src='/a.jpg' alt='A house'>"
        f"<figcaption>{CAPTION}<span class='credit'>{CREDIT}</span></figcaption></figure>"
        f"{paragraphs(3, start=2)}</article>"
    )
    art = extract_article(html, "https://example.com/story")
    block = f"▣ {CAPTION} — {CREDIT}"
    before, after = art.markdown.split(block)
    assert "Paragraph 1." in before and "Paragraph 2." in after
    assert "Baghouz" not in art.text and "Paragraph 4." in art.text
    assert art.captions[0].image == "https://example.com/a.jpg"


def test_alt_text_stands_in_for_a_missing_caption():
    html = page(
        f"<article>{paragraphs(2)}<p><img src='x.jpg' alt='Protesters march in Hong Kong'></p>"
        f"<p><img src='logo.png' alt='Example News logo'></p>{paragraphs(2, start=2)}</article>"
    )
    md = reader_text(html, None)
    assert "▣ Protesters march in Hong Kong" in md
    assert "logo" not in md


def test_repeated_and_truncated_captions_appear_once():
    truncated = CAPTION[:90] + "... more"
    html = page(
        f"<article>{paragraphs(2)}<figure><img src='a.jpg' alt='{CAPTION}' title='{CAPTION}'>"
        f"<figcaption><span class='caption-truncated'>{truncated}</span>"
        f"<span class='caption-full'>{CAPTION}</span></figcaption></figure>{paragraphs(2, start=2)}"
        f"<div class='gallery'><figure><img src='a.jpg'><figcaption>{truncated}</figcaption></figure>"
        f"<p>{CAPTION}</p></div>{paragraphs(2, start=4)}</article>"
    )
    md = reader_text(html, None)
    assert md.count("village of Baghouz") == 1
    assert f"▣ {CAPTION}" in md


def test_caption_outside_readabilitys_node_is_recovered_in_place():
    html = page(f"""<div class="site"><article class="story"><header><h1>Report</h1>
        <figure class="lead"><img src="lead.jpg"><figcaption>{CAPTION}
        <span class="credit">{CREDIT}</span></figcaption></figure></header>
        <div class="story-body">{paragraphs(6)}</div></article>
        <aside class="rail"><figure><img src="ad.jpg"><figcaption>Best mattress deals of the year, ranked by
        our experts</figcaption></figure></aside></div>""")
    md = reader_text(html, None)
    assert md.index(f"▣ {CAPTION} — {CREDIT}") < md.index("Paragraph 0.")
    assert "mattress" not in md


def test_paywall_newsletter_share_and_related_furniture_removed():
    html = page(f"""<article><div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Tweet</a></div>
        {paragraphs(3)}<p>Advertisement</p>{paragraphs(3, start=3)}
        <div class="newsletter-signup"><p>Get the morning briefing delivered to your inbox.</p></div>
        <p>Sign up for our free newsletter to get the latest news.</p>
        <div class="paywall"><p>You have read 3 free articles this month.</p><p>Subscribe now for $1 a week.</p></div>
        <h2>Related</h2><ul><li><a href="/a">Another story about Syria and its neighbours</a></li></ul>
        <p>We use cookies to improve your experience. By continuing you accept our cookies.</p>
        <div class="author-bio">Jane Doe covers the Middle East for Example News.</div>
        <div class="comments-count">12 Comments</div><p>Updated 1:39 am EST, Wednesday, November 20, 2019</p>
        <p>© Reuters</p><p>Posted guards at 2 gates, the army said.</p></article>""")
    art = extract_article(html, None)
    for furniture in (
        "Share on Facebook",
        "Tweet",
        "Advertisement",
        "inbox",
        "Sign up",
        "free articles",
        "Subscribe",
        "Related",
        "Another story",
        "cookies",
        "Jane Doe",
        "Comments",
        "1:39",
        "©",
    ):
        assert furniture not in art.markdown, furniture
    assert all(f"Paragraph {i}." in art.text for i in range(6))
    assert "Posted guards at 2 gates" in art.text


def test_markdown_keeps_headings_lists_quotes_and_links():
    html = page(f"""<article>{paragraphs(3)}<h2>What happened</h2><ul><li>The ministry confirmed the first strike.</li>
        <li>Two more convoys crossed the border at night.</li></ul>
        <blockquote><p>We will respond, the minister said.</p></blockquote>
        <p>Read the <a href="/report.pdf">full report</a> here.</p>{paragraphs(2, start=3)}</article>""")
    md = reader_text(html, "https://example.com/news/story")
    assert "## What happened" in md
    assert "- The ministry confirmed the first strike.\n- Two more convoys crossed the border at night." in md
    assert "> We will respond, the minister said." in md
    assert "Read the [full report](https://example.com/report.pdf) here." in md
    assert "Read the full report here." in body_text(html, "https://example.com/news/story")


def test_json_ld_metadata_wins_over_guessing():
    ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"},'
        '{"@type": "NewsArticle", "headline": "Militia members enter Syria", "author": [{"@type": "Person",'
        '"name": "Al-Monitor Staff"}], "datePublished": "2020-05-04T10:30:00+00:00"}]}</script>'
        '<meta property="og:title" content="Guessed title">'
    )
    art = extract_article(page(f"<article><h1>Other</h1>{paragraphs(4)}</article>", ld), "https://www.al-monitor.com/x")
    assert art.title == "Militia members enter Syria"
    assert art.byline == "Al-Monitor Staff"
    assert art.published == datetime(2020, 5, 4, 10, 30, tzinfo=UTC)
    assert art.site_name == "al-monitor.com"


def test_opengraph_metadata_without_json_ld():
    head = (
        '<meta property="og:title" content="Talks resume in Vienna"><meta property="og:site_name" '
        'content="Example News"><meta name="author" content="Jane Doe"><meta property="og:image" '
        'content="/lead.jpg"><meta property="article:published_time" content="2024-03-01T08:00:00-05:00">'
    )
    art = extract_article(page(f"<article>{paragraphs(4)}</article>", head), "https://example.com/a/b")
    assert (art.title, art.site_name, art.byline) == ("Talks resume in Vienna", "Example News", "Jane Doe")
    assert art.published == datetime(2024, 3, 1, 13, 0, tzinfo=UTC)
    assert art.lead_image == "https://example.com/lead.jpg"


def test_charset_from_header_meta_and_fallback_never_crash():
    body = f"<article><p>Le café du marché a rouvert à Besançon. {PROSE}</p>{paragraphs(3)}</article>"
    cp1252 = page(body).encode("cp1252")
    # The header lies (UTF-8): the bytes do not decode as UTF-8, so the Windows-1252 fallback reads them.
    assert "café du marché" in extract_article(cp1252, content_type="text/html; charset=utf-8").text
    assert "café du marché" in extract_article(cp1252, content_type="text/html; charset=x-unknown").text
    latin = page(body, '<meta charset="iso-8859-1">').encode("latin-1")
    assert "Besançon" in extract_article(latin).text
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    cyrillic = page(f"<article><p>Москва заявила о переговорах. {PROSE}</p>{paragraphs(3)}</article>", head)
    assert "Москва" in extract_article(cyrillic.encode("cp1251")).text
    assert "Москва" in extract_article(cyrillic.encode("utf-8"), content_type="text/html; charset=UTF-8").text


def test_empty_and_garbage_input_never_raise():
    for junk in (
        "",
        b"",
        "   ",
        b"\x00\xff\xfe garbage \x81",
        "<<<>>>",
        "<html>",
        "\x00" * 10,
        '<?xml version="1.0" encoding="utf-8"?><p>x</p>',
        "<div>" * 3000,
        "<p>a\x01b</p><p>c</p>",
        "<html><head><title>Cut off</title><meta charset='utf-8'>",
    ):
        art = extract_article(junk, "http://[bad", content_type="text/html; charset=bogus")
        assert art.confidence <= 0.1
    control = page(f"<article>{paragraphs(3)}<p>Bell\x07 and NUL\x00 inside.</p>{paragraphs(3, start=3)}</article>")
    assert "Paragraph 5." in body_text(control, "http://[bad")
    assert body_text("", None) == ""


def test_markup_nested_thousands_deep_is_read():
    deep = "<div>" * 2000 + paragraphs(6) + "<div class='share'>Share this</div>" + "</div>" * 2000
    art = extract_article(page(f"<article>{deep}</article>"))
    assert "Paragraph 5." in art.text and "Share" not in art.text


def test_too_little_text_falls_back_to_the_feed_copy():
    links = "".join(f"<li><a href='/s/{i}'>Another headline number {i} about the talks</a></li>" for i in range(80))
    html = page(f"<div id='app'><p>Please enable JavaScript to read this story.</p><ul>{links}</ul></div>")
    feed = f"<p>{PROSE}</p><p>{PROSE} Feed copy.</p>"
    art = extract_article(html, "https://example.com/x", fallback_html=feed)
    assert "Feed copy." in art.text
    assert art.confidence < 0.5 and art.notice and "\n" not in art.notice
    assert extract_article(html, "https://example.com/x").confidence < 0.5


def test_five_megabyte_page_finishes():
    html = page("<nav>" + "<a href='/'>Home</a>" * 500 + "</nav><article>" + paragraphs(19000) + "</article>")
    assert len(html) > 5_000_000
    started = time.perf_counter()
    art = extract_article(html, "https://example.com/huge")
    assert time.perf_counter() - started < 30
    assert art.word_count > 500_000


def test_embedded_post_dropped_by_readability_is_put_back_in_place():
    tweet = (
        '<div class="social-media-embed"><blockquote class="twitter-tweet"><p>Yes this is real and the state '
        'spent half a million dollars on it <a href="https://t.co/x">https://t.co/x</a></p>— Jane Roe '
        '(@janeroe) <a href="https://twitter.com/janeroe/status/1">November 18, 2019</a></blockquote></div>'
    )
    html = page(f"<article><div class='entry-content'>{paragraphs(3)}{tweet}{paragraphs(3, start=3)}</div></article>")
    text = body_text(html, None)
    assert text.count("half a million dollars") == 1
    assert text.index("Paragraph 2.") < text.index("half a million") < text.index("Paragraph 3.")


def test_one_link_headline_paragraphs_are_not_body():
    html = page(
        f"<article>{paragraphs(3)}<p><strong><a href='/other'>SEAN SPICER ELIMINATED FROM THE SHOW</a>"
        f"</strong></p>{paragraphs(3, start=3)}</article>"
    )
    assert "SPICER" not in body_text(html, None)


def test_utf8_page_behind_a_default_latin1_header_stays_utf8():
    html = page(f"<article><p>Zürich und São Paulo melden Einigung. {PROSE}</p>{paragraphs(3)}</article>")
    text = extract_article(html.encode("utf-8"), content_type="text/html; charset=ISO-8859-1").text
    assert "Zürich und São Paulo" in text


def test_head_shots_and_short_alts_are_not_captions():
    html = page(f"""<article><div class="author"><img src="bouie.jpg" width="60" height="60"
        alt="Jamelle Bouie, opinion columnist"></div><div class="body">{paragraphs(2)}
        <p><img src="tweet.png" alt="@AOC"></p>{paragraphs(3, start=2)}</div></article>""")
    md = reader_text(html, None)
    assert "▣" not in md


def test_page_text_never_turns_into_markdown_syntax():
    html = page(
        f"<article>{paragraphs(3)}<p>1. Ni** My** said *nothing* about [redacted]</p>{paragraphs(3, start=3)}</article>"
    )
    md = reader_text(html, None)
    assert r"1\. Ni\*\* My\*\* said \*nothing\* about \[redacted\]" in md
    assert "1. Ni** My** said *nothing* about [redacted]" in body_text(html, None)


def test_gallery_caption_with_toggles_and_template_white_space_reads_once_with_credit():
    pad = " " * 400
    item = (
        f"<li class='galleryitem'><div class='img-wrap'><img src='/g1.jpg' alt='{CAPTION}'></div>"
        f"<div class='caption'>{pad}<div class='caption-full'>{CAPTION}<a class='less-caption'>less</a></div>"
        f"{pad}<div class='caption-truncated'>{CAPTION[:80]}<a class='more-caption'> ... more</a></div>{pad}"
        f"<span class='credit'>{pad}Photo: Jane Roe, AP{pad}</span></div></li>"
    )
    html = page(f"<article><div class='body'><ul class='gallery'>{item}</ul>{paragraphs(5)}</div></article>")
    art = extract_article(html, "https://example.com/s")
    assert [c.block() for c in art.captions] == [f"▣ {CAPTION} — Photo: Jane Roe, AP"]
    assert art.markdown.count("Baghouz") == 1 and "more" not in art.markdown.split("\n")[0]
    assert art.lead_image == "https://example.com/g1.jpg"


def test_table_rows_read_as_lines():
    rows = "".join(
        f"<tr><td>DL</td><td>Player {i} who played every snap of the game on Sunday</td></tr>" for i in range(3)
    )
    md = reader_text(
        page(
            f"<article>{paragraphs(3)}<table><tr><th>Pos</th><th>Player</th></tr>{rows}</table>"
            f"{paragraphs(2, start=3)}</article>"
        ),
        None,
    )
    assert "Pos | Player\nDL | Player 0 who played every snap of the game on Sunday\nDL | Player 1" in md


def test_hover_card_goes_but_its_short_sentence_stays():
    card = (
        "<span class='rollover-people'><a href='/people/aoc'>Alexandria Ocasio-Cortez</a><span "
        "class='rollover-block'>" + "Latest stories about the congresswoman and her colleagues. " * 8 + "</span></span>"
    )
    html = page(
        f"<article>{paragraphs(8)}<p><span>Rep. {card} (D-N.Y.) linked the arrest to the remarks.</span></p></article>"
    )
    text = body_text(html, None)
    assert "(D-N.Y.) linked the arrest to the remarks." in text and "Latest stories" not in text


def test_a_feed_summary_shorter_than_the_page_text_is_not_preferred():
    links = "".join(f"<li><a href='/s/{i}'>Another headline number {i} about the talks</a></li>" for i in range(80))
    html = page(f"<nav><ul>{links}</ul></nav><article><p>{PROSE}</p></article>")
    art = extract_article(html, None, fallback_html="<p>Talks resumed.</p>")
    assert "al-Bokamal" in art.text and "Talks resumed." not in art.text
    assert art.confidence < 0.5 and art.notice


def test_lead_figure_between_headline_and_body_is_recovered():
    html = page(
        f"""<div class="top"><figure><img src="promo.jpg"><figcaption>Watch our live channel now,
        all day and all night</figcaption></figure></div>
        <div class="hero"><h1>Militia members enter Syria</h1><figure><img src="lead.jpg">
        <figcaption>{CAPTION}</figcaption></figure></div>
        <div class="content"><div class="text">{paragraphs(6)}</div></div>""",
        '<meta property="og:title" content="Militia members enter Syria | Example News">',
    )
    md = reader_text(html, None)
    assert md.index(f"▣ {CAPTION}") < md.index("Paragraph 0.")
    assert "live channel" not in md


def test_metadata_guesses_are_cleaned():
    head = (
        '<meta property="og:title" content="&amp;#8216;Meth. We&amp;#8217;re on it&amp;#8217;">'
        '<meta property="og:site_name" content="https://www.example.com/">'
        '<meta property="article:published_time" content="0001-01-01T00:00:00Z">'
    )
    body = (
        f"<article><div class='byline'>By Bryan DeArdo @BryanDeArdo Nov 18, 2019 at 9:24 pm</div>"
        f"{paragraphs(4)}</article>"
    )
    art = extract_article(page(body, head), "https://www.example.com/a")
    assert (art.title, art.byline, art.site_name) == ("‘Meth. We’re on it’", "Bryan DeArdo", "example.com")
    assert art.published is None


def test_teaser_figures_in_a_related_rail_inside_the_article_stay_out():
    rail = (
        "<aside class='related-stories'><figure><img src='t.jpg'><figcaption>Another story about the "
        "war in the north, with pictures</figcaption></figure></aside>"
    )
    html = page(f"<article><h1>Report</h1><div class='body'>{paragraphs(6)}</div>{rail}</article>")
    assert "Another story" not in reader_text(html, None)


def test_pull_quote_repeating_the_body_is_not_put_back():
    pull = (
        "<aside class='pullquote-wrap'><blockquote>“Buses carrying tens of fighters entered al-Bokamal in the "
        "eastern Syrian province”</blockquote></aside>"
    )
    html = page(f"<article><div class='entry-content'>{paragraphs(3)}{pull}{paragraphs(3, start=3)}</div></article>")
    assert body_text(html, None).count("tens of fighters") == 6


# -- fuzzing (issue 7): extraction never raises on any markup, charset or encoding ------------------

_FRAGMENTS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<figure><img alt='x' src='a.jpg'><figcaption>",
        "</figcaption></figure>",
        "<div class='credit'>",
        "</div>",
        "<script>",
        "</script>",
        "<article>",
        "</article>",
        "<!--",
        "-->",
        "<![CDATA[",
        "&#0;",
        "&#x1b;",
        "\x1b]0;t\x07",
        "\u202e",
        "<meta charset='klingon'>",
        "<h1>",
        "</h1>",
        "Subscribe for unlimited access",
        "A sentence about the border crossing and the drone. ",
    ]
)


@given(
    st.lists(st.one_of(_FRAGMENTS, st.text(max_size=40)), max_size=60),
    st.sampled_from([None, "text/html; charset=utf-8", "text/html; charset=bogus"]),
    st.booleans(),
)
def test_extract_article_survives_arbitrary_markup(parts, content_type, as_bytes):
    page = "".join(parts)
    data = page.encode("utf-8", "surrogatepass") if as_bytes else page
    article = extract_article(data, "https://news.example/a", content_type=content_type)
    assert isinstance(article.markdown, str) and isinstance(article.text, str)
    assert 0.0 <= article.confidence <= 1.0
    assert article.word_count >= 0


# --------------------------------------------------------------------------- captions wherever articles put them
PHOTOS = [f"Rescue workers carry survivor number {i} out of the collapsed school in the old town" for i in range(15)]


def captions_shown(md: str) -> list[str]:
    return [line for line in md.splitlines() if line.startswith("▣ ")]


def test_a_fifteen_photo_carousel_keeps_all_fifteen_captions_and_credits_in_order():
    slides = "".join(
        f"<div class='slide'><img data-src='/g{i}.jpg' src='data:,'><div class='slide-text'>"
        f"<p>{cap}</p><p class='photographer'>Jane Roe {i}/Reuters</p></div></div>"
        for i, cap in enumerate(PHOTOS)
    )
    html = page(
        f"<article><h1>Report</h1>{paragraphs(2)}<div class='carousel'>{slides}</div>{paragraphs(3, start=2)}</article>"
    )
    md = reader_text(html, "https://example.com/s")
    assert captions_shown(md) == [f"▣ {cap} — Jane Roe {i}/Reuters" for i, cap in enumerate(PHOTOS)]
    assert md.index("Paragraph 1.") < md.index(PHOTOS[0]) < md.index(PHOTOS[14]) < md.index("Paragraph 2.")


def test_nested_figure_gallery_and_list_gallery_keep_every_caption():
    """A gallery ``<figure>`` of figures is no one figure: each photo keeps its caption, the gallery its own."""
    nested = (
        "<figure class='wp-block-gallery'>"
        + "".join(
            f"<figure class='wp-block-image'><img src='/g{i}.jpg'><figcaption>{cap}</figcaption></figure>"
            for i, cap in enumerate(PHOTOS[:5])
        )
        + "<figcaption>The school after the earthquake</figcaption></figure>"
    )
    listed = (
        "<ul class='gallery'>"
        + "".join(
            f"<li><img src='/l{i}.jpg'><p>{cap}</p><span>Foto: Ole Nielsen</span></li>"
            for i, cap in enumerate(PHOTOS[5:10])
        )
        + "</ul>"
    )
    md = reader_text(
        page(f"<article>{paragraphs(2)}{nested}{paragraphs(2, start=2)}{listed}{paragraphs(2, start=4)}</article>"),
        None,
    )
    assert captions_shown(md) == (
        [f"▣ {cap}" for cap in PHOTOS[:5]]
        + ["▣ The school after the earthquake"]
        + [f"▣ {cap} — Foto: Ole Nielsen" for cap in PHOTOS[5:10]]
    )


def test_caption_kept_in_a_data_caption_attribute():
    """Lightboxes keep the caption in ``data-caption``; the page's attribute is no placeholder of ours."""
    lightbox = f"<div class='lightbox' data-caption='{escape(CAPTION)}'><img src='/a.jpg'></div>"
    html = page(f"<article>{paragraphs(2)}{lightbox}{paragraphs(3, start=2)}</article>")
    assert captions_shown(reader_text(html, None)) == [f"▣ {CAPTION}"]


def test_credit_in_its_own_element_by_class_or_itemprop():
    """``caption_author`` or ``copyrightHolder``: the caption text is not the longest of two caption spans."""
    figures = (
        f"<figure><img src='/a.jpg'><figcaption class='caption'><span class='caption_text'>{CAPTION}</span>"
        f"<span class='caption_author'>Emergencias Andalucía/EFE</span></figcaption></figure>"
        f"{paragraphs(2, start=2)}<figure><img src='/b.jpg'><figcaption>{PHOTOS[0]}"
        f"<span itemprop='copyrightHolder'>Foto Ole Nielsen</span></figcaption></figure>"
    )
    html = page(f"<article>{paragraphs(2)}{figures}{paragraphs(2, start=4)}</article>")
    assert captions_shown(reader_text(html, None)) == [
        f"▣ {CAPTION} — Emergencias Andalucía/EFE",
        f"▣ {PHOTOS[0]} — Foto Ole Nielsen",
    ]


def test_image_block_captions_and_labelled_credits_in_any_language():
    """No caption class at all: the image's own wrapper holds the caption and a "Label: name" credit, whatever
    the language of the label."""
    captions = {
        "Feuerwehrleute löschen den Brand in der Lagerhalle am Hafen.": "Foto: Jan Görner/dpa",
        "Спасатели разбирают завалы жилого дома в центре города.": "Фото: Иван Петров/ТАСС",
        "避難所で支援物資を受け取る住民たち。": "写真：共同通信",
        "متظاهرون في ساحة التحرير وسط القاهرة يوم الجمعة.": "تصوير: رويترز",
        "Le cortège des manifestants place de la République à Paris.": "Photo : AFP",
    }
    blocks = "".join(
        f"<div class='media'><a href='/big{i}.jpg'><picture><img src='/p{i}.jpg'></picture></a>"
        f"<div class='info'><p>{cap}</p><p>{credit}</p></div></div>{paragraphs(1, start=i)}"
        for i, (cap, credit) in enumerate(captions.items())
    )
    html = page(f"<article><h1>Report</h1>{paragraphs(2, start=10)}{blocks}{paragraphs(2, start=20)}</article>")
    art = extract_article(html, None)
    assert [(c.text, c.credit) for c in art.captions] == list(captions.items())
    assert "Görner" not in art.text and "Paragraph 4." in art.text


def test_a_colon_inside_the_caption_is_no_credit():
    html = page(
        f"<article>{paragraphs(2)}<figure><img src='/a.jpg'><figcaption>FORTVILET: Her tror Lene Retzius at "
        f"finaleplassen glipper</figcaption></figure><figure><img src='/b.jpg'><figcaption>Einer der "
        f"emotionalen Leader im deutschen Team: Moritz Wagner.</figcaption></figure>"
        f"{paragraphs(3, start=2)}</article>"
    )
    assert [c.credit for c in extract_article(html, None).captions] == ["", ""]


def test_lead_figure_beside_the_body_with_a_bar_credit_and_an_ad_slot_class():
    """The lead picture sits before the article container in a wrapper named for the ad that follows it."""
    html = page(f"""<main><div class="post-head"><div class="post-img ads-top-after"><figure><picture>
        <img src="/lead.jpg"></picture></figure><p class="img-description">{CAPTION} | <strong>{CREDIT}</strong></p>
        </div></div><div class="post-body">{paragraphs(6)}</div>
        <div class="related"><div class="teaser"><img src="/t.jpg"><p class="img-description">Best mattress deals
        of the year, ranked by our experts</p><a href="/deals">Read</a></div></div></main>""")
    md = reader_text(html, None)
    assert captions_shown(md) == [f"▣ {CAPTION} — {CREDIT}"]
    assert md.index(CAPTION) < md.index("Paragraph 0.")


def test_figure_inside_a_lightbox_button_is_shown():
    figure = (
        f"<button aria-label='Open image viewer'><div class='embed'><figure><img src='/a.jpg'>"
        f"<span>View 6 Images</span></figure><figcaption class='caption'><p class='caption-title'>{CAPTION}"
        f"<cite class='caption-credit'>(Image: {CREDIT})</cite></p></figcaption></div></button>"
    )
    md = reader_text(page(f"<article>{paragraphs(2)}{figure}{paragraphs(3, start=2)}</article>"), None)
    assert captions_shown(md) == [f"▣ {CAPTION} — (Image: {CREDIT})"]
    assert md.index("Paragraph 1.") < md.index(CAPTION) < md.index("Paragraph 2.") and "View 6" not in md


def test_teaser_cards_and_inline_images_are_not_captions():
    """A linked headline beside a thumbnail is another story, as are links in a figure without a picture; a
    label over a video poster or words beside an icon are no caption; a paragraph with an image in it is body
    text."""
    teasers = (
        "<div class='card'><a href='/other'><img src='/t1.jpg'><span>Minister resigns after the vote on the "
        "budget</span></a></div><div class='card'><img src='/t2.jpg'><h3>Floods reach the capital</h3>"
        "<p>Thousands leave their homes.</p></div><figure class='box'><div class='box-title'>Mehr zum Thema"
        "</div><ul><li><a href='/a'>Regierung stürzt nach dem Misstrauensvotum</a></li><li><a href='/b'>"
        "Wahlen im Herbst</a></li></ul></figure>"
    )
    teasers += (
        "<article class='card'><div class='pic'><img src='/t3.jpg'><div>imago images/Jane Roe</div></div>"
        "<h3><a href='/third'>Drogen in Supermärkten entdeckt</a></h3></article>"
        "<div class='player'><img src='/poster.jpg'><span>Video</span></div>"
        "<div class='share'><img src='/fb.png' width='24' height='24'><span>Share with your friends</span>"
        "</div>"
    )
    inline = f"<p><img src='/i.jpg'> {PROSE} Inline.</p>"
    art = extract_article(page(f"<article>{paragraphs(3)}{inline}{teasers}{paragraphs(3, start=3)}</article>"), None)
    assert captions_shown(art.markdown) == []
    assert "Inline." in art.text


def test_byline_and_date_stamp_lines_in_any_language_are_shown_apart_not_as_body():
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Hitzefolgen im Land", '
        '"author": {"@type": "Person", "name": "Engin Haupt"}, "datePublished": "2026-07-08T05:00:00+02:00"}'
        "</script>"
    )
    html = page(
        f"<article><h1>Hitzefolgen im Land</h1><p>Stand: 08.07.2026 05:00 Uhr</p><p>von Engin Haupt, MDR "
        f"SACHSEN-ANHALT</p>{paragraphs(4)}<p>Engin Haupt sprach mit Feuerwehrleuten, Pflegekräften und "
        f"Ärzten in drei Städten über die Folgen der Hitzewelle.</p><p>Sendung: MDR, 08.07.2026, 19:30 Uhr"
        f"</p></article>",
        head=ld,
    )
    art = extract_article(html, None)
    assert art.byline == "Engin Haupt" and art.published.year == 2026
    assert "Stand" not in art.text and "von Engin Haupt" not in art.text and "Sendung" not in art.text
    assert "Engin Haupt sprach" in art.text and "Paragraph 3." in art.text


def test_article_split_over_look_alike_modules_reads_whole():
    """Every few paragraphs in a module of their own, teasers between: readability takes the biggest module;
    the earlier ones (with their pictures) come back, the teaser module and the "About us" module after do not."""
    module = "<div class='con'><div class='modCon'><div class='mod'><div class='box'>{}</div></div></div></div>"
    lead = (
        f"{paragraphs(2)}<div class='media'><a href='/gallery.html'><img src='/lead.jpg'></a><div class='info'>"
        f"<span>{CAPTION}</span><span class='rights'>Bildrechte: MDR/Jane Roe</span></div></div>"
    )
    teaser = (
        "<div class='con teaser'><ul>"
        + "".join(f"<li><a href='/s{i}'>Another story number {i} about the region</a></li>" for i in range(5))
        + "</ul></div>"
    )
    about = "<p>Example News is a public broadcaster serving three states with radio, television and online.</p>"
    html = page(
        f"<div class='section'><h1>Report</h1>{module.format(lead)}{teaser}"
        f"{module.format(paragraphs(6, start=2))}{module.format(about)}</div>"
    )
    art = extract_article(html, None)
    assert all(f"Paragraph {i}." in art.text for i in range(8))
    assert art.text.index("Paragraph 1.") < art.text.index("Paragraph 2.")
    assert captions_shown(art.markdown) == [f"▣ {CAPTION} — Bildrechte: MDR/Jane Roe"]
    assert "Another story" not in art.markdown and "public broadcaster" not in art.markdown


def test_a_copyright_credit_alone_is_kept_beside_its_picture():
    html = page(
        f"<article>{paragraphs(2)}<figure><img src='/a.jpg'><figcaption><span class='credit'>© Reuters/Jane "
        f"Roe</span></figcaption></figure>{paragraphs(3, start=2)}<footer><p>© 2024 Example News</p></footer>"
        f"</article>"
    )
    md = reader_text(html, None)
    assert captions_shown(md) == ["▣ © Reuters/Jane Roe"]
    assert "Example News" not in md


def test_credit_kept_in_an_attribute_when_none_is_shown():
    html = page(
        f"<article>{paragraphs(2)}<figure><img src='/a.jpg' data-credit='Mark Stout/iStock/Getty Images'>"
        f"<figcaption>{CAPTION}</figcaption></figure><figure><video data-source='jwplatform'></video>"
        f"<figcaption>{PHOTOS[0]}</figcaption></figure>{paragraphs(3, start=2)}</article>"
    )
    assert captions_shown(reader_text(html, None)) == [
        f"▣ {CAPTION} — Mark Stout/iStock/Getty Images",
        f"▣ {PHOTOS[0]}",
    ]


def test_caption_with_legend_items_reads_whole():
    """Inner elements classed like captions that are parts (a map's legend), not copies: the whole caption."""
    legend = "".join(f"<div class='legend'><span class='legend-color'></span>More than {n}%</div>" for n in (5, 10, 20))
    html = page(
        f"<article>{paragraphs(2)}<div class='thumb'><img src='/map.png' width='220' height='165'>"
        f"<div class='thumbcaption'>Speakers of Māori according to the 2013 census{legend}</div></div>"
        f"{paragraphs(3, start=2)}</article>"
    )
    assert captions_shown(reader_text(html, None)) == [
        "▣ Speakers of Māori according to the 2013 census More than 5% More than 10% More than 20%"
    ]


def test_gallery_captions_that_open_alike_are_each_kept():
    """Agency galleries repeat the scene's opening words photo after photo; only a near-identical copy is one."""
    opening = "Rescue workers search the rubble of the collapsed school in the old town of Antakya on Tuesday"
    ends = ["as a crane lifts a slab", "while relatives wait behind a cordon", "after a survivor was heard calling"]
    slides = "".join(
        f"<figure><img src='/g{i}.jpg'><figcaption>{opening} {end}</figcaption></figure>" for i, end in enumerate(ends)
    )
    edited = f"<figure><img src='/g9.jpg' alt='{opening} {ends[0]}, officials said'><figcaption>{opening} {ends[0]}</figcaption></figure>"
    md = reader_text(
        page(f"<article>{paragraphs(2)}<div class='gallery'>{slides}</div>{paragraphs(2, 2)}{edited}</article>"), None
    )
    assert captions_shown(md) == [f"▣ {opening} {end}" for end in ends]


def test_lazy_image_in_noscript_between_paragraphs_shows_its_alt_sentence():
    """A script swaps the placeholder for the ``<noscript>`` copy: that copy's source and alt sentence count, and a
    tracking pixel's ``<noscript>`` adds no picture."""
    pixel = "<noscript><p><img src='https://stats.example.net/hit?p=1'></p></noscript>"
    lazy = (
        f"<div class='img'><img class='lazy' src='data:image/gif;base64,R0lGOD' data-src='/x.jpg'>"
        f"<noscript><img src='/real.jpg' alt='{PHOTOS[0]}'></noscript></div>"
    )
    art = extract_article(page(f"{pixel}<article>{paragraphs(2)}{lazy}{paragraphs(3, 2)}</article>"), "https://e.com/")
    assert [(c.text, c.image) for c in art.captions] == [(PHOTOS[0], "https://e.com/real.jpg")]
    assert art.markdown.index("Paragraph 1.") < art.markdown.index(PHOTOS[0]) < art.markdown.index("Paragraph 2.")


def test_gallery_captions_in_lightbox_attributes_and_not_in_teaser_links():
    """lightbox2 keeps the caption in ``data-title``, lightGallery in ``data-sub-html``, plain lightboxes in the
    ``title`` of the link to the big picture; a link to another story with a title is a teaser."""
    lightbox2 = "".join(
        f"<a href='/big{i}.jpg' data-title='{cap}'><img src='/t{i}.jpg'></a>" for i, cap in enumerate(PHOTOS[:3])
    )
    light_gallery = "".join(
        f"<div class='item' data-sub-html='<h4>{cap}</h4><p>Foto: Ole Nielsen</p>'><img src='/s{i}.jpg'></div>"
        for i, cap in enumerate(PHOTOS[3:5])
    )
    titled = f"<p><a href='/big.jpg?w=2000' title='{PHOTOS[5]}'><img src='/small.jpg'></a></p>"
    teaser = (
        "<a href='/news/other-story' data-title='Minister resigns after the vote on the budget'><img src='/o.jpg'></a>"
    )
    body = f"<article>{paragraphs(2)}<div class='gallery'>{lightbox2}</div>{paragraphs(1, 2)}{light_gallery}{paragraphs(1, 3)}{titled}{teaser}{paragraphs(2, 4)}</article>"
    shown = captions_shown(reader_text(page(body), None))
    assert shown == [f"▣ {cap}" for cap in PHOTOS[:3]] + [f"▣ {cap} — Foto: Ole Nielsen" for cap in PHOTOS[3:5]] + [
        f"▣ {PHOTOS[5]}"
    ]


def test_picture_paragraph_credit_beside_the_figure_and_a_copyright_mark():
    """``<p><img><br><em>caption</em></p>`` is a picture with its caption, a ``<span class="credit">`` beside the
    ``<figure>`` is its credit (a byline box beside one is not), and "©" sets a credit apart without a full stop."""
    para = f"<p><img src='/p.jpg'><br><em>{PHOTOS[0]}</em></p>"
    beside = f"<div class='media'><figure><img src='/b.jpg'><figcaption>{PHOTOS[1]}</figcaption></figure><span class='credit'>Jane Roe/AP</span></div>"
    marks = f"<figure><img src='/c.jpg'><figcaption>{PHOTOS[2]} © Reuters</figcaption></figure>"
    byline = "<div class='head'><figure><img src='/face.jpg'></figure><div class='author'>Carlota Guindal</div></div>"
    inline = f"<p><img src='/i.jpg'> {PROSE} Inline.</p>"
    md = reader_text(
        page(
            f"<article>{paragraphs(2)}{para}{paragraphs(1, 2)}{beside}{inline}{marks}{paragraphs(2, 3)}{byline}</article>"
        ),
        None,
    )
    assert captions_shown(md) == [
        f"▣ {PHOTOS[0]}",
        f"▣ {PHOTOS[1]} — Jane Roe/AP",
        f"▣ {PHOTOS[2]} — © Reuters",
    ]
    assert "Inline." in md and md.count("Jane Roe/AP") == 1


def test_teasers_between_paragraphs_keep_their_alt_texts_out():
    """An alt sentence stands in for a caption between the body's paragraphs, but not a promo's: a picture linking
    to another story, or one whose box is a linked headline or a list of links."""
    linked = "<div class='x'><a href='/news/other'><img src='/o.jpg' alt='Minister resigns after the vote on the budget'></a></div>"
    card = (
        "<div class='teaser'><div class='pic'><img src='/t.jpg' alt='Floods reach the capital after a week of rain'></div>"
        "<h3><a href='/floods'>Floods reach the capital</a></h3></div>"
    )
    listed = "<ul class='more'><li><img src='/l.jpg' alt='Ten things to do in the old town this weekend'><a href='/ten'>Ten things to do this weekend</a></li></ul>"
    own = f"<div class='img'><img src='/own.jpg' alt='{PHOTOS[0]}'></div>"
    art = extract_article(
        page(f"<article>{paragraphs(2)}{linked}{card}{listed}{own}{paragraphs(3, 2)}</article>"), None
    )
    assert [c.text for c in art.captions] == [PHOTOS[0]]


def test_figure_in_a_column_beside_the_body_is_kept_and_the_rail_beyond_is_not():
    """The body's column and its figure's column share a row that holds nothing else; the row's neighbour is a
    rail of other stories with captioned pictures."""
    rail = "".join(
        f"<figure><img src='/r{i}.jpg'><figcaption>Other story number {i} about the weather this week</figcaption></figure>"
        for i in range(3)
    )
    html = page(
        f"<div class='page'><div class='row'><div class='col-8'><h1>Report</h1><div class='text'>{paragraphs(6)}</div>"
        f"</div><div class='col-4'><figure><img src='/x.jpg'><figcaption>{CAPTION}</figcaption></figure></div></div>"
        f"<div class='more-stories'>{rail}<p>{PROSE}</p><p>{PROSE}</p></div></div>"
    )
    assert captions_shown(reader_text(html, None)) == [f"▣ {CAPTION}"]


def test_a_page_streamed_in_segments_reads_in_place():
    """React's streaming rendering sends the article last, hidden, for a script to swap in for its template."""
    html = page(
        "<div class='shell'><header><a href='/'>Home</a></header><template id='B:0'></template><p>Loading…</p>"
        "<footer><a href='/about'>About us</a></footer></div>"
        f"<div hidden id='S:0'><article><h1>Report</h1>{paragraphs(2)}<template id='P:1'></template></article></div>"
        f"<div hidden id='S:1'><figure><img src='/x.jpg'><figcaption>{CAPTION}</figcaption></figure>{paragraphs(3, 2)}</div>"
    )
    md = reader_text(html, None)
    assert md.index("Paragraph 1.") < md.index(f"▣ {CAPTION}") < md.index("Paragraph 2.") < md.index("Paragraph 4.")


def test_paragraphs_marked_for_a_metered_wall_are_the_story():
    """``<p class="paywall">`` holds the text a metered wall hides from non-subscribers; a short blurb with that
    class is the wall's own."""
    walled = "".join(f"<p class='paywall'>{PROSE} {PROSE} Walled {i}.</p>" for i in range(4))
    blurb = "<div class='paywall-offer'><p>Only two free stories left this month</p></div>"
    art = extract_article(page(f"<article><h1>Report</h1>{paragraphs(2)}{walled}{blurb}</article>"), None)
    assert all(f"Walled {i}." in art.text for i in range(4))
    assert "free stories" not in art.markdown


def test_furniture_phrases_in_other_languages_go_and_reporting_that_shares_a_word_stays():
    """ "Lesen Sie auch", "À lire aussi", "関連記事" mark a block as furniture in any language; "Anzeige" is both an
    advertisement label and a police report, so a sentence saying it is the story's."""
    blocks = (
        "<p>Lesen Sie auch: Regierung stürzt nach dem Misstrauensvotum</p><p>À lire aussi : la réforme des retraites</p>"
        "<p>関連記事：台風10号、九州に上陸</p><p>Die Polizei hat Anzeige gegen den Fahrer erstattet.</p>"
    )
    art = extract_article(page(f"<article>{paragraphs(3)}{blocks}{paragraphs(3, 3)}</article>"), None)
    assert "Anzeige gegen den Fahrer" in art.text
    assert not any(word in art.text for word in ("Misstrauensvotum", "retraites", "台風"))


def test_caption_classes_named_in_the_templates_language():
    """Templates name the caption in their own language (German, Italian, Spanish, Czech, Norwegian, Dutch): a
    paragraph so named under a picture is its caption, not body text."""
    names = ["bildunterschrift", "didascalia", "pie-de-foto", "popisek", "bildetekst", "bijschrift"]
    figures = "".join(
        f"<div class='pic'><img src='/p{i}.jpg'></div><p class='{name}'>{PHOTOS[i]}. Foto: Ole Nielsen</p>"
        f"{paragraphs(1, i)}"
        for i, name in enumerate(names)
    )
    art = extract_article(page(f"<article>{paragraphs(2, 10)}{figures}</article>"), None)
    assert captions_shown(art.markdown) == [f"▣ {PHOTOS[i]}. — Foto: Ole Nielsen" for i in range(len(names))]
    assert PHOTOS[0] not in art.text


def test_picture_sources_written_without_a_slash_leave_the_image_beside_its_caption():
    """HTML5 ``<source>`` is empty, but libxml2's HTML 4 parser nests what follows an unclosed one inside it: the
    ``<img>`` of a ``<picture>`` with three sources ends up three levels deeper, beyond reach of its caption. A
    carousel of such slides, its captions in classes that say nothing of captions, keeps every one."""
    slides = "".join(
        f"<div class='slide'><div class='media'><picture><source media='(min-width: 1024px)' srcset='/l{i}.webp'>"
        f"<source type='image/webp' srcset='/m{i}.webp'><source srcset='/s{i}.jpg'>"
        f"<img class='Image' alt='Image' width='599' height='401' src='/p{i}.jpg'></picture></div>"
        f"<div class='info'><span class='count'>{i + 1} of 3 | </span><span class='infoDescription'><p>{cap} "
        f"(AP Photo/Jan Novák)</p></span><button>Read More</button></div></div>"
        for i, cap in enumerate(
            [
                "Spasatelé prohledávají trosky domu v centru Brna po výbuchu plynu.",
                "Feuerwehrleute löschen den Brand in der Lagerhalle am Hafen von Kiel.",
                "Les manifestants défilent place de la République à Paris samedi soir.",
            ]
        )
    )
    html = page(
        f"<main><div class='lead'><div class='carousel'>{slides}</div></div>"
        f"<div class='body'>{paragraphs(6)}</div></main>"
    )
    art = extract_article(html, None)
    assert [c.text for c in art.captions] == [
        "Spasatelé prohledávají trosky domu v centru Brna po výbuchu plynu. (AP Photo/Jan Novák)",
        "Feuerwehrleute löschen den Brand in der Lagerhalle am Hafen von Kiel. (AP Photo/Jan Novák)",
        "Les manifestants défilent place de la République à Paris samedi soir. (AP Photo/Jan Novák)",
    ]
    assert "Read More" not in art.markdown and "Paragraph 5." in art.text


def test_blurbs_of_teaser_cards_inside_the_article_are_not_body():
    """A "more on this" row of cards (picture, linked headline, blurb) inside the article's container: the
    headlines go as links, and the blurbs, though plain paragraphs, are other stories' too."""
    blurbs = [
        "Mehr als 80 Prozent der Studierenden wünschen sich klare Leitlinien für den Einsatz im Studium.",
        "Intelligente Sprachmodelle scheinen professionelle Übersetzer überflüssig zu machen, oder doch nicht?",
    ]
    cards = "".join(
        f"<div class='teaser'><div class='pic'><picture><img src='/t{i}.jpg' width='320' height='180'></picture>"
        f"</div><div class='pad'><div class='hw'><h2><a href='/other-story-{i}.html'>Andere Geschichte {i}</a></h2>"
        f"</div><div class='tt'><p>{blurb}</p></div></div></div>"
        for i, blurb in enumerate(blurbs)
    )
    html = page(
        f"<article><h1>Report</h1><div class='text'>{paragraphs(6)}<div class='cards'>{cards}</div></div></article>"
    )
    art = extract_article(html, None)
    assert "Paragraph 5." in art.text and "Paragraph 0." in art.text
    assert not any(b[:30] in art.text for b in blurbs)
