"""The `newsmon` command line. The only place that configures logging.

Exit status: 0 on success, 2 on bad input or configuration, 1, 73 and 74 for a store that does
not answer, cannot be written or has a full disk (one-line reason on stderr; see README).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from monitor.errors import NewsmonError, store_failure

log = logging.getLogger(__name__)

CONFIG_OPTION = click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(path_type=Path),
    default=Path("config/newsmon.yaml"),
    show_default=True,
    help="Main config file.",
)

# detect and eval run without any config when there is none: the shipped lexicon is enough.
LEXICON_CONFIG_OPTION = click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Config whose detect.lexicon_files to use [default: config/newsmon.yaml if present].",
)


def _setup_logging(verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    # Third-party chatter stays quiet unless asked for twice; alembic lists its plugins on
    # every start.
    for name in ("scrapy", "apscheduler", "mail.log", "httpx", "alembic.runtime.plugins"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)
    # The extractors log every page they cannot read as an ERROR; newsmon reports the page
    # itself, once.
    for name in ("trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose > 1 else logging.CRITICAL)
    if verbose < 2:
        for handler in logging.getLogger().handlers:
            handler.addFilter(_without_scrapy_tracebacks)


def _without_scrapy_tracebacks(record: logging.LogRecord) -> bool:
    """Scrapy logs an unreachable site's robots.txt or page with a full traceback; the first
    line says what and where, the rest is shown with -vv."""
    if record.name.startswith("scrapy") and record.exc_info:
        record.exc_info = None
        record.exc_text = None
    return True


def _more_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    """`-v` given after the subcommand adds to any given before it."""
    if value:
        root = ctx.find_root()
        root.meta["verbose"] = root.meta.get("verbose", 0) + value
        _setup_logging(root.meta["verbose"])


class NewsmonCommand(click.Command):
    """A subcommand that also takes `-v` after its name (`newsmon run -v`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(
                ["-v", "--verbose"],
                count=True,
                expose_value=False,
                callback=_more_verbose,
                help="More log output (-vv for debug).",
            )
        )


class NewsmonGroup(click.Group):
    command_class = NewsmonCommand

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsmonError as exc:
            click.echo(f"newsmon: {exc}", err=True)
            ctx.exit(exc.exit_status)
        except Exception as exc:
            # A full disk or a read-only store met mid-command: one line and its own status.
            from sqlalchemy.exc import SQLAlchemyError

            failure = store_failure(exc) if isinstance(exc, SQLAlchemyError) else None
            if failure is None:
                raise
            click.echo(f"newsmon: {failure}", err=True)
            ctx.exit(failure.exit_status)


NewsmonGroup.group_class = NewsmonGroup

EXAMPLES = """\b
Examples:
  newsmon demo                          the whole flow on a local site, nothing to set up
  newsmon config check                  validate config/newsmon.yaml and the sources file
  newsmon sources check --source NAME   does a new source answer and list articles?
  newsmon crawl                         one cycle: crawl, detect, group, alert
  newsmon run -v                        the daemon, with progress logs
  newsmon detect article.txt            detect one text file (first line the headline)
  newsmon events --party jmm --limit 5  the five newest JMM events, with links
  newsmon status                        cycles, source health, the outbox
  newsmon alerts list --failed          alerts that could not be delivered
"""


@click.group(
    cls=NewsmonGroup,
    help="newsmon: watch regional news for party meetings and election preparation.\n\n"
    + EXAMPLES,
)
@click.version_option(package_name="newsmon", prog_name="newsmon")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    ctx.meta["verbose"] = verbose
    _setup_logging(verbose)


@main.command()
@click.option(
    "--workdir",
    type=click.Path(path_type=Path),
    default=None,
    help="Keep the demo's store, alert file and config here (default: var/demo).",
)
def demo(workdir: Path | None) -> None:
    """Serve a local news site built from the seeds, crawl it twice, detect and alert."""
    # Loading the crawler and the detectors takes seconds; say what is coming first.
    click.echo("newsmon demo: loading the crawler and detectors, then starting a local news site")
    from monitor.demo.run import run_demo

    run_demo(workdir)


@main.command()
@CONFIG_OPTION
def run(config_path: Path) -> None:
    """Run the daemon: crawl due sources on schedule, detect, alert."""
    from monitor.config.model import load_config
    from monitor.ops.daemon import Daemon, progress

    # A daemon says it started and what each cycle did, even without -v.
    progress.setLevel(logging.INFO)
    config = load_config(config_path)
    sys.exit(Daemon(config).run())


