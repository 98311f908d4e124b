"""Crawling on Celery workers, with PostgreSQL as the shared store.

The unit of work is "crawl source S now": `newsmon run` (the coordinator) enqueues due sources,
`newsmon worker` crawls each in a child process and stores into PostgreSQL; detection, grouping
and the outbox stay in the coordinator. Imported only when `distributed.executor` is `celery`,
so the embedded default never loads Celery.
"""
