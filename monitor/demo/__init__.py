"""Demo helpers: a local news site to crawl without the network."""