@main.command()
@CONFIG_OPTION
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=None,
    help="Crawls at once (default: distributed.worker_concurrency).",
)
@click.option(
    "--queue", default=None, help="Queue to take tasks from (default: distributed.queue)."
)
@click.option("--name", "hostname", default=None, help="Worker name, e.g. crawl1@%h.")
def worker(
    config_path: Path, concurrency: int | None, queue: str | None, hostname: str | None
) -> None:
    """Run a Celery crawl worker (distributed.executor: celery; pip install newsmon[celery])."""
    try:
        from monitor.distributed.worker import start_worker
    except ImportError as exc:
        raise NewsmonError(
            f"the worker needs Celery: pip install 'newsmon[celery]' ({exc})"
        ) from None
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    start_worker(
        config_path, concurrency=concurrency, queue=queue, hostname=hostname, loglevel=level
    )


@main.command()
@CONFIG_OPTION
@click.option(
    "--once",
    is_flag=True,
    help="Run one cycle and exit (what crawl does anyway; kept for scripts).",
)
@click.option("--source", "names", multiple=True, help="Only this source (repeatable).")
def crawl(config_path: Path, once: bool, names: tuple[str, ...]) -> None:
    """Run one crawl cycle (crawl, detect, alert) over every enabled source and exit.

    Prints the cycle's figures as one JSON object. `newsmon run` repeats cycles on a schedule.
    """
    from monitor.config.model import load_config
    from monitor.crawl import reactor
    from monitor.cycle import Monitor
    from monitor.ops.lock import StoreLock
    from monitor.store import Store

    config = load_config(config_path)
    sources = config.enabled_sources()
    if names:
        known = {s.name for s in config.sources}
        unknown = sorted(set(names) - known)
        if unknown:
            raise NewsmonError(f"unknown source(s): {', '.join(unknown)}")
        sources = [s for s in config.sources if s.name in names]

    # The daemon's lock, for the cycle's length: a cycle beside a running daemon would crawl
    # and detect the same articles twice. (Alert claims are leases as well, so dispatchers
    # never double-send even when they do run side by side.)
    lock = StoreLock(config.settings.store.url)
    lock.acquire()

    async def one_cycle() -> dict[str, Any]:
        monitor = Monitor(config)
        monitor.recover()
        report = await monitor.run_cycle(sources)
        crawl_stats = report.crawl
        return {
            "run_id": report.run_id,
            "sources": report.sources,
            "requests": crawl_stats.requests if crawl_stats else 0,
            "new_articles": crawl_stats.new_articles if crawl_stats else 0,
            "skipped_seen": crawl_stats.skipped_seen if crawl_stats else 0,
            "detections": len(report.detected),
            "detect_failed": len(report.failed),
            "new_events": report.new_events,
            "digests_queued": report.digests,
            "source_notices": len(report.notices),
            "alerts_sent": report.dispatch.sent,
            "alerts_retrying": report.dispatch.retrying,
            "alerts_failed": report.dispatch.failed,
        }

    try:
        figures = reactor.run(one_cycle)
    except NewsmonError:
        raise
    except Exception as exc:
        # A full disk or a read-only store met during the cycle: one line, its own status.
        store = Store(config.settings.store.url, migrate=False)
        failure = store.failure(exc)
        store.dispose()
        if failure is None:
            raise
        raise failure from None
    finally:
        lock.release()
    click.echo(json.dumps(figures, ensure_ascii=False))


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--jsonl",
    "jsonl",
    type=click.Path(path_type=Path),
    default=None,
    help='Lines of {"id", "title", "text", "lang"?, "published"?, "url"?}; - for stdin.',
)
@click.option("--url", default=None, help="Fetch this page once, extract and detect it.")
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Detect again the stored articles whose detection failed (uses --config).",
)
@LEXICON_CONFIG_OPTION
def detect(
    files: tuple[Path, ...],
    jsonl: Path | None,
    url: str | None,
    retry_failed: bool,
    config_path: Path | None,
) -> None:
    """Detect meetings and election preparation; one JSON line per input.

    FILES are text files (first line the headline) or HTML pages; - reads text from stdin.
    """
    if retry_failed:
        if files or jsonl or url:
            raise NewsmonError("--retry-failed reads the store; give no FILES, --jsonl or --url")
        from monitor.commands.detect import retry_failed_articles

        path = config_path or Path("config/newsmon.yaml")
        sys.exit(0 if retry_failed_articles(path, sys.stdout) else 1)
    from monitor.commands.detect import configured_detector, run_detect

    run_detect(files, jsonl, url, sys.stdout, configured_detector(config_path))


