"""Machine translation engines (Yandex Cloud, LibreTranslate, DeepL) and their test doubles.

Each engine turns protected markup (``ozondesk.domain.translation_protect``) into the other
language over HTTP; ``ozondesk.services.translation`` chooses one, masks, caches and counts.
"""
