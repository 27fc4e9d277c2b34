"""The crawler's own Scrapy commands (``COMMANDS_MODULE`` in crawler/settings.py).

* ``scrapy checkportals`` — lint the registry, the platform adapters, the spiders and their
  saved fixtures (``crawler.lint``); one line per problem, exit status 1 if any.
* ``scrapy savefixture URL --portal ID --role list`` — fetch one page once, politely, and save
  it with its ``.url``/``.headers`` sidecars under tests/fixtures/crawler/ (``crawler.fixture_store``).
"""
