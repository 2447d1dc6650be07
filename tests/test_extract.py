"""Reader mode on small pages written here, asserting what the reader would see."""

from datetime import datetime, timezone

from tui_reader.extract import body_text, extract_article, reader_text

PROSE = ("The Syrian Observatory for Human Rights reported today that buses carrying tens of fighters entered "
         "al-Bokamal in the eastern Syrian province of Deir ez-Zor, citing unnamed sources, and that the move "
         "followed an attack on Saturday by an unknown aircraft on Iranian forces in the area.")


def paragraphs(n: int = 6, word: str = "") -> str:
    return "".join(f"<p>{word}{PROSE} Paragraph {i}.</p>" for i in range(n))


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>Report | Example News</title>{head}</head><body>{body}</body></html>"


def test_figure_caption_and_credit_in_place_and_not_in_body_text():
    html = page(f"<article><h1>Report</h1>{paragraphs(2)}<figure><img src='/a.jpg' alt='A house'>"
                "<figcaption>The house of a local farmer is seen destroyed in Baghouz."
                "<span class='credit'>DELIL SOULEIMAN/AFP via Getty Images</span></figcaption></figure>"
                f"{paragraphs(3)}</article>")
    art = extract_article(html, "https://example.com/story")
    block = "▣ The house of a local farmer is seen destroyed in Baghouz. — DELIL SOULEIMAN/AFP via Getty Images"
    assert block in art.markdown
    before, after = art.markdown.split(block)
    assert "Paragraph 1." in before and "Paragraph 0." in after
    assert "Baghouz" not in art.text and "Paragraph 2." in art.text
    assert art.captions[0].image == "https://example.com/a.jpg"


def test_alt_text_stands_in_for_a_missing_caption():
    html = page(f"<article>{paragraphs(2)}<p><img src='x.jpg' alt='Protesters march in Hong Kong'></p>"
                f"{paragraphs(2)}</article>")
    assert "▣ Protesters march in Hong Kong" in reader_text(html, None)


def test_json_ld_metadata_wins_over_guessing():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"},'
          '{"@type": "NewsArticle", "headline": "Militia members enter Syria", "author": [{"@type": "Person",'
          '"name": "Al-Monitor Staff"}], "datePublished": "2020-05-04T10:30:00+00:00"}]}</script>')
    art = extract_article(page(f"<article><h1>Other</h1>{paragraphs(4)}</article>", ld), "https://www.al-monitor.com/x")
    assert art.title == "Militia members enter Syria"
    assert art.byline == "Al-Monitor Staff"
    assert art.published == datetime(2020, 5, 4, 10, 30, tzinfo=timezone.utc)
    assert art.site_name == "al-monitor.com"


def test_empty_and_garbage_input_never_raise():
    for junk in ("", b"", "   ", b"\x00\xff\xfe garbage \x81", "<<<>>>", "<html>", None.__class__.__name__):
        art = extract_article(junk)
        assert art.confidence < 0.5
    assert body_text("", None) == ""