@main.command(name="eval")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--split",
    type=click.Choice(["train", "blind", "all"]),
    default="all",
    show_default=True,
    help="Score only the tuning (train) or the held-out (blind) part of the file.",
)
@LEXICON_CONFIG_OPTION
def evaluate(file: Path, as_json: bool, split: str, config_path: Path | None) -> None:
    """Score detection and event grouping against labelled JSON lines."""
    from monitor.commands.blind_split import Split
    from monitor.commands.detect import configured_detector
    from monitor.commands.evaluate import run_eval

    chosen: Split = "train" if split == "train" else "blind" if split == "blind" else "all"
    run_eval(file, as_json, sys.stdout, split=chosen, detector=configured_detector(config_path))


@main.command()
@click.argument("file_or_url")
@click.option("--url", default=None, help="The page's URL when reading a file.")
def extract(file_or_url: str, url: str | None) -> None:
    """Extract one article page (file, .html.gz or URL) as JSON."""
    from monitor.commands.extract import run_extract

    run_extract(file_or_url, url, sys.stdout)


@main.group()
def config() -> None:
    """Configuration commands."""


@config.command("check")
@CONFIG_OPTION
def config_check(config_path: Path) -> None:
    """Validate the config and sources files without running anything."""
    from monitor.config.model import load_config
    from monitor.cycle import load_detector, load_renderer

    cfg = load_config(config_path)
    load_renderer(cfg)
    load_detector(cfg)
    click.echo(
        f"{cfg.path}: ok ({len(cfg.sources)} sources, {len(cfg.enabled_sources())} enabled, "
        f"{len(cfg.settings.alerts.channels)} alert channels)"
    )
    if not cfg.settings.alerts.channels:
        click.echo(
            f"{cfg.path}: warning: alerts.channels is empty; events are stored but sent nowhere",
            err=True,
        )
    for warning in cfg.warnings():
        click.echo(warning, err=True)


@main.group()
def alerts() -> None:
    """Inspect, retry and resend the alert outbox."""


@alerts.command("list")
@CONFIG_OPTION
@click.option("--failed", is_flag=True, help="Only alerts that failed for good.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of alerts.")
def alerts_list(config_path: Path, failed: bool, as_json: bool) -> None:
    """List alerts with their event, status, attempts, sent time and last error."""
    from monitor.commands.alerts import list_alerts

    list_alerts(config_path, failed, sys.stdout, as_json)


@alerts.command("resend")
@CONFIG_OPTION
@click.argument("ids", nargs=-1, required=True, type=click.IntRange(1, 2**63 - 1))
def alerts_resend(config_path: Path, ids: tuple[int, ...]) -> None:
    """Send sent alerts again on purpose, under a new idempotency key.

    The copy is queued; the daemon (or the next `newsmon crawl`) sends it.
    """
    from monitor.commands.alerts import resend

    resend(config_path, ids, sys.stdout)


@alerts.command("retry")
@CONFIG_OPTION
@click.argument("ids", nargs=-1, type=click.IntRange(1, 2**63 - 1))
@click.option("--failed", "all_failed", is_flag=True, help="Retry every failed alert.")
def alerts_retry(config_path: Path, ids: tuple[int, ...], all_failed: bool) -> None:
    """Queue failed alerts again (by id, or all with --failed)."""
    from monitor.alerts.dispatch import reset_failed
    from monitor.config.model import load_config
    from monitor.store import Store

    if not ids and not all_failed:
        raise NewsmonError("give alert ids or --failed")
    store = Store(load_config(config_path).settings.store.url)
    queued = reset_failed(store, list(ids) or None)
    click.echo(f"{len(queued)} alert(s) queued again")
    missing = sorted(set(ids) - set(queued))
    if missing:
        raise NewsmonError(f"no failed alert with id {', '.join(map(str, missing))}")


@alerts.command("test")
@CONFIG_OPTION
@click.argument("channel")
def alerts_test(config_path: Path, channel: str) -> None:
    """Send a sample alert through one configured channel and report the result."""
    from monitor.commands.alerts import send_test

    if not send_test(config_path, channel, sys.stdout):
        sys.exit(1)


