"""nianbao's crawler: Scrapy spiders that find annual reports on government portals and keep
every response that matters byte-exact in WARC files, with a JSON-lines manifest."""
