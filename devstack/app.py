"""``python -m devstack``: moto, the template's resources, the functions, the API and /_local/ on 127.0.0.1.

Start order: moto; the API's socket (so its port is known); the resources and local secrets from
template.yaml; the functions' environments; the event sources, rules and schedules; then the API starts
serving, the SQS pollers and the scheduler start, and the ready line is printed. SIGINT/SIGTERM stop
everything (pollers and scheduler, API, workers, moto) and exit 0.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devstack.apigateway import ApiGateway
from devstack.console import Console
from devstack.emulators import Emulator, EmulatorRegistry, is_local_path
from devstack.emulators.captcha import SiteverifyEmulator
from devstack.emulators.control import ControlEndpoints
from devstack.emulators.helpdesk import API_PATH, HelpdeskEmulator
from devstack.emulators.helpdesk import PREFIX as HELPDESK_PREFIX
from devstack.emulators.inbound_mail import inbound_mail_emulator
from devstack.emulators.mail import mail_emulators
from devstack.emulators.triggers import EventsEndpoint, EventSourcesEndpoint, SchedulesEndpoint
from devstack.event_sources import SqsPoller, sqs_mappings
from devstack.eventbridge import (
    AsyncInvoker,
    EventBus,
    Scheduler,
    async_configs,
    rules_from_template,
    schedules_from_template,
)
from devstack.functions import FunctionSpec, function_specs
from devstack.gateway_responses import GatewayResponses
from devstack.http import ApiServer, HttpRequest, HttpResponse
from devstack.intrinsics import UnresolvableError
from devstack.invoker import Invoker
from devstack.local_secrets import RECAPTCHA_SECRET, seed_local_secrets
from devstack.resource_policy import resource_policies_from_template
from devstack.resources import AwsClients, ResourceMap, cap_visibility_timeout, create_resources
from devstack.routes import RouteTable, gateway_responses_from_template, routes_from_template
from devstack.s3_notifications import S3EventForwarder, s3_event_forwarder
from devstack.settings import (
    HOST,
    LOCAL_ACCESS_KEY,
    LOCAL_FUNCTION_VARIABLES,
    LOCAL_SECRET_KEY,
    Settings,
    local_parameter_values,
)
from devstack.site import StaticSite, placeholder_page
from devstack.template import TemplateError, load_template, placeholder_values

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer


class StartupError(Exception):
    """devstack cannot start (a port is taken, the template is broken); the message says which."""


class Devstack:
    def __init__(self, settings: Settings, console: Console) -> None:
        self.settings = settings
        self.console = console
        self._moto: ThreadedMotoServer | None = None
        self._server: ApiServer | None = None
        self._invoker: Invoker | None = None
        self._helpdesk: HelpdeskEmulator | None = None
        self._pollers: dict[str, SqsPoller] = {}
        self._scheduler: Scheduler | None = None
        self._s3_events: S3EventForwarder | None = None
        self.aws_endpoint = ""
        self.api_url = ""

    # --- starting ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Start everything; raises StartupError (what started is stopped again by ``stop``)."""
        self.aws_endpoint = self._start_moto()
        self._server = self._bind_api()
        self.api_url = f"http://{HOST}:{self._server.port}"
        resources = self._create_resources(self._server.port)
        self._helpdesk = HelpdeskEmulator()
        third_parties: list[Emulator] = [
            SiteverifyEmulator(RECAPTCHA_SECRET),
            self._helpdesk,
            *mail_emulators(self._aws, resources.parameters, self.console),
        ]
        self.console.info(f"  helpdesk: Freshdesk API v2 at {self.api_url}{HELPDESK_PREFIX}{API_PATH}")
        self._functions = self._function_specs(resources, EmulatorRegistry(third_parties))
        self._invoker = Invoker(
            self._functions,
            repo_root=self.settings.repo_root,
            console=self.console,
            pool_size=self.settings.pool_size,
        )
        routes = RouteTable(routes_from_template(resources.template, resources.resolve))
        for route in routes.routes:
            self.console.info(
                f"  route {route.method} {route.resource} -> {route.function} (auth {route.auth})"
            )
        responses = gateway_responses_from_template(resources.template, resources.resolve)
        self._gateway = ApiGateway(
            routes,
            self._invoker.invoke,
            region=self.settings.region,
            gateway_responses={api: GatewayResponses(definitions) for api, definitions in responses.items()},
            resource_policies=resource_policies_from_template(resources.template, resources.resolve),
        )
        self._site = StaticSite(self.settings.repo_root / "web", self._index_page)
        self._resources = resources
        triggers = self._triggers(resources, self._invoker)
        self._emulators = EmulatorRegistry(
            [*third_parties, ControlEndpoints(self.describe, self._index_page), *triggers]
        )
        self._server.start()
        for poller in self._pollers.values():
            poller.start()
        if self._scheduler is not None:
            self._scheduler.start()
        if self._s3_events is not None:
            self._s3_events.start()

    def _start_moto(self) -> str:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no per-request lines from moto
        _ensure_port_free(self.settings.aws_port, "AWS_PORT")
        self._moto = ThreadedMotoServer(ip_address=HOST, port=self.settings.aws_port, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.console.info(f"moto (local AWS, all state in memory) on http://{host}:{port}")
        return f"http://{host}:{port}"

    def _bind_api(self) -> ApiServer:
        try:
            return ApiServer(HOST, self.settings.api_port, self.handle, self.console)
        except OSError as exc:
            raise StartupError(f"API_PORT {self.settings.api_port} is not free: {exc.strerror}") from None

    def _create_resources(self, api_port: int) -> ResourceMap:
        import boto3

        session = boto3.session.Session(
            aws_access_key_id=LOCAL_ACCESS_KEY,
            aws_secret_access_key=LOCAL_SECRET_KEY,
            region_name=self.settings.region,
        )
        template_path = self.settings.template_path
        self.console.info(f"creating resources from {_shown(template_path, self.settings)}")
        cap = self.settings.max_visibility_seconds
        try:
            template = load_template(template_path)
            overrides = self._local_parameters(template, api_port)
            resources = create_resources(
                session,
                template,
                overrides,
                endpoint_url=self.aws_endpoint,
                adjust=cap_visibility_timeout(cap),
            )
        except (TemplateError, UnresolvableError) as exc:
            raise StartupError(str(exc)) from None
        for logical_id, name in resources.resources.items():
            self.console.info(f"  {logical_id:<28} {name}")
        if cap > 0:
            self.console.info(
                f"  queue visibility timeouts capped at {cap} s (DEVSTACK_MAX_VISIBILITY_SECONDS)"
            )
        self._aws = AwsClients(session, self.aws_endpoint)
        for secret in seed_local_secrets(self._aws, resources.parameters):
            self.console.info(f"  secret {secret}")
        return resources

    def _local_parameters(self, template: dict[str, Any], api_port: int) -> dict[str, str]:
        overrides = local_parameter_values(api_port)
        for name, value in placeholder_values(template, overrides).items():
            self.console.info(f"  parameter {name} has no default: using {value!r} (see LOCAL_PARAMETERS)")
            overrides[name] = value
        return overrides

    def _function_specs(self, resources: ResourceMap, emulators: EmulatorRegistry) -> dict[str, FunctionSpec]:
        region = self.settings.region
        local_environment: dict[str, str | None] = {
            **LOCAL_FUNCTION_VARIABLES,
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_KEY,
            **emulators.environment(self.api_url),
        }
        for name, value in LOCAL_FUNCTION_VARIABLES.items():
            self.console.info(f"  function variable {name}={value} (LOCAL_FUNCTION_VARIABLES)")
        try:
            specs, skipped = function_specs(resources, local_environment)
        except UnresolvableError as exc:
            raise StartupError(str(exc)) from None
        for spec in specs.values():
            self.console.info(f"  function {spec.logical_id} ({spec.handler}, started on first use)")
        for skip in skipped:
            self.console.info(f"  function {skip.logical_id} skipped: {skip.reason}")
        return specs

    def _triggers(self, resources: ResourceMap, invoker: Invoker) -> list[Emulator]:
        """The SQS pollers, the event bus and the scheduler (not started), and their /_local/ endpoints."""
        sqs = self._aws.sqs
        mappings, skipped = sqs_mappings(resources, self._functions)
        for mapping in mappings:
            capacity = invoker.capacity(mapping.function)
            wanted = mapping.maximum_concurrency or capacity
            self._pollers[mapping.logical_id] = SqsPoller(
                mapping,
                sqs=sqs,
                invoke=invoker.invoke,
                console=self.console,
                region=self.settings.region,
                concurrency=min(wanted, capacity),
            )
            self.console.info(f"  event source {mapping.logical_id}: {mapping.describe()}")
        rules, skipped_rules = rules_from_template(resources, self._functions)
        schedules, skipped_schedules = schedules_from_template(resources, self._functions, rules)
        for line in [*skipped, *skipped_rules, *skipped_schedules]:
            self.console.info(f"  not emulated: {line}")
        delivery = AsyncInvoker(
            invoker.invoke,
            specs=self._functions,
            configs=async_configs(resources, self._functions),
            sqs=sqs,
            console=self.console,
        )
        bus = EventBus(rules, delivery, region=self.settings.region)
        for rule in bus.rules:
            targets = ", ".join(t.function for t in rule.targets)
            self.console.info(f"  rule {rule.logical_id} -> {targets} (POST /_local/events)")
        # a bucket's S3 -> EventBridge notifications (moto emits them; the bus routes them)
        self._s3_events = s3_event_forwarder(resources, self._aws, bus.put, self.console)
        interval = self.settings.schedule_seconds
        self._scheduler = Scheduler(
            schedules, delivery, region=self.settings.region, interval_seconds=interval, console=self.console
        )
        every = f"every {interval:g} s" if interval > 0 else "only when triggered"
        for schedule in schedules:
            targets = ", ".join(t.function for t in schedule.targets)
            self.console.info(
                f"  schedule {schedule.logical_id} {schedule.expression} -> {targets} (locally {every}; "
                f"POST /_local/schedules/{schedule.logical_id}/run)"
            )
        inbound_mail = inbound_mail_emulator(
            resources,
            self._functions,
            deliver=delivery.deliver,
            s3=lambda: self._aws.s3,
            region=self.settings.region,
            console=self.console,
        )
        return [
            EventsEndpoint(bus),
            SchedulesEndpoint(self._scheduler),
            EventSourcesEndpoint(self._pollers),
            inbound_mail,
        ]

    # --- serving ----------------------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Each request: /_local/ to the emulators, then the API's routes, then web/, else a 403."""
        if is_local_path(request.path):
            return self._emulators.handle(request)
        return self._gateway.handle(request) or self._site.handle(request) or self._gateway.missing_route()

    def describe(self) -> dict[str, Any]:
        """``/_local/resources.json`` (docs/architecture.md §8, a contract)."""
        return {
            "aws_endpoint": self.aws_endpoint,
            "region": self.settings.region,
            "resources": self._resources.resources,
            "functions": {logical_id: spec.describe() for logical_id, spec in self._functions.items()},
        }

    def _index_page(self) -> str:
        api_routes = [f"{r.method} {r.resource} -> {r.function}" for r in self._gateway.routes.routes]
        return placeholder_page(api_routes, ["GET /_local/", *self._emulators.endpoints])

    # --- stopping ---------------------------------------------------------------------------------

    def _stop_s3_events(self) -> None:
        if self._s3_events is not None:
            self._s3_events.stop()
            if not self._s3_events.join(timeout=10):
                self.console.error("the S3 events forwarder did not stop")
            self._s3_events = None

    def stop(self) -> None:
        """Stop the pollers and the scheduler, the API, then the workers, then moto. Safe to call after a
        failed or partial start."""
        for poller in self._pollers.values():
            poller.stop()
        if self._scheduler is not None:
            self._scheduler.stop()
        self._stop_s3_events()
        if self._helpdesk is not None:
            self._helpdesk.stop()  # a held "timeout" request ends now
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._invoker is not None:
            self._invoker.stop()  # a batch or a scheduled run in progress fails and its thread ends
            self._invoker = None
        for logical_id, poller in self._pollers.items():
            if not poller.join(timeout=10):
                self.console.error(f"{logical_id}: a poller did not stop")
        self._pollers = {}
        if self._scheduler is not None:
            self._scheduler.join(timeout=10)
            self._scheduler = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None


def _ensure_port_free(port: int, name: str) -> None:
    """moto binds in a thread and would hang on a taken port: find out first."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise StartupError(f"{name} {port} is not free: {exc.strerror}") from None


def _shown(path: Path, settings: Settings) -> str:
    try:
        return str(path.relative_to(settings.repo_root))
    except ValueError:
        return str(path)


def main() -> int:
    started = time.perf_counter()
    console = Console()
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        console.error(str(exc))
        return 2
    stop_requested = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop_requested.set())
    stack = Devstack(settings, console)
    try:
        stack.start()
    except StartupError as exc:
        console.error(str(exc))
        stack.stop()
        return 1
    console.info(f"started in {time.perf_counter() - started:.2f} s; Ctrl-C stops")
    console.line(f"devstack ready: {stack.api_url}")
    while not stop_requested.wait(0.5):
        pass
    console.info("stopping")
    stack.stop()
    console.info("stopped")
    return 0