@main.command()
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option(
    "--party", default=None, help="Only events of this party id (e.g. JMM; any case)."
)
@click.option("--state", default=None, help="Only events in this state or region.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Only events on or after this date (YYYY-MM-DD).",
)
@click.option(
    "--status",
    type=click.Choice(["held", "scheduled"]),
    default=None,
    help="Only meetings already held, or only those announced for a later date.",
)
@click.option(
    "--limit", type=click.IntRange(1), default=None, help="Only the newest N matching events."
)
def events(
    config_path: Path,
    as_json: bool,
    party: str | None,
    state: str | None,
    since: datetime | None,
    status: str | None,
    limit: int | None,
) -> None:
    """List detected events with their articles (links and scores) and sources."""
    from monitor.commands.events import EventFilter, list_events

    where = EventFilter(
        party=party, state=state, since=since.date() if since else None, status=status
    )
    list_events(config_path, where, as_json, sys.stdout, limit)


@main.group()
def sources() -> None:
    """Inspect the configured sources."""


@sources.command("check")
@CONFIG_OPTION
@click.option("--source", "names", multiple=True, help="Only this source (repeatable).")
def sources_check(config_path: Path, names: tuple[str, ...]) -> None:
    """Fetch each source's feeds and sitemaps once and report what they list."""
    from monitor.commands.sources import check_sources

    if not check_sources(config_path, names, sys.stdout):
        sys.exit(1)


@main.command()
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def status(config_path: Path, as_json: bool) -> None:
    """Last cycles, per-source health, pending and failed alerts."""
    from monitor.commands.status import show_status

    show_status(config_path, as_json, sys.stdout)


@main.group(invoke_without_command=True)
@CONFIG_OPTION
@click.option("--listen", default=None, help="host:port to bind (default: web.listen).")
@click.pass_context
def web(ctx: click.Context, config_path: Path, listen: str | None) -> None:
    """Serve the web page over the store (events, review, feeds, API)."""
    if ctx.invoked_subcommand is not None:
        return
    from monitor.config.model import load_config
    from monitor.config.web import host_port
    from monitor.web.app import serve

    config = load_config(config_path)
    host, port = None, None
    if listen:
        try:
            host, port = host_port(listen)
        except ValueError as exc:
            raise NewsmonError(f"--listen: {exc}") from None
    serve(config, host, port)


@web.command("add-user")
@CONFIG_OPTION
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["viewer", "reviewer", "admin"]),
    default="viewer",
    show_default=True,
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="NEWSMON_WEB_PASSWORD",
    help="Asked for when not given (or set NEWSMON_WEB_PASSWORD).",
)
def web_add_user(config_path: Path, name: str, role: str, password: str) -> None:
    """Add or replace a web user; the password is stored as an argon2 hash."""
    from typing import cast

    from monitor.config.model import load_config
    from monitor.config.web import Role
    from monitor.web.auth import add_user

    path = add_user(load_config(config_path), name, cast(Role, role), password)
    click.echo(f"{path}: user {name} ({role}) saved")


@web.command("add-token")
@CONFIG_OPTION
@click.argument("name")
def web_add_token(config_path: Path, name: str) -> None:
    """Make a read-only API token; it is printed once and only its hash is stored."""
    from monitor.config.model import load_config
    from monitor.store import Store
    from monitor.web.auth import create_token

    store = Store(load_config(config_path).settings.store.url)
    try:
        click.echo(create_token(store, name))
    finally:
        store.dispose()


@main.group()
def labels() -> None:
    """The desk's review judgments as labelled data."""


@labels.command("export")
@CONFIG_OPTION
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write here instead of standard output.",
)
def labels_export(config_path: Path, output: Path | None) -> None:
    """Write reviewed events' reports as `newsmon eval` input lines."""
    from monitor.commands.labels import export_labels
    from monitor.config.model import load_config
    from monitor.store import Store

    store = Store(load_config(config_path).settings.store.url)
    try:
        if output is None:
            count = export_labels(store, sys.stdout)
        else:
            try:
                with output.open("w", encoding="utf-8") as out:
                    count = export_labels(store, out)
            except OSError as exc:
                raise NewsmonError(f"{output}: cannot be written: {exc.strerror or exc}") from None
    finally:
        store.dispose()
    click.echo(f"{count} labelled item(s) exported", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
