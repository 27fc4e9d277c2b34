"""Scrapy spiders of the nianbao crawler (``scrapy list`` shows them)."""
