"""Images in chat messages: read from Markdown, never shown raw."""

from __future__ import annotations

import pytest

from ozondesk.domain import chat_images as C


def test_a_markdown_image_is_read_with_its_name() -> None:
    img = C.image_of("Вот фото ![брак.jpg](https://cdn.example/x/брак.jpg) смотрите")
    assert img == C.ChatImage("https://cdn.example/x/брак.jpg", "брак.jpg", "Вот фото  смотрите")


def test_a_nameless_image_is_named_by_its_file() -> None:
    img = C.image_of("![](https://x.example/a/b/photo.jpg?sig=1)")
    assert img is not None and (img.name, img.rest) == ("photo.jpg", "")


def test_a_plain_link_is_an_image_only_when_the_message_says_so() -> None:
    # The published example: is_image with a plain [text](url) link.
    text = "Подойдет ли он на данную [ модель ](https://www.ozon.ru/product/x) телефона?"
    assert C.image_of(text) is None
    img = C.image_of(text, any_link=True)
    assert img is not None and img.name == "модель"
    assert C.links_as_text(text) == "Подойдет ли он на данную модель телефона?"
    assert C.image_of("просто текст", any_link=True) is None


@pytest.mark.parametrize(
    ("attachments", "status"),
    [(["image:SUCCESS"], "SUCCESS"), (["image"], ""), (["photo_1.jpg"], None), ([], None)],
)
def test_the_moderation_status_is_kept_in_the_attachments(
    attachments: list[str], status: str | None
) -> None:
    assert C.moderation_of(attachments) == status


def test_every_documented_status_has_words() -> None:
    assert C.image_attachment("failed") == "image:FAILED"
    assert C.moderation_label("FAILED") == "refused by Ozon's moderation; the buyer does not see it"
    assert C.moderation_label("NEW_ONE") == "moderation status not given"
