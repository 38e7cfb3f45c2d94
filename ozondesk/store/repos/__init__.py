"""Repositories: sessions in, frozen dataclasses out."""
