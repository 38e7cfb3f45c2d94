"""The Ozon Seller API: client, typed records, errors, and a fake server for tests."""
